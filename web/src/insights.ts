import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import type { Severity } from './types.ts';

dayjs.extend(utc);
dayjs.extend(timezone);

/*
 * The insights page's pure logic (docs/insights.md defines every metric): the API request for the
 * filters, the bucket unit, API answers turned into chart series, durations and bucket labels.
 * No React here, so it is unit-tested directly (test/web/insights.test.ts).
 */

export type InsightUnit = 'day' | 'week' | 'month';
export type HourClass = 'work' | 'off' | 'sleep';
export type InsightView = 'account' | 'team' | 'channel' | 'responder';

/** The filters as the member sets them. Days are 'YYYY-MM-DD' in the member's zone. */
export type InsightFilters = {
  range: { kind: 'last'; days: number } | { kind: 'days'; from: string; to: string };
  /** 'auto' picks from the range's length (pickUnit). */
  unit: InsightUnit | 'auto';
  teamIds: number[];
  channelIds: number[];
  /** Incidents these people responded to (docs/insights.md, "responders"). */
  responderIds: number[];
  severities: Severity[];
  /** Split the incidents over time into work / off / sleep hours. */
  splitHours: boolean;
};

export const DEFAULT_INSIGHT_FILTERS: InsightFilters = {
  range: { kind: 'last', days: 7 },
  unit: 'auto',
  teamIds: [],
  channelIds: [],
  responderIds: [],
  severities: [],
  splitHours: false,
};

const DAY = 86_400;
/** The API's limits (docs/insights.md): a year at most; day buckets for at most 31 days. */
export const MAX_RANGE_DAYS = 366;
const MAX_DAY_BUCKET_SECONDS = 31 * DAY;

/** 'YYYY-MM-DD' of an instant in `timeZone`. */
export function localDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

/** A date string moved by whole days (calendar arithmetic, no zone involved). */
function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * DAY * 1000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The instant (Unix seconds) local midnight of `date` names in `timeZone`. */
function midnight(date: string, timeZone: string): number {
  return dayjs.tz(date, timeZone).unix();
}

/**
 * [start, end) in Unix seconds, whole local days: "last N days" ends at tomorrow's midnight (so
 * today counts) and starts N days before; picked days run from the first's midnight to the midnight
 * after the last, at most a year.
 */
export function insightWindow(
  range: InsightFilters['range'],
  nowMs: number,
  timeZone: string,
): [number, number] {
  let from: string;
  let to: string;
  if (range.kind === 'last') {
    to = localDate(nowMs, timeZone);
    from = addDays(to, 1 - Math.min(Math.max(range.days, 1), MAX_RANGE_DAYS));
  } else {
    [from, to] = range.from <= range.to ? [range.from, range.to] : [range.to, range.from];
    if (addDays(from, MAX_RANGE_DAYS - 1) < to) to = addDays(from, MAX_RANGE_DAYS - 1);
  }
  return [midnight(from, timeZone), midnight(addDays(to, 1), timeZone)];
}

/** The units the API takes for a range: day buckets only up to 31 days. */
export function allowedUnits(start: number, end: number): InsightUnit[] {
  return end - start <= MAX_DAY_BUCKET_SECONDS ? ['day', 'week', 'month'] : ['week', 'month'];
}

/** A readable number of buckets: days up to a month, weeks up to half a year, then months. */
export function pickUnit(start: number, end: number): InsightUnit {
  const days = (end - start) / DAY;
  if (days <= 31) return 'day';
  if (days <= 183) return 'week';
  return 'month';
}

/** The unit asked for, or the picked one when 'auto' or when the range is too long for it. */
export function effectiveUnit(chosen: InsightFilters['unit'], start: number, end: number): InsightUnit {
  if (chosen !== 'auto' && allowedUnits(start, end).includes(chosen)) return chosen;
  return pickUnit(start, end);
}

/** The filter every /insight/* call of the page takes (InsightFilter), in the member's zone. */
export function insightFilter(
  filters: InsightFilters,
  context: { nowMs: number; timeZone: string },
): Record<string, unknown> {
  const [start_time, end_time] = insightWindow(filters.range, context.nowMs, context.timeZone);
  return {
    start_time,
    end_time,
    time_zone: context.timeZone,
    ...(filters.teamIds.length ? { team_ids: filters.teamIds } : {}),
    ...(filters.channelIds.length ? { channel_ids: filters.channelIds } : {}),
    ...(filters.responderIds.length ? { responder_ids: filters.responderIds } : {}),
    ...(filters.severities.length ? { severities: filters.severities } : {}),
  };
}

/**
 * The first instant of every local day / Monday-started week / month bucket that overlaps
 * [start, end) in `timeZone`, as the API's `ts` names them. The API only answers buckets with
 * incidents; the charts show the empty ones as zero.
 */
export function bucketStarts(start: number, end: number, unit: InsightUnit, timeZone: string): number[] {
  let date = localDate(start * 1000, timeZone);
  if (unit === 'week') {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay(); // 0 = Sunday
    date = addDays(date, -((weekday + 6) % 7));
  } else if (unit === 'month') {
    date = `${date.slice(0, 8)}01`;
  }
  const starts: number[] = [];
  for (let ts = midnight(date, timeZone); ts < end && starts.length < 400; ts = midnight(date, timeZone)) {
    starts.push(ts);
    if (unit === 'day') date = addDays(date, 1);
    else if (unit === 'week') date = addDays(date, 7);
    else {
      const [y, m] = date.split('-').map(Number) as [number, number];
      date = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    }
  }
  return starts;
}

/** The parts of an /insight/account (team, channel) row the charts read. */
export type MetricRow = {
  ts?: number;
  hours?: HourClass;
  total_incident_cnt: number;
  total_incidents_acknowledged: number;
  total_incidents_closed?: number;
  total_seconds_to_ack: number;
  total_seconds_to_close?: number;
};

export type TimePoint = {
  ts: number;
  label: string;
  incidents: number;
  work: number;
  off: number;
  sleep: number;
  /** Mean seconds to acknowledge / close in the bucket; null when nothing was acknowledged / closed. */
  mtta: number | null;
  mttr: number | null;
};

/**
 * Incidents and MTTA / MTTR per bucket, empty buckets included. Rows split by hour class are
 * summed per bucket; the means are recomputed from the totals (total seconds ÷ count), which is
 * what the API's own means are.
 */
export function timeSeries(rows: MetricRow[], buckets: number[], label: (ts: number) => string): TimePoint[] {
  const all = [...new Set([...buckets, ...rows.map((row) => row.ts ?? 0)])].sort((a, b) => a - b);
  return all.map((ts) => {
    const inBucket = rows.filter((row) => (row.ts ?? 0) === ts);
    const sum = (pick: (row: MetricRow) => number | undefined) =>
      inBucket.reduce((total, row) => total + (pick(row) ?? 0), 0);
    const byHours = (hours: HourClass) =>
      inBucket.filter((row) => row.hours === hours).reduce((t, row) => t + row.total_incident_cnt, 0);
    const acked = sum((row) => row.total_incidents_acknowledged);
    const closed = sum((row) => row.total_incidents_closed);
    return {
      ts,
      label: label(ts),
      incidents: sum((row) => row.total_incident_cnt),
      work: byHours('work'),
      off: byHours('off'),
      sleep: byHours('sleep'),
      mtta: acked ? Math.round(sum((row) => row.total_seconds_to_ack) / acked) : null,
      mttr: closed ? Math.round(sum((row) => row.total_seconds_to_close) / closed) : null,
    };
  });
}

const HOUR_CLASS_WORDS: Record<HourClass, string> = {
  work: 'Work hours',
  off: 'Off hours',
  sleep: 'Sleep hours',
};

export type HourLoad = { hours: HourClass; label: string; incidents: number; mtta: number | null };

/** The load by hour class (rows of a split_hours query without buckets), always work, off, sleep. */
export function hourLoad(rows: MetricRow[]): HourLoad[] {
  return (['work', 'off', 'sleep'] as const).map((hours) => {
    const inClass = rows.filter((row) => row.hours === hours);
    const incidents = inClass.reduce((t, row) => t + row.total_incident_cnt, 0);
    const acked = inClass.reduce((t, row) => t + row.total_incidents_acknowledged, 0);
    const toAck = inClass.reduce((t, row) => t + row.total_seconds_to_ack, 0);
    return {
      hours,
      label: HOUR_CLASS_WORDS[hours],
      incidents,
      mtta: acked ? Math.round(toAck / acked) : null,
    };
  });
}

/** "45 s", "4 min 30 s", "2 h 5 min", "3 d 4 h"; "—" when there is no value. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const minutes = Math.round(s / 60);
  if (minutes < 24 * 60) {
    return minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`;
  }
  const hours = Math.round(s / 3600);
  return hours % 24 ? `${Math.floor(hours / 24)} d ${hours % 24} h` : `${hours / 24} d`;
}

/** A bucket as the axis names it: "Jan 5" for a day or the Monday of a week, "Jan 2026" for a month. */
export function formatBucket(ts: number, unit: InsightUnit, timeZone: string, locale = 'en-US'): string {
  const options: Intl.DateTimeFormatOptions =
    unit === 'month' ? { month: 'short', year: 'numeric' } : { month: 'short', day: 'numeric' };
  const text = new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(ts * 1000));
  return unit === 'week' ? `Week of ${text}` : text;
}

/** A percentage as the tables show it: "66.67 %", "—" without incidents. */
export function formatPct(pct: number, incidents: number): string {
  return incidents ? `${Math.round(pct * 100) / 100} %` : '—';
}

/** The file name a CSV export is saved as: its view and the local dates it covers. */
export function exportFileName(view: string, start: number, end: number, timeZone: string): string {
  const first = localDate(start * 1000, timeZone);
  const last = localDate((end - 1) * 1000, timeZone);
  return `vigil-insight-${view}-${first}_${last}.csv`;
}

export type TopkItem = { label: string; total_alert_cnt: number; total_alert_event_cnt: number };

/** The noisiest label values, biggest first; alerts without the label are named so. */
export function topLabels(items: TopkItem[]): { label: string; alerts: number; events: number }[] {
  return items
    .map((item) => ({
      label: item.label || '(without this label)',
      alerts: item.total_alert_cnt,
      events: item.total_alert_event_cnt,
    }))
    .sort((a, b) => b.alerts - a.alerts || a.label.localeCompare(b.label));
}

/** The data rows of a CSV file (RFC 4180: the header line not counted, line breaks inside quotes kept). */
export function csvRowCount(csv: string): number {
  let records = 0;
  let quoted = false;
  let content = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (c === '"') quoted = !quoted;
    if (!quoted && (c === '\n' || (c === '\r' && csv[i + 1] !== '\n'))) {
      if (content) records++;
      content = false;
    } else if (c !== '\r') content = true;
  }
  if (content) records++;
  return Math.max(0, records - 1);
}

/** The unit a duration axis counts in, so its ticks are round numbers: seconds, minutes, hours or days. */
export function durationUnit(maxSeconds: number): { unit: 's' | 'min' | 'h' | 'd'; seconds: number } {
  if (maxSeconds < 120) return { unit: 's', seconds: 1 };
  if (maxSeconds < 2 * 3600) return { unit: 'min', seconds: 60 };
  if (maxSeconds < 2 * DAY) return { unit: 'h', seconds: 3600 };
  return { unit: 'd', seconds: DAY };
}
