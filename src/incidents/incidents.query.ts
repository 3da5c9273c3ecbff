import { type SqlBool, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { Progress, Severity } from '../db/schema.ts';
import { type SearchPage, searchRows } from '../http/search-paging.ts';
import { isRare } from './frequency.query.ts';
import type { IncidentRow } from './incidents.store.ts';

type Executor = Db['q'];

/** A live (not deleted) incident of the account. */
export async function findIncident(
  q: Executor,
  accountId: number,
  incidentId: string,
): Promise<IncidentRow | undefined> {
  return q
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('incident_id', '=', incidentId.toLowerCase())
    .where('deleted_at', '=', 0)
    .executeTakeFirst();
}

/** Live incidents of the account with these ids, in no particular order. */
export async function getIncidents(
  q: Executor,
  accountId: number,
  incidentIds: readonly string[],
): Promise<IncidentRow[]> {
  if (incidentIds.length === 0) return [];
  return q
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where(
      'incident_id',
      'in',
      incidentIds.map((id) => id.toLowerCase()),
    )
    .where('deleted_at', '=', 0)
    .execute();
}

/** /incident/list, after validation: every filter is optional except the window. */
export type IncidentSearch = {
  accountId: number;
  /** The caller, for is_my_team and is_my_channel. */
  memberId: number;
  /** Unix seconds now, for is_snoozed. */
  now: number;
  startTime: number;
  endTime: number;
  asc: boolean;
  progress?: readonly Progress[] | undefined;
  severities?: readonly Severity[] | undefined;
  channelIds?: readonly number[] | undefined;
  teamIds?: readonly number[] | undefined;
  responderIds?: readonly number[] | undefined;
  ackerIds?: readonly number[] | undefined;
  creatorIds?: readonly number[] | undefined;
  closerIds?: readonly number[] | undefined;
  incidentIds?: readonly string[] | undefined;
  nums?: readonly string[] | undefined;
  query?: string | undefined;
  /** The title alone contains this (any case); sent by Flashduty's Go SDK, not in the documents. */
  title?: string | undefined;
  isSnoozed: boolean;
  everMuted: boolean;
  myTeam: boolean;
  myChannel: boolean;
  rare: boolean;
};

const some = <T>(list: readonly T[] | undefined): list is readonly T[] =>
  list !== undefined && list.length > 0;

/** `%`, `_` and `\` match themselves in a LIKE pattern. */
function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** The incidents a search selects, unordered and unpaged. */
function matching(q: Executor, s: IncidentSearch) {
  const myTeams = q
    .selectFrom('team_members')
    .select('team_id')
    .where('account_id', '=', s.accountId)
    .where('person_id', '=', s.memberId);
  const channelsOf = () =>
    q.selectFrom('channels').select('channel_id').where('account_id', '=', s.accountId);

  let query = q
    .selectFrom('incidents')
    .where('account_id', '=', s.accountId)
    .where('deleted_at', '=', 0)
    .where('start_time', '>=', s.startTime)
    .where('start_time', '<=', s.endTime);
  // The same rule as IncidentInfo's `frequency: rare`, probing incidents_recurrence_idx per row.
  if (s.rare) query = query.where(isRare());
  if (some(s.progress)) query = query.where('progress', 'in', [...s.progress]);
  if (some(s.severities)) query = query.where('incident_severity', 'in', [...s.severities]);
  if (some(s.channelIds)) query = query.where('channel_id', 'in', [...s.channelIds]);
  if (some(s.teamIds)) {
    query = query.where('channel_id', 'in', channelsOf().where('team_id', 'in', [...s.teamIds]));
  }
  if (s.myTeam) query = query.where('channel_id', 'in', channelsOf().where('team_id', 'in', myTeams));
  if (s.myChannel) {
    query = query.where(
      'channel_id',
      'in',
      channelsOf().where((eb) =>
        eb.or([eb('team_id', 'in', myTeams), eb(sql`managing_team_ids`, '&&', sql`array(${myTeams})`)]),
      ),
    );
  }
  if (some(s.responderIds)) {
    const ids = s.responderIds;
    query = query.where(
      sql<SqlBool>`exists (select 1 from jsonb_array_elements(incidents.responders) r
                            where (r->>'person_id')::bigint in (${sql.join(ids)}))`,
    );
  }
  if (some(s.ackerIds)) {
    const ids = s.ackerIds;
    query = query.where(
      sql<SqlBool>`exists (select 1 from jsonb_array_elements(incidents.responders) r
                            where (r->>'person_id')::bigint in (${sql.join(ids)})
                              and coalesce((r->>'acknowledged_at')::bigint, 0) > 0)`,
    );
  }
  if (some(s.creatorIds)) query = query.where('creator_id', 'in', [...s.creatorIds]);
  if (some(s.closerIds)) {
    // Closer 0 means "closed automatically", not "open": open incidents have closer_id 0 too.
    const people = s.closerIds.filter((id) => id > 0);
    const auto = s.closerIds.includes(0);
    query = query.where((eb) =>
      eb.or([
        ...(people.length > 0 ? [eb('closer_id', 'in', people)] : []),
        ...(auto ? [eb.and([eb('closer_id', '=', 0), eb('progress', '=', 'Closed')])] : []),
      ]),
    );
  }
  if (some(s.incidentIds)) {
    query = query.where(
      'incident_id',
      'in',
      s.incidentIds.map((id) => id.toLowerCase()),
    );
  }
  if (some(s.nums)) {
    query = query.where(
      sql`upper(right(incident_id, 6))`,
      'in',
      s.nums.map((num) => num.toUpperCase()),
    );
  }
  if (s.query) {
    const pattern = likeContains(s.query);
    query = query.where((eb) => eb.or([eb('title', 'ilike', pattern), eb('description', 'ilike', pattern)]));
  }
  if (s.title) query = query.where('title', 'ilike', likeContains(s.title));
  if (s.isSnoozed) query = query.where('snoozed_before', '>', s.now);
  if (s.everMuted) query = query.where('ever_muted', '=', true);
  return query;
}

/**
 * A page of incidents (`limit + 1` rows, so the caller sees whether more follow), ordered by
 * start_time then incident_id (descending unless asc), along the account's start-time index, and
 * the number of matches counted up to just past the cap.
 */
export async function searchIncidents(
  q: Executor,
  s: IncidentSearch,
  page: SearchPage,
): Promise<{ fetched: IncidentRow[]; count: number }> {
  const base = matching(q, s);
  return searchRows(q, base, { column: 'start_time', id: 'incident_id', asc: s.asc }, page);
}
