import { SourceError } from '../source-http.ts';

/* Small helpers the source readers share. */

/** A read made once, on first use, and shared by every stage of a run. */
export function memo<T>(read: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    value ??= read().catch((error) => {
      value = undefined;
      throw error;
    });
    return value;
  };
}

/** Unix seconds of an ISO 8601 date-time with an offset (or Z). */
export function parseInstant(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new SourceError('format', `the source sent a date Vigil cannot read: ${text}`);
  return Math.floor(ms / 1000);
}

/** Seconds from midnight of "HH:MM" or "HH:MM:SS". */
export function secondsOfDay(text: string): number {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!match) throw new SourceError('format', `the source sent a time of day Vigil cannot read: ${text}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] ?? 0);
}

/** Days of the week counted from Monday (0) to Sunday (6), as Vigil's weekly periods count. */
export function daysOfRestrictions(): number[] {
  return [0, 1, 2, 3, 4, 5, 6];
}
