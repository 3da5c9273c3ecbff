import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDayOff } from '../../src/schedules/calendar.ts';
import { loadCalendar } from '../../src/schedules/calendars.store.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

let t: TestApp;
let owner: TestAccount;

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Calendars');
});
afterAll(() => t.close());

let counter = 0;
async function createCalendar(body: Record<string, unknown> = {}, key = owner.appKey): Promise<string> {
  counter += 1;
  const res = await t.post('/calendar/create', { cal_name: `cal ${counter}`, ...body }, key);
  expect(res.body.error).toBeUndefined();
  return res.body.data.cal_id as string;
}

describe('calendars', () => {
  it('creates with Flashduty defaults, reads, lists, updates and deletes', async () => {
    const res = await t.post('/calendar/create', { cal_name: 'Trading days' }, owner.appKey);
    expect(res.body.data).toEqual({ cal_id: expect.stringMatching(/^cal\./), cal_name: 'Trading days' });
    const calId = res.body.data.cal_id;
    const info = await t.post('/calendar/info', { cal_id: calId }, owner.appKey);
    expect(info.body.data).toEqual({
      account_id: owner.accountId,
      team_id: 0,
      cal_id: calId,
      cal_name: 'Trading days',
      description: '',
      timezone: 'Asia/Shanghai',
      kind: 'personal',
      workdays: [0, 1, 2, 3, 4, 5, 6],
      extra_cal_ids: [],
      created_at: NOW,
      updated_at: NOW,
      creator_id: owner.memberId,
      updated_by: owner.memberId,
      status: 'enabled',
    });

    const update = await t.post(
      '/calendar/update',
      { cal_id: calId, workdays: [5, 1, 2, 3, 4, 1], timezone: 'Europe/London' },
      owner.appKey,
    );
    expect(update.body.data).toEqual({});
    const after = (await t.post('/calendar/info', { cal_id: calId }, owner.appKey)).body.data;
    expect(after).toMatchObject({
      workdays: [1, 2, 3, 4, 5],
      timezone: 'Europe/London',
      cal_name: 'Trading days',
    });

    const list = await t.post('/calendar/list', {}, owner.appKey);
    expect(list.body.data.items.map((c: any) => c.cal_id)).toContain(calId);
    expect(list.body.data.total).toBe(list.body.data.items.length);
    const publicList = await t.post('/calendar/list', { kind: 'region.official.holiday' }, owner.appKey);
    expect(publicList.body.data).toEqual({ items: [], total: 0 });

    expect((await t.post('/calendar/delete', { cal_id: calId }, owner.appKey)).status).toBe(200);
    const gone = await t.post('/calendar/info', { cal_id: calId }, owner.appKey);
    expect(gone.body.error?.code).toBe('ResourceNotFound');
  });

  it('events mark days off and working days; list by year, month and day; isDayOff reads them', async () => {
    const calId = await createCalendar({ workdays: [1, 2, 3, 4, 5] });
    const holiday = await t.post(
      '/calendar/event/upsert',
      { cal_id: calId, summary: 'National Day', start_at: '2026-10-01', end_at: '2026-10-08', is_off: true },
      owner.appKey,
    );
    expect(holiday.body.data).toEqual({
      cal_id: calId,
      event_id: expect.any(String),
      summary: 'National Day',
    });
    const working = await t.post(
      '/calendar/event/upsert',
      { cal_id: calId, summary: 'Make-up day', start_at: '2026-10-10', end_at: '2026-10-11', is_off: false },
      owner.appKey,
    );
    const eventId = working.body.data.event_id;

    const october = await t.post(
      '/calendar/event/list',
      { cal_id: calId, year: 2026, month: 10 },
      owner.appKey,
    );
    expect(october.body.data.total).toBe(2);
    expect(october.body.data.items.map((e: any) => e.summary)).toEqual(['National Day', 'Make-up day']);
    const day = await t.post(
      '/calendar/event/list',
      { cal_id: calId, year: 2026, month: 10, day: 3 },
      owner.appKey,
    );
    expect(day.body.data.items.map((e: any) => e.summary)).toEqual(['National Day']);
    const november = await t.post(
      '/calendar/event/list',
      { cal_id: calId, year: 2026, month: 11 },
      owner.appKey,
    );
    expect(november.body.data).toEqual({ items: [], total: 0 });
    const year = await t.post('/calendar/event/list', { cal_id: calId }, owner.appKey);
    expect(year.body.data.total).toBe(2); // the current year (2026) by default

    const calendar = (await loadCalendar(t.db.q, owner.accountId, calId))!;
    expect(isDayOff(calendar, '2026-10-02')).toBe(true);
    expect(isDayOff(calendar, '2026-10-10')).toBe(false); // a Saturday made a working day
    expect(isDayOff(calendar, '2026-10-11')).toBe(true); // Sunday

    const renamed = await t.post(
      '/calendar/event/upsert',
      {
        cal_id: calId,
        event_id: eventId,
        summary: 'Moved',
        start_at: '2026-10-11',
        end_at: '2026-10-12',
        is_off: false,
      },
      owner.appKey,
    );
    expect(renamed.body.data).toEqual({ cal_id: calId, event_id: eventId, summary: 'Moved' });
    expect(isDayOff((await loadCalendar(t.db.q, owner.accountId, calId))!, '2026-10-11')).toBe(false);

    expect(
      (await t.post('/calendar/event/delete', { cal_id: calId, event_id: eventId }, owner.appKey)).status,
    ).toBe(200);
    const again = await t.post('/calendar/event/delete', { cal_id: calId, event_id: eventId }, owner.appKey);
    expect(again.body.error?.code).toBe('ResourceNotFound');
  });

  it('inherits the events of extra_cal_ids, which cannot be deleted while inherited', async () => {
    const holidays = await createCalendar();
    await t.post(
      '/calendar/event/upsert',
      { cal_id: holidays, summary: 'Christmas', start_at: '2026-12-25', end_at: '2026-12-26', is_off: true },
      owner.appKey,
    );
    const ops = await createCalendar({ extra_cal_ids: [holidays] });
    const list = await t.post('/calendar/event/list', { cal_id: ops, year: 2026, month: 12 }, owner.appKey);
    expect(list.body.data.items.map((e: any) => [e.cal_id, e.summary])).toEqual([[holidays, 'Christmas']]);
    expect(isDayOff((await loadCalendar(t.db.q, owner.accountId, ops))!, '2026-12-25')).toBe(true);
    const del = await t.post('/calendar/delete', { cal_id: holidays }, owner.appKey);
    expect(del.body.error?.code).toBe('ReferenceExist');
  });

  it('refuses bad input, naming the field', async () => {
    const calId = await createCalendar();
    const cases: [string, Record<string, unknown>, string][] = [
      ['/calendar/create', { cal_name: '' }, 'cal_name'],
      ['/calendar/create', { cal_name: 'x'.repeat(40) }, 'cal_name'],
      ['/calendar/create', { cal_name: 'zone', timezone: 'Nowhere/City' }, 'timezone'],
      ['/calendar/create', { cal_name: 'days', workdays: [7] }, 'workdays'],
      ['/calendar/create', { cal_name: 'extra', extra_cal_ids: ['zh-cn.china.official'] }, 'extra_cal_ids'],
      ['/calendar/update', { cal_id: calId, extra_cal_ids: [calId] }, 'extra_cal_ids'],
      [
        '/calendar/event/upsert',
        { cal_id: calId, summary: 's', start_at: '2026-02-30', end_at: '2026-03-02', is_off: true },
        'start_at',
      ],
      [
        '/calendar/event/upsert',
        { cal_id: calId, summary: 's', start_at: '2026-03-02', end_at: '2026-03-02', is_off: true },
        'end_at',
      ],
      [
        '/calendar/event/upsert',
        { cal_id: calId, summary: 's', start_at: '2026/03/02', end_at: '2026-03-03', is_off: true },
        'start_at',
      ],
      [
        '/calendar/event/upsert',
        { cal_id: calId, start_at: '2026-03-02', end_at: '2026-03-03', is_off: true },
        'summary',
      ],
      ['/calendar/event/list', { cal_id: calId, year: 2026, day: 3 }, 'month'],
      ['/calendar/event/list', { cal_id: calId, year: 2022 }, 'year'],
    ];
    for (const [path, body, field] of cases) {
      const res = await t.post(path, body, owner.appKey);
      expect(res.body.error?.code, `${path} ${JSON.stringify(body)}`).toBe('InvalidParameter');
      expect(res.body.error?.message).toContain(field);
    }
    await createCalendar({ cal_name: 'Same' });
    const dup = await t.post('/calendar/create', { cal_name: 'same' }, owner.appKey);
    expect(dup.body.error?.message).toContain('cal_name');
  });

  it('needs Calendars Manage to write; other accounts see nothing', async () => {
    const calId = await createCalendar();
    const reader = await t.newMember(owner, [4], 'cal reader');
    expect((await t.post('/calendar/info', { cal_id: calId }, reader.appKey)).status).toBe(200);
    expect((await t.post('/calendar/event/list', { cal_id: calId }, reader.appKey)).status).toBe(200);
    for (const [path, body] of [
      ['/calendar/create', { cal_name: 'nope' }],
      ['/calendar/update', { cal_id: calId, cal_name: 'nope' }],
      ['/calendar/delete', { cal_id: calId }],
      [
        '/calendar/event/upsert',
        { cal_id: calId, summary: 's', start_at: '2026-03-02', end_at: '2026-03-03', is_off: true },
      ],
    ] as const) {
      const res = await t.post(path, body, reader.appKey);
      expect(res.status, path).toBe(403);
    }

    const other = await t.newAccount('Other calendars');
    expect((await t.post('/calendar/info', { cal_id: calId }, other.appKey)).body.error?.code).toBe(
      'ResourceNotFound',
    );
    expect((await t.post('/calendar/list', {}, other.appKey)).body.data.total).toBe(0);
    const write = await t.post(
      '/calendar/event/upsert',
      { cal_id: calId, summary: 's', start_at: '2026-03-02', end_at: '2026-03-03', is_off: true },
      other.appKey,
    );
    expect(write.body.error?.code).toBe('ResourceNotFound');
    const steal = await t.post(
      '/calendar/create',
      { cal_name: 'steal', extra_cal_ids: [calId] },
      other.appKey,
    );
    expect(steal.body.error?.code).toBe('InvalidParameter');
    expect((await t.post('/calendar/delete', { cal_id: calId }, other.appKey)).body.error?.code).toBe(
      'ResourceNotFound',
    );
  });
});
