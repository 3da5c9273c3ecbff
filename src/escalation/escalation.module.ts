import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { Severity } from '../db/schema.ts';
import { type EngineDeps, type EngineModule, requestEngineCycle } from '../jobs/engine.ts';
import { DEFAULT_TEMPLATE_ID } from '../notifications/default-template.ts';
import { wakeNotificationWorkers } from '../notifications/notifications.enqueue.ts';
import type { Capabilities } from '../notifications/preferences.ts';
import { type Calendar, isDayOff } from '../schedules/calendar.ts';
import { loadCalendar } from '../schedules/calendars.store.ts';
import type { LocalDay } from '../shared/wall-clock.ts';
import { loadEscalationRules } from './escalation.store.ts';
import type { EscalateTarget, EscalationRule } from './escalation.types.ts';
import { type EscalationSnapshot, pickEscalationRule, snapshotRule } from './match.ts';
import { type LayerStepItem, runLayerSteps } from './notify-layer.ts';
import { type EscalationState, nextStep } from './runtime.ts';

/*
 * The escalation runtime as an engine module (docs/escalation.md, "Runtime"): each cycle starts
 * the escalations of Triggered incidents that have none, then advances the escalations whose timer
 * (next_at, ms) is due. Work is taken in chunks, one transaction each, and a cycle takes chunk after
 * chunk while work remains (for at most CYCLE_BUDGET_MS; then it asks the engine for another cycle
 * at once). Rows are claimed FOR UPDATE SKIP LOCKED, so several instances never take one step
 * twice; the outbox's UNIQUE (incident, step, recipient, channel) is the second guard.
 */

type Executor = Db['q'];

export type EscalationLimits = {
  /** Escalations started, and due escalations advanced, per chunk (one transaction). */
  startChunk: number;
  advanceChunk: number;
  /** A cycle stops taking chunks after this long, so the engine's other modules are not held up. */
  cycleBudgetMs: number;
};

const LIMITS: EscalationLimits = { startChunk: 250, advanceChunk: 250, cycleBudgetMs: 1_000 };
/** A step that failed on its own is tried again this much later (its error is reported meanwhile). */
const FAILED_STEP_RETRY_MS = 30_000;

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

/**
 * Why an incident needs no new escalation: it has a running one, or one that ended otherwise than
 * by its close (a reopened incident escalates again; one that was acknowledged, ran to its end or
 * matched no rule does not). Of `incidentIds`, those that have such an escalation.
 */
async function alreadyEscalated(q: Executor, incidentIds: readonly string[]): Promise<Set<string>> {
  if (incidentIds.length === 0) return new Set();
  const rows = await q
    .selectFrom('escalations')
    .select('incident_id')
    .where('incident_id', 'in', [...incidentIds])
    .where((eb) => eb.or([eb('status', '=', 'active'), eb('reason', '<>', 'closed')]))
    .execute();
  return new Set(rows.map((r) => r.incident_id));
}

/** The calendars the rules' time windows name (`cal_id`), loaded once per account and calendar. */
async function loadCalendarsOf(
  q: Executor,
  accountId: number,
  rules: readonly EscalationRule[],
  into: Map<string, Calendar | undefined>,
): Promise<void> {
  for (const calId of new Set(rules.flatMap((r) => r.time_filters.map((f) => f.cal_id)).filter(Boolean))) {
    const key = `${accountId}:${calId}`;
    if (!into.has(key)) into.set(key, await loadCalendar(q, accountId, calId));
  }
}

/** A day off in the calendar; a calendar that no longer exists has none (docs/escalation.md). */
function dayOff(calendar: Calendar | undefined, day: LocalDay): boolean {
  if (!calendar) return false;
  const pad = (n: number) => String(n).padStart(2, '0');
  return isDayOff(calendar, `${day.year}-${pad(day.month)}-${pad(day.day)}`);
}

/**
 * One chunk of starts, in one transaction: the oldest Triggered, live incidents without an
 * escalation, locked (SKIP LOCKED: one held by an action, an event or another instance is left to
 * a later chunk) and re-checked by a statement that sees what committed before the locks were
 * taken; then the rule of each (the rules read once per channel) and one insert.
 */
async function startChunk(
  db: Db,
  nowMs: number,
  limit: number,
  inline: Capabilities | null,
): Promise<{ claimed: number; started: number; stepped: number }> {
  return db.q.transaction().execute(async (trx) => {
    const { rows } = await sql<IncidentRow>`
      select ${sql.join(INCIDENT_COLUMNS.map((c) => sql.ref(`i.${c}`)))} from incidents i
       where i.progress = 'Triggered' and i.deleted_at = 0 and not i.escalation_checked
       order by i.start_time, i.incident_id
       limit ${limit}
       for update of i skip locked`.execute(trx);
    if (rows.length === 0) return { claimed: 0, started: 0, stepped: 0 };
    // Checked now, whatever the outcome: later scans skip them (partial index, migration 0019; the
    // column is the engine's own bookkeeping, left out of the Kysely types that ingestion builds rows from).
    await sql`update incidents set escalation_checked = true
               where incident_id in (${sql.join(rows.map((r) => r.incident_id))})`.execute(trx);
    const taken = await alreadyEscalated(
      trx,
      rows.map((r) => r.incident_id),
    );
    const incidents = rows.filter(
      (r) => r.progress === 'Triggered' && Number(r.deleted_at) === 0 && !taken.has(r.incident_id),
    );
    const rulesOf = new Map<string, Awaited<ReturnType<typeof loadEscalationRules>>>();
    const calendars = new Map<string, Calendar | undefined>();
    const values = [];
    const due: Array<Omit<DueRow, 'escalation_id'>> = [];
    for (const incident of incidents) {
      const scope = `${incident.account_id}:${incident.channel_id}`;
      let rules = rulesOf.get(scope);
      if (!rules) {
        rules = await loadEscalationRules(trx, incident.account_id, incident.channel_id);
        rulesOf.set(scope, rules);
        await loadCalendarsOf(trx, incident.account_id, rules.rules, calendars);
      }
      const rule = pickEscalationRule(
        rules.rules,
        {
          incident_severity: incident.incident_severity,
          title: incident.title,
          description: incident.description,
          labels: incident.labels,
          integration_id: incident.integration_id,
        },
        Math.floor(nowMs / 1000),
        rules.timeZone,
        (calId, day) => dayOff(calendars.get(`${incident.account_id}:${calId}`), day),
      );
      const snapshot = rule ? snapshotRule(rule) : null;
      const nextAt = nowMs + (snapshot ? snapshot.aggr_window * 1000 : 0);
      values.push({
        account_id: incident.account_id,
        incident_id: incident.incident_id,
        rule_snapshot: snapshot ? JSON.stringify(snapshot) : null,
        layer_idx: 0,
        times_notified: 0,
        layer_started_at: nextAt,
        next_at: nextAt,
        status: snapshot ? ('active' as const) : ('done' as const),
        reason: snapshot ? '' : 'no_rule',
        started_at: nowMs,
        ended_at: snapshot ? 0 : nowMs,
        updated_at: nowMs,
      });
      if (snapshot && nextAt <= nowMs)
        due.push({
          ...incident,
          // As an advance chunk would read it back from the jsonb column.
          rule_snapshot: JSON.parse(JSON.stringify(snapshot)) as EscalationSnapshot,
          layer_idx: 0,
          times_notified: 0,
          layer_started_at: nextAt,
        });
    }
    if (values.length === 0) return { claimed: rows.length, started: 0, stepped: 0 };
    const inserted = await trx
      .insertInto('escalations')
      .values(values)
      .returning(['escalation_id', 'incident_id'])
      .execute();
    if (!inline || due.length === 0) return { claimed: rows.length, started: values.length, stepped: 0 };
    // No aggr_window: the first step is due now, and the incident is already locked: take it here.
    const idOf = new Map(inserted.map((r) => [r.incident_id, Number(r.escalation_id)]));
    await advanceRows(
      trx,
      due.map((d) => ({ ...d, escalation_id: idOf.get(d.incident_id)! })),
      nowMs,
      inline,
    );
    return { claimed: rows.length, started: values.length, stepped: due.length };
  });
}

type DueRow = IncidentRow & {
  escalation_id: number;
  rule_snapshot: EscalationSnapshot;
  layer_idx: number;
  times_notified: number;
  layer_started_at: number;
};

/** What becomes of an escalation row after its step (its new columns). */
type RowUpdate = {
  escalationId: number;
  status: 'active' | 'stopped' | 'done';
  reason: string;
  layerIdx: number;
  timesNotified: number;
  layerStartedAt: number;
  nextAt: number;
  endedAt: number;
};

/**
 * Claims due escalations with their incidents, both locked SKIP LOCKED in one statement (an
 * escalation whose incident is held by an action or an event is left to a later chunk). `only`
 * claims that one escalation (the one-by-one retry of a chunk that failed).
 */
async function claimDue(trx: Executor, nowMs: number, limit: number, only?: number): Promise<DueRow[]> {
  const { rows } = await sql<DueRow>`
    select e.escalation_id, e.rule_snapshot, e.layer_idx, e.times_notified, e.layer_started_at,
           ${sql.join(INCIDENT_COLUMNS.map((c) => sql.ref(`i.${c}`)))}
      from escalations e join incidents i on i.incident_id = e.incident_id
     where e.status = 'active' and e.next_at <= ${nowMs}
       ${only === undefined ? sql`` : sql`and e.escalation_id = ${only}`}
     order by e.next_at, e.escalation_id
     limit ${limit}
     for update of e, i skip locked`.execute(trx);
  return rows.map((r) => ({
    ...r,
    escalation_id: Number(r.escalation_id),
    layer_started_at: Number(r.layer_started_at),
  }));
}

/**
 * Decides and does the steps of claimed escalations: the pure decision (nextStep) for each, the
 * notifying ones through runLayerSteps together, and every escalation row updated by one statement.
 */
async function advanceRows(
  trx: Executor,
  rows: readonly DueRow[],
  nowMs: number,
  capabilities: Capabilities,
): Promise<void> {
  const updates: RowUpdate[] = [];
  const steps: LayerStepItem[] = [];
  const closed: string[] = [];
  for (const row of rows) {
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
        progress: row.progress,
        snoozedBefore: Number(row.snoozed_before),
        deleted: Number(row.deleted_at) !== 0,
      },
      nowMs,
    );
    const same = {
      escalationId: row.escalation_id,
      layerIdx: state.layerIdx,
      timesNotified: state.timesNotified,
      layerStartedAt: state.layerStartedAt,
    };
    if (step.kind === 'end') {
      updates.push({ ...same, status: step.status, reason: step.reason, nextAt: nowMs, endedAt: nowMs });
      if (step.reason === 'closed') closed.push(row.incident_id);
      continue;
    }
    if (step.kind === 'wait') {
      updates.push({ ...same, status: 'active', reason: '', nextAt: step.nextAt, endedAt: 0 });
      continue;
    }
    const layer = snapshot.layers[step.layerIdx]!;
    steps.push({
      incident: row,
      target: layer.target as EscalateTarget,
      step: {
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
    });
    updates.push({
      escalationId: row.escalation_id,
      status: 'active',
      reason: '',
      layerIdx: step.state.layerIdx,
      timesNotified: step.state.timesNotified,
      layerStartedAt: step.state.layerStartedAt,
      nextAt: step.nextAt,
      endedAt: 0,
    });
  }
  if (steps.length > 0) await runLayerSteps(trx, steps, nowMs, capabilities);
  // An escalation ended by a close leaves its incident to be escalated anew if it is reopened.
  if (closed.length > 0)
    await sql`update incidents set escalation_checked = false
               where incident_id in (${sql.join(closed)})`.execute(trx);
  if (updates.length === 0) return;
  const values = updates.map(
    (u) =>
      sql`(${u.escalationId}::bigint, ${u.status}::text, ${u.reason}::text, ${u.layerIdx}::integer,
           ${u.timesNotified}::integer, ${u.layerStartedAt}::bigint, ${u.nextAt}::bigint, ${u.endedAt}::bigint)`,
  );
  // An ended escalation keeps its last next_at (the row is no longer due); only a running one moves it.
  await sql`
    update escalations as e
       set status = v.status, reason = v.reason, layer_idx = v.layer_idx, times_notified = v.times_notified,
           layer_started_at = v.layer_started_at,
           next_at = case when v.status = 'active' then v.next_at else e.next_at end,
           ended_at = v.ended_at, updated_at = ${nowMs}
      from (values ${sql.join(values)})
           as v(escalation_id, status, reason, layer_idx, times_notified, layer_started_at, next_at, ended_at)
     where e.escalation_id = v.escalation_id`.execute(trx);
}

/**
 * One chunk of due escalations, in one transaction: a step's notifications, assignment and next
 * timer commit together. When the chunk fails, its escalations are taken again one per
 * transaction, so one failing step does not hold up the others; a step that fails alone is put off
 * by FAILED_STEP_RETRY_MS and its error reported (thrown by the module once the cycle is done).
 */
async function advanceChunk(
  db: Db,
  nowMs: number,
  limit: number,
  capabilities: Capabilities,
  errors: unknown[],
): Promise<{ claimed: number; advanced: number }> {
  let claimedIds: number[] = [];
  try {
    return await db.q.transaction().execute(async (trx) => {
      const rows = await claimDue(trx, nowMs, limit);
      claimedIds = rows.map((r) => r.escalation_id);
      await advanceRows(trx, rows, nowMs, capabilities);
      return { claimed: rows.length, advanced: rows.length };
    });
  } catch (error) {
    if (claimedIds.length === 0) throw error;
  }
  let advanced = 0;
  for (const id of claimedIds) {
    try {
      advanced += await db.q.transaction().execute(async (trx) => {
        const rows = await claimDue(trx, nowMs, 1, id);
        await advanceRows(trx, rows, nowMs, capabilities);
        return rows.length;
      });
    } catch (error) {
      errors.push(error);
      await db.q
        .updateTable('escalations')
        .set({ next_at: nowMs + FAILED_STEP_RETRY_MS, updated_at: nowMs })
        .where('escalation_id', '=', id)
        .where('status', '=', 'active')
        .execute();
    }
  }
  return { claimed: claimedIds.length, advanced };
}

/** Every channel is assumed deliverable when the engine is not told (delivery then reports what is not). */
const ALL: Capabilities = { email: true, phone: true };

/**
 * A cycle: chunks of starts and of due steps, taken while a chunk came back full and the budget
 * lasts; each chunk's notifications wake the delivery worker once committed. Later chunks read the
 * clock again (never earlier than the cycle's moment), so a long cycle does not act in the past.
 */
async function runCycle(deps: EngineDeps, cycleNowMs: number, limits: EscalationLimits): Promise<number> {
  const capabilities = deps.capabilities ?? ALL;
  const deadline = performance.now() + limits.cycleBudgetMs;
  const errors: unknown[] = [];
  let changed = 0;
  for (let nowMs = cycleNowMs; ; nowMs = Math.max(cycleNowMs, deps.clock.nowMs())) {
    // A chunk whose inline first steps fail is started again without them: those steps are then
    // taken by advance chunks, which isolate a failing one.
    const start = await startChunk(deps.db, nowMs, limits.startChunk, capabilities).catch(() =>
      startChunk(deps.db, nowMs, limits.startChunk, null),
    );
    const advance = await advanceChunk(deps.db, nowMs, limits.advanceChunk, capabilities, errors);
    changed += start.started + start.stepped + advance.advanced;
    if (start.stepped + advance.advanced > 0) wakeNotificationWorkers();
    const more = start.claimed >= limits.startChunk || advance.claimed >= limits.advanceChunk;
    if (!more) break;
    if (performance.now() >= deadline) {
      requestEngineCycle();
      break;
    }
  }
  if (errors.length > 0)
    throw new AggregateError(errors, `${errors.length} escalation step(s) failed; retried later`);
  return changed;
}

/** The module with other chunk sizes or budget (tests); `escalationModule` is the one engines run. */
export function createEscalationModule(limits: Partial<EscalationLimits> = {}): EngineModule {
  const own = { ...LIMITS, ...limits };
  return { name: 'escalation', run: (deps, nowMs) => runCycle(deps, nowMs, own) };
}

export const escalationModule: EngineModule = createEscalationModule();
