/*
 * The schedule timeline's pure logic: windows and grid lines on the member's wall clock (so a day
 * is 23 or 25 hours across a DST change), and shifts turned into bars — clipped to the window,
 * placed in percent, stacked in lanes where they overlap. No React here (test/web/timeline.test.ts).
 */

export type Span = 'day' | 'week' | 'two-weeks';
export const SPAN_DAYS: Record<Span, number> = { day: 1, week: 7, 'two-weeks': 14 };

/** A time range in milliseconds, end exclusive. */
export type Range = { start: number; end: number };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const partsFormats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(zone: string): Intl.DateTimeFormat {
  let format = partsFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
    });
    partsFormats.set(zone, format);
  }
  return format;
}

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number };

/** The wall-clock date and time of an instant in `zone`. */
function wallClock(ms: number, zone: string): WallClock & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of partsFormat(zone).formatToParts(new Date(ms))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `zone`'s clock is ahead of UTC at an instant, in milliseconds. */
function offsetAt(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in `zone`. A time skipped by a spring-forward change moves
 * forward by the gap (02:30 → 03:30); a time that happens twice is the earlier one — as the server's
 * calculator does (docs/schedules.md).
 */
export function zonedTime(wall: WallClock, zone: string): number {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetAt(guess - DAY, zone);
  const after = offsetAt(guess + DAY, zone);
  const fits = [guess - before, guess - after].filter((t) => guess - offsetAt(t, zone) === t);
  if (fits.length > 0) return Math.min(...fits);
  return guess - before;
}

/** "2026-03-08": a calendar date, the key the timeline navigates by. */
export type DateKey = string;

function dateParts(date: DateKey): { year: number; month: number; day: number } {
  const [year = 1970, month = 1, day = 1] = date.split('-').map(Number);
  return { year, month, day };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: DateKey, days: number): DateKey {
  const { year, month, day } = dateParts(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Today's (or an instant's) date on the wall clock of `zone`. */
export function dateIn(ms: number, zone: string): DateKey {
  const w = wallClock(ms, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** Local midnight of a date in `zone`. */
export function startOfDate(date: DateKey, zone: string): number {
  return zonedTime({ ...dateParts(date), hour: 0, minute: 0 }, zone);
}

/** The window shown: from local midnight of `from` to local midnight `span` days later. */
export function windowOf(from: DateKey, span: Span, zone: string): Range {
  return { start: startOfDate(from, zone), end: startOfDate(addDays(from, SPAN_DAYS[span]), zone) };
}

export type GridLine = { at: number; percent: number; label: string; day: boolean };

/** Where an instant falls across the window, 0–100. */
export function percentOf(ms: number, window: Range): number {
  return ((ms - window.start) / (window.end - window.start)) * 100;
}

/**
 * The window's grid lines: every local midnight (labelled "Mon 23"), and for a one-day window every
 * three hours of the wall clock ("03:00"), so a 23-hour day has its lines where the clock says.
 */
export function gridLines(from: DateKey, span: Span, zone: string, locale = 'en-US'): GridLine[] {
  const window = windowOf(from, span, zone);
  const dayLabel = new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: 'short', day: 'numeric' });
  const lines: GridLine[] = [];
  for (let i = 0; i < SPAN_DAYS[span]; i++) {
    const date = addDays(from, i);
    const at = startOfDate(date, zone);
    const parts = dayLabel.formatToParts(new Date(at));
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    lines.push({ at, percent: percentOf(at, window), label: `${part('weekday')} ${part('day')}`, day: true });
    if (span !== 'day') continue;
    for (let hour = 3; hour < 24; hour += 3) {
      const t = zonedTime({ ...dateParts(date), hour, minute: 0 }, zone);
      // A wall-clock hour that does not exist moves forward; keep lines in order and inside.
      if (t <= (lines.at(-1)?.at ?? 0) || t >= window.end) continue;
      lines.push({ at: t, percent: percentOf(t, window), label: `${pad(hour)}:00`, day: false });
    }
  }
  return lines;
}

export type Bar<T> = {
  item: T;
  /** The part inside the window. */
  start: number;
  end: number;
  left: number;
  width: number;
  /** 0 for the first lane; overlapping bars take the next free one. */
  lane: number;
  /** The shift goes on before or after the window. */
  cutStart: boolean;
  cutEnd: boolean;
};

/**
 * Shifts as bars in a window: the parts outside are cut off, shifts entirely outside dropped, and
 * overlapping ones (overrides may overlap) stacked in lanes, each bar in the lowest free lane.
 */
export function toBars<T extends Range>(items: readonly T[], window: Range): Bar<T>[] {
  const size = window.end - window.start;
  const sorted = items
    .filter((item) => item.end > window.start && item.start < window.end && item.end > item.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const laneEnds: number[] = [];
  return sorted.map((item) => {
    const start = Math.max(item.start, window.start);
    const end = Math.min(item.end, window.end);
    let lane = laneEnds.findIndex((laneEnd) => laneEnd <= start);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = end;
    return {
      item,
      start,
      end,
      left: ((start - window.start) / size) * 100,
      width: ((end - start) / size) * 100,
      lane,
      cutStart: item.start < window.start,
      cutEnd: item.end > window.end,
    };
  });
}

/** How many lanes a row of bars needs (at least one, so an empty row keeps its height). */
export function laneCount(bars: readonly Bar<unknown>[]): number {
  return Math.max(1, ...bars.map((bar) => bar.lane + 1));
}

/** "Mon, Nov 23, 09:00 – Tue, Nov 24, 09:00" in `zone`; the second date is left out on the same day. */
export function describeRange(start: number, end: number, zone: string, locale = 'en-US'): string {
  const day = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
  });
  const time = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const from = `${day.format(new Date(start))}, ${time.format(new Date(start))}`;
  const sameDay = dateIn(start, zone) === dateIn(end, zone);
  return `${from} – ${sameDay ? '' : `${day.format(new Date(end))}, `}${time.format(new Date(end))}`;
}

/** A `datetime-local` input's value ("2026-11-23T09:00") for an instant, on `zone`'s clock. */
export function toLocalInput(ms: number, zone: string): string {
  const w = wallClock(ms, zone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** The instant a `datetime-local` value names on `zone`'s clock; undefined when it is not one. */
export function fromLocalInput(value: string, zone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute] = match.map(Number) as number[];
  return zonedTime({ year: year!, month: month!, day: day!, hour: hour!, minute: minute! }, zone);
}

/** Colours whose shade 9 carries white text and shade 1 black text at WCAG AA contrast. */
const PALETTE = ['blue', 'teal', 'grape', 'indigo', 'pink', 'violet', 'cyan', 'red'];

/** A stable Mantine colour for a set of people, so the same person looks the same in every row. */
export function colorOf(personIds: readonly number[]): string {
  const key = personIds.reduce((sum, id) => (sum * 31 + id) % 1_000_003, 7);
  return PALETTE[key % PALETTE.length]!;
}

/** Every IANA zone the browser knows, UTC first; `current` kept even when the browser lacks it. */
export function timeZones(current: string): string[] {
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  return zones.includes(current) ? zones : [current, ...zones];
}

/**
 * Calendar days from `start` to `end` (exclusive, as /calendar/event/* store them) in words:
 * "Thu, Dec 24 – Sat, Dec 26, 2026", or one day "Fri, Dec 25, 2026". Dates are not instants, so no zone.
 */
export function describeDays(start: DateKey, end: DateKey, locale = 'en-US'): string {
  const at = (date: DateKey) => {
    const { year, month, day } = dateParts(date);
    return new Date(Date.UTC(year, month - 1, day));
  };
  const last = addDays(end, -1);
  const full = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
  });
  if (last <= start) return full.format(at(start));
  const sameYear = start.slice(0, 4) === last.slice(0, 4);
  const first = new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  });
  return `${first.format(at(start))} – ${full.format(at(last))}`;
}
