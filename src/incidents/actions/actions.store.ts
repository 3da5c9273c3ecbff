import { type Selectable, sql } from 'kysely';
import type { Actor } from '../../accounts/permissions.ts';
import { findChannel } from '../../channels/channels.store.ts';
import type { Db } from '../../db/db.ts';
import type { AlertsTable, IncidentsTable } from '../../db/schema.ts';
import { notFound } from '../../shared/app-error.ts';
import type { Clock } from '../../shared/clock.ts';
import type { FeedEntry } from '../feed.store.ts';
import { type ChannelBehaviour, channelBehaviour } from '../refresh-incident.ts';

/*
 * What every lifecycle action shares: one transaction (retried when PostgreSQL breaks a deadlock),
 * incident rows locked FOR UPDATE in incident_id order, the account scope, and the feed.
 *
 * Lock order. The ingest pipeline locks an alert, then its incident. Actions that touch alerts
 * (resolve, merge, remove) lock the alerts first, then the incidents, then re-read the alerts (an
 * alert that joined in between is committed by then), so the two never wait on each other in a
 * circle. Actions that touch only incidents lock only incidents.
 */

export type Executor = Db['q'];
export type ActionDeps = { db: Db; clock: Clock };
export type IncidentRow = Selectable<IncidentsTable>;
type AlertRow = Selectable<AlertsTable>;

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const ATTEMPTS = 3;

/** Runs `fn` in one transaction; a deadlock or serialization failure runs it again (at most 3 times). */
export async function inTransaction<T>(db: Db, fn: (trx: Executor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.q.transaction().execute(fn);
    } catch (error) {
      const code = (error as { code?: string } | undefined)?.code;
      if (attempt >= ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
    }
  }
}

/** Ids as stored (lower-case hex), each once, sorted: the order rows are locked in. */
export function normalizeIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))].sort();
}

/**
 * Locks live (not deleted) incidents of the account in id order. Any id that is unknown, deleted or
 * of another account is ResourceNotFound naming it, before anything changed.
 */
export async function lockIncidents(
  q: Executor,
  accountId: number,
  ids: readonly string[],
): Promise<IncidentRow[]> {
  const wanted = normalizeIds(ids);
  if (wanted.length === 0) return [];
  const rows = await q
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('incident_id', 'in', wanted)
    .where('deleted_at', '=', 0)
    .orderBy('incident_id')
    .forUpdate()
    .execute();
  const found = new Set(rows.map((row) => row.incident_id));
  const missing = wanted.find((id) => !found.has(id));
  if (missing !== undefined) throw notFound(`incident ${missing}`);
  return rows;
}

/** Locks the account's live alerts of these incidents in id order (only open ones with `openOnly`). */
export async function lockAlertsOf(
  q: Executor,
  accountId: number,
  incidentIds: readonly string[],
  options: { openOnly: boolean },
): Promise<Pick<AlertRow, 'alert_id' | 'incident_id' | 'title'>[]> {
  if (incidentIds.length === 0) return [];
  let query = q
    .selectFrom('alerts')
    .select(['alert_id', 'incident_id', 'title'])
    .where('account_id', '=', accountId)
    .where('incident_id', 'in', [...incidentIds])
    .where('deleted_at', '=', 0);
  if (options.openOnly) query = query.where('end_time', '=', 0);
  return query.orderBy('alert_id').forUpdate().execute();
}

/** How the incident's channel re-derives it, the same way the ingest pipeline reads it. */
export async function behaviourOf(q: Executor, incident: IncidentRow): Promise<ChannelBehaviour> {
  const channel =
    incident.channel_id > 0 ? await findChannel(q, incident.account_id, incident.channel_id) : undefined;
  return channelBehaviour(channel);
}

/** Whether the member is live in the account (owners of incidents must be). */
export async function memberExists(q: Executor, accountId: number, memberId: number): Promise<boolean> {
  const row = await q
    .selectFrom('members')
    .select('member_id')
    .where('account_id', '=', accountId)
    .where('member_id', '=', memberId)
    .where('status', '<>', 'deleted')
    .executeTakeFirst();
  return row !== undefined;
}

/** Alert end times never precede their start (an event may carry a start time in the future). */
export const endTimeAt = (now: number) => sql<number>`greatest(start_time, ${now})`;

/** A feed entry written by the caller. */
export function byActor(
  actor: Actor,
  nowMs: number,
  entry: Omit<FeedEntry, 'accountId' | 'creatorId' | 'atMs'>,
): FeedEntry {
  // Done through an AI assistant (docs/mcp.md): the entry says so beside the member who acted.
  const via = actor.via ? { detail: { ...entry.detail, via: actor.via } } : {};
  return { ...entry, ...via, accountId: actor.accountId, creatorId: actor.memberId, atMs: nowMs };
}
