/*
 * How alike two incidents are (docs/incidents.md, "Similar past incidents"). Pure. Three parts,
 * each between 0 and 1:
 *   title   Jaccard index of the two titles' word sets (the words vigil_title_tokens makes)
 *   labels  Jaccard index of the two label sets, as key=value pairs
 *   channel 1 when both are in the same channel, else 0
 * and the score is their weighted sum, 0.6 title + 0.3 labels + 0.1 channel, rounded to 4 places.
 * An incident that shares neither a word nor a label is not similar, whatever its channel; nor is
 * one scoring under 0.15 (what one common word such as "on" in two longer titles gives).
 */

const WEIGHTS = { title: 0.6, labels: 0.3, channel: 0.1 } as const;
const MIN_SCORE = 0.15;

/** Title words and label pairs (`label:key=value`), as vigil_title_tokens and vigil_label_tokens make them. */
export type Comparable = { words: readonly string[]; pairs: readonly string[]; channelId: number };
export type Similarity = { score: number; title: number; labels: number; channel: number };

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared += 1;
  return shared / (a.size + b.size - shared);
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** The similarity of `past` to `current`, or undefined when they share no word and no label. */
export function similarity(current: Comparable, past: Comparable): Similarity | undefined {
  const title = jaccard(new Set(current.words), new Set(past.words));
  const labels = jaccard(new Set(current.pairs), new Set(past.pairs));
  if (title === 0 && labels === 0) return undefined;
  const channel = current.channelId !== 0 && current.channelId === past.channelId ? 1 : 0;
  const score = WEIGHTS.title * title + WEIGHTS.labels * labels + WEIGHTS.channel * channel;
  if (score < MIN_SCORE) return undefined;
  return { score: round(score), title: round(title), labels: round(labels), channel };
}
