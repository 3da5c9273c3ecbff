import { isValidTimeZone } from '../schedules/zoned.ts';
import { invalidParameter } from '../shared/app-error.ts';
import type { AggregateUnit } from './buckets.ts';
import type { InsightFilter } from './insights.query.ts';

/*
 * The limits of the insight filter that span fields (flashduty-api.md §2.8; docs/insights.md
 * "Limits"). Pure: the service passes the account's zone and the caller's teams.
 */

const DAY = 86_400;
/** "At most one year": 366 days, so a leap year's whole year fits. */
const MAX_RANGE_SECONDS = 366 * DAY;
/** Day buckets: at most 31 days. */
const MAX_DAY_BUCKET_RANGE_SECONDS = 31 * DAY;

export type FilterInput = {
  start_time: number;
  end_time: number;
  team_ids?: number[] | undefined;
  channel_ids?: number[] | undefined;
  responder_ids?: number[] | undefined;
  severities?: string[] | undefined;
  incident_ids?: string[] | undefined;
  query?: string | undefined;
  labels?: Record<string, string> | undefined;
  fields?: Record<string, unknown> | undefined;
  is_my_team?: boolean | undefined;
  time_zone?: string | undefined;
  seconds_to_close_from?: number | undefined;
  seconds_to_close_to?: number | undefined;
  seconds_to_ack_from?: number | undefined;
  seconds_to_ack_to?: number | undefined;
  include_ever_muted?: boolean | undefined;
  aggregate_unit?: AggregateUnit | undefined;
};

/** An empty list is no filter, as an absent one (Go clients send `[]` for "all"). */
const list = <T>(values: T[] | undefined): T[] | undefined =>
  values && values.length > 0 ? [...new Set(values)] : undefined;

export function toInsightFilter(
  input: FilterInput,
  context: { accountId: number; accountTimeZone: string; callerTeamIds: () => number[] },
): InsightFilter {
  const { start_time: start, end_time: end } = input;
  if (end <= start) throw invalidParameter('end_time', 'must be greater than start_time');
  if (end - start > MAX_RANGE_SECONDS) {
    throw invalidParameter(
      'end_time',
      'the range from start_time to end_time must not exceed one year (366 days)',
    );
  }
  if (input.aggregate_unit !== undefined) {
    if (end - start < DAY) {
      throw invalidParameter(
        'aggregate_unit',
        'needs a range from start_time to end_time of at least 24 hours',
      );
    }
    if (input.aggregate_unit === 'day' && end - start > MAX_DAY_BUCKET_RANGE_SECONDS) {
      throw invalidParameter('aggregate_unit', 'day buckets need a range of at most 31 days');
    }
  }
  const bounded = (from: number | undefined, to: number | undefined, field: string) => {
    if (from !== undefined && to !== undefined && to <= from) {
      throw invalidParameter(`${field}_to`, `must be greater than ${field}_from`);
    }
  };
  bounded(input.seconds_to_close_from, input.seconds_to_close_to, 'seconds_to_close');
  bounded(input.seconds_to_ack_from, input.seconds_to_ack_to, 'seconds_to_ack');

  const zone = input.time_zone?.trim() || context.accountTimeZone || 'UTC';
  if (!isValidTimeZone(zone))
    throw invalidParameter('time_zone', `${JSON.stringify(zone)} is not an IANA time zone`);

  return {
    accountId: context.accountId,
    startTime: start,
    endTime: end,
    timeZone: zone,
    includeEverMuted: input.include_ever_muted ?? false,
    teamIds: list(input.team_ids),
    myTeamIds: input.is_my_team ? context.callerTeamIds() : undefined,
    channelIds: list(input.channel_ids),
    responderIds: list(input.responder_ids),
    severities: list(input.severities),
    incidentIds: list(input.incident_ids?.map((id) => id.toLowerCase())),
    query: input.query,
    labels: input.labels,
    fields: input.fields,
    closeFrom: input.seconds_to_close_from,
    closeTo: input.seconds_to_close_to,
    ackFrom: input.seconds_to_ack_from,
    ackTo: input.seconds_to_ack_to,
  };
}
