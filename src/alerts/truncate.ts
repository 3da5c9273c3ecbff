/*
 * Flashduty's length limits count characters; Vigil counts Unicode code points (as Ajv's maxLength
 * does), never UTF-16 units, so a cut never splits a surrogate pair. Pure.
 */

/** The number of code points in `text` (a lone surrogate counts as one). */
export function codePointLength(text: string): number {
  // A string of n UTF-16 units holds at most n and at least n/2 code points.
  if (!/[\uD800-\uDFFF]/.test(text)) return text.length;
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** `text` cut to its first `max` code points; `text` itself when it is not longer. */
export function truncateCodePoints(text: string, max: number): string {
  if (text.length <= max) return text;
  let units = 0;
  let points = 0;
  for (const c of text) {
    if (points === max) return text.slice(0, units);
    units += c.length;
    points += 1;
  }
  return text;
}
