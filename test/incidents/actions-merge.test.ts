import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  refused,
  type Source,
} from './actions-helpers.ts';

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let source: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Merges');
  other = await t.newMember(owner, [3], 'Olga Owner');
  source = await newSource(t, owner);
});
afterAll(() => t.close());

describe('/incident/merge', () => {
  it('moves every alert into the target, re-derives it, and closes the sources', async () => {
    const target = await fire(t, source, { event_status: 'Warning', title_rule: 'Target' });
    const a = await fire(t, source, { event_status: 'Critical' });
    const b = await fire(t, source, { event_status: 'Info' });
    await fire(t, source, { alert_key: b.alertKey, event_status: 'Warning' }); // b has two events
    const c = await fire(t, source, { alert_key: 'merge-c', event_status: 'Info' });
    await recover(t, source, c.alertKey); // c's incident closed by recovery
    await ok(t, owner, '/incident/ack', { incident_ids: [a.incidentId] });
    await ok(t, owner, '/incident/snooze', { incident_ids: [a.incidentId], minutes: 30 });

    t.clock.advance(60_000);
    const now = Math.floor(t.clock.nowMs() / 1000);
    await ok(t, owner, '/incident/merge', {
      source_incident_ids: [a.incidentId, b.incidentId, c.incidentId],
      target_incident_id: target.incidentId,
      title: 'Database cluster degraded',
      comment: 'same root cause',
      owner_id: other.memberId,
    });

    const merged = await incident(t, target.incidentId);
    expect(merged).toMatchObject({
      title: 'Database cluster degraded',
      owner_id: other.memberId,
      alert_cnt: 4,
      active_alert_cnt: 3,
      alert_event_cnt: 6,
      incident_severity: 'Critical',
      incident_status: 'Critical',
      progress: 'Triggered',
    });
    expect(merged.manual_overrides).toContain('title');
    expect((await alertsOf(t, target.incidentId)).map((x) => x.alert_id).sort()).toEqual(
      [target.alertId, a.alertId, b.alertId, c.alertId].sort(),
    );

    for (const id of [a.incidentId, b.incidentId]) {
      expect(await incident(t, id)).toMatchObject({
        progress: 'Closed',
        close_time: now,
        closer_id: owner.memberId,
        alert_cnt: 0,
        active_alert_cnt: 0,
        alert_event_cnt: 0,
        group_key: null,
        snoozed_before: 0,
        deleted_at: 0,
      });
      expect(await lastFeed(t, id, 'i_merge')).toMatchObject({
        creator_id: owner.memberId,
        detail: {
          target_incident: { incident_id: target.incidentId, title: 'Database cluster degraded' },
          comment: 'same root cause',
        },
      });
      expect(await lastFeed(t, id, 'i_rslv')).toMatchObject({ detail: { from: 'console' } });
    }
    // c was closed already: it keeps its close.
    expect(await incident(t, c.incidentId)).toMatchObject({ progress: 'Closed', closer_id: 0, alert_cnt: 0 });

    expect(await lastFeed(t, target.incidentId, 'i_merge')).toMatchObject({
      creator_id: owner.memberId,
      detail: {
        source_incidents: [a, b, c]
          .map((x) => x.incidentId)
          .sort()
          .map((incident_id) => ({ incident_id, title: expect.any(String), progress: expect.any(String) })),
        target_incident: {
          incident_id: target.incidentId,
          title: 'Database cluster degraded',
          progress: 'Triggered',
        },
        title: 'Database cluster degraded',
        owner_id: other.memberId,
        remove_source_incidents: false,
        alert_cnt: 3,
        comment: 'same root cause',
        person_id: owner.memberId,
      },
    });
    expect(await lastFeed(t, target.incidentId, 'i_r_title')).toMatchObject({
      detail: { from: 'Target', to: 'Database cluster degraded' },
    });
    expect((await alertFeedOf(t, a.alertId)).at(-1)).toMatchObject({
      type: 'a_merge',
      detail: { from_incident_id: a.incidentId, incident_id: target.incidentId },
    });

    // Later events of a moved alert update the target.
    await fire(t, source, { alert_key: a.alertKey, event_status: 'Warning' });
    expect((await incident(t, target.incidentId)).alert_event_cnt).toBe(7);
    expect((await incident(t, a.incidentId)).alert_event_cnt).toBe(0);
  });

  it('soft-deletes the sources with remove_source_incidents', async () => {
    const target = await fire(t, source);
    const s = await fire(t, source);
    await ok(t, owner, '/incident/merge', {
      source_incident_ids: [s.incidentId],
      target_incident_id: target.incidentId,
      remove_source_incidents: true,
    });
    const row = await incident(t, s.incidentId);
    expect(row.deleted_at).toBeGreaterThan(0);
    expect(row.progress).toBe('Triggered');
    expect((await alert(t, s.alertId)).incident_id).toBe(target.incidentId);
    expect((await incident(t, target.incidentId)).alert_cnt).toBe(2);
    await refused(
      t,
      owner,
      '/incident/ack',
      { incident_ids: [s.incidentId] },
      'ResourceNotFound',
      s.incidentId,
    );
  });

  it('merges a manual incident into one with alerts and the other way round', async () => {
    const manual = await ok(t, owner, '/incident/create', {
      incident_severity: 'Info',
      title: 'Reported by a user',
    });
    const withAlert = await fire(t, source, { event_status: 'Critical' });
    await ok(t, owner, '/incident/merge', {
      source_incident_ids: [withAlert.incidentId],
      target_incident_id: manual.incident_id,
    });
    expect(await incident(t, manual.incident_id)).toMatchObject({
      title: 'Reported by a user',
      alert_cnt: 1,
      active_alert_cnt: 1,
      incident_severity: 'Critical',
      labels: { host: 'db1' },
    });
  });

  it('refuses a closed target, a target among the sources, and an unknown owner, changing nothing', async () => {
    const closed = await fire(t, source);
    const open = await fire(t, source);
    await ok(t, owner, '/incident/resolve', { incident_ids: [closed.incidentId] });
    await refused(
      t,
      owner,
      '/incident/merge',
      { source_incident_ids: [open.incidentId], target_incident_id: closed.incidentId },
      'BadRequest',
      closed.incidentId,
    );
    await refused(
      t,
      owner,
      '/incident/merge',
      { source_incident_ids: [open.incidentId, closed.incidentId], target_incident_id: open.incidentId },
      'InvalidParameter',
      'source_incident_ids',
    );
    await refused(
      t,
      owner,
      '/incident/merge',
      { source_incident_ids: [closed.incidentId], target_incident_id: open.incidentId, owner_id: 999_999 },
      'InvalidParameter',
      'owner_id',
    );
    expect((await alert(t, open.alertId)).incident_id).toBe(open.incidentId);
    expect((await alert(t, closed.alertId)).incident_id).toBe(closed.incidentId);
  });
});

describe('/alert/merge', () => {
  it('moves alerts, re-derives target and sources, and closes an emptied source', async () => {
    const grouped = await newSource(t, owner, { group: { method: 'p', equals: [['labels.service']] } });
    const x1 = await fire(t, grouped, { labels: { service: 'x' }, event_status: 'Critical' });
    const x2 = await fire(t, grouped, { labels: { service: 'x' }, event_status: 'Warning' });
    const y = await fire(t, grouped, { labels: { service: 'y' }, event_status: 'Info' });
    const z = await fire(t, grouped, { labels: { service: 'z' }, event_status: 'Info' });
    expect(x2.incidentId).toBe(x1.incidentId);

    await ok(t, owner, '/alert/merge', {
      alert_ids: [x1.alertId, z.alertId],
      incident_id: y.incidentId,
      comment: 'belongs together',
    });

    expect(await incident(t, y.incidentId)).toMatchObject({
      alert_cnt: 3,
      active_alert_cnt: 3,
      incident_severity: 'Critical',
      incident_status: 'Critical',
    });
    // The source that keeps an alert is re-derived from it.
    expect(await incident(t, x1.incidentId)).toMatchObject({
      alert_cnt: 1,
      incident_severity: 'Warning',
      incident_status: 'Warning',
      progress: 'Triggered',
    });
    // The emptied source closes.
    expect(await incident(t, z.incidentId)).toMatchObject({
      progress: 'Closed',
      alert_cnt: 0,
      closer_id: owner.memberId,
      group_key: null,
    });
    const moves = (await feedOf(t, y.incidentId)).filter(
      (e) => e.type === 'a_merge' && e.creator_id === owner.memberId,
    );
    expect(moves).toHaveLength(2);
    expect(moves.map((e) => e.detail)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          alert_id: x1.alertId,
          from_incident_id: x1.incidentId,
          comment: 'belongs together',
        }),
        expect.objectContaining({ alert_id: z.alertId, from_incident_id: z.incidentId }),
      ]),
    );
    expect(await lastFeed(t, x1.incidentId, 'i_merge')).toMatchObject({
      detail: { target_incident: { incident_id: y.incidentId }, alert_ids: [x1.alertId] },
    });
    expect((await alertFeedOf(t, z.alertId)).at(-1)).toMatchObject({
      type: 'a_merge',
      detail: { from_incident_id: z.incidentId, incident_id: y.incidentId },
    });
  });

  it('leaves alerts already in the target, and sets title and owner', async () => {
    const target = await fire(t, source, { title_rule: 'Before' });
    await ok(t, owner, '/alert/merge', {
      alert_ids: [target.alertId],
      incident_id: target.incidentId,
      title: 'After',
      owner_id: other.memberId,
    });
    expect(await incident(t, target.incidentId)).toMatchObject({
      title: 'After',
      owner_id: other.memberId,
      alert_cnt: 1,
    });
    expect(
      (await feedOf(t, target.incidentId)).filter((e) => e.type === 'a_merge' && e.creator_id > 0),
    ).toEqual([]);
  });

  it('refuses unknown alerts and a closed target, changing nothing', async () => {
    const a = await fire(t, source);
    const closed = await fire(t, source);
    await ok(t, owner, '/incident/resolve', { incident_ids: [closed.incidentId] });
    await refused(
      t,
      owner,
      '/alert/merge',
      { alert_ids: [a.alertId, 'ffffffffffffffffffffffff'], incident_id: closed.incidentId },
      'ResourceNotFound',
      'ffffffffffffffffffffffff',
    );
    await refused(
      t,
      owner,
      '/alert/merge',
      { alert_ids: [a.alertId], incident_id: closed.incidentId },
      'BadRequest',
    );
    expect((await alert(t, a.alertId)).incident_id).toBe(a.incidentId);
  });
});
