import { type Insertable, type Selectable, sql } from 'kysely';
import { SEVERITY_RANK_SQL } from '../alerts/severity.ts';
import type { Db } from '../db/db.ts';
import type { Image, IncidentsTable } from '../db/schema.ts';
import { requestEngineCycle } from '../jobs/engine.ts';

type Executor = Db['q'];

export type IncidentRow = Selectable<IncidentsTable>;

export type NewIncident = Omit<
  IncidentRow,
  | 'recurrence_key'
  | 'labels'
  | 'fields'
  | 'images'
  | 'responders'
  | 'assigned_to'
  | 'impact'
  | 'root_cause'
  | 'resolution'
  | 'end_time'
  | 'ack_time'
  | 'close_time'
  | 'closer_id'
  | 'owner_id'
  | 'snoozed_before'
  | 'merge_disabled'
  | 'manual_overrides'
  | 'deleted_at'
  | 'escalation_checked'
  | 'change_xid'
  | 'flapping_told_at'
> & { labels: Record<string, string>; images: Image[] };

export async function insertIncident(q: Executor, incident: NewIncident): Promise<void> {
  await q
    .insertInto('incidents')
    .values({
      ...incident,
      labels: JSON.stringify(incident.labels),
      images: JSON.stringify(incident.images),
      fields: '{}',
      responders: '[]',
      assigned_to: null,
    })
    .execute();
  // A new incident is due for escalation: the engine takes it now rather than at its next tick.
  requestEngineCycle();
}

/** The incident that still takes alerts for a grouping key in a channel, locked. */
export async function findGroupIncident(
  q: Executor,
  key: { accountId: number; channelId: number; groupKey: string },
): Promise<IncidentRow | undefined> {
  return q
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', key.accountId)
    .where('channel_id', '=', key.channelId)
    .where('group_key', '=', key.groupKey)
    .forUpdate()
    .executeTakeFirst();
}

/** Open incidents of a channel that still take alerts, newest first (candidates for similarity grouping). */
export async function openMergeableIncidents(
  q: Executor,
  channel: { accountId: number; channelId: number },
  limit: number,
): Promise<IncidentRow[]> {
  return (
    q
      .selectFrom('incidents')
      .selectAll()
      .where('account_id', '=', channel.accountId)
      .where('channel_id', '=', channel.channelId)
      .where('progress', '<>', 'Closed')
      .where('merge_disabled', '=', false)
      .where('deleted_at', '=', 0)
      // Incidents a person created by hand are not grouped into by similarity.
      .where('creator_id', '=', 0)
      .orderBy('start_time', 'desc')
      .limit(limit)
      .execute()
  );
}

export async function getIncidentForUpdate(
  q: Executor,
  incidentId: string,
): Promise<IncidentRow | undefined> {
  return q
    .selectFrom('incidents')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .forUpdate()
    .executeTakeFirst();
}

/** What an incident's alerts add up to; the incident's derived fields are recomputed from it. */
export type AlertAggregate = {
  alert_cnt: number;
  active_alert_cnt: number;
  alert_event_cnt: number;
  last_time: number;
  max_end_time: number;
  severity_rank: number;
  active_status_rank: number;
  integration_ids: number[];
  first_labels: Record<string, string> | null;
};

export async function aggregateAlerts(q: Executor, incidentId: string): Promise<AlertAggregate> {
  return (await aggregateAlertsOf(q, [incidentId])).get(incidentId) ?? EMPTY_AGGREGATE;
}

const EMPTY_AGGREGATE: AlertAggregate = {
  alert_cnt: 0,
  active_alert_cnt: 0,
  alert_event_cnt: 0,
  last_time: 0,
  max_end_time: 0,
  severity_rank: 0,
  active_status_rank: 0,
  integration_ids: [],
  first_labels: null,
};

/** The aggregates of many incidents' alerts in one statement (incidents without alerts are absent). */
export async function aggregateAlertsOf(
  q: Executor,
  incidentIds: readonly string[],
): Promise<Map<string, AlertAggregate>> {
  if (incidentIds.length === 0) return new Map();
  // Per incident, a lateral lookup of its alerts (alerts_incident_idx): a prepared statement's plan
  // must not depend on how many incidents are asked for. The first alert's labels come from one
  // index probe each, not from aggregating every alert's.
  const { rows } = await sql<AlertAggregate & { incident_id: string }>`/* prepared */
    select i.incident_id, g.*,
           (select labels from alerts f
             where f.incident_id = i.incident_id and f.deleted_at = 0
             order by f.start_time, f.alert_id limit 1) as first_labels
      from unnest(${[...incidentIds]}::text[]) as i(incident_id)
      cross join lateral (
            select count(*)::int as alert_cnt,
                   (count(*) filter (where end_time = 0))::int as active_alert_cnt,
                   coalesce(sum(event_cnt), 0)::int as alert_event_cnt,
                   coalesce(max(last_time), 0) as last_time,
                   coalesce(max(end_time), 0) as max_end_time,
                   coalesce(max(${sql.raw(SEVERITY_RANK_SQL('alert_severity'))}), 0)::int as severity_rank,
                   coalesce(max(${sql.raw(SEVERITY_RANK_SQL('alert_status'))}) filter (where end_time = 0), 0)::int
                     as active_status_rank,
                   coalesce(array_agg(distinct integration_id), '{}') as integration_ids
              from alerts
             where incident_id = i.incident_id and deleted_at = 0) g
     where g.alert_cnt > 0`.execute(q);
  return new Map(rows.map(({ incident_id, ...agg }) => [incident_id, agg]));
}

/** Inserts incidents (each with every column it sets), many per statement. */
export async function insertIncidents(
  q: Executor,
  incidents: readonly Insertable<IncidentsTable>[],
): Promise<void> {
  for (let i = 0; i < incidents.length; i += 500) {
    await q
      .insertInto('incidents')
      .values(incidents.slice(i, i + 500))
      .execute();
  }
  if (incidents.length > 0) requestEngineCycle();
}

/**
 * Open or groupable incidents by id, and the incidents that take alerts for grouping keys, locked
 * in incident-id order in one statement (so concurrent batches wait instead of deadlocking).
 */
export async function lockIncidents(
  q: Executor,
  ids: readonly string[],
  groups: readonly { accountId: number; channelId: number; groupKey: string }[],
): Promise<IncidentRow[]> {
  if (ids.length === 0 && groups.length === 0) return [];
  // Each incident looked up by its own key (a lateral join: the plan cannot turn into a scan of
  // every incident, whatever the number of keys).
  const { rows } = await sql<IncidentRow>`/* prepared */
    select i.* from (
             select unnest(${[...ids]}::text[])
             union
             select g.incident_id
               from unnest(${groups.map((g) => g.accountId)}::bigint[], ${groups.map((g) => g.channelId)}::bigint[],
                           ${groups.map((g) => g.groupKey)}::text[]) as k(account_id, channel_id, group_key)
               cross join lateral (
                     select incident_id from incidents
                      where account_id = k.account_id and channel_id = k.channel_id and group_key = k.group_key) g
           ) as wanted(incident_id)
      cross join lateral (select * from incidents where incident_id = wanted.incident_id) i
     order by i.incident_id
     for update of i`.execute(q);
  return rows;
}
