/*
 * Answers are bounded: an assistant's context is small and a tool answer can hold large alert
 * labels or descriptions. Past the limit the longest lists are cut (halved until it fits) and the
 * answer says so, so the assistant asks for a smaller page instead of working on a partial view.
 */

const MAX_ANSWER_CHARS = 60_000;

const HINT = 'The answer was cut to fit; ask again with a smaller limit, or narrow the filters.';

function longestArray(value: unknown, depth = 0): unknown[] | undefined {
  if (depth > 4 || value === null || typeof value !== 'object') return undefined;
  let best: { array: unknown[]; size: number } | undefined;
  const consider = (array: unknown[] | undefined) => {
    if (!array || array.length === 0) return;
    const size = JSON.stringify(array).length;
    if (!best || size > best.size) best = { array, size };
  };
  if (Array.isArray(value)) consider(value);
  for (const child of Object.values(value)) consider(longestArray(child, depth + 1));
  return best?.array;
}

/** The value, or a copy with its longest lists cut so that its JSON fits `max` characters. */
export function bounded(value: unknown, max = MAX_ANSWER_CHARS): unknown {
  if (JSON.stringify(value).length <= max) return value;
  const copy = { answer: structuredClone(value) as unknown };
  for (let round = 0; round < 64 && JSON.stringify(copy).length > max; round++) {
    const array = longestArray(copy.answer);
    if (!array) break;
    array.length = Math.floor(array.length / 2);
  }
  const json = JSON.stringify(copy.answer);
  if (json.length > max) return { truncated: true, hint: HINT, preview: json.slice(0, max) };
  const answer = copy.answer;
  return answer !== null && typeof answer === 'object' && !Array.isArray(answer)
    ? { ...answer, truncated: true, hint: HINT }
    : { items: answer, truncated: true, hint: HINT };
}
