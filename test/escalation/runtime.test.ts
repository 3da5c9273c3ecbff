import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, newSource, ok, type Source } from '../incidents/actions-helpers.ts';
import { feedErrors } from '../incidents/read-helpers.ts';
import { createRule, EMAIL_ONLY, cycle as engineCycle, escalationsOf, sentOf } from './helpers.ts';

/*
 * The escalation runtime (engine module `escalation`), driven as an operator sees it: alerts through
 * ingestion, actions and rule edits through the API, the fake clock moved and engine cycles run by
 * hand; what was decided is read from the notification outbox and the incident.
 */

const ENV = { SMTP_URL: 'smtp://127.0.0.1:2525' };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: ENV });
});
afterAll(() => t?.close());

const MIN = 60_000;

type World = { owner: TestAccount; a: number; b: number; source: Source; ruleId: string };

async function world(layers: Record<string, unknown>[] | null = null, aggrWindow = 60): Promise<World> {
  const owner = await t.newAccount('Escalation runtime');
  const a = (await t.newMember(owner, [])).memberId;
  const b = (await t.newMember(owner, [])).memberId;
  const source = await newSource(t, owner);
  const ruleId = await createRule(t, owner, source.channelId, {
    rule_name: 'Primary',
    template_id: DEFAULT_TEMPLATE_ID,
    aggr_window: aggrWindow,
    layers: layers ?? [
      { max_times: 0, escalate_window: 10, target: { person_ids: [a], by: EMAIL_ONLY } },
      { max_times: 0, escalate_window: 10, target: { person_ids: [b], by: EMAIL_ONLY } },
    ],
  });
  return { owner, a, b, source, ruleId };
}

async function info(w: World, incidentId: string) {
  return ok(t, w.owner, '/incident/info', { incident_id: incidentId });
}

const cycle = (app: TestApp = t) => engineCycle(app);
const sent = (incidentId: string) => sentOf(t, incidentId);
const escalations = (incidentId: string) => escalationsOf(t, incidentId);

describe('escalation runtime', () => {
  it('starts on a new incident, waits aggr_window, pages layer 0, then layer 1 after escalate_window, then ends', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    expect((await cycle()).changed.escalation).toBe(1);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'active', layer_idx: 0, times_notified: 0 }),
    ]);
    t.clock.advance(59_000);
    await cycle();
    expect(await sent(incidentId)).toEqual([]);

    t.clock.advance(1_000);
    await cycle();
    const first = await sent(incidentId);
    expect(first).toEqual([
      expect.objectContaining({ recipient: `person:${w.a}`, channel: 'email', person_id: w.a }),
    ]);
    expect(first[0]!.step).toMatch(new RegExp(`rule:${w.ruleId}:layer:0:fire:1$`));
    const assigned = await info(w, incidentId);
    expect(assigned.assigned_to).toMatchObject({
      person_ids: [w.a],
      escalate_rule_id: w.ruleId,
      escalate_rule_name: 'Primary',
      layer_idx: 0,
      type: 'assign',
      assigned_at: Math.floor(t.clock.nowMs() / 1000),
    });
    expect(assigned.responders.map((r: any) => r.person_id)).toEqual([w.a]);

    t.clock.advance(10 * MIN - 1_000);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(1);
    t.clock.advance(1_000);
    await cycle();
    const second = await sent(incidentId);
    expect(second.map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.b}`]);
    expect(second[1]!.facts).toMatchObject({ layer_idx: 1, fire_type: 'fire' });
    expect((await info(w, incidentId)).assigned_to).toMatchObject({
      person_ids: [w.b],
      layer_idx: 1,
      type: 'escalate',
    });
    const feed = await t.db.q
      .selectFrom('feed_entries')
      .select(['type', 'detail'])
      .where('incident_id', '=', incidentId)
      .where('type', '=', 'i_assign')
      .orderBy('created_at')
      .execute();
    expect(feed.map((f) => (f.detail as any).type)).toEqual(['assign', 'escalate']);
    const api = await t.post(
      '/incident/feed',
      { incident_id: incidentId, types: ['i_assign'] },
      w.owner.appKey,
    );
    expect(feedErrors('/incident/feed', api.body)).toEqual([]);
    expect(api.body.data.items.map((i: any) => i.detail.layer_idx).sort()).toEqual([0, 1]);

    t.clock.advance(10 * MIN);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(2);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'done', reason: 'completed' }),
    ]);
  });

  it('an incident made by /incident/create escalates too', async () => {
    const w = await world(null, 0);
    const created = await ok(t, w.owner, '/incident/create', {
      incident_severity: 'Critical',
      title: 'Made by hand',
      channel_id: w.source.channelId,
    });
    const incidentId = created.incident_id as string;
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`]);
  });

  it('notifies the members of a target team and the target e-mails', async () => {
    const owner = await t.newAccount('Escalation teams');
    const a = (await t.newMember(owner, [])).memberId;
    const b = (await t.newMember(owner, [])).memberId;
    const team = await ok(t, owner, '/team/upsert', { team_name: 'Ops', person_ids: [a, b] });
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'Team',
      template_id: DEFAULT_TEMPLATE_ID,
      layers: [{ target: { team_ids: [team.team_id], emails: ['oncall@example.com'], by: EMAIL_ONLY } }],
    });
    const { incidentId } = await fire(t, source);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient).sort()).toEqual(
      [`person:${a}`, `person:${b}`, 'email:oncall@example.com'].sort(),
    );
  });

  it('notifies who is on call on a target schedule, by role', async () => {
    const owner = await t.newAccount('Escalation schedules');
    const a = (await t.newMember(owner, [])).memberId;
    const b = (await t.newMember(owner, [])).memberId;
    const c = (await t.newMember(owner, [])).memberId;
    const today = Math.floor(t.clock.nowMs() / 86_400_000) * 86_400;
    const schedule = await ok(t, owner, '/schedule/create', {
      schedule_name: 'Primary rota',
      time_zone: 'UTC',
      layers: [
        {
          layer_name: 'primary',
          mode: 0,
          // Today: a (Primary, role 0) and c (Backup, role 1); tomorrow: b.
          groups: [
            {
              group_name: 'A',
              members: [
                { role_id: 0, person_ids: [a] },
                { role_id: 1, person_ids: [c] },
              ],
            },
            { group_name: 'B', members: [{ role_id: 0, person_ids: [b] }] },
          ],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: today,
          restrict_mode: 0,
          fair_rotation: false,
          mask_continuous_enabled: false,
        },
      ],
    });
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'On call',
      template_id: DEFAULT_TEMPLATE_ID,
      layers: [{ target: { schedule_to_role_ids: { [schedule.schedule_id]: [0] }, by: EMAIL_ONLY } }],
    });
    const { incidentId } = await fire(t, source);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${a}`]);
  });

  it('repeats within a layer every notify_step up to max_times', async () => {
    const x = await world(
      [
        {
          max_times: 2,
          notify_step: 1,
          escalate_window: 10,
          target: { person_ids: [], emails: ['ops@example.com'], by: EMAIL_ONLY },
        },
      ],
      0,
    );
    const { incidentId } = await fire(t, x.source);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(1);
    for (let i = 0; i < 5; i += 1) {
      t.clock.advance(MIN);
      await cycle();
    }
    const rows = await sent(incidentId);
    expect(rows.map((r) => (r.facts as any).fire_type)).toEqual(['fire', 'refire', 'refire']);
    expect(rows.every((r) => r.recipient === 'email:ops@example.com')).toBe(true);
  });

  it('an acknowledgement stops further steps', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    t.clock.advance(MIN);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(1);
    await ok(t, w.owner, '/incident/ack', { incident_ids: [incidentId] });
    t.clock.advance(10 * MIN);
    await cycle();
    t.clock.advance(10 * MIN);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(1);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'stopped', reason: 'acknowledged' }),
    ]);
  });

  it('a close during aggr_window sends nothing; a reopen starts a new escalation', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    await ok(t, w.owner, '/incident/resolve', { incident_ids: [incidentId] });
    t.clock.advance(MIN);
    await cycle();
    expect(await sent(incidentId)).toEqual([]);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'done', reason: 'closed' }),
    ]);

    await ok(t, w.owner, '/incident/reopen', { incident_ids: [incidentId] });
    await cycle();
    t.clock.advance(MIN);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`]);
    expect((await escalations(incidentId)).map((e) => e.status)).toEqual(['done', 'active']);
  });

  it('a snooze pauses the escalation; when it ends the escalation resumes', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    t.clock.advance(MIN);
    await cycle();
    await ok(t, w.owner, '/incident/snooze', { incident_ids: [incidentId], minutes: 30 });
    t.clock.advance(10 * MIN);
    await cycle();
    t.clock.advance(19 * MIN);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(1);
    t.clock.advance(MIN);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.b}`]);
  });

  it('editing the rule during an escalation does not change it', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    const res = await t.post(
      '/channel/escalate/rule/update',
      {
        channel_id: w.source.channelId,
        rule_id: w.ruleId,
        rule_name: 'Edited',
        template_id: DEFAULT_TEMPLATE_ID,
        layers: [{ target: { person_ids: [w.b], by: EMAIL_ONLY } }],
      },
      w.owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    t.clock.advance(MIN);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`]);
    expect((await info(w, incidentId)).assigned_to).toMatchObject({ escalate_rule_name: 'Primary' });
  });

  it('two instances cycling at once on one database never take a step twice', async () => {
    const t2 = await startTestApp({ database: t.database, env: ENV });
    try {
      const w = await world();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1)
        ids.push((await fire(t, w.source, { alert_key: `twin-${i}-${Date.now()}` })).incidentId);
      const both = async () => {
        t2.clock.advance(t.clock.nowMs() - t2.clock.nowMs());
        const runs = await Promise.all([cycle(t), cycle(t2)]);
        return runs;
      };
      await both();
      t.clock.advance(MIN);
      await both();
      await both();
      t.clock.advance(10 * MIN);
      await both();
      await both();
      for (const id of [...new Set(ids)]) {
        expect((await sent(id)).map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.b}`]);
        expect(await escalations(id)).toHaveLength(1);
      }
    } finally {
      await t2.close();
    }
  });
});
