/*
 * The proof of exactness (docs/import.md): who the source says is on call against who Vigil says,
 * at every hand-off of either over a window. Both timelines are piecewise constant and change only
 * at their own boundaries, so comparing at each boundary compares them everywhere. Pure.
 */

/** People (by one identity space) on call over [start, end); intervals may overlap (all on call). */
export type Timeline = { start: number; end: number; people: string[] }[];

export type Difference = { at: number; until: number; source: string[]; vigil: string[] };

export type Comparison = { handoffs: number; differences: Difference[] };

function onCallAt(timeline: Timeline, t: number): string[] {
  const people = new Set<string>();
  for (const shift of timeline) {
    if (shift.start <= t && t < shift.end) for (const person of shift.people) people.add(person);
  }
  return [...people].sort();
}

export function compareTimelines(
  source: Timeline,
  vigil: Timeline,
  window: { start: number; end: number },
): Comparison {
  const points = new Set<number>([window.start]);
  for (const shift of [...source, ...vigil]) {
    for (const t of [shift.start, shift.end]) if (t > window.start && t < window.end) points.add(t);
  }
  const sorted = [...points].sort((a, b) => a - b);
  const differences: Difference[] = [];
  for (const [i, t] of sorted.entries()) {
    const [s, v] = [onCallAt(source, t), onCallAt(vigil, t)];
    if (s.join('\u0000') === v.join('\u0000')) continue;
    const until = sorted[i + 1] ?? window.end;
    const last = differences[differences.length - 1];
    // A difference that simply goes on past a boundary of one side is reported once.
    if (last && last.until === t && last.source.join() === s.join() && last.vigil.join() === v.join()) {
      last.until = until;
    } else differences.push({ at: t, until, source: s, vigil: v });
  }
  return { handoffs: sorted.length, differences };
}
