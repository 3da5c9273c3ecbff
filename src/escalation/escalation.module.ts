import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { Severity } from '../db/schema.ts';
import type { EngineModule } from '../jobs/engine.ts';
import { DEFAULT_TEMPLATE_ID } from '../notifications/default-template.ts';
import type { Capabilities } from '../notifications/preferences.ts';
import { loadEscalationRules } from './escalation.store.ts';
import type { EscalateTarget } from './escalation.types.ts';
import { type EscalationSnapshot, pickEscalationRule, snapshotRule } from './match.ts';
import { runLayerStep } from './notify-layer.ts';
import { type EscalationState, nextStep } from './runtime.ts';

/*
 * The escalation runtime as an engine module (docs/escalation.md, "Runtime"): each cycle starts
 * the escalations of Triggered incidents that have none, then advances the escalations whose timer
 * (next_at, ms) is due. Rows are claimed FOR UPDATE SKIP LOCKED, so several instances never take
 * one step twice; the outbox's UNIQUE (incident, step, recipient, channel) is the second guard.
 */

type Executor = Db['q'];

/** Escalations started, and due escalations advanced, per cycle at most. */
const START_BATCH = 200;
const ADVANCE_BATCH = 200;

type IncidentRow = {
  incident_id: string;
  account_id: number;
  channel_id: number;
  progress: 'Triggered' | 'Processing' | 'Closed';
  snoozed_before: number;
  deleted_at: number;
  incident_severity: Severity;
  title: string;
  description: string;
  labels: Record<string, string>;
  integration_id: number;
  responders: unknown;
};

const INCIDENT_COLUMNS = [
  'incident_id',
  'account_id',
  'channel_id',
  'progress',
  'snoozed_before',
  'deleted_at',
  'incident_severity',
  'title',
  'description',
  'labels',
  'integration_id',
  'responders',
] as const;

/** Locks an incident without waiting; undefined when another transaction holds it (next cycle). */
async function lockIncident(q: Executor, incidentId: string): Promise<IncidentRow | undefined> {
  const row = await q
    .selectFrom('incidents')
    .select(INCIDENT_COLUMNS)
    .where('incident_id', '=', incidentId)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
  return row as IncidentRow | undefined;
}

/**
 * Whether the incident needs an escalation started: it has no running one, and every escalation it
 * had ended because it was closed (a reopened incident escalates again; one that was acknowledged,
 * ran to its end or matched no rule does not).
 */
async function needsEscalation(q: Executor, incidentId: string): Promise<boolean> {
  const row = await q
    .selectFrom('escalations')
    .select('escalation_id')
    .where('incident_id', '=', incidentId)
    .where((eb) => eb.or([eb('status', '=', 'active'), eb('reason', '<>', 'closed')]))
    .limit(1)
    .executeTakeFirst();
  return row === undefined;
}

async function startEscalations(db: Db, nowMs: number): Promise<number> {
  const { rows: candidates } = await sql<{ incident_id: string }>`
    select i.incident_id from incidents i
     where i.progress = 'Triggered' and i.deleted_at = 0
       and not exists (select 1 from escalations e
                        where e.incident_id = i.incident_id and (e.status = 'active' or e.reason <> 'closed'))
     order by i.start_time, i.incident_id
     limit ${START_BATCH}`.execute(db.q);
  let started = 0;
  for (const { incident_id } of candidates) {
    const done = await db.q.transaction().execute(async (trx) => {
      const incident = await lockIncident(trx, incident_id);
      if (incident?.progress !== 'Triggered' || Number(incident.deleted_at) !== 0) return false;
      if (!(await needsEscalation(trx, incident_id))) return false;
      const { timeZone, rules } = await loadEscalationRules(trx, incident.account_id, incident.channel_id);
      const rule = pickEscalationRule(
        rules,
        {
          incident_severity: incident.incident_severity,
          title: incident.title,
          description: incident.description,
          labels: incident.labels,
          integration_id: incident.integration_id,
        },
        Math.floor(nowMs / 1000),
        timeZone,
      );
      const snapshot = rule ? snapshotRule(rule) : null;
      const nextAt = nowMs + (snapshot ? snapshot.aggr_window * 1000 : 0);
      await trx
        .insertInto('escalations')
        .values({
          account_id: incident.account_id,
          incident_id,
          rule_snapshot: snapshot ? JSON.stringify(snapshot) : null,
          layer_idx: 0,
          times_notified: 0,
          layer_started_at: nextAt,
          next_at: nextAt,
          status: snapshot ? 'active' : 'done',
          reason: snapshot ? '' : 'no_rule',
          started_at: nowMs,
          ended_at: snapshot ? 0 : nowMs,
          updated_at: nowMs,
        })
        .execute();
      return true;
    });
    if (done) started += 1;
  }
  return started;
}

type DueRow = {
  escalation_id: number;
  incident_id: string;
  rule_snapshot: EscalationSnapshot;
  layer_idx: number;
  times_notified: number;
  layer_started_at: number;
};

async function advanceOne(
  trx: Executor,
  row: DueRow,
  nowMs: number,
  capabilities: Capabilities,
): Promise<boolean> {
  const incident = await lockIncident(trx, row.incident_id);
  if (!incident) return false; // held elsewhere (an action, an event): the next cycle takes it
  const snapshot = row.rule_snapshot;
  const state: EscalationState = {
    layerIdx: row.layer_idx,
    timesNotified: row.times_notified,
    layerStartedAt: row.layer_started_at,
  };
  const step = nextStep(
    snapshot,
    state,
    {
      progress: incident.progress,
      snoozedBefore: Number(incident.snoozed_before),
      deleted: Number(incident.deleted_at) !== 0,
    },
    nowMs,
  );
  const update = trx.updateTable('escalations').where('escalation_id', '=', row.escalation_id);
  if (step.kind === 'end') {
    await update
      .set({ status: step.status, reason: step.reason, ended_at: nowMs, updated_at: nowMs })
      .execute();
    return true;
  }
  if (step.kind === 'wait') {
    await update.set({ next_at: step.nextAt, updated_at: nowMs }).execute();
    return true;
  }

  const layer = snapshot.layers[step.layerIdx]!;
  await runLayerStep(
    trx,
    incident,
    layer.target as EscalateTarget,
    {
      stepKey: `esc:${row.escalation_id}:rule:${snapshot.rule_id}:layer:${step.layerIdx}:fire:${step.fireNo}`,
      rule: {
        rule_id: snapshot.rule_id,
        rule_name: snapshot.rule_name,
        template_id: snapshot.template_id || DEFAULT_TEMPLATE_ID,
      },
      layerIdx: step.layerIdx,
      fireType: step.fireType,
      assign: step.assign
        ? { type: step.assign, ...(step.assign === 'escalate' ? { from: 'timeout' } : {}), creatorId: 0 }
        : null,
    },
    nowMs,
    capabilities,
  );
  await update
    .set({
      layer_idx: step.state.layerIdx,
      times_notified: step.state.timesNotified,
      layer_started_at: step.state.layerStartedAt,
      next_at: step.nextAt,
      updated_at: nowMs,
    })
    .execute();
  return true;
}

async function advanceEscalations(db: Db, nowMs: number, capabilities: Capabilities): Promise<number> {
  return db.q.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('escalations')
      .select([
        'escalation_id',
        'incident_id',
        'rule_snapshot',
        'layer_idx',
        'times_notified',
        'layer_started_at',
      ])
      .where('status', '=', 'active')
      .where('next_at', '<=', nowMs)
      .orderBy('next_at')
      .orderBy('escalation_id')
      .limit(ADVANCE_BATCH)
      .forUpdate()
      .skipLocked()
      .execute();
    let changed = 0;
    for (const row of rows) {
      const due: DueRow = {
        escalation_id: Number(row.escalation_id),
        incident_id: row.incident_id,
        rule_snapshot: row.rule_snapshot as unknown as EscalationSnapshot,
        layer_idx: row.layer_idx,
        times_notified: row.times_notified,
        layer_started_at: Number(row.layer_started_at),
      };
      if (await advanceOne(trx, due, nowMs, capabilities)) changed += 1;
    }
    return changed;
  });
}

/** Every channel is assumed deliverable when the engine is not told (delivery then reports what is not). */
const ALL: Capabilities = { email: true, phone: true };

export const escalationModule: EngineModule = {
  name: 'escalation',
  run: async ({ db, capabilities }, nowMs) =>
    (await startEscalations(db, nowMs)) + (await advanceEscalations(db, nowMs, capabilities ?? ALL)),
};
