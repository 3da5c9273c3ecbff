import { formatDate, naiveParts, parseDate, toNaive } from './zoned.ts';

/*
 * Service calendars as pure data: is a given local date a day off? (docs/schedules.md, "Calendars").
 * Escalation time filters (`cal_id`, `is_off`) and silence rules ask this.
 */

export type CalendarEvent = {
  /** YYYY-MM-DD, inclusive. */
  start_at: string;
  /** YYYY-MM-DD, exclusive. */
  end_at: string;
  /** true: a day off; false: a working day, even on a weekday that is not a workday. */
  is_off: boolean;
  updated_at: number;
};

export type Calendar = {
  /** IANA zone the calendar's dates are read in. */
  timezone: string;
  /** Weekdays that are workdays (0 = Sunday). */
  workdays: readonly number[];
  events: readonly CalendarEvent[];
  /** Calendars whose events this one inherits (extra_cal_ids), in order; its own events come first. */
  inherited?: readonly Calendar[];
};

/** The events of one calendar that cover the date, most recently changed first. */
function covering(events: readonly CalendarEvent[], date: string): CalendarEvent | undefined {
  return events
    .filter((e) => e.start_at <= date && date < e.end_at)
    .sort((a, b) => b.updated_at - a.updated_at)[0];
}

/**
 * Whether the local date (YYYY-MM-DD) is a day off: an event of the calendar covering it decides
 * (the most recently changed one), then an inherited calendar's event, in order; otherwise the
 * weekday decides — a day off unless it is one of the workdays.
 */
export function isDayOff(calendar: Calendar, date: string): boolean {
  const naive = parseDate(date);
  if (naive === undefined) throw new RangeError(`${date} is not a date (YYYY-MM-DD)`);
  for (const source of [calendar, ...(calendar.inherited ?? [])]) {
    const event = covering(source.events, date);
    if (event) return event.is_off;
  }
  return !calendar.workdays.includes(naiveParts(naive).weekday);
}

/** Whether the instant (Unix seconds) falls on a day off, reading the date in the calendar's zone. */
export function isDayOffAt(calendar: Calendar, instant: number): boolean {
  return isDayOff(calendar, formatDate(toNaive(calendar.timezone, instant)));
}
