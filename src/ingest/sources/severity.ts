import type { EventSeverity } from '../event.ts';

/*
 * Severity words of the sources in this folder (docs/sources.md "Severity"): the words monitoring
 * systems use, case-insensitive and trimmed, and the Vigil severity each means. A word not listed
 * gets the source's documented default. Pure.
 */

const WORDS: Readonly<Record<string, EventSeverity>> = {
  ...Object.fromEntries(
    [
      'critical',
      'crit',
      'fatal',
      'error',
      'err',
      'emergency',
      'alert',
      'p0',
      'p1',
      'disaster',
      'high',
      '1',
    ].map((w) => [w, 'Critical' as const]),
  ),
  ...Object.fromEntries(
    ['warning', 'warn', 'p2', 'p3', 'average', 'medium', 'major', 'minor', '2'].map((w) => [
      w,
      'Warning' as const,
    ]),
  ),
  ...Object.fromEntries(
    ['info', 'information', 'informational', 'notice', 'low', 'p4', 'p5', 'debug', 'none', '3'].map((w) => [
      w,
      'Info' as const,
    ]),
  ),
};

/** The severity a word means, or `fallback` for a word not listed (or none). */
export function severityOfWord(word: unknown, fallback: EventSeverity): EventSeverity {
  if (typeof word !== 'string' && typeof word !== 'number') return fallback;
  const key = String(word).trim().toLowerCase();
  return Object.hasOwn(WORDS, key) ? WORDS[key]! : fallback;
}
