import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logDiscarded } from '../../src/alerts/noise-control.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushPrometheus, pushStandard } from './helpers.ts';

/*
 * Noise control end to end, through standard pushes (docs/noise-control.md): drop rules, silence
 * windows (one-off and weekly in the account's time zone), inhibition and flapping.
 */

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Noise');
});
afterAll(() => t.close());

const MINUTE = 60_000;
const nowSeconds = () => Math.floor(t.clock.nowMs() / 1000);

async function setup(channelBody: Record<string, unknown> = {}, account = owner) {
  const channelId = await newChannel(t, account, channelBody);
  const { integrationId, key } = await newIntegration(t, account, 'alert.standard', channelId);
  return { channelId, integrationId, key };
}

async function rule(path: string, body: Record<string, unknown>, account = owner): Promise<string> {
  const res = await t.post(`/channel/${path}/rule/create`, body, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.rule_id;
}

async function push(key: string, body: Record<string, unknown>) {
  const res = await pushStandard(t, key, body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('alert_id')
    .execute();
const alertByKey = (integrationId: number, alertKey: string) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .where('alert_key', '=', alertKey)
    .orderBy('alert_id', 'desc')
    .executeTakeFirstOrThrow();
const incidentOf = (incidentId: string) =>
  t.db.q.selectFrom('incidents').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
const alertFeed = (alertId: string) =>
  t.db.q
    .selectFrom('feed_entries')
    .select(['type', 'detail'])
    .where('alert_id', '=', alertId)
    .orderBy('ref_id')
    .execute();
const incidentFeed = (incidentId: string) =>
  t.db.q
    .selectFrom('feed_entries')
    .select(['type', 'detail'])
    .where('incident_id', '=', incidentId)
    .orderBy('ref_id')
    .execute();
const eventCount = async (integrationId: number) =>
  Number(
    (
      await t.db.q
        .selectFrom('alert_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('integration_id', '=', integrationId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const integrationCounts = (integrationId: number) =>
  t.db.q
    .selectFrom('integrations')
    .select(['dropped_event_cnt', 'dropped_event_reasons'])
    .where('integration_id', '=', integrationId)
    .executeTakeFirstOrThrow();

describe('drop rules', () => {
  it('discard matching events entirely, count them, and still answer 200', async () => {
    const { channelId, integrationId, key } = await setup();
    const ruleId = await rule('unsubscribe', {
      channel_id: channelId,
      rule_name: 'no test systems',
      filters: [[{ key: 'labels.env', oper: 'IN', vals: ['test', 'dev*'] }]],
    });
    const res = await push(key, {
      event_status: 'Critical',
      title_rule: 'cpu high',
      alert_key: 'cpu',
      labels: { env: 'test' },
    });
    expect(res.body.data).toEqual({ alert_key: 'cpu' });
    await push(key, { event_status: 'Warning', title_rule: 'disk', labels: { env: 'dev-3' } });
    expect(await alertsOf(integrationId)).toEqual([]);
    expect(await eventCount(integrationId)).toBe(0);
    expect(await integrationCounts(integrationId)).toEqual({
      dropped_event_cnt: 2,
      dropped_event_reasons: { drop: 2 },
    });

    // Not matching: stored as usual.
    await push(key, {
      event_status: 'Critical',
      title_rule: 'cpu high',
      alert_key: 'cpu-prod',
      labels: { env: 'prod' },
    });
    expect(await alertsOf(integrationId)).toHaveLength(1);

    // A disabled rule discards nothing.
    await t.post(
      '/channel/unsubscribe/rule/disable',
      { channel_id: channelId, rule_id: ruleId },
      owner.appKey,
    );
    await push(key, {
      event_status: 'Critical',
      title_rule: 'cpu high',
      alert_key: 'cpu',
      labels: { env: 'test' },
    });
    expect(await alertsOf(integrationId)).toHaveLength(2);
    expect((await integrationCounts(integrationId)).dropped_event_cnt).toBe(2);
  });

  it('discard changes of an alert opened before the rule, noting it once, but never its recovery', async () => {
    const { channelId, integrationId, key } = await setup();
    const base = { alert_key: 'mem', title_rule: 'memory', labels: { env: 'test' } };
    await push(key, { ...base, event_status: 'Warning' });
    const ruleId = await rule('unsubscribe', {
      channel_id: channelId,
      rule_name: 'no test',
      filters: [[{ key: 'labels.env', oper: 'IN', vals: ['test'] }]],
    });
    await push(key, { ...base, event_status: 'Critical' });
    await push(key, { ...base, event_status: 'Critical', description: 'worse' });
    let alert = await alertByKey(integrationId, 'mem');
    expect(alert).toMatchObject({ alert_status: 'Warning', event_cnt: 1 });
    const notes = (await alertFeed(alert.alert_id)).filter((e) => e.type === 'a_m_drop');
    expect(notes).toEqual([
      {
        type: 'a_m_drop',
        detail: {
          reason: 'drop',
          rule_id: ruleId,
          rule_name: 'no test',
          discarded: true,
          event_status: 'Critical',
        },
      },
    ]);

    await push(key, { ...base, event_status: 'Ok' });
    alert = await alertByKey(integrationId, 'mem');
    expect(alert.alert_status).toBe('Ok');
    expect(alert.end_time).toBeGreaterThan(0);
    expect(await integrationCounts(integrationId)).toEqual({
      dropped_event_cnt: 2,
      dropped_event_reasons: { drop: 2 },
    });
  });
});

describe('silence rules', () => {
  it('mark alerts inside a one-off window ever_muted and say why in the alert feed', async () => {
    const { channelId, integrationId, key } = await setup();
    const now = nowSeconds();
    const ruleId = await rule('silence', {
      channel_id: channelId,
      rule_name: 'db patching',
      time_filter: { start_time: now - 60, end_time: now + 30 * 60 },
      filters: [[{ key: 'labels.host', oper: 'IN', vals: ['db*'] }]],
    });
    await push(key, {
      event_status: 'Critical',
      title_rule: 'db down',
      alert_key: 'db',
      labels: { host: 'db1' },
    });
    await push(key, {
      event_status: 'Critical',
      title_rule: 'web down',
      alert_key: 'web',
      labels: { host: 'web1' },
    });

    const muted = await alertByKey(integrationId, 'db');
    expect(muted.ever_muted).toBe(true);
    expect((await incidentOf(muted.incident_id!)).ever_muted).toBe(true);
    expect(await alertFeed(muted.alert_id)).toEqual([
      { type: 'a_new', detail: expect.any(Object) },
      { type: 'a_m_silence', detail: { reason: 'silence', rule_id: ruleId, rule_name: 'db patching' } },
    ]);
    const loud = await alertByKey(integrationId, 'web');
    expect(loud.ever_muted).toBe(false);
    expect((await incidentOf(loud.incident_id!)).ever_muted).toBe(false);

    // A change of the muted alert inside the window is stored; the reason is not repeated.
    await push(key, {
      event_status: 'Warning',
      title_rule: 'db down',
      alert_key: 'db',
      labels: { host: 'db1' },
    });
    expect((await alertByKey(integrationId, 'db')).event_cnt).toBe(2);
    expect((await alertFeed(muted.alert_id)).filter((e) => e.type === 'a_m_silence')).toHaveLength(1);

    // After the window a new alert is not muted.
    t.clock.advance(31 * MINUTE);
    await push(key, {
      event_status: 'Critical',
      title_rule: 'db down',
      alert_key: 'db2',
      labels: { host: 'db2' },
    });
    expect((await alertByKey(integrationId, 'db2')).ever_muted).toBe(false);
    expect((await integrationCounts(integrationId)).dropped_event_cnt).toBe(0);
  });

  it('discard events inside the window when is_directly_discard is set', async () => {
    const { channelId, integrationId, key } = await setup();
    const now = nowSeconds();
    await rule('silence', {
      channel_id: channelId,
      rule_name: 'drop during upgrade',
      time_filter: { start_time: now, end_time: now + 600 },
      filters: [[{ key: 'severity', oper: 'IN', vals: ['Warning', 'Info'] }]],
      is_directly_discard: true,
    });
    await push(key, { event_status: 'Warning', title_rule: 'slow', alert_key: 'slow' });
    await push(key, { event_status: 'Info', title_rule: 'note', alert_key: 'note' });
    expect(await alertsOf(integrationId)).toEqual([]);
    expect(await eventCount(integrationId)).toBe(0);
    expect(await integrationCounts(integrationId)).toEqual({
      dropped_event_cnt: 2,
      dropped_event_reasons: { silence: 2 },
    });
    // Critical is not in the filter.
    await push(key, { event_status: 'Critical', title_rule: 'down', alert_key: 'down' });
    expect(await alertsOf(integrationId)).toHaveLength(1);
  });

  it('read weekly windows in the account time zone', async () => {
    const account = await t.newAccount('Shanghai ops');
    await t.db.q
      .updateTable('accounts')
      .set({ time_zone: 'Asia/Shanghai' })
      .where('account_id', '=', account.accountId)
      .execute();
    const { channelId, integrationId, key } = await setup({}, account);
    // The next Monday 09:30 UTC, which is Monday 17:30 in Shanghai.
    const next = new Date(t.clock.nowMs());
    next.setUTCHours(9, 30, 0, 0);
    while (next.getUTCDay() !== 1 || next.getTime() < t.clock.nowMs()) next.setUTCDate(next.getUTCDate() + 1);
    t.clock.advance(next.getTime() - t.clock.nowMs());

    const ruleId = await rule(
      'silence',
      {
        channel_id: channelId,
        rule_name: 'monday evenings',
        time_filters: [{ start: '17:00', end: '18:00', repeat: [1] }],
        filters: [[{ key: 'title', oper: 'IN', vals: ['/batch/'] }]],
      },
      account,
    );
    const listed = await t.post('/channel/silence/rule/list', { channel_id: channelId }, account.appKey);
    expect(listed.body.data.items[0]).toMatchObject({ rule_id: ruleId, is_effective: true });

    await push(key, { event_status: 'Warning', title_rule: 'nightly batch late', alert_key: 'b1' });
    expect((await alertByKey(integrationId, 'b1')).ever_muted).toBe(true);

    // 18:00 in Shanghai: the window has closed (in UTC it would only open at 17:00 UTC).
    t.clock.advance(30 * MINUTE);
    await push(key, { event_status: 'Warning', title_rule: 'nightly batch late', alert_key: 'b2' });
    expect((await alertByKey(integrationId, 'b2')).ever_muted).toBe(false);
    const after = await t.post('/channel/silence/rule/list', { channel_id: channelId }, account.appKey);
    expect(after.body.data.items[0].is_effective).toBe(false);
  });
});

describe('inhibit rules', () => {
  const source = { event_status: 'Critical', title_rule: 'host down', labels: { host: 'db1' } };
  const target = (alertKey: string, host: string) => ({
    event_status: 'Warning',
    title_rule: `disk slow on ${host}`,
    alert_key: alertKey,
    labels: { host },
  });

  async function inhibitSetup(isDirectlyDiscard = false) {
    const s = await setup();
    const ruleId = await rule('inhibit', {
      channel_id: s.channelId,
      rule_name: 'host down hides the rest',
      equals: ['host'],
      source_filters: [[{ key: 'title', oper: 'IN', vals: ['host down'] }]],
      target_filters: [[{ key: 'severity', oper: 'IN', vals: ['Warning'] }]],
      is_directly_discard: isDirectlyDiscard,
    });
    await push(s.key, { ...source, alert_key: 'source' });
    const sourceAlert = await alertByKey(s.integrationId, 'source');
    return { ...s, ruleId, sourceAlert };
  }

  it('mute a new target alert paired with an active source from the last 10 minutes', async () => {
    const { integrationId, key, ruleId, sourceAlert } = await inhibitSetup();
    expect(sourceAlert.ever_muted).toBe(false);
    t.clock.advance(9 * MINUTE);
    await push(key, target('same-host', 'db1'));
    await push(key, target('other-host', 'db2'));

    const inhibited = await alertByKey(integrationId, 'same-host');
    expect(inhibited.ever_muted).toBe(true);
    expect((await incidentOf(inhibited.incident_id!)).ever_muted).toBe(true);
    expect((await alertFeed(inhibited.alert_id)).find((e) => e.type === 'a_m_inhibit')).toEqual({
      type: 'a_m_inhibit',
      detail: {
        reason: 'inhibit',
        rule_id: ruleId,
        rule_name: 'host down hides the rest',
        source_alert_id: sourceAlert.alert_id,
      },
    });
    expect((await alertByKey(integrationId, 'other-host')).ever_muted).toBe(false);
  });

  it('do not inhibit once the source is older than 10 minutes', async () => {
    const { integrationId, key } = await inhibitSetup();
    t.clock.advance(10 * MINUTE + 1000);
    await push(key, target('late', 'db1'));
    expect((await alertByKey(integrationId, 'late')).ever_muted).toBe(false);
  });

  it('do not inhibit when the source was acknowledged or recovered', async () => {
    const { integrationId, key, sourceAlert } = await inhibitSetup();
    await t.db.q
      .updateTable('incidents')
      .set({ progress: 'Processing' })
      .where('incident_id', '=', sourceAlert.incident_id)
      .execute();
    await push(key, target('after-ack', 'db1'));
    expect((await alertByKey(integrationId, 'after-ack')).ever_muted).toBe(false);

    const second = await inhibitSetup();
    await push(second.key, { ...source, alert_key: 'source', event_status: 'Ok' });
    await push(second.key, target('after-recovery', 'db1'));
    expect((await alertByKey(second.integrationId, 'after-recovery')).ever_muted).toBe(false);
  });

  it('only inhibit new alerts, and discard them when the rule says so', async () => {
    const { integrationId, key } = await inhibitSetup(true);
    await push(key, target('gone', 'db1'));
    expect(await alertsOf(integrationId)).toHaveLength(1);
    expect(await integrationCounts(integrationId)).toEqual({
      dropped_event_cnt: 1,
      dropped_event_reasons: { inhibit: 1 },
    });

    // An alert opened before its source is not inhibited by later changes.
    const s = await inhibitSetupWithoutSource();
    await push(s.key, target('early', 'db1'));
    await push(s.key, { ...source, alert_key: 'source' });
    await push(s.key, { ...target('early', 'db1'), description: 'worse' });
    const early = await alertByKey(s.integrationId, 'early');
    expect(early).toMatchObject({ ever_muted: false, event_cnt: 2 });
  });

  async function inhibitSetupWithoutSource() {
    const s = await setup();
    await rule('inhibit', {
      channel_id: s.channelId,
      rule_name: 'host down hides the rest',
      equals: ['host'],
      source_filters: [[{ key: 'title', oper: 'IN', vals: ['host down'] }]],
      target_filters: [[{ key: 'severity', oper: 'IN', vals: ['Warning'] }]],
      is_directly_discard: true,
    });
    return s;
  }
});

describe('flapping', () => {
  const flap = (alertKey: string, status: string) => ({
    event_status: status,
    title_rule: 'link flaps',
    alert_key: alertKey,
  });
  const muteOf = (incidentId: string) =>
    t.db.q.selectFrom('incident_mutes').selectAll().where('incident_id', '=', incidentId).executeTakeFirst();

  it('marks the incident of a key that changed status max_changes times within in_mins, once per period', async () => {
    const { integrationId, key } = await setup({ flapping: { max_changes: 4, in_mins: 10, mute_mins: 30 } });
    const statuses = ['Critical', 'Ok', 'Critical', 'Ok'];
    for (const status of statuses) {
      await push(key, flap('link', status));
      t.clock.advance(MINUTE);
    }
    // Three changes so far: the incidents of the key are not flapping.
    for (const alert of await alertsOf(integrationId)) {
      expect((await incidentFeed(alert.incident_id!)).map((e) => e.type)).not.toContain('i_m_flapping');
    }

    await push(key, flap('link', 'Critical')); // the fourth change
    const flapping = await alertByKey(integrationId, 'link');
    let incident = await incidentOf(flapping.incident_id!);
    expect(incident.ever_muted).toBe(true);
    expect(flapping.ever_muted).toBe(false);
    const entries = (await incidentFeed(incident.incident_id)).filter((e) => e.type === 'i_m_flapping');
    expect(entries).toEqual([
      {
        type: 'i_m_flapping',
        detail: {
          alert_id: flapping.alert_id,
          alert_key: 'link',
          changes: 4,
          max_changes: 4,
          in_mins: 10,
          mute_mins: 30,
          muted_until: nowSeconds() + 30 * 60,
        },
      },
    ]);
    expect(await muteOf(incident.incident_id)).toMatchObject({
      reason: 'flapping',
      muted_until: nowSeconds() + 30 * 60,
    });

    // Still flapping a minute later: the mute is extended, the entry not repeated.
    t.clock.advance(MINUTE);
    await push(key, flap('link', 'Warning'));
    incident = await incidentOf(flapping.incident_id!);
    expect((await incidentFeed(incident.incident_id)).filter((e) => e.type === 'i_m_flapping')).toHaveLength(
      1,
    );
    expect((await muteOf(incident.incident_id))?.muted_until).toBe(nowSeconds() + 30 * 60);

    // Recovered and fired again within the period: the new incident is told (and muted) too.
    await push(key, flap('link', 'Ok'));
    await push(key, flap('link', 'Critical'));
    const again = await alertByKey(integrationId, 'link');
    expect(again.incident_id).not.toBe(flapping.incident_id);
    expect((await incidentFeed(again.incident_id!)).filter((e) => e.type === 'i_m_flapping')).toHaveLength(1);
    expect((await incidentOf(again.incident_id!)).ever_muted).toBe(true);
  });

  it('tells an incident once when several of its keys flap in one batch (an Alertmanager group)', async () => {
    const channelId = await newChannel(t, owner, {
      group: { method: 'p', equals: [['labels.service']] },
      flapping: { max_changes: 2, in_mins: 10, mute_mins: 30 },
    });
    const { integrationId, key } = await newIntegration(t, owner, 'alert.prometheus', channelId);
    const hosts = ['h1', 'h2', 'h3'];
    const group = (status: 'firing' | 'resolved') => {
      const at = new Date(t.clock.nowMs()).toISOString();
      return {
        version: '4',
        status,
        receiver: 'vigil',
        groupKey: '{}:{service="link"}',
        alerts: hosts.map((host) => ({
          status,
          labels: { alertname: 'LinkDown', service: 'link', host },
          annotations: { summary: `link down on ${host}` },
          startsAt: at,
          endsAt: status === 'resolved' ? at : '0001-01-01T00:00:00Z',
          fingerprint: `flap-${host}`,
        })),
      };
    };
    for (const status of ['firing', 'resolved', 'firing'] as const) {
      const res = await pushPrometheus(t, key, group(status));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      t.clock.advance(MINUTE);
    }
    const open = (await alertsOf(integrationId)).filter((a) => a.end_time === 0);
    expect(open).toHaveLength(3);
    const incidentId = open[0]!.incident_id!;
    expect(open.every((a) => a.incident_id === incidentId)).toBe(true);
    const told = (await incidentFeed(incidentId)).filter((e) => e.type === 'i_m_flapping');
    expect(told).toHaveLength(1);
    expect(told[0]!.detail).toMatchObject({ changes: 2, max_changes: 2, mute_mins: 30 });
    expect((await incidentOf(incidentId)).ever_muted).toBe(true);
    expect(await muteOf(incidentId)).toMatchObject({ reason: 'flapping' });
  });

  it('records but does not mute when mute_mins is 0, and does nothing when disabled or slow', async () => {
    const alertOnly = await setup({ flapping: { max_changes: 2, in_mins: 10, mute_mins: 0 } });
    for (const status of ['Critical', 'Warning', 'Critical']) await push(alertOnly.key, flap('a', status));
    const a = await alertByKey(alertOnly.integrationId, 'a');
    expect((await incidentFeed(a.incident_id!)).map((e) => e.type)).toContain('i_m_flapping');
    expect((await incidentOf(a.incident_id!)).ever_muted).toBe(false);
    expect(await muteOf(a.incident_id!)).toBeUndefined();

    const disabled = await setup({ flapping: { is_disabled: true, max_changes: 2, in_mins: 10 } });
    for (const status of ['Critical', 'Warning', 'Critical']) await push(disabled.key, flap('b', status));
    const b = await alertByKey(disabled.integrationId, 'b');
    expect((await incidentFeed(b.incident_id!)).map((e) => e.type)).not.toContain('i_m_flapping');

    const slow = await setup({ flapping: { max_changes: 2, in_mins: 10, mute_mins: 5 } });
    for (const status of ['Critical', 'Warning', 'Critical']) {
      await push(slow.key, flap('c', status));
      t.clock.advance(11 * MINUTE);
    }
    const c = await alertByKey(slow.integrationId, 'c');
    expect((await incidentFeed(c.incident_id!)).map((e) => e.type)).not.toContain('i_m_flapping');
    expect((await incidentOf(c.incident_id!)).ever_muted).toBe(false);
  });
});

describe('discard log', () => {
  it('logs each discarded event at debug level, and nothing else', () => {
    const lines: [object, string][] = [];
    logDiscarded({ debug: (details, message) => lines.push([details, message]) }, 42, [
      {
        alertKey: 'a',
        outcomes: [{ kind: 'discarded', reason: 'silence', ruleId: 'r'.repeat(24), alertId: null }],
      },
      { alertKey: 'b', outcomes: [{ kind: 'new' }, { kind: 'ignored' }] },
    ]);
    expect(lines).toEqual([
      [
        { integration_id: 42, alert_key: 'a', reason: 'silence', rule_id: 'r'.repeat(24), alert_id: null },
        'alert event discarded by a channel rule',
      ],
    ]);
  });
});
