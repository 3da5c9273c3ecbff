import type { Db } from '../db/db.ts';
import type { EscalationSnapshot } from './match.ts';
import { type EscalationState, nextDue } from './runtime.ts';

/*
 * Manual changes to an incident's escalation (docs/escalation.md, "Manual assignment"): a person
 * reassigning the incident ends the running escalation; escalating it by hand to a rule's layer
 * replaces the running escalation with one that stands in that layer, so repeats and timeouts go
 * on from there. The caller holds the incident's row lock; the engine claims escalation rows with
 * SKIP LOCKED and re-checks them, so the two never take one step twice.
 */

type Executor = Db['q'];

/**
 * Ends the incident's running escalation as `reassigned`. With `leaveMark`, an incident that has
 * no escalation yet gets an ended one, so the engine does not start the automatic one after a
 * person took it over.
 */
export async function endEscalation(
  q: Executor,
  incident: { incident_id: string; account_id: number },
  nowMs: number,
  leaveMark: boolean,
): Promise<void> {
  const ended = await q
    .updateTable('escalations')
    .set({ status: 'stopped', reason: 'reassigned', ended_at: nowMs, updated_at: nowMs })
    .where('incident_id', '=', incident.incident_id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!leaveMark || Number(ended.numUpdatedRows) > 0) return;
  await q
    .insertInto('escalations')
    .values({
      account_id: incident.account_id,
      incident_id: incident.incident_id,
      rule_snapshot: null,
      layer_idx: 0,
      times_notified: 0,
      layer_started_at: nowMs,
      next_at: nowMs,
      status: 'stopped',
      reason: 'reassigned',
      started_at: nowMs,
      ended_at: nowMs,
      updated_at: nowMs,
    })
    .execute();
}

/**
 * Replaces the running escalation with one in `layerIdx` of `snapshot` whose first notification
 * the caller sends now; returns its id (for the outbox step key). Its next step is the layer's
 * repeat or, after escalate_window, the next layer.
 */
export async function escalateToLayer(
  q: Executor,
  incident: { incident_id: string; account_id: number },
  snapshot: EscalationSnapshot,
  layerIdx: number,
  nowMs: number,
): Promise<number> {
  await endEscalation(q, incident, nowMs, false);
  const state: EscalationState = { layerIdx, timesNotified: 1, layerStartedAt: nowMs };
  const row = await q
    .insertInto('escalations')
    .values({
      account_id: incident.account_id,
      incident_id: incident.incident_id,
      rule_snapshot: JSON.stringify(snapshot),
      layer_idx: layerIdx,
      times_notified: 1,
      layer_started_at: nowMs,
      next_at: nextDue(snapshot, state),
      status: 'active',
      reason: '',
      started_at: nowMs,
      ended_at: 0,
      updated_at: nowMs,
    })
    .returning('escalation_id')
    .executeTakeFirstOrThrow();
  return Number(row.escalation_id);
}
