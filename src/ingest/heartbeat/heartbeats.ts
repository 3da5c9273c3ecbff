import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';
import type { IntegrationRow } from '../../integrations/integrations.store.ts';
import { type HeartbeatSettings, parseHeartbeatSettings } from '../../integrations/source-settings.ts';
import { requestEngineCycle } from '../../jobs/engine.ts';
import { AppError } from '../../shared/app-error.ts';
import { appendEntries, type NewLogEntry } from '../log/ingest-log.ts';
import { missedHeartbeatEvent, recoveredHeartbeatEvent } from '../sources/heartbeat.ts';

type Executor = Db['q'];

/*
 * Heartbeat timers (migration 0087; docs/sources.md "Heartbeats"). A ping and the engine's check
 * each change a heartbeat's row and append its alert event in one transaction, under the row's
 * lock: so with any number of instances a late ping opens one alert, the next ping recovers it,
 * and the two events reach the ingest log in the order their changes committed.
 */

/** How long after a ping the next one is late, in ms. */
const periodMs = (settings: HeartbeatSettings) =>
  (settings.interval_minutes + settings.grace_minutes) * 60_000;

const contextOf = (integration: { integration_id: number; name: string }, nowMs: number) => ({
  integrationId: integration.integration_id,
  integrationType: 'alert.heartbeat',
  integrationName: integration.name,
  nowSeconds: Math.floor(nowMs / 1000),
});

/**
 * Records a ping at `nowMs`: the next one is due a period later. When the alert of a late ping is
 * open, appends its recovery; `backlogFull` then refuses the ping (429) and changes nothing, as any
 * push is refused when the backlog is full. Returns when the next ping is due and whether it recovered.
 */
export async function recordPing(
  db: Db,
  integration: IntegrationRow,
  nowMs: number,
  backlogFull: boolean,
): Promise<{ dueAt: number; recovered: boolean }> {
  const settings = parseHeartbeatSettings(integration.settings);
  const dueAt = nowMs + periodMs(settings);
  return db.q.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('heartbeats')
      .select('missed')
      .where('integration_id', '=', integration.integration_id)
      .forUpdate()
      .executeTakeFirst();
    const recovered = existing?.missed === true;
    if (recovered && backlogFull) {
      throw new AppError('RequestTooFrequently', 'Too many events are waiting to be applied; retry later.');
    }
    await trx
      .insertInto('heartbeats')
      .values({
        integration_id: integration.integration_id,
        account_id: integration.account_id,
        last_ping_at: nowMs,
        due_at: dueAt,
        missed: false,
      })
      .onConflict((oc) =>
        oc.column('integration_id').doUpdateSet({ last_ping_at: nowMs, due_at: dueAt, missed: false }),
      )
      .execute();
    if (recovered) {
      const event = recoveredHeartbeatEvent(settings, nowMs, contextOf(integration, nowMs));
      await appendEntries(trx, [entryOf(integration, nowMs, event)], db.kind === 'postgres');
    }
    return { dueAt, recovered };
  });
}

const entryOf = (
  integration: { account_id: number; integration_id: number },
  nowMs: number,
  event: NewLogEntry['event'],
): NewLogEntry => ({
  accountId: integration.account_id,
  integrationId: integration.integration_id,
  acceptedAt: nowMs,
  event,
});

/** Heartbeats marked late per engine run at most; the next cycle takes the rest at once. */
const BATCH = 500;

/**
 * Marks every armed heartbeat whose ping is late at `nowMs` (enabled integrations only) and appends
 * its alert event. Rows are claimed with FOR UPDATE SKIP LOCKED: another instance's run, or a ping
 * in flight, holds them, and the row it leaves is no longer late. Returns how many were marked.
 */
export async function raiseMissedHeartbeats(db: Db, nowMs: number): Promise<number> {
  const marked = await db.q.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      integration_id: number;
      account_id: number;
      last_ping_at: number;
      due_at: number;
      name: string;
      settings: Record<string, unknown>;
    }>`
      update heartbeats h set missed = true
        from (select hb.integration_id
                from heartbeats hb
                join integrations i on i.integration_id = hb.integration_id
               where not hb.missed and hb.due_at <= ${nowMs}
                 and i.status = 'enabled' and i.plugin_type = 'alert.heartbeat'
               order by hb.due_at
               limit ${BATCH}
                 for update of hb skip locked) due,
             integrations i
       where h.integration_id = due.integration_id and i.integration_id = h.integration_id
       returning h.integration_id, h.account_id, h.last_ping_at, h.due_at, i.name, i.settings`.execute(trx);
    const entries = rows.map((row) => {
      const ctx = contextOf({ integration_id: Number(row.integration_id), name: row.name }, nowMs);
      const settings = parseHeartbeatSettings(row.settings);
      const event = missedHeartbeatEvent(settings, Number(row.last_ping_at), Number(row.due_at), ctx);
      return entryOf(
        { account_id: Number(row.account_id), integration_id: Number(row.integration_id) },
        nowMs,
        event,
      );
    });
    if (entries.length > 0) await appendEntries(trx, entries, db.kind === 'postgres');
    return entries.length;
  });
  if (marked === BATCH) requestEngineCycle();
  return marked;
}

/**
 * After an integration's period changed: an armed timer is due a new period after the last ping
 * (a late one stays late until the next ping).
 */
export async function rearmHeartbeat(
  q: Executor,
  integrationId: number,
  settings: HeartbeatSettings,
): Promise<void> {
  await q
    .updateTable('heartbeats')
    .set({ due_at: sql<number>`last_ping_at + ${periodMs(settings)}` })
    .where('integration_id', '=', integrationId)
    .where('missed', '=', false)
    .execute();
}
