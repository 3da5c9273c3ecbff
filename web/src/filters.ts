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
