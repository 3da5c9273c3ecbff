import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, newSource, ok, type Source } from '../incidents/actions-helpers.ts';
import { feedErrors } from '../incidents/read-helpers.ts';
import { createRule, EMAIL_ONLY, cycle as engineCycle, escalationsOf, sentOf } from './helpers.ts';

/*
 * Manual assignment (/incident/assign, /incident/responder/add, /incident/create with assigned_to)
 * and how it meets a running escalation; and the heads-up (i_warn) when part of a target reaches
 * nobody. Through HTTP with the fake clock and engine cycles run by hand.
 */

const ENV = { SMTP_URL: 'smtp://127.0.0.1:2525', ...ALLOW_LOOPBACK };
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: ENV });
});
afterAll(() => t?.close());

const MIN = 60_000;

type World = { owner: TestAccount; a: number; b: number; c: number; source: Source; ruleId: string };

async function world(layers?: Record<string, unknown>[]): Promise<World> {
  const owner = await t.newAccount('Assignment');
  const a = (await t.newMember(owner, [])).memberId;
  const b = (await t.newMember(owner, [])).memberId;
  const c = (await t.newMember(owner, [])).memberId;
  const source = await newSource(t, owner);
  const ruleId = await createRule(t, owner, source.channelId, {
    rule_name: 'Primary',
    template_id: DEFAULT_TEMPLATE_ID,
    aggr_window: 0,
    layers: layers ?? [
      { max_times: 0, escalate_window: 10, target: { person_ids: [a], by: EMAIL_ONLY } },
      { max_times: 1, notify_step: 5, escalate_window: 10, target: { person_ids: [b], by: EMAIL_ONLY } },
    ],
  });
  return { owner, a, b, c, source, ruleId };
}

const feed = (incidentId: string, type: string) =>
  t.db.q
    .selectFrom('feed_entries')
    .select(['detail', 'creator_id'])
    .where('incident_id', '=', incidentId)
    .where('type', '=', type)
    .orderBy('created_at')
    .orderBy('ref_id')
    .execute();

const info = (w: World, incidentId: string) => ok(t, w.owner, '/incident/info', { incident_id: incidentId });

async function refusedField(account: TestAccount, path: string, body: unknown): Promise<string> {
  const res = await t.post(path, body, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error?.code).toBe('InvalidParameter');
  return res.body.error!.message;
}

const cycle = (app: TestApp = t) => engineCycle(app);
const sent = (incidentId: string) => sentOf(t, incidentId);
const escalations = (incidentId: string) => escalationsOf(t, incidentId);

describe('/incident/assign', () => {
  it('reassigning to a person pages them now and ends the automatic escalation', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`]);

    t.clock.advance(2 * MIN);
    await ok(t, w.owner, '/incident/assign', { incident_id: incidentId, assigned_to: { person_ids: [w.c] } });
    const after = await sent(incidentId);
    expect(after.map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.c}`]);
    expect(after[1]!.step).toMatch(/^assign:[0-9a-f]{24}$/);
    const incident = await info(w, incidentId);
    expect(incident.assigned_to).toMatchObject({
      person_ids: [w.c],
      type: 'reassign',
      assigned_at: Math.floor(t.clock.nowMs() / 1000),
    });
    expect(incident.assigned_to.escalate_rule_id).toBeUndefined();
    expect(incident.responders.map((r: any) => r.person_id).sort()).toEqual([w.a, w.c].sort());
    const assigns = await feed(incidentId, 'i_assign');
    expect(assigns.map((f) => [(f.detail as any).type, (f.detail as any).from, f.creator_id])).toEqual([
      ['assign', undefined, 0],
      ['reassign', 'manual', w.owner.memberId],
    ]);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'stopped', reason: 'reassigned' }),
    ]);

    // Layer 1's timeout passes: nobody else is paged, and no new escalation starts.
    t.clock.advance(30 * MIN);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(2);
    expect(await escalations(incidentId)).toHaveLength(1);
    const api = await t.post(
      '/incident/feed',
      { incident_id: incidentId, types: ['i_assign'] },
      w.owner.appKey,
    );
    expect(feedErrors('/incident/feed', api.body)).toEqual([]);
  });

  it('escalating by hand to a layer pages it now, and the escalation goes on from that layer', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    t.clock.advance(MIN);
    await ok(t, w.owner, '/incident/assign', {
      incident_ids: [incidentId],
      assigned_to: { escalate_rule_id: w.ruleId, layer_idx: 1 },
    });
    const now = await sent(incidentId);
    expect(now.map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.b}`]);
    expect(now[1]!.facts).toMatchObject({ layer_idx: 1, fire_type: 'fire' });
    expect((await info(w, incidentId)).assigned_to).toMatchObject({
      person_ids: [w.b],
      escalate_rule_id: w.ruleId,
      escalate_rule_name: 'Primary',
      layer_idx: 1,
      type: 'escalate',
    });
    expect((await feed(incidentId, 'i_assign')).map((f) => (f.detail as any).from)).toEqual([
      undefined,
      'manual',
    ]);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'stopped', reason: 'reassigned' }),
      expect.objectContaining({ status: 'active', layer_idx: 1, times_notified: 1 }),
    ]);

    // Layer 1 repeats once after notify_step (5 min), then the rule is done at its window's end.
    t.clock.advance(5 * MIN);
    await cycle();
    const repeated = await sent(incidentId);
    expect(repeated.map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.b}`, `person:${w.b}`]);
    expect(repeated[2]!.facts).toMatchObject({ layer_idx: 1, fire_type: 'refire' });
    t.clock.advance(5 * MIN);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(3);
    expect((await escalations(incidentId)).at(-1)).toMatchObject({ status: 'done', reason: 'completed' });
  });

  it('an acknowledged incident reassigned by hand pages the new assignee; closed incidents are left alone', async () => {
    const w = await world();
    const first = await fire(t, w.source);
    const second = await fire(t, w.source);
    await cycle();
    await ok(t, w.owner, '/incident/ack', { incident_ids: [first.incidentId] });
    await ok(t, w.owner, '/incident/resolve', { incident_ids: [second.incidentId] });
    await ok(t, w.owner, '/incident/assign', {
      incident_ids: [first.incidentId, second.incidentId],
      assigned_to: { person_ids: [w.b], emails: ['Boss@Example.com'] },
    });
    expect((await sent(first.incidentId)).map((n) => n.recipient)).toEqual([
      `person:${w.a}`,
      `person:${w.b}`,
      'email:boss@example.com',
    ]);
    expect((await info(w, first.incidentId)).assigned_to).toMatchObject({
      person_ids: [w.b],
      emails: ['Boss@Example.com'],
    });
    expect((await sent(second.incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`]);
  });

  it('refuses bad assignments, naming the field, and changes nothing', async () => {
    const w = await world();
    const other = await world();
    const { incidentId } = await fire(t, w.source);
    const stranger = (await t.newMember(other.owner, [])).memberId;
    const cases: [unknown, string][] = [
      [{ assigned_to: { person_ids: [w.a] } }, 'incident_ids'],
      [{ incident_id: incidentId, assigned_to: {} }, 'assigned_to.person_ids'],
      [
        { incident_id: incidentId, assigned_to: { person_ids: [w.a, stranger] } },
        'assigned_to.person_ids[1]',
      ],
      [
        { incident_id: incidentId, assigned_to: { person_ids: [w.a], escalate_rule_id: w.ruleId } },
        'assigned_to',
      ],
      [
        { incident_id: incidentId, assigned_to: { escalate_rule_id: other.ruleId } },
        'assigned_to.escalate_rule_id',
      ],
      [
        { incident_id: incidentId, assigned_to: { escalate_rule_id: w.ruleId, layer_idx: 2 } },
        'assigned_to.layer_idx',
      ],
      [{ incident_id: incidentId, assigned_to: { escalate_rule_id: w.ruleId, layer_idx: -1 } }, 'layer_idx'],
      [{ incident_id: incidentId, assigned_to: { person_ids: [w.a], type: 'other' } }, 'type'],
      [{ incident_id: incidentId, assigned_to: { emails: ['not an address'] } }, 'emails'],
      [
        {
          incident_id: incidentId,
          assigned_to: { person_ids: [w.a], notify: { personal_channels: ['pager'] } },
        },
        'assigned_to.notify.personal_channels[0]',
      ],
    ];
    for (const [body, field] of cases) {
      expect(await refusedField(w.owner, '/incident/assign', body), JSON.stringify(body)).toContain(field);
    }
    expect(await sent(incidentId)).toEqual([]);
    expect((await info(w, incidentId)).assigned_to).toEqual({});
    // Another account's incident is not found, and changes nothing.
    const res = await t.post(
      '/incident/assign',
      { incident_id: incidentId, assigned_to: { person_ids: [stranger] } },
      other.owner.appKey,
    );
    expect(res.body.error?.code).toBe('ResourceNotFound');
  });
});

describe('/incident/responder/add', () => {
  it('adds responders without changing the assignment; with notify they are paged', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    await cycle();
    await ok(t, w.owner, '/incident/responder/add', { incident_id: incidentId, person_ids: [w.b] });
    await ok(t, w.owner, '/incident/responder/add', {
      incident_id: incidentId,
      person_ids: [w.b, w.c],
      notify: { personal_channels: ['email'], template_id: DEFAULT_TEMPLATE_ID },
    });
    const incident = await info(w, incidentId);
    expect(incident.assigned_to).toMatchObject({ person_ids: [w.a], type: 'assign' });
    const now = Math.floor(t.clock.nowMs() / 1000);
    expect(incident.responders).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ person_id: w.b, assigned_at: now, acknowledged_at: 0 }),
        expect.objectContaining({ person_id: w.c, assigned_at: now, acknowledged_at: 0 }),
      ]),
    );
    // b was added without notify, then was already a responder: only c is paged.
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.c}`]);
    expect((await feed(incidentId, 'i_a_rspd')).map((f) => f.detail)).toEqual([
      { person_ids: [w.b], notify: false },
      { person_ids: [w.c], notify: true },
    ]);
    expect((await escalations(incidentId))[0]).toMatchObject({ status: 'active' });
  });

  it('refuses unknown people, templates and channels, naming the field', async () => {
    const w = await world();
    const { incidentId } = await fire(t, w.source);
    const cases: [unknown, string][] = [
      [{ incident_id: incidentId, person_ids: [] }, 'person_ids'],
      [{ incident_id: incidentId, person_ids: [w.a, 424242] }, 'person_ids[1]'],
      [
        { incident_id: incidentId, person_ids: [w.a], notify: { template_id: 'a'.repeat(24) } },
        'notify.template_id',
      ],
      [
        { incident_id: incidentId, person_ids: [w.a], notify: { personal_channels: ['fax'] } },
        'notify.personal_channels[0]',
      ],
      [{ person_ids: [w.a] }, 'incident_id'],
    ];
    for (const [body, field] of cases) {
      expect(await refusedField(w.owner, '/incident/responder/add', body), JSON.stringify(body)).toContain(
        field,
      );
    }
    expect((await feed(incidentId, 'i_a_rspd')).length).toBe(0);
  });
});

describe('/incident/create with assigned_to', () => {
  it('assigns and pages at creation, and the channel escalation does not start', async () => {
    const w = await world();
    const created = await ok(t, w.owner, '/incident/create', {
      incident_severity: 'Critical',
      title: 'Database down',
      channel_id: w.source.channelId,
      assigned_to: { person_ids: [w.c], notify: { personal_channels: ['email'] } },
    });
    const incidentId = created.incident_id as string;
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.c}`]);
    await cycle();
    t.clock.advance(30 * MIN);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.c}`]);
    expect(await escalations(incidentId)).toEqual([
      expect.objectContaining({ status: 'stopped', reason: 'reassigned' }),
    ]);
    expect((await info(w, incidentId)).assigned_to).toMatchObject({ person_ids: [w.c], type: 'reassign' });
  });

  it('assigned to a rule layer, it escalates from there', async () => {
    const w = await world();
    const created = await ok(t, w.owner, '/incident/create', {
      incident_severity: 'Warning',
      title: 'Queue backlog',
      channel_id: w.source.channelId,
      assigned_to: { escalate_rule_id: w.ruleId, layer_idx: 0, type: 'assign' },
    });
    const incidentId = created.incident_id as string;
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`]);
    await cycle();
    expect(await sent(incidentId)).toHaveLength(1);
    t.clock.advance(10 * MIN);
    await cycle();
    expect((await sent(incidentId)).map((n) => n.recipient)).toEqual([`person:${w.a}`, `person:${w.b}`]);
  });
});

describe('heads-up (i_warn)', () => {
  it('warns when a schedule has nobody on call, a team is empty, addresses cannot be mailed or a chat has no delivery', async () => {
    const owner = await t.newAccount('Heads-up');
    const a = (await t.newMember(owner, [])).memberId;
    const team = await ok(t, owner, '/team/upsert', { team_name: 'Empty team', person_ids: [] });
    const future = Math.floor(t.clock.nowMs() / 1000) + 7 * 86_400;
    const schedule = await ok(t, owner, '/schedule/create', {
      schedule_name: 'Starts next week',
      time_zone: 'UTC',
      layers: [
        {
          layer_name: 'primary',
          mode: 0,
          groups: [{ group_name: 'A', members: [{ role_id: 0, person_ids: [a] }] }],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: future,
          restrict_mode: 0,
          fair_rotation: false,
          mask_continuous_enabled: false,
        },
      ],
    });
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'Gappy',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [
        {
          target: {
            team_ids: [team.team_id],
            schedule_to_role_ids: { [schedule.schedule_id]: [] },
            by: EMAIL_ONLY,
            webhooks: [
              { type: 'slack', settings: { url: 'http://127.0.0.1:9/hook' } },
              { type: 'slack_app', settings: { channel: 'C1' } },
            ],
          },
        },
      ],
    });
    const { incidentId } = await fire(t, source);
    await cycle();
    // The Slack incoming webhook is paged; the Slack app chat cannot be.
    const rows = await sent(incidentId);
    expect(rows.map((n) => [n.channel, n.recipient.replace(/[0-9a-f]{16}$/, 'H')])).toEqual([
      ['slack', 'chat:slack:H'],
    ]);
    const warns = await feed(incidentId, 'i_warn');
    expect(warns).toHaveLength(1);
    const kinds = ((warns[0]!.detail as any).warnings as any[]).map((x) => x.kind).sort();
    expect(kinds).toEqual(['chat_undeliverable', 'schedule_gap', 'team_empty']);
    const api = await t.post('/incident/feed', { incident_id: incidentId, types: ['i_warn'] }, owner.appKey);
    expect(api.body.data.items).toHaveLength(1);
    expect(feedErrors('/incident/feed', api.body, ['i_warn'])).toEqual([]);
  });

  it('warns when nobody of the target can be reached', async () => {
    const owner = await t.newAccount('Heads-up nobody');
    const a = (await t.newMember(owner, [])).memberId;
    const source = await newSource(t, owner);
    await createRule(t, owner, source.channelId, {
      rule_name: 'Gone',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [{ target: { person_ids: [a], by: EMAIL_ONLY } }],
    });
    await ok(t, owner, '/member/delete', { member_id: a });
    const { incidentId } = await fire(t, source);
    await cycle();
    expect(await sent(incidentId)).toEqual([]);
    const [warn] = await feed(incidentId, 'i_warn');
    expect((warn!.detail as any).warnings).toEqual([
      { kind: 'person_unreachable', person_id: a, reasons: ['email: the member is deleted'] },
      { kind: 'nobody', reason: expect.any(String) },
    ]);
  });
});

describe('/channel/escalate/rule/heads-up', () => {
  it('lists, per rule layer, who would be unreachable and when a schedule has nobody on call', async () => {
    const owner = await t.newAccount('Heads-up check');
    const a = (await t.newMember(owner, [])).memberId;
    const gone = (await t.newMember(owner, [])).memberId;
    const now = Math.floor(t.clock.nowMs() / 1000);
    const schedule = await ok(t, owner, '/schedule/create', {
      schedule_name: 'Starts in two days',
      time_zone: 'UTC',
      layers: [
        {
          layer_name: 'primary',
          mode: 0,
          groups: [{ group_name: 'A', members: [{ role_id: 0, person_ids: [a] }] }],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: now + 2 * 86_400,
          restrict_mode: 0,
          fair_rotation: false,
          mask_continuous_enabled: false,
        },
      ],
    });
    const source = await newSource(t, owner);
    const ruleId = await createRule(t, owner, source.channelId, {
      rule_name: 'Checked',
      template_id: DEFAULT_TEMPLATE_ID,
      layers: [
        { escalate_window: 10, target: { person_ids: [a], by: EMAIL_ONLY } },
        {
          target: {
            person_ids: [gone],
            schedule_to_role_ids: { [schedule.schedule_id]: [] },
            by: EMAIL_ONLY,
          },
        },
      ],
    });
    await ok(t, owner, '/member/delete', { member_id: gone });
    const res = await ok(t, owner, '/channel/escalate/rule/heads-up', {
      channel_id: source.channelId,
      hours: 72,
    });
    expect(res.window).toEqual({ start: now, end: now + 72 * 3600 });
    expect(res.items).toEqual([
      {
        channel_id: source.channelId,
        rule_id: ruleId,
        rule_name: 'Checked',
        layer_idx: 1,
        warnings: [
          { kind: 'person_unreachable', person_id: gone, reasons: ['email: the member is deleted'] },
          {
            kind: 'schedule_gap',
            schedule_id: schedule.schedule_id,
            role_ids: [],
            gaps: [{ start: now, end: now + 2 * 86_400 }],
          },
        ],
      },
    ]);
    // The whole account, and another account's channel.
    expect((await ok(t, owner, '/channel/escalate/rule/heads-up', {})).items).toHaveLength(1);
    const other = await t.newAccount('Heads-up stranger');
    const stranger = await t.post(
      '/channel/escalate/rule/heads-up',
      { channel_id: source.channelId },
      other.appKey,
    );
    expect(stranger.body.error?.code).toBe('ResourceNotFound');
    expect(await refusedField(owner, '/channel/escalate/rule/heads-up', { hours: 721 })).toContain('hours');
  });
});

describe('insights read manual assignments', () => {
  it('counts the engine assignment, a timeout escalation, a manual escalation and a reassignment', async () => {
    const owner = await t.newAccount('Insight of assignments');
    const a = (await t.newMember(owner, [])).memberId;
    const b = (await t.newMember(owner, [])).memberId;
    const c = (await t.newMember(owner, [])).memberId;
    const source = await newSource(t, owner);
    const ruleId = await createRule(t, owner, source.channelId, {
      rule_name: 'Three layers',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [a, b, c].map((p) => ({
        max_times: 0,
        escalate_window: 10,
        target: { person_ids: [p], by: EMAIL_ONLY },
      })),
    });
    const start = Math.floor(t.clock.nowMs() / 1000);
    const { incidentId } = await fire(t, source);
    await cycle(); // assign → a
    t.clock.advance(10 * MIN);
    await cycle(); // timeout escalation → b
    await ok(t, owner, '/incident/assign', {
      incident_id: incidentId,
      assigned_to: { escalate_rule_id: ruleId, layer_idx: 2 },
    }); // manual escalation → c
    await ok(t, owner, '/incident/assign', { incident_id: incidentId, assigned_to: { person_ids: [a] } }); // reassign → a
    const end = Math.floor(t.clock.nowMs() / 1000) + 60;
    const list = await ok(t, owner, '/insight/incident/list', { start_time: start - 60, end_time: end });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      incident_id: incidentId,
      assignments: 4,
      reassignments: 1,
      escalations: 2,
      timeout_escalations: 1,
      manual_escalations: 1,
    });
  });
});

describe('time windows with a calendar', () => {
  it('a window on workdays does not take an incident on a holiday; one on days off does', async () => {
    const owner = await t.newAccount('Holiday rules');
    const a = (await t.newMember(owner, [])).memberId;
    const b = (await t.newMember(owner, [])).memberId;
    // Every weekday is a workday of the calendar: only the holiday event makes today a day off.
    const today = new Date(t.clock.nowMs()).toISOString().slice(0, 10);
    const tomorrow = new Date(t.clock.nowMs() + 86_400_000).toISOString().slice(0, 10);
    const calendar = await ok(t, owner, '/calendar/create', {
      cal_name: 'Ops days',
      timezone: 'UTC',
      workdays: [0, 1, 2, 3, 4, 5, 6],
    });
    const source = await newSource(t, owner);
    const allDay = (isOff: boolean) => [
      { start: '00:00', end: '23:59', cal_id: calendar.cal_id, is_off: isOff },
    ];
    await createRule(t, owner, source.channelId, {
      rule_name: 'Workdays',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      priority: 0,
      time_filters: allDay(false),
      layers: [{ target: { person_ids: [a], by: EMAIL_ONLY } }],
    });
    await createRule(t, owner, source.channelId, {
      rule_name: 'Days off',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      priority: 1,
      time_filters: allDay(true),
      layers: [{ target: { person_ids: [b], by: EMAIL_ONLY } }],
    });
    const workday = await fire(t, source);
    await cycle();
    expect((await sent(workday.incidentId)).map((n) => n.recipient)).toEqual([`person:${a}`]);

    await ok(t, owner, '/calendar/event/upsert', {
      cal_id: calendar.cal_id,
      summary: 'Holiday',
      start_at: today,
      end_at: tomorrow,
      is_off: true,
    });
    const holiday = await fire(t, source);
    await cycle();
    expect((await sent(holiday.incidentId)).map((n) => n.recipient)).toEqual([`person:${b}`]);
  });
});
