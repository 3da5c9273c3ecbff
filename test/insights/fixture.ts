import { expect } from 'vitest';
import { newObjectId } from '../../src/shared/ids.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';

/*
 * A response history written straight into the records insights read (incidents, feed_entries,
 * notification_deliveries, alerts), at exact times, so the expected numbers in the tests can be
 * worked out by hand. docs/insights.md walks through incident I2 as its worked example.
 */

export const at = (iso: string) => Date.parse(iso) / 1000;
const ms = (iso: string) => Date.parse(iso);

export type People = { alice: number; bob: number; carol: number };

export type Fixture = {
  account: TestAccount;
  people: People;
  teams: { t1: number; t2: number };
  channels: { c1: number; c2: number; c3: number };
  incidents: Record<'i1' | 'i2' | 'i3' | 'i4' | 'i5', string>;
};

async function ok(t: TestApp, path: string, body: unknown, appKey: string) {
  const res = await t.post(path, body, appKey);
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.data;
}

type IncidentSpec = {
  channelId: number;
  start: string;
  severity: 'Critical' | 'Warning' | 'Info';
  title: string;
  everMuted?: boolean;
  closed?: { at: string; by: number };
  labels?: Record<string, string>;
  alerts: { check: string; events: number }[];
};

export async function insertIncident(t: TestApp, accountId: number, spec: IncidentSpec): Promise<string> {
  const id = newObjectId(ms(spec.start));
  const start = at(spec.start);
  await t.db.q
    .insertInto('incidents')
    .values({
      incident_id: id,
      account_id: accountId,
      channel_id: spec.channelId,
      title: spec.title,
      description: `<p>About <b>${spec.title}</b> &amp; more</p>`,
      incident_severity: spec.severity,
      incident_status: spec.closed ? 'Ok' : spec.severity,
      progress: spec.closed ? 'Closed' : 'Triggered',
      start_time: start,
      last_time: start,
      close_time: spec.closed ? at(spec.closed.at) : 0,
      closer_id: spec.closed?.by ?? 0,
      ever_muted: spec.everMuted ?? false,
      labels: JSON.stringify(spec.labels ?? {}),
      fields: JSON.stringify({}),
      images: JSON.stringify([]),
      responders: JSON.stringify([]),
      assigned_to: null,
      alert_cnt: spec.alerts.length,
      alert_event_cnt: spec.alerts.reduce((sum, a) => sum + a.events, 0),
      created_at: start,
      updated_at: start,
    })
    .execute();
  for (const alert of spec.alerts) {
    await t.db.q
      .insertInto('alerts')
      .values({
        alert_id: newObjectId(ms(spec.start)),
        account_id: accountId,
        integration_id: 1,
        channel_id: spec.channelId,
        incident_id: id,
        alert_key: newObjectId(),
        title: spec.title,
        title_rule: spec.title,
        alert_severity: spec.severity,
        alert_status: 'Ok',
        start_time: start,
        last_time: start,
        end_time: start + 1,
        labels: JSON.stringify({ check: alert.check, resource: `${alert.check}-host` }),
        images: JSON.stringify([]),
        event_cnt: alert.events,
        created_at: start,
        updated_at: start,
      })
      .execute();
  }
  return id;
}

type Entry = { type: string; at: string; creator?: number; detail?: Record<string, unknown> };

async function feed(t: TestApp, accountId: number, incidentId: string, entries: Entry[]) {
  for (const e of entries) {
    await t.db.q
      .insertInto('feed_entries')
      .values({
        ref_id: newObjectId(ms(e.at)),
        account_id: accountId,
        incident_id: incidentId,
        type: e.type,
        detail: JSON.stringify(e.detail ?? {}),
        creator_id: e.creator ?? 0,
        created_at: ms(e.at),
      })
      .execute();
  }
}

let deliveryStep = 0;

async function delivered(
  t: TestApp,
  accountId: number,
  incidentId: string,
  personId: number,
  channel: string,
  iso: string,
  status: 'success' | 'failed' = 'success',
) {
  deliveryStep += 1;
  await t.db.q
    .insertInto('notification_deliveries')
    .values({
      account_id: accountId,
      incident_id: incidentId,
      step: `fixture:${deliveryStep}`,
      recipient: `person:${personId}`,
      channel,
      person_id: personId,
      target: JSON.stringify({}),
      template_id: '000000000000000000000000',
      facts: JSON.stringify({}),
      status,
      next_attempt_at: ms(iso),
      attempted_at: ms(iso),
      created_at: ms(iso),
    })
    .execute();
}

const assign = (at: string, persons: number[], type: string, from?: string, creator?: number): Entry => ({
  type: 'i_assign',
  at,
  ...(creator ? { creator } : {}),
  detail: { person_ids: persons, type, layer_idx: 0, ...(from ? { from } : {}) },
});

/** Accounts, people, teams, channels and the five incidents of the worked fixture (see insights.test.ts). */
export async function buildFixture(t: TestApp, name: string): Promise<Fixture> {
  const account = await t.newAccount(name);
  const person = async (n: string) => (await t.newMember(account, [3], `${n}-${account.accountId}`)).memberId;
  const people = { alice: await person('alice'), bob: await person('bob'), carol: await person('carol') };
  const team = async (n: string) =>
    (await ok(t, '/team/upsert', { team_name: n }, account.appKey)).team_id as number;
  const teams = { t1: await team('T1'), t2: await team('T2') };
  const channel = async (n: string, teamId: number) =>
    (await ok(t, '/channel/create', { channel_name: n, team_id: teamId }, account.appKey))
      .channel_id as number;
  const channels = {
    c1: await channel('C1', teams.t1),
    c2: await channel('C2', teams.t2),
    c3: await channel('C3', teams.t1),
  };
  const { alice, bob, carol } = people;
  const A = account.accountId;

  // I1: Monday 10:00Z, Critical. Alice paged (SMS + voice + e-mail at once), acks after 5 min, alerts recover at 11:00.
  const i1 = await insertIncident(t, A, {
    channelId: channels.c1,
    start: '2026-01-05T10:00:00Z',
    severity: 'Critical',
    title: 'CPU high on web-1',
    labels: { service: 'web' },
    closed: { at: '2026-01-05T11:00:00Z', by: 0 },
    alerts: [
      { check: 'cpu', events: 2 },
      { check: 'cpu', events: 3 },
    ],
  });
  await feed(t, A, i1, [
    { type: 'i_new', at: '2026-01-05T10:00:00Z' },
    assign('2026-01-05T10:00:00Z', [alice], 'assign'),
    { type: 'i_ack', at: '2026-01-05T10:05:00Z', creator: alice, detail: { person_id: alice } },
    { type: 'i_rslv', at: '2026-01-05T11:00:00Z', detail: { from: 'event' } },
  ]);
  for (const channel of ['sms', 'voice', 'email'])
    await delivered(t, A, i1, alice, channel, '2026-01-05T10:00:00Z');

  // I2: Monday 20:00Z, Warning. Alice is called twice within a minute and texted 2 min later, never acks;
  // escalation on timeout to Bob at 20:30, who acks (20:40), unacks (20:45), acks again (20:50);
  // auto-resolve (timeout) closes it at 22:00. The worked example of docs/insights.md.
  const i2 = await insertIncident(t, A, {
    channelId: channels.c1,
    start: '2026-01-05T20:00:00Z',
    severity: 'Warning',
    title: 'Disk almost full on db-1',
    labels: { service: 'db' },
    closed: { at: '2026-01-05T22:00:00Z', by: 0 },
    alerts: [{ check: 'disk', events: 1 }],
  });
  await feed(t, A, i2, [
    assign('2026-01-05T20:00:00Z', [alice], 'assign'),
    assign('2026-01-05T20:30:00Z', [bob], 'escalate', 'timeout'),
    { type: 'i_ack', at: '2026-01-05T20:40:00Z', creator: bob },
    { type: 'i_unack', at: '2026-01-05T20:45:00Z', creator: bob },
    { type: 'i_ack', at: '2026-01-05T20:50:00Z', creator: bob },
    { type: 'i_rslv', at: '2026-01-05T22:00:00Z', detail: { from: 'autorslv' } },
  ]);
  await delivered(t, A, i2, alice, 'voice', '2026-01-05T20:00:00Z');
  await delivered(t, A, i2, alice, 'voice', '2026-01-05T20:00:30Z');
  await delivered(t, A, i2, alice, 'sms', '2026-01-05T20:02:00Z');
  await delivered(t, A, i2, bob, 'sms', '2026-01-05T20:30:00Z');
  // A failed delivery is no notification.
  await delivered(t, A, i2, bob, 'voice', '2026-01-05T20:30:00Z', 'failed');

  // I3: Saturday 12:00Z, Info, still open. Bob e-mailed; Alice reassigns to Carol (12:10, manual);
  // Alice escalates by hand to Carol + Alice (12:20); Carol acks (12:25); a snooze and a wake.
  const i3 = await insertIncident(t, A, {
    channelId: channels.c1,
    start: '2026-01-10T12:00:00Z',
    severity: 'Info',
    title: 'Memory leak in api',
    alerts: [
      { check: 'cpu', events: 4 },
      { check: 'mem', events: 3 },
      { check: 'disk', events: 3 },
    ],
  });
  await feed(t, A, i3, [
    assign('2026-01-10T12:00:00Z', [bob], 'assign'),
    assign('2026-01-10T12:10:00Z', [carol], 'reassign', 'manual', alice),
    assign('2026-01-10T12:20:00Z', [carol, alice], 'escalate', 'manual', alice),
    { type: 'i_ack', at: '2026-01-10T12:25:00Z', creator: carol },
    { type: 'i_snooze', at: '2026-01-10T12:26:00Z', creator: carol, detail: { minutes: 10 } },
    { type: 'i_wake', at: '2026-01-10T12:40:00Z', creator: carol },
  ]);
  await delivered(t, A, i3, bob, 'email', '2026-01-10T12:00:00Z');
  await delivered(t, A, i3, carol, 'sms', '2026-01-10T12:10:00Z');
  await t.db.q
    .updateTable('incidents')
    .set({ progress: 'Processing' })
    .where('incident_id', '=', i3)
    .execute();

  // I4: Monday 23:30Z, ever muted (excluded unless include_ever_muted): Alice acks at 23:31, closes at 23:40.
  const i4 = await insertIncident(t, A, {
    channelId: channels.c1,
    start: '2026-01-05T23:30:00Z',
    severity: 'Critical',
    title: 'Flapping probe',
    everMuted: true,
    closed: { at: '2026-01-05T23:40:00Z', by: alice },
    alerts: [{ check: 'probe', events: 9 }],
  });
  await feed(t, A, i4, [
    assign('2026-01-05T23:30:00Z', [alice], 'assign'),
    { type: 'i_ack', at: '2026-01-05T23:31:00Z', creator: alice },
    { type: 'i_rslv', at: '2026-01-05T23:40:00Z', creator: alice, detail: { from: 'console' } },
  ]);

  // I5: Tuesday 09:00Z in C2 (team T2), Critical, nobody assigned: Carol acks on her own (09:10) and closes (09:30).
  const i5 = await insertIncident(t, A, {
    channelId: channels.c2,
    start: '2026-01-06T09:00:00Z',
    severity: 'Critical',
    title: 'Checkout errors',
    closed: { at: '2026-01-06T09:30:00Z', by: carol },
    alerts: [{ check: 'cpu', events: 4 }],
  });
  await feed(t, A, i5, [
    { type: 'i_ack', at: '2026-01-06T09:10:00Z', creator: carol },
    { type: 'i_rslv', at: '2026-01-06T09:30:00Z', creator: carol, detail: { from: 'console' } },
  ]);

  return { account, people, teams, channels, incidents: { i1, i2, i3, i4, i5 } };
}

/** The fixture's week: Monday 2026-01-05 00:00Z to Monday 2026-01-12 00:00Z. */
export const WEEK = { start_time: at('2026-01-05T00:00:00Z'), end_time: at('2026-01-12T00:00:00Z') };
