import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { fire, newSource, ok, refused, type Source } from './actions-helpers.ts';
import { feedErrors } from './read-helpers.ts';

/** The actions as a client sees them: through /incident/info, /incident/feed and /alert/info. */

let t: TestApp;
let owner: TestAccount;
let responder: TestAccount;
let source: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Read back');
  responder = await t.newMember(owner, [3], 'Rhea Responder');
  source = await newSource(t, owner);
});
afterAll(() => t.close());

const info = (incidentId: string) => ok(t, owner, '/incident/info', { incident_id: incidentId });
const feedTypes = async (incidentId: string) => {
  const page = await ok(t, owner, '/incident/feed', { incident_id: incidentId, asc: true, limit: 100 });
  return page.items as {
    type: string;
    detail: Record<string, unknown>;
    creator_id: number;
    created_at: number;
  }[];
};

describe('lifecycle through the read API', () => {
  it('shows every step of an incident in /incident/info and /incident/feed', async () => {
    const { incidentId } = await fire(t, source, { event_status: 'Critical' });
    const start = Math.floor(t.clock.nowMs() / 1000);

    await ok(t, responder, '/incident/ack', { incident_ids: [incidentId] });
    let view = await info(incidentId);
    expect(view).toMatchObject({ progress: 'Processing', ack_time: start });
    expect(view.responders).toEqual([
      expect.objectContaining({
        person_id: responder.memberId,
        acknowledged_at: start,
        person_name: 'Rhea Responder',
      }),
    ]);

    t.clock.advance(60_000);
    await ok(t, responder, '/incident/snooze', { incident_ids: [incidentId], minutes: 20 });
    expect((await info(incidentId)).snoozed_before).toBe(start + 60 + 1200);
    await ok(t, owner, '/incident/comment', { incident_ids: [incidentId], comment: 'checking the disks' });
    await ok(t, owner, '/incident/reset', {
      incident_id: incidentId,
      title: 'Disks failing',
      incident_severity: 'Warning',
    });
    await ok(t, owner, '/incident/field/reset', {
      incident_id: incidentId,
      field_name: 'ticket',
      field_value: 'OPS-1',
    });
    await ok(t, owner, '/incident/resolve', { incident_ids: [incidentId], resolution: 'replaced the disk' });
    view = await info(incidentId);
    expect(view).toMatchObject({
      progress: 'Closed',
      title: 'Disks failing',
      incident_severity: 'Warning',
      incident_status: 'Critical',
      resolution: 'replaced the disk',
      snoozed_before: 0,
      fields: { ticket: 'OPS-1' },
      closer_id: owner.memberId,
    });
    expect(view.manual_overrides).toEqual(expect.arrayContaining(['title', 'incident_severity']));

    await ok(t, owner, '/incident/reopen', { incident_ids: [incidentId], reason: 'still failing' });
    expect(await info(incidentId)).toMatchObject({
      progress: 'Triggered',
      ack_time: 0,
      close_time: 0,
      closer_id: 0,
    });

    const entries = await feedTypes(incidentId);
    expect(entries.map((e) => e.type)).toEqual([
      'i_new',
      'i_ack',
      'i_snooze',
      'i_comm',
      'i_r_title',
      'i_r_severity',
      'i_r_field',
      'i_rslv',
      'i_reopen',
    ]);
    expect(entries[1]).toMatchObject({
      creator_id: responder.memberId,
      detail: { person_id: responder.memberId },
    });
    expect(entries[2]).toMatchObject({ detail: { minutes: 20 }, created_at: start * 1000 + 60_000 });
    expect(entries[8]).toMatchObject({ detail: { reason: 'still failing' }, creator_id: owner.memberId });
  });

  it('merge, wake and manual incidents write entries the documents describe', async () => {
    const manual = await ok(t, owner, '/incident/create', { incident_severity: 'Warning', title: 'By hand' });
    const a = await fire(t, source);
    const b = await fire(t, source);
    await ok(t, owner, '/incident/snooze', { incident_ids: [manual.incident_id], minutes: 1 });
    await ok(t, owner, '/incident/wake', { incident_ids: [manual.incident_id] });
    await ok(t, owner, '/incident/merge', {
      source_incident_ids: [a.incidentId],
      target_incident_id: manual.incident_id,
      title: 'Merged by hand',
      comment: 'one cause',
      owner_id: responder.memberId,
    });
    await ok(t, owner, '/alert/merge', {
      alert_ids: [b.alertId],
      incident_id: manual.incident_id,
      comment: 'this too',
    });
    expect((await feedTypes(manual.incident_id)).map((e) => e.type)).toEqual([
      'i_new',
      'i_snooze',
      'i_wake',
      'i_merge',
      'i_r_title',
      'a_merge',
    ]);
    expect((await feedTypes(a.incidentId)).map((e) => e.type)).toEqual(['i_new', 'i_merge', 'i_rslv']);
    expect((await feedTypes(b.incidentId)).map((e) => e.type)).toEqual(['i_new', 'i_merge', 'i_rslv']);
    const alertFeed = await t.post('/alert/feed', { alert_id: a.alertId, asc: true }, owner.appKey);
    expect(alertFeed.body.data.items.map((e: { type: string }) => e.type)).toEqual(['a_new', 'a_merge']);
    expect(feedErrors('/alert/feed', alertFeed.body, ['a_merge'])).toEqual([]);
  });

  it('a removed incident and its alert are not found', async () => {
    const { incidentId, alertId } = await fire(t, source);
    await ok(t, owner, '/incident/remove', { incident_ids: [incidentId] });
    await refused(t, owner, '/incident/info', { incident_id: incidentId }, 'ResourceNotFound');
    await refused(t, owner, '/incident/feed', { incident_id: incidentId }, 'ResourceNotFound');
    await refused(t, owner, '/alert/info', { alert_id: alertId }, 'ResourceNotFound');
  });

  it('counters after /alert/merge read back through /incident/info', async () => {
    const a = await fire(t, source, { event_status: 'Critical' });
    const b = await fire(t, source, { event_status: 'Info' });
    await ok(t, owner, '/alert/merge', { alert_ids: [a.alertId], incident_id: b.incidentId });
    expect(await info(b.incidentId)).toMatchObject({
      alert_cnt: 2,
      active_alert_cnt: 2,
      alert_event_cnt: 2,
      incident_severity: 'Critical',
    });
    expect(await info(a.incidentId)).toMatchObject({ alert_cnt: 0, progress: 'Closed' });
    const alertView = await ok(t, owner, '/alert/info', { alert_id: a.alertId });
    expect(alertView.incident).toMatchObject({ incident_id: b.incidentId });
  });
});
