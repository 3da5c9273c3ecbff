import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import type { Progress, Severity } from './types.ts';

dayjs.extend(utc);
dayjs.extend(timezone);

/** The incident list's filters, as the responder sets them. */
export type IncidentFilters = {
  progress: Progress[];
  severities: Severity[];
  channelId: number | undefined;
  mine: boolean;
  /** A window ending now, or days picked on the calendar ('YYYY-MM-DD', in the member's zone). */
  range: { kind: 'last'; hours: number } | { kind: 'days'; from: string; to: string };
  query: string;
};

export const DEFAULT_FILTERS: IncidentFilters = {
  progress: ['Triggered', 'Processing'],
  severities: [],
  channelId: undefined,
  mine: false,
  range: { kind: 'last', hours: 24 * 7 },
  query: '',
};

/** The API searches at most 31 days at once (docs/incidents.md). */
const MAX_WINDOW_SECONDS = 31 * 24 * 3600;

/** [start, end) in Unix seconds: calendar days run from midnight to midnight in `timeZone`. */
export function timeWindow(
  range: IncidentFilters['range'],
  nowMs: number,
  timeZone: string,
): [number, number] {
  if (range.kind === 'last') {
    const end = Math.ceil(nowMs / 1000) + 60; // a minute ahead, so an incident of this instant is in
    return [end - range.hours * 3600, end];
  }
  const start = dayjs.tz(range.from, timeZone).startOf('day').unix();
  const end = dayjs.tz(range.to, timeZone).add(1, 'day').startOf('day').unix();
  return [start, Math.min(end, start + MAX_WINDOW_SECONDS)];
}

/** The /incident/list body for these filters. */
export function listRequest(
  filters: IncidentFilters,
  context: { memberId: number; nowMs: number; timeZone: string; limit: number },
): Record<string, unknown> {
  const [start_time, end_time] = timeWindow(filters.range, context.nowMs, context.timeZone);
  const query = filters.query.trim();
  return {
    start_time,
    end_time,
    limit: context.limit,
    ...(filters.progress.length ? { progress: filters.progress.join(',') } : {}),
    ...(filters.severities.length ? { incident_severity: filters.severities.join(',') } : {}),
    ...(filters.channelId !== undefined ? { channel_ids: [filters.channelId] } : {}),
    ...(filters.mine ? { responder_ids: [context.memberId] } : {}),
    ...(query ? { query } : {}),
  };
}

const PROGRESS: readonly Progress[] = ['Triggered', 'Processing', 'Closed'];
const SEVERITIES: readonly Severity[] = ['Critical', 'Warning', 'Info'];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The filters as the page's query string (issue 23: a reload keeps them, a link shares them):
 * `?progress=Triggered,Processing&severity=Critical&channel=12&mine=1&hours=24&q=disk`, or
 * `from=2026-12-01&to=2026-12-07` for picked days. Defaults are left out.
 */
export function filtersToSearch(filters: IncidentFilters): string {
  const params = new URLSearchParams();
  const same = (a: readonly string[], b: readonly string[]) => a.join(',') === b.join(',');
  if (!same(filters.progress, DEFAULT_FILTERS.progress))
    params.set('progress', filters.progress.join(',') || 'all');
  if (filters.severities.length) params.set('severity', filters.severities.join(','));
  if (filters.channelId !== undefined) params.set('channel', String(filters.channelId));
  if (filters.mine) params.set('mine', '1');
  if (filters.range.kind === 'days') {
    params.set('from', filters.range.from);
    params.set('to', filters.range.to);
  } else if (filters.range.hours !== (DEFAULT_FILTERS.range as { hours: number }).hours) {
    params.set('hours', String(filters.range.hours));
  }
  if (filters.query.trim()) params.set('q', filters.query);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The filters a query string names; anything unknown or malformed falls back to the default. */
export function filtersFromSearch(search: string): IncidentFilters {
  const params = new URLSearchParams(search);
  const list = <T extends string>(name: string, allowed: readonly T[], fallback: T[]): T[] => {
    const value = params.get(name);
    if (value === null) return fallback;
    if (value === 'all') return [];
    const picked = value.split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));
    return picked.length ? picked : fallback;
  };
  const channel = Number(params.get('channel'));
  const hours = Number(params.get('hours'));
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    progress: list('progress', PROGRESS, DEFAULT_FILTERS.progress),
    severities: list('severity', SEVERITIES, []),
    channelId: Number.isSafeInteger(channel) && channel > 0 ? channel : undefined,
    mine: params.get('mine') === '1',
    range:
      DAY.test(from) && DAY.test(to) && from <= to
        ? { kind: 'days', from, to }
        : { kind: 'last', hours: Number.isInteger(hours) && hours > 0 && hours <= 744 ? hours : 24 * 7 },
    query: (params.get('q') ?? '').slice(0, 200),
  };
}
