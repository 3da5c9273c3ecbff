import { toInstant } from '../schedules/zoned.ts';

/*
 * Times and months of a public page in the page's own time zone (`time_zone`, IANA, checked when
 * saved; a zone Intl stopped knowing falls back to UTC rather than failing the page).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        timeZoneName: 'short',
      });
    } catch {
      f = formatter('UTC');
    }
    formatters.set(zone, f);
  }
  return f;
}

type Parts = { year: string; month: string; day: string; hour: string; minute: string; zone: string };

function partsOf(seconds: number, zone: string): Parts {
  const parts = formatter(zone).formatToParts(new Date(seconds * 1000));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    zone: get('timeZoneName'),
  };
}

/** "2026-01-05 14:30 GMT+1": the wall clock in the zone, with the zone's short name. */
export function formatPageTime(seconds: number, zone: string): string {
  const p = partsOf(seconds, zone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.zone}`;
}

/** "YYYY-MM" of the instant in the zone. */
export function monthOf(seconds: number, zone: string): string {
  const p = partsOf(seconds, zone);
  return `${p.year}-${p.month}`;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Whether text is a month "YYYY-MM" from 1970 on. */
export function isMonth(text: string): boolean {
  const match = MONTH.exec(text);
  return match !== null && Number(match[1]) >= 1970;
}

/** The month `delta` months from "YYYY-MM". */
export function addMonth(month: string, delta: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The instants [start, end) of a month "YYYY-MM" in the zone: its first local midnight to the next month's. */
export function monthRange(month: string, zone: string): { start: number; end: number } {
  const naive = (m: string) => Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000;
  let safeZone = zone;
  try {
    toInstant(zone, 0);
  } catch {
    safeZone = 'UTC';
  }
  return {
    start: toInstant(safeZone, naive(month)),
    end: toInstant(safeZone, naive(addMonth(month, 1))),
  };
}

/** "January 2026". */
export function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
