import { formatDate, naiveParts, startOfDay, startOfWeek, toInstant, toNaive } from '../schedules/zoned.ts';

/*
 * Insight time buckets and hour classes (docs/insights.md, "Buckets" and "Hour classes"). Pure: they
 * work on naive times (the wall clock of `time_zone` read as if it were UTC, see schedules/zoned.ts),
 * which the database hands over per local hour, and turn bucket starts back into instants.
 */

export const AGGREGATE_UNITS = ['day', 'week', 'month'] as const;
export type AggregateUnit = (typeof AGGREGATE_UNITS)[number];

export const HOUR_CLASSES = ['work', 'off', 'sleep'] as const;
export type HourClass = (typeof HOUR_CLASSES)[number];

const HOUR = 3600;

/** The naive start of the bucket (local day, Monday-started week, or month) holding a naive time. */
export function naiveBucketStart(naive: number, unit: AggregateUnit): number {
  if (unit === 'day') return startOfDay(naive);
  if (unit === 'week') return startOfWeek(naive);
  const p = naiveParts(naive);
  return Date.UTC(p.year, p.month - 1, 1) / 1000;
}

/**
 * `ts` of the bucket holding a naive time: the instant its local start names in `zone`. Days are
 * 23 or 25 hours long across a daylight-saving change; a midnight that does not exist (zones that
 * change at 00:00) is the first instant after the gap.
 */
export function bucketTs(zone: string, naive: number, unit: AggregateUnit): number {
  return toInstant(zone, naiveBucketStart(naive, unit));
}

/** Whether a local date (YYYY-MM-DD) is a day off; without a calendar, Saturday and Sunday are. */
export type DayOffTest = (date: string) => boolean;

export const WEEKEND_OFF: DayOffTest = (date) => {
  const weekday = naiveParts(Date.parse(`${date}T00:00:00Z`) / 1000).weekday;
  return weekday === 0 || weekday === 6;
};

/**
 * The hour class of a trigger time (naive): sleep every day 23:00–08:00; work on workdays
 * 08:00–19:00; off on workdays 19:00–23:00 and on days off 08:00–23:00.
 */
export function hourClass(naive: number, isDayOff: DayOffTest): HourClass {
  const hour = Math.floor(naiveParts(naive).secondOfDay / HOUR);
  if (hour >= 23 || hour < 8) return 'sleep';
  if (hour < 19 && !isDayOff(formatDate(naive))) return 'work';
  return 'off';
}

/**
 * The local hours (or days) that cover [start, end) in `zone`: each one's first instant and its
 * naive start. The database puts a trigger time in its hour or day by a binary search of these
 * instants (width_bucket), so no time-zone conversion runs per row. An hour skipped by a
 * daylight-saving change is left out (its naive start names the instant of the next hour); a
 * repeated hour keeps one entry covering both passes of the wall clock.
 */
export function localEdges(
  zone: string,
  start: number,
  end: number,
  grain: 'hour' | 'day',
): { instants: number[]; naives: number[]; wholeHourOffsets: boolean } {
  const step = grain === 'hour' ? HOUR : 24 * HOUR;
  const first = toNaive(zone, start);
  let naive = first - (((first % step) + step) % step);
  const instants: number[] = [];
  const naives: number[] = [];
  let wholeHourOffsets = true;
  for (;;) {
    const instant = toInstant(zone, naive);
    if (instant >= end) break;
    if (instants.length > 0 && instant <= instants[instants.length - 1]!) {
      // Skipped wall-clock time maps onto the next instant: the later naive start names it.
      naives[naives.length - 1] = naive;
    } else {
      instants.push(instant);
      naives.push(naive);
    }
    if ((naive - instant) % HOUR !== 0) wholeHourOffsets = false;
    naive += step;
  }
  return { instants, naives, wholeHourOffsets };
}
