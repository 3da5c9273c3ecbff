import { type Selectable, sql } from 'kysely';
import { SEVERITY_RANK_SQL } from '../alerts/severity.ts';
import type { Db } from '../db/db.ts';
import type { Image, IncidentsTable } from '../db/schema.ts';

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
  const { rows } = await sql<AlertAggregate>`
    select count(*)::int as alert_cnt,
           (count(*) filter (where end_time = 0))::int as active_alert_cnt,
           coalesce(sum(event_cnt), 0)::int as alert_event_cnt,
           coalesce(max(last_time), 0) as last_time,
           coalesce(max(end_time), 0) as max_end_time,
           coalesce(max(${sql.raw(SEVERITY_RANK_SQL('alert_severity'))}), 0)::int as severity_rank,
           coalesce(max(${sql.raw(SEVERITY_RANK_SQL('alert_status'))}) filter (where end_time = 0), 0)::int as active_status_rank,
           coalesce(array_agg(distinct integration_id), '{}') as integration_ids,
           (array_agg(labels order by start_time, alert_id))[1] as first_labels
      from alerts
     where incident_id = ${incidentId} and deleted_at = 0`.execute(q);
  return rows[0]!;
}
