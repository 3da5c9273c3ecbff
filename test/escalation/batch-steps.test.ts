import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEscalationModule } from '../../src/escalation/escalation.module.ts';
import { Engine, type EngineLogger, requestEngineCycle } from '../../src/jobs/engine.ts';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, newSource, type Source } from '../incidents/actions-helpers.ts';
import { createRule, EMAIL_ONLY } from './helpers.ts';

/*
 * The escalation module's chunks (docs/escalation.md, "Runtime"): a cycle takes chunk after chunk
 * while due work remains, and a step that fails does not hold up the others of its chunk.
 */

const ENV = { SMTP_URL: 'smtp://127.0.0.1:2525' };
/** A budget no cycle of these tests reaches, however slow the machine. */
const UNHURRIED = 600_000;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: ENV });
});
afterAll(() => t?.close());

type World = { owner: TestAccount; person: number; source: Source };

async function world(aggrWindow: number): Promise<World> {
  const owner = await t.newAccount('Escalation chunks');
  const person = (await t.newMember(owner, [])).memberId;
  const source = await newSource(t, owner);
  await createRule(t, owner, source.channelId, {
    rule_name: 'Primary',
    template_id: DEFAULT_TEMPLATE_ID,
    aggr_window: aggrWindow,
    layers: [{ max_times: 0, escalate_window: 10, target: { person_ids: [person], by: EMAIL_ONLY } }],
  });
  return { owner, person, source };
}

/** An engine running only an escalation module with these limits, its errors kept. */
function engineWith(limits: Parameters<typeof createEscalationModule>[0]) {
  const errors: unknown[] = [];
  const logger: EngineLogger = { info: () => {}, error: (details) => errors.push(details) };
  const engine = new Engine({
    db: t.db,
    clock: t.clock,
    modules: [createEscalationModule(limits)],
    logger,
    capabilities: { email: true, phone: false },
  });
  return { engine, errors };
}

const notified = (incidentIds: readonly string[]) =>
  t.db.q
    .selectFrom('notification_deliveries')
    .select(['incident_id', 'step'])
    .where('incident_id', 'in', [...incidentIds])
    .execute();

const escalationOf = (incidentId: string) =>
  t.db.q
    .selectFrom('escalations')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .executeTakeFirstOrThrow();

describe('escalation chunks', () => {
  it('a cycle takes chunk after chunk while work remains', async () => {
    const w = await world(0);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await fire(t, w.source)).incidentId);
    // Chunks of 2: one cycle still starts and pages all 7 (4 chunks of starts and of steps).
    const { engine, errors } = engineWith({ startChunk: 2, advanceChunk: 2, cycleBudgetMs: UNHURRIED });
    const report = await engine.runOnce(t.clock.nowMs());
    expect(errors).toEqual([]);
    expect(report.changed.escalation).toBe(14);
    const rows = await notified(ids);
    expect(rows.map((r) => r.incident_id).sort()).toEqual([...ids].sort());
    for (const id of ids) {
      expect(await escalationOf(id)).toMatchObject({ status: 'active', layer_idx: 0, times_notified: 1 });
      const incident = await t.db.q
        .selectFrom('incidents')
        .select(['assigned_to'])
        .where('incident_id', '=', id)
        .executeTakeFirstOrThrow();
      expect(incident.assigned_to).toMatchObject({ person_ids: [w.person], type: 'assign', layer_idx: 0 });
    }
    // Nothing is left: the next cycle changes nothing.
    expect((await engine.runOnce(t.clock.nowMs())).changed.escalation).toBe(0);
  });

  it('with its budget spent, a cycle stops after a chunk and leaves the rest to the next cycle', async () => {
    const w = await world(0);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await fire(t, w.source)).incidentId);
    const { engine, errors } = engineWith({ startChunk: 1, advanceChunk: 1, cycleBudgetMs: 0 });
    expect((await engine.runOnce(t.clock.nowMs())).changed.escalation).toBe(2);
    expect(await notified(ids)).toHaveLength(1);
    expect((await engine.runOnce(t.clock.nowMs())).changed.escalation).toBe(2);
    expect((await engine.runOnce(t.clock.nowMs())).changed.escalation).toBe(2);
    expect(await notified(ids)).toHaveLength(3);
    expect(errors).toEqual([]);
  });

  it("one incident's failing step does not block the others of its chunk; it is retried later", async () => {
    const w = await world(60);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await fire(t, w.source)).incidentId);
    const { engine, errors } = engineWith({ startChunk: 10, advanceChunk: 10, cycleBudgetMs: UNHURRIED });
    expect((await engine.runOnce(t.clock.nowMs())).changed.escalation).toBe(4);
    // A corrupt snapshot (a layer target naming nothing readable) makes that one step throw.
    const broken = ids[1]!;
    const good = await escalationOf(broken);
    await sql`update escalations set rule_snapshot = jsonb_set(rule_snapshot, '{layers,0,target}', '{}'::jsonb)
               where incident_id = ${broken}`.execute(t.db.q);

    t.clock.advance(60_000);
    const report = await engine.runOnce(t.clock.nowMs());
    expect(report.failed).toEqual(['escalation']);
    expect(errors).toHaveLength(1);
    const rows = await notified(ids);
    expect(rows.map((r) => r.incident_id).sort()).toEqual(ids.filter((id) => id !== broken).sort());
    // Nothing of the failed step committed; its timer moved 30 s on.
    expect(await escalationOf(broken)).toMatchObject({
      status: 'active',
      times_notified: 0,
      next_at: t.clock.nowMs() + 30_000,
    });
    const feed = await t.db.q
      .selectFrom('feed_entries')
      .select('type')
      .where('incident_id', '=', broken)
      .where('type', 'in', ['i_assign', 'i_warn'])
      .execute();
    expect(feed).toEqual([]);

    // Repaired, it is taken when its timer is due again, once.
    await t.db.q
      .updateTable('escalations')
      .set({ rule_snapshot: JSON.stringify(good.rule_snapshot) })
      .where('incident_id', '=', broken)
      .execute();
    t.clock.advance(29_000);
    await engine.runOnce(t.clock.nowMs());
    expect(await notified([broken])).toEqual([]);
    t.clock.advance(1_000);
    const retried = await engine.runOnce(t.clock.nowMs());
    expect(retried.failed).toEqual([]);
    expect(await notified([broken])).toHaveLength(1);
    expect(await notified(ids)).toHaveLength(4);
  });

  it('a running engine starts a cycle soon when asked (a new incident), not at its next tick', async () => {
    let cycles = 0;
    const engine = new Engine({
      db: t.db,
      clock: t.clock,
      modules: [{ name: 'count', run: async () => ++cycles }],
      logger: { info: () => {}, error: () => {} },
    });
    const until = async (n: number) => {
      for (let i = 0; i < 200 && cycles < n; i++) await new Promise((r) => setTimeout(r, 25));
    };
    engine.start(600_000);
    try {
      await until(1);
      expect(cycles).toBe(1);
      requestEngineCycle();
      await until(2);
      expect(cycles).toBe(2);
    } finally {
      await engine.stop();
    }
    // A stopped engine is no longer woken.
    requestEngineCycle();
    await new Promise((r) => setTimeout(r, 200));
    expect(cycles).toBe(2);
  });
});
