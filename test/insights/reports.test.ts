import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChangeIntegration, pushChange } from '../changes/helpers.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectInvalid, newSource, push } from '../incidents/read-helpers.ts';

/*
 * The legacy usage reports Flashduty's Go SDK reads: /report/oncall/notifications and
 * /report/oncall/changes (docs/insights.md, "Usage reports"). Buckets are the account's local
 * days, weeks or months; the test account lives in Asia/Kolkata (UTC+05:30) so a bucket edge is
 * not a UTC midnight.
 */

const DAY = 86_400;
let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
/** 2026-01-05T00:00 in Kolkata (2026-01-04T18:30Z): the test clock starts at 09:00Z that day. */
const LOCAL_DAY = Date.UTC(2026, 0, 4, 18, 30) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Reports');
  other = await t.newAccount('Other');
  await t.db.q
    .updateTable('accounts')
    .set({ time_zone: 'Asia/Kolkata' })
    .where('account_id', '=', owner.accountId)
    .execute();
});
afterAll(() => t?.close());

/** A delivery row as the notification outbox leaves it. */
async function delivery(incidentId: string, channel: string, createdAt: number, status = 'success') {
  await t.db.q
    .insertInto('notification_deliveries')
    .values({
      account_id: owner.accountId,
      incident_id: incidentId,
      step: `test:${Math.random()}`,
      recipient: 'person:1',
      channel,
      template_id: '000000000000000000000001',
      next_attempt_at: createdAt,
      created_at: createdAt,
      status,
    } as never)
    .execute();
}

describe('/report/oncall/notifications', () => {
  it('counts delivered SMS, voice and e-mail per local day, zero-filled, filtered by channel', async () => {
    const a = await newSource(t, owner);
    const b = await newSource(t, owner);
    const inA = (await push(t, a)).incidentId;
    const inB = (await push(t, b)).incidentId;
    // Local day 0: two e-mails (one a second before the local midnight that ends it), one SMS.
    await delivery(inA, 'email', LOCAL_DAY + 60);
    await delivery(inA, 'email', LOCAL_DAY + DAY - 1);
    await delivery(inA, 'sms', LOCAL_DAY + 3600);
    // Local day 2: a voice call, and one of channel B.
    await delivery(inA, 'voice', LOCAL_DAY + 2 * DAY);
    await delivery(inB, 'email', LOCAL_DAY + 2 * DAY + 5);
    // Not counted: failed, pending, and channels that are not SMS, voice or e-mail.
    await delivery(inA, 'email', LOCAL_DAY + 120, 'failed');
    await delivery(inA, 'sms', LOCAL_DAY + 120, 'pending');
    await delivery(inA, 'slack', LOCAL_DAY + 120);

    const window = { step: 'day', start_time: LOCAL_DAY, end_time: LOCAL_DAY + 3 * DAY - 1 };
    const all = await t.post('/report/oncall/notifications', window, owner.appKey);
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.data.items).toEqual([
      { ts: LOCAL_DAY, sms_cnt: 1, voice_cnt: 0, email_cnt: 2 },
      { ts: LOCAL_DAY + DAY, sms_cnt: 0, voice_cnt: 0, email_cnt: 0 },
      { ts: LOCAL_DAY + 2 * DAY, sms_cnt: 0, voice_cnt: 1, email_cnt: 1 },
    ]);
    const onlyB = await t.post(
      '/report/oncall/notifications',
      { ...window, channel_ids: [b.channelId] },
      owner.appKey,
    );
    expect(onlyB.body.data.items.map((i: any) => i.email_cnt)).toEqual([0, 0, 1]);
    const weekly = await t.post('/report/oncall/notifications', { ...window, step: 'week' }, owner.appKey);
    // 2026-01-05 is a Monday: one local week.
    expect(weekly.body.data.items).toEqual([{ ts: LOCAL_DAY, sms_cnt: 1, voice_cnt: 1, email_cnt: 3 }]);
    const theirs = await t.post('/report/oncall/notifications', window, other.appKey);
    expect(theirs.body.data.items.every((i: any) => i.email_cnt + i.sms_cnt + i.voice_cnt === 0)).toBe(true);
  });

  it('refuses bad windows and steps, naming the field', async () => {
    const at = LOCAL_DAY;
    expectInvalid(
      await t.post(
        '/report/oncall/notifications',
        { step: 'hour', start_time: at, end_time: at + 1 },
        owner.appKey,
      ),
      'step',
    );
    expectInvalid(
      await t.post(
        '/report/oncall/notifications',
        { step: 'day', start_time: at, end_time: at },
        owner.appKey,
      ),
      'end_time',
    );
    expectInvalid(
      await t.post(
        '/report/oncall/notifications',
        { step: 'month', start_time: at, end_time: at + 367 * DAY },
        owner.appKey,
      ),
      'end_time',
    );
    expectInvalid(
      await t.post('/report/oncall/changes', { start_time: at, end_time: at + DAY }, owner.appKey),
      'step',
    );
  });
});

describe('/report/oncall/changes', () => {
  it('counts changes where they started and events where they happened, per local month', async () => {
    const { key } = await newChangeIntegration(t, owner);
    const at = Math.floor(t.clock.nowMs() / 1000);
    for (const change_status of ['Planned', 'Processing', 'Done']) {
      const res = await pushChange(t, key, { change_status, change_key: 'CHG-1', title: 'Deploy' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    expect(
      (await pushChange(t, key, { change_status: 'Done', change_key: 'CHG-2', title: 'Other' })).status,
    ).toBe(200);
    const res = await t.post(
      '/report/oncall/changes',
      { step: 'month', start_time: at - 60, end_time: at + 60 },
      owner.appKey,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // January 2026 in Kolkata starts at 2025-12-31T18:30Z.
    expect(res.body.data.items).toEqual([
      { ts: Date.UTC(2025, 11, 31, 18, 30) / 1000, change_cnt: 2, change_event_cnt: 4 },
    ]);
    const theirs = await t.post(
      '/report/oncall/changes',
      { step: 'month', start_time: at - 60, end_time: at + 60 },
      other.appKey,
    );
    expect(theirs.body.data.items[0]).toMatchObject({ change_cnt: 0, change_event_cnt: 0 });
  });
});
