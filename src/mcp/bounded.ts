/*
 * Answers are bounded: an assistant's context is small and a tool answer can hold large alert
 * labels or descriptions. Past the limit the longest lists are cut (halved until it fits) and the
 * answer says so, so the assistant asks for a smaller page instead of working on a partial view.
 */

const MAX_ANSWER_CHARS = 60_000;

const HINT = 'The answer was cut to fit; ask again with a smaller limit, or narrow the filters.';

type Cut = { array: unknown[]; size: number };

/** The list to cut: the largest, or inside it when one nested list holds most of it. */
function cutPoint(value: unknown, depth = 0): Cut | undefined {
  if (depth > 5 || value === null || typeof value !== 'object') return undefined;
  let best: Cut | undefined;
  for (const child of Object.values(value)) {
    const found = cutPoint(child, depth + 1);
    if (found && (!best || found.size > best.size)) best = found;
  }
  if (Array.isArray(value) && value.length > 0) {
    const size = JSON.stringify(value).length;
    if (!best || best.size < size / 2) return { array: value, size };
  }
  return best;
}

/** The value, or a copy with its longest lists cut so that its JSON fits `max` characters. */
export function bounded(value: unknown, max = MAX_ANSWER_CHARS): unknown {
  if (JSON.stringify(value).length <= max) return value;
  const copy = { answer: structuredClone(value) as unknown };
  for (let round = 0; round < 64 && JSON.stringify(copy).length > max; round++) {
    const cut = cutPoint(copy.answer);
    if (!cut) break;
    cut.array.length = Math.floor(cut.array.length / 2);
  }
  const json = JSON.stringify(copy.answer);
  if (json.length > max) return { truncated: true, hint: HINT, preview: json.slice(0, max) };
  const answer = copy.answer;
  return answer !== null && typeof answer === 'object' && !Array.isArray(answer)
    ? { ...answer, truncated: true, hint: HINT }
    : { items: answer, truncated: true, hint: HINT };
}
