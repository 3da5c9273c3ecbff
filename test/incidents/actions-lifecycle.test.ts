import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wakeExpiredSnoozes } from '../../src/incidents/actions/snooze.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  alert,
  alertFeedOf,
  alertsOf,
  feedOf,
  fire,
  incident,
  lastFeed,
  newSource,
  ok,
  recover,
  type Source,
} from './actions-helpers.ts';

let t: TestApp;
let owner: TestAccount;
let responder: TestAccount;
let source: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Lifecycle');
  responder = await t.newMember(owner, [3], 'Rita Responder');
  source = await newSource(t, owner);
});
afterAll(() => t.close());

const nowSeconds = () => Math.floor(t.clock.nowMs() / 1000);

describe('/incident/ack and /incident/unack', () => {
  it('acknowledges: Processing, first ack time, the caller as responder, an i_ack entry', async () => {
    const { incidentId } = await fire(t, source);
    const ackedAt = nowSeconds();
    expect(await ok(t, owner, '/incident/ack', { incident_ids: [incidentId] })).toEqual({});
    let row = await incident(t, incidentId);
    expect(row).toMatchObject({ progress: 'Processing', ack_time: ackedAt, updated_at: ackedAt });
    expect(row.responders).toEqual([{ person_id: owner.memberId, assigned_at: 0, acknowledged_at: ackedAt }]);
    const entry = await lastFeed(t, incidentId, 'i_ack');
    expect(entry).toMatchObject({ creator_id: owner.memberId, detail: { person_id: owner.memberId } });
    expect(entry!.created_at).toBe(t.clock.nowMs());

    // A second member (a Responder) acks later: recorded too; ack_time stays the first one.
    t.clock.advance(60_000);
    await ok(t, responder, '/incident/ack', { incident_ids: [incidentId] });
    row = await incident(t, incidentId);
    expect(row.ack_time).toBe(ackedAt);
    expect(row.responders).toEqual([
      { person_id: owner.memberId, assigned_at: 0, acknowledged_at: ackedAt },
      { person_id: responder.memberId, assigned_at: 0, acknowledged_at: ackedAt + 60 },
    ]);

    // Acking again changes nothing and writes no second entry.
    const before = (await feedOf(t, incidentId)).length;
    await ok(t, owner, '/incident/ack', { incident_ids: [incidentId] });
    expect((await feedOf(t, incidentId)).length).toBe(before);
  });

  it('unack: the incident stays Processing while someone acks, then returns to Triggered', async () => {
    const { incidentId } = await fire(t, source);
    const first = nowSeconds();
    await ok(t, owner, '/incident/ack', { incident_ids: [incidentId] });
    t.clock.advance(30_000);
    await ok(t, responder, '/incident/ack', { incident_ids: [incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [incidentId], minutes: 30 });

    t.clock.advance(30_000);
    await ok(t, owner, '/incident/unack', { incident_ids: [incidentId] });
    let row = await incident(t, incidentId);
    expect(row.progress).toBe('Processing');
    expect(row.ack_time).toBe(first + 30); // the earliest acknowledgement still standing
    expect(row.snoozed_before).toBeGreaterThan(0);
    expect(await lastFeed(t, incidentId, 'i_unack')).toMatchObject({
      creator_id: owner.memberId,
      detail: { person_id: owner.memberId },
    });

    await ok(t, responder, '/incident/unack', { incident_ids: [incidentId] });
    row = await incident(t, incidentId);
    expect(row).toMatchObject({ progress: 'Triggered', ack_time: 0, snoozed_before: 0 });
    expect((row.responders as { acknowledged_at: number }[]).every((r) => r.acknowledged_at === 0)).toBe(
      true,
    );

    // Unacking without an acknowledgement is a no-op.
    const before = await feedOf(t, incidentId);
    await ok(t, owner, '/incident/unack', { incident_ids: [incidentId] });
    expect(await feedOf(t, incidentId)).toEqual(before);
  });

  it('acks a batch, skips closed incidents, and deduplicates ids', async () => {
    const a = await fire(t, source);
    const b = await fire(t, source);
    const closed = await fire(t, source);
    await ok(t, owner, '/incident/resolve', { incident_ids: [closed.incidentId] });
    await ok(t, owner, '/incident/ack', {
      incident_ids: [a.incidentId, b.incidentId.toUpperCase(), b.incidentId, closed.incidentId],
    });
    expect((await incident(t, a.incidentId)).progress).toBe('Processing');
    expect((await incident(t, b.incidentId)).progress).toBe('Processing');
    expect((await feedOf(t, b.incidentId)).filter((e) => e.type === 'i_ack')).toHaveLength(1);
    const closedRow = await incident(t, closed.incidentId);
    expect(closedRow).toMatchObject({ progress: 'Closed', ack_time: 0, responders: [] });
    expect(await lastFeed(t, closed.incidentId, 'i_ack')).toBeUndefined();
  });

  it('two concurrent acks of one incident keep both responders', async () => {
    const { incidentId } = await fire(t, source);
    const members = await Promise.all([
      t.newMember(owner, [3]),
      t.newMember(owner, [3]),
      t.newMember(owner, [3]),
    ]);
    const results = await Promise.all(
      [owner, ...members].map((m) => t.post('/incident/ack', { incident_ids: [incidentId] }, m.appKey)),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const row = await incident(t, incidentId);
    const ackers = (row.responders as { person_id: number }[]).map((r) => r.person_id).sort();
    expect(ackers).toEqual([owner, ...members].map((m) => m.memberId).sort());
    expect((await feedOf(t, incidentId)).filter((e) => e.type === 'i_ack')).toHaveLength(4);
  });
});

describe('/incident/resolve and /incident/reopen', () => {
  it('closes the incident and all its open alerts; status stays; a new event opens a new incident', async () => {
    const first = await fire(t, source, { event_status: 'Critical' });
    const sibling = await fire(t, source, { alert_key: 'resolve-sibling' });
    await ok(t, owner, '/incident/snooze', { incident_ids: [first.incidentId], minutes: 10 });
    t.clock.advance(120_000);
    const closedAt = nowSeconds();
    await ok(t, owner, '/incident/resolve', {
      incident_ids: [first.incidentId],
      root_cause: 'disk full',
      resolution: 'cleaned /var/log',
    });
    const row = await incident(t, first.incidentId);
    expect(row).toMatchObject({
      progress: 'Closed',
      close_time: closedAt,
      closer_id: owner.memberId,
      group_key: null,
      snoozed_before: 0,
      root_cause: 'disk full',
      resolution: 'cleaned /var/log',
      incident_status: 'Critical',
      updated_at: closedAt,
    });
    const closedAlert = await alert(t, first.alertId);
    expect(closedAlert).toMatchObject({ end_time: closedAt, alert_status: 'Critical' });
    expect((await alertFeedOf(t, first.alertId)).at(-1)).toMatchObject({
      type: 'a_close',
      creator_id: owner.memberId,
      detail: { from: 'console', incident_id: first.incidentId },
    });
    expect(await lastFeed(t, first.incidentId, 'i_rslv')).toMatchObject({
      creator_id: owner.memberId,
      detail: { from: 'console', person_id: owner.memberId },
    });
    // Another incident's alert is untouched.
    expect((await alert(t, sibling.alertId)).end_time).toBe(0);

    // The same key fires again: a new alert in a new incident.
    const again = await fire(t, source, { alert_key: first.alertKey, event_status: 'Critical' });
    expect(again.alertId).not.toBe(first.alertId);
    expect(again.incidentId).not.toBe(first.incidentId);
    expect(await alertsOf(t, first.incidentId)).toHaveLength(1);

    // Resolving again changes nothing.
    t.clock.advance(1000);
    await ok(t, owner, '/incident/resolve', { incident_ids: [first.incidentId], root_cause: 'other' });
    expect(await incident(t, first.incidentId)).toEqual(row);
  });

  it('keeps root_cause and resolution when they are not sent', async () => {
    const { incidentId } = await fire(t, source);
    await ok(t, owner, '/incident/reset', { incident_id: incidentId, root_cause: 'known cause' });
    await ok(t, owner, '/incident/resolve', { incident_ids: [incidentId] });
    expect(await incident(t, incidentId)).toMatchObject({ root_cause: 'known cause', resolution: '' });
  });

  it('reopens: Triggered again with acknowledgements cleared; alerts stay closed', async () => {
    const { incidentId, alertId, alertKey } = await fire(t, source);
    await ok(t, responder, '/incident/ack', { incident_ids: [incidentId] });
    await ok(t, owner, '/incident/resolve', { incident_ids: [incidentId] });
    t.clock.advance(60_000);
    await ok(t, owner, '/incident/reopen', { incident_ids: [incidentId], reason: 'came back' });
    const row = await incident(t, incidentId);
    expect(row).toMatchObject({
      progress: 'Triggered',
      close_time: 0,
      closer_id: 0,
      ack_time: 0,
      end_time: 0,
      updated_at: nowSeconds(),
    });
    expect(row.responders).toEqual([{ person_id: responder.memberId, assigned_at: 0, acknowledged_at: 0 }]);
    expect(await lastFeed(t, incidentId, 'i_reopen')).toMatchObject({
      creator_id: owner.memberId,
      detail: { reason: 'came back', person_id: owner.memberId },
    });
    expect((await alert(t, alertId)).end_time).toBeGreaterThan(0);
    const next = await fire(t, source, { alert_key: alertKey });
    expect(next.incidentId).not.toBe(incidentId);

    // Reopening an open incident is a no-op.
    const before = await feedOf(t, incidentId);
    await ok(t, owner, '/incident/reopen', { incident_ids: [incidentId] });
    expect(await feedOf(t, incidentId)).toEqual(before);
  });

  it('an incident closed by its alerts recovering can be reopened', async () => {
    const { incidentId, alertKey } = await fire(t, source);
    await recover(t, source, alertKey);
    expect((await incident(t, incidentId)).progress).toBe('Closed');
    await ok(t, owner, '/incident/reopen', { incident_ids: [incidentId] });
    expect(await incident(t, incidentId)).toMatchObject({ progress: 'Triggered', incident_status: 'Ok' });
    expect(await lastFeed(t, incidentId, 'i_reopen')).toMatchObject({ detail: { reason: '' } });
  });
});

describe('/incident/snooze, /incident/wake and snooze expiry', () => {
  it('snoozes for the given minutes and wakes by hand', async () => {
    const { incidentId } = await fire(t, source);
    await ok(t, owner, '/incident/ack', { incident_ids: [incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [incidentId], minutes: 15 });
    expect((await incident(t, incidentId)).snoozed_before).toBe(nowSeconds() + 900);
    expect(await lastFeed(t, incidentId, 'i_snooze')).toMatchObject({
      creator_id: owner.memberId,
      detail: { minutes: 15 },
    });

    await ok(t, responder, '/incident/wake', { incident_ids: [incidentId] });
    expect(await incident(t, incidentId)).toMatchObject({ snoozed_before: 0, progress: 'Processing' });
    expect(await lastFeed(t, incidentId, 'i_wake')).toMatchObject({
      creator_id: responder.memberId,
      detail: { from: 'console', person_id: responder.memberId },
    });

    // Waking an incident that is not snoozed is a no-op.
    const before = await feedOf(t, incidentId);
    await ok(t, owner, '/incident/wake', { incident_ids: [incidentId] });
    expect(await feedOf(t, incidentId)).toEqual(before);
  });

  it('does not snooze closed incidents', async () => {
    const { incidentId } = await fire(t, source);
    await ok(t, owner, '/incident/resolve', { incident_ids: [incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [incidentId], minutes: 5 });
    expect((await incident(t, incidentId)).snoozed_before).toBe(0);
    expect(await lastFeed(t, incidentId, 'i_snooze')).toBeUndefined();
  });

  it('wakeExpiredSnoozes returns expired incidents to Triggered, once', async () => {
    const short = await fire(t, source);
    const long = await fire(t, source);
    const closed = await fire(t, source);
    await ok(t, responder, '/incident/ack', {
      incident_ids: [short.incidentId, long.incidentId, closed.incidentId],
    });
    await ok(t, responder, '/incident/snooze', {
      incident_ids: [short.incidentId, closed.incidentId],
      minutes: 10,
    });
    await ok(t, responder, '/incident/snooze', { incident_ids: [long.incidentId], minutes: 60 });
    await ok(t, owner, '/incident/resolve', { incident_ids: [closed.incidentId] });

    t.clock.advance(9 * 60_000);
    expect(await wakeExpiredSnoozes(t.db, t.clock.nowMs())).toBe(0);
    expect((await incident(t, short.incidentId)).progress).toBe('Processing');

    t.clock.advance(60_000); // exactly at snoozed_before
    const woken = await wakeExpiredSnoozes(t.db, t.clock.nowMs());
    expect(woken).toBe(1);
    const row = await incident(t, short.incidentId);
    expect(row).toMatchObject({
      progress: 'Triggered',
      snoozed_before: 0,
      ack_time: 0,
      updated_at: nowSeconds(),
    });
    expect(row.responders).toEqual([{ person_id: responder.memberId, assigned_at: 0, acknowledged_at: 0 }]);
    expect(await lastFeed(t, short.incidentId, 'i_wake')).toMatchObject({
      creator_id: 0,
      detail: { from: 'timeout', snoozedBefore: nowSeconds() },
      created_at: t.clock.nowMs(),
    });
    expect((await incident(t, long.incidentId)).progress).toBe('Processing');
    expect((await incident(t, closed.incidentId)).progress).toBe('Closed');

    // Idempotent: a second run, or two at once, wake nothing more.
    expect(await wakeExpiredSnoozes(t.db, t.clock.nowMs())).toBe(0);
    t.clock.advance(50 * 60_000);
    const runs = await Promise.all([
      wakeExpiredSnoozes(t.db, t.clock.nowMs()),
      wakeExpiredSnoozes(t.db, t.clock.nowMs()),
    ]);
    expect(runs[0]! + runs[1]!).toBe(1);
    expect((await incident(t, long.incidentId)).progress).toBe('Triggered');
    expect((await feedOf(t, long.incidentId)).filter((e) => e.type === 'i_wake')).toHaveLength(1);
  });
});

describe('/incident/comment', () => {
  it('adds an i_comm entry to each incident, closed ones included', async () => {
    const open = await fire(t, source);
    const closed = await fire(t, source);
    await ok(t, owner, '/incident/resolve', { incident_ids: [closed.incidentId] });
    await ok(t, responder, '/incident/comment', {
      incident_ids: [open.incidentId, closed.incidentId],
      comment: 'looking into it',
      mute_reply: true,
    });
    for (const id of [open.incidentId, closed.incidentId]) {
      expect(await lastFeed(t, id, 'i_comm')).toMatchObject({
        creator_id: responder.memberId,
        detail: { comment: 'looking into it', person_id: responder.memberId, mute_reply: true },
      });
    }
  });
});

describe('/incident/create', () => {
  it('creates a manual incident in a channel', async () => {
    const created = await ok(t, owner, '/incident/create', {
      incident_severity: 'Critical',
      title: '  Checkout is down  ',
      description: 'reported by support',
      channel_id: source.channelId,
    });
    expect(created).toEqual({
      incident_id: expect.stringMatching(/^[0-9a-f]{24}$/),
      title: 'Checkout is down',
    });
    const row = await incident(t, created.incident_id);
    expect(row).toMatchObject({
      account_id: owner.accountId,
      channel_id: source.channelId,
      title: 'Checkout is down',
      description: 'reported by support',
      incident_severity: 'Critical',
      incident_status: 'Critical',
      progress: 'Triggered',
      creator_id: owner.memberId,
      labels: {},
      alert_cnt: 0,
      group_key: null,
      start_time: nowSeconds(),
      created_at: nowSeconds(),
    });
    expect(await alertsOf(t, created.incident_id)).toEqual([]);
    expect(await feedOf(t, created.incident_id)).toMatchObject([
      {
        type: 'i_new',
        creator_id: owner.memberId,
        detail: { severity: 'Critical', title: 'Checkout is down', person_id: owner.memberId },
      },
    ]);
  });

  it('creates a standalone incident when channel_id is absent, and the manual incident can be worked', async () => {
    const created = await ok(t, responder, '/incident/create', {
      incident_severity: 'Info',
      title: 'Standalone',
    });
    expect(await incident(t, created.incident_id)).toMatchObject({
      channel_id: 0,
      creator_id: responder.memberId,
    });
    await ok(t, owner, '/incident/ack', { incident_ids: [created.incident_id] });
    await ok(t, owner, '/incident/resolve', { incident_ids: [created.incident_id] });
    expect((await incident(t, created.incident_id)).progress).toBe('Closed');
  });
});
