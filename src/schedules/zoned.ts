/*
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl (docs/schedules.md, "Time zones").
 *
 * A "naive" time is the wall clock read as if it were UTC: seconds since 1970-01-01T00:00 local.
 * Calendar steps (a day, a month) are taken on naive times, and only the result is turned back into
 * an instant, so a daily hand-off stays at 09:00 local on both sides of a daylight-saving change.
 */

const DAY = 86_400;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether Intl knows this IANA zone name. */
export function isValidTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    formatters.delete(zone);
    return false;
  }
}

/** The offset as Intl reports it: one formatToParts call (slow: a few microseconds). */
function intlOffset(zone: string, instant: number): number {
  const parts = formatter(zone).formatToParts(new Date(instant * 1000));
  const field = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  let year = field('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  const local = Date.UTC(
    year,
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return Math.round(local / 1000) - instant;
}

/**
 * Per zone and UTC day: the offset, or the one change within that day (found to the second). Time
 * zones change their offset at most once a day, so two lookups per day decide it, and the
 * calculator, which asks thousands of times per schedule, mostly reads this cache.
 */
type DayOffsets = { before: number; after: number; change: number };
const dayCache = new Map<string, Map<number, DayOffsets>>();
const MAX_CACHED_DAYS = 20_000;

function dayOffsets(zone: string, day: number): DayOffsets {
  let days = dayCache.get(zone);
  if (!days) {
    days = new Map();
    dayCache.set(zone, days);
  }
  let entry = days.get(day);
  if (!entry) {
    const start = day * DAY;
    const before = intlOffset(zone, start);
    const after = intlOffset(zone, start + DAY);
    let change = start + DAY;
    if (before !== after) {
      let [lo, hi] = [start, start + DAY];
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (intlOffset(zone, mid) === before) lo = mid;
        else hi = mid;
      }
      change = hi;
    }
    entry = { before, after, change };
    if (days.size >= MAX_CACHED_DAYS) days.clear();
    days.set(day, entry);
  }
  return entry;
}

/** The zone's offset from UTC, in seconds, at this instant (Unix seconds). */
export function offsetAt(zone: string, instant: number): number {
  const t = Math.floor(instant);
  const entry = dayOffsets(zone, Math.floor(t / DAY));
  return t < entry.change ? entry.before : entry.after;
}

/** The wall clock at this instant, as a naive time. */
export function toNaive(zone: string, instant: number): number {
  return instant + offsetAt(zone, instant);
}

/**
 * The instant a wall-clock time names. A time that happens twice (clocks go back) is the earlier
 * one; a time that never happens (clocks go forward) moves forward by the gap, as Temporal's
 * "compatible" disambiguation does: 02:30 on a spring-forward night in New York is 03:30 EDT.
 */
export function toInstant(zone: string, naive: number): number {
  const before = offsetAt(zone, naive - DAY);
  const after = offsetAt(zone, naive + DAY);
  const candidates = [naive - before, naive - after].filter((t) => toNaive(zone, t) === naive);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: read the wall clock with the offset in force before it, which lands after the gap.
  return naive - before;
}

export type LocalParts = {
  year: number;
  month: number;
  day: number;
  /** 0 = Sunday ... 6 = Saturday, as Flashduty numbers weekdays. */
  weekday: number;
  /** Seconds since local midnight. */
  secondOfDay: number;
};

export function naiveParts(naive: number): LocalParts {
  const date = new Date(naive * 1000);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    weekday: date.getUTCDay(),
    secondOfDay: ((naive % DAY) + DAY) % DAY,
  };
}

/** Local midnight of the naive time's day. */
export function startOfDay(naive: number): number {
  return naive - (((naive % DAY) + DAY) % DAY);
}

/** Local Monday 00:00 of the naive time's week (weeks start on Monday, as restrict periods count). */
export function startOfWeek(naive: number): number {
  const day = startOfDay(naive);
  const weekday = naiveParts(day).weekday;
  return day - ((weekday + 6) % 7) * DAY;
}

/**
 * Adds calendar months to a naive time, keeping the time of day. The day of month is clamped to the
 * month's length (Jan 31 + 1 month = Feb 28/29), and always counted from the original, so Jan 31 + 2
 * months is Mar 31.
 */
export function addMonths(naive: number, months: number): number {
  const p = naiveParts(naive);
  const index = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(year, month, Math.min(p.day, lastDay)) / 1000 + p.secondOfDay;
}

/** A naive time from a local date ("YYYY-MM-DD") at midnight; undefined when it is not a real date. */
export function parseDate(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const naive = Date.UTC(year, month - 1, day) / 1000;
  const p = naiveParts(naive);
  return p.year === year && p.month === month && p.day === day ? naive : undefined;
}

/** "YYYY-MM-DD" of a naive time's day. */
export function formatDate(naive: number): string {
  return new Date(naive * 1000).toISOString().slice(0, 10);
}
