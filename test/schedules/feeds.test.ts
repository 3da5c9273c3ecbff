import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

let t: TestApp;
let owner: TestAccount;
let alice: TestAccount;
let bob: TestAccount;
let scheduleId: number;

const MON = Date.UTC(2026, 0, 5, 0, 0, 0) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Feeds');
  alice = await t.newMember(owner, [3], 'alice');
  bob = await t.newMember(owner, [3], 'bob');
  const res = await t.post(
    '/schedule/create',
    {
      schedule_name: 'Ops, primary',
      time_zone: 'UTC',
      layers: [
        {
          layer_name: 'primary',
          groups: [
            { group_name: 'A', members: [{ role_id: 1, person_ids: [alice.memberId] }] },
            { group_name: 'B', members: [{ role_id: 1, person_ids: [bob.memberId] }] },
          ],
          rotation_unit: 'day',
          rotation_value: 1,
          layer_start: MON,
        },
      ],
    },
    owner.appKey,
  );
  scheduleId = res.body.data.schedule_id;
});
afterAll(() => t.close());

const get = (url: string) => t.app.inject({ method: 'GET', url });
const events = (body: string) => body.split('BEGIN:VEVENT').length - 1;

describe('calendar feeds', () => {
  it('a schedule feed lists every final shift from a week ago to eight weeks ahead, in UTC', async () => {
    const res = await get(`/schedule/ical?schedule_id=${scheduleId}&app_key=${owner.appKey}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/calendar');
    const body = res.body;
    expect(body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(body).toContain('VERSION:2.0');
    // The layer starts on Monday 00:00; the clock is Monday 09:00; 56 days ahead ends on day 57 at 09:00.
    expect(events(body)).toBe(57);
    expect(body).toContain('DTSTART:20260105T000000Z');
    expect(body).toContain('DTEND:20260106T000000Z');
    expect(body).toContain('SUMMARY:On call: Ops\\, primary (alice)');
    expect(body).toContain(`UID:${scheduleId}-${MON}-0@vigil`);
    // Every line ends with CRLF and none is longer than 75 octets.
    for (const line of body.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it("a person's feed holds only their shifts", async () => {
    const res = await get(`/schedule/ical?app_key=${bob.appKey}`);
    expect(res.statusCode).toBe(200);
    expect(events(res.body)).toBe(28);
    expect(res.body).toContain('DTSTART:20260106T000000Z');
    expect(res.body).not.toContain('DTSTART:20260105T000000Z');
    expect(res.body).not.toContain('(alice)');
  });

  it('a per-feed token reads the feed without an app_key; a wrong token is refused', async () => {
    const created = await t.post('/schedule/feed/create', { schedule_id: scheduleId }, alice.appKey);
    expect(created.body.data.url).toBe(
      `${t.config.publicUrl}/schedule/ical/feed?token=${created.body.data.token}`,
    );
    const res = await get(`/schedule/ical/feed?token=${created.body.data.token}`);
    expect(res.statusCode).toBe(200);
    expect(events(res.body)).toBe(57);

    const personal = await t.post('/schedule/feed/create', {}, alice.appKey);
    const mine = await get(`/schedule/ical/feed?token=${personal.body.data.token}`);
    expect(events(mine.body)).toBe(29);

    const wrong = await get('/schedule/ical/feed?token=nope');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('Unauthorized');
  });

  it('a token is revoked by its creator or a Schedules manager, and then reads nothing', async () => {
    const { token } = (await t.post('/schedule/feed/create', {}, bob.appKey)).body.data;
    const byAlice = await t.post('/schedule/feed/delete', { token }, alice.appKey);
    expect(byAlice.body.error?.code).toBe('ResourceNotFound');
    expect((await get(`/schedule/ical/feed?token=${token}`)).statusCode).toBe(200);
    expect((await t.post('/schedule/feed/delete', { token }, bob.appKey)).body.data).toEqual({});
    expect((await get(`/schedule/ical/feed?token=${token}`)).statusCode).toBe(401);

    const second = (await t.post('/schedule/feed/create', {}, bob.appKey)).body.data.token;
    expect((await t.post('/schedule/feed/delete', { token: second }, owner.appKey)).status).toBe(200);
    expect((await get(`/schedule/ical/feed?token=${second}`)).statusCode).toBe(401);
  });

  it('needs a valid app_key and the schedule of its own account', async () => {
    expect((await get(`/schedule/ical?schedule_id=${scheduleId}`)).statusCode).toBe(401);
    const other = await t.newAccount('Other feeds');
    const res = await get(`/schedule/ical?schedule_id=${scheduleId}&app_key=${other.appKey}`);
    expect(res.json().error.code).toBe('ResourceNotFound');
    const token = await t.post('/schedule/feed/create', { schedule_id: scheduleId }, other.appKey);
    expect(token.body.error?.code).toBe('ResourceNotFound');
  });

  it('a feed of a deleted schedule is gone', async () => {
    const created = await t.post(
      '/schedule/create',
      { schedule_name: 'short-lived', layers: [], time_zone: 'UTC' },
      owner.appKey,
    );
    const id = created.body.data.schedule_id;
    const { token } = (await t.post('/schedule/feed/create', { schedule_id: id }, owner.appKey)).body.data;
    expect((await get(`/schedule/ical/feed?token=${token}`)).statusCode).toBe(200);
    await t.post('/schedule/delete', { schedule_ids: [id] }, owner.appKey);
    expect((await get(`/schedule/ical/feed?token=${token}`)).json().error.code).toBe('ResourceNotFound');
  });
});
