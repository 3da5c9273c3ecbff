import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inRoles, whoIsOnCall } from '../../src/schedules/oncall-lookup.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

let t: TestApp;
let owner: TestAccount;
let alice: TestAccount;
let bob: TestAccount;

const H = 3600;
const D = 86_400;
/** The harness clock: Monday 2026-01-05 09:00 UTC. */
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0) / 1000;
const MON = Date.UTC(2026, 0, 5, 0, 0, 0) / 1000;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Schedules');
  alice = await t.newMember(owner, [3], 'alice');
  bob = await t.newMember(owner, [3], 'bob');
});
afterAll(() => t.close());

const group = (name: string, ...people: number[]) => ({
  group_name: name,
  members: [{ role_id: 1, person_ids: people }],
});

/** A daily rotation Alice → Bob handing off at 00:00 UTC, starting Monday 2026-01-05. */
const dailyLayer = () => ({
  layer_name: 'primary',
  mode: 0,
  groups: [group('A', alice.memberId), group('B', bob.memberId)],
  rotation_unit: 'day',
  rotation_value: 1,
  layer_start: MON,
  restrict_mode: 0,
  fair_rotation: false,
  mask_continuous_enabled: false,
});

let nameCounter = 0;
async function create(body: Record<string, unknown> = {}, key = owner.appKey): Promise<number> {
  nameCounter += 1;
  const res = await t.post(
    '/schedule/create',
    { schedule_name: `sched ${nameCounter}`, time_zone: 'UTC', layers: [dailyLayer()], ...body },
    key,
  );
  expect(res.body.error).toBeUndefined();
  return res.body.data.schedule_id as number;
}

const info = (scheduleId: number, start = MON, end = MON + 3 * D, key = owner.appKey) =>
  t.post('/schedule/info', { schedule_id: scheduleId, start, end }, key);

describe('schedule lifecycle', () => {
  it('creates a schedule and computes its layers, final schedule and who is on call', async () => {
    const id = await create({ schedule_name: 'SRE primary', description: 'the SRE rota', team_id: 0 });
    const res = await info(id);
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data).toMatchObject({
      id,
      schedule_id: id,
      schedule_name: 'SRE primary',
      name: 'SRE primary',
      description: 'the SRE rota',
      account_id: owner.accountId,
      team_id: 0,
      status: 0,
      start: MON,
      end: MON + 3 * D,
      create_by: owner.memberId,
      create_at: NOW,
      time_zone: 'UTC',
    });
    expect(data.layers).toHaveLength(1);
    expect(data.layers[0]).toMatchObject({
      layer_name: 'primary',
      mode: 0,
      weight: 0,
      rotation_unit: 'day',
      rotation_value: 1,
      rotation_duration: D,
      layer_start: MON,
      layer_end: null,
      enable_time: MON,
      expire_time: 0,
      day_mask: { repeat: [] },
    });
    const shifts = data.schedule_layers[0].schedules.map((s: any) => [
      s.start,
      s.end,
      s.group.group_name,
      s.index,
    ]);
    expect(shifts).toEqual([
      [MON, MON + D, 'A', 0],
      [MON + D, MON + 2 * D, 'B', 1],
      [MON + 2 * D, MON + 3 * D, 'A', 0],
    ]);
    expect(data.layer_schedules).toEqual(data.schedule_layers);
    expect(data.final_schedule.schedules.map((s: any) => [s.start, s.group.members[0].person_ids])).toEqual([
      [MON, [alice.memberId]],
      [MON + D, [bob.memberId]],
      [MON + 2 * D, [alice.memberId]],
    ]);
    expect(data.cur_oncall).toMatchObject({ start: MON, end: MON + D, index: 0, weight: 0 });
    expect(data.cur_oncall.group.members).toEqual([{ role_id: 1, person_ids: [alice.memberId] }]);
    expect(data.next_oncall).toMatchObject({ start: MON + D, end: MON + 2 * D, index: 1 });
  });

  it('moves cur_oncall when time passes a hand-off', async () => {
    const id = await create();
    t.clock.advance(D * 1000);
    try {
      const res = await info(id);
      expect(res.body.data.cur_oncall.group.group_name).toBe('B');
      expect(res.body.data.next_oncall.start).toBe(MON + 2 * D);
    } finally {
      t.clock.advance(-D * 1000);
    }
  });

  it('updates only the fields sent; sent layers replace the old ones', async () => {
    const id = await create();
    let res = await t.post('/schedule/update', { schedule_id: id, description: 'changed' }, owner.appKey);
    expect(res.body).toMatchObject({ data: {} });
    let data = (await info(id)).body.data;
    expect(data.description).toBe('changed');
    expect(data.layers).toHaveLength(1);

    const override = {
      layer_name: 'leave',
      mode: 1,
      groups: [group('cover', owner.memberId)],
      layer_start: MON + 6 * H,
      layer_end: MON + 12 * H,
    };
    res = await t.post(
      '/schedule/update',
      { schedule_id: id, layers: [override, dailyLayer()], time_zone: 'Europe/Berlin' },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    data = (await info(id, MON, MON + D)).body.data;
    // Rotations come first, overrides after them, whatever order they were sent in.
    expect(data.layers.map((l: any) => [l.layer_name, l.mode, l.weight])).toEqual([
      ['primary', 0, 0],
      ['leave', 1, 1],
    ]);
    expect(data.time_zone).toBe('Europe/Berlin');
    expect(data.final_schedule.schedules.map((s: any) => [s.start, s.end, s.group.group_name])).toEqual([
      [MON, MON + 6 * H, 'A'],
      [MON + 6 * H, MON + 12 * H, 'cover'],
      [MON + 12 * H, MON + D, 'A'],
    ]);
    expect(data.cur_oncall).toMatchObject({ start: MON + 6 * H, end: MON + 12 * H, weight: 1 });
  });

  it('deletes schedules; they are then not found', async () => {
    const [a, b] = [await create(), await create()];
    const res = await t.post('/schedule/delete', { schedule_ids: [a, b] }, owner.appKey);
    expect(res.status).toBe(200);
    for (const id of [a, b]) expect((await info(id)).body.error?.code).toBe('ResourceNotFound');
    const again = await t.post('/schedule/delete', { schedule_ids: [a] }, owner.appKey);
    expect(again.body.error?.code).toBe('ResourceNotFound');
  });

  it('lists with paging (default 10), query and team filters; infos keeps the asked order', async () => {
    const team = await t.post(
      '/team/upsert',
      { team_name: 'list team', person_ids: [owner.memberId] },
      owner.appKey,
    );
    const teamId = team.body.data.team_id as number;
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) ids.push(await create({ schedule_name: `Listed ${i}`, team_id: teamId }));
    const all = await t.post('/schedule/list', {}, owner.appKey);
    expect(all.body.data.total).toBeGreaterThanOrEqual(3);
    expect(all.body.data.items.length).toBeLessThanOrEqual(10);

    const byQuery = await t.post('/schedule/list', { query: 'listed', limit: 2, p: 1 }, owner.appKey);
    expect(byQuery.body.data).toMatchObject({ total: 3, has_next_page: true });
    expect(byQuery.body.data.items.map((s: any) => s.schedule_id)).toEqual([ids[2], ids[1]]);
    // Without a window no shifts are computed; who is on call is.
    expect(byQuery.body.data.items[0].schedule_layers).toEqual([]);
    expect(byQuery.body.data.items[0].cur_oncall.group.group_name).toBe('A');

    const byTeam = await t.post(
      '/schedule/list',
      { team_ids: [teamId], start: MON, end: MON + D },
      owner.appKey,
    );
    expect(byTeam.body.data.total).toBe(3);
    expect(byTeam.body.data.items[0].final_schedule.schedules).toHaveLength(1);
    const mine = await t.post('/schedule/list', { is_my_team: true }, owner.appKey);
    expect(mine.body.data.total).toBe(3);
    const notMine = await t.post('/schedule/list', { is_my_team: true }, alice.appKey);
    expect(notMine.body.data.total).toBe(0);

    const infos = await t.post('/schedule/infos', { schedule_ids: [ids[1], 999, ids[0]] }, owner.appKey);
    expect(infos.body.data.items.map((s: any) => s.schedule_id)).toEqual([ids[1], ids[0]]);
  });

  it('previews without saving; preview answers null ids and names', async () => {
    const before = (await t.post('/schedule/list', {}, owner.appKey)).body.data.total;
    const res = await t.post(
      '/schedule/preview',
      { schedule_name: 'draft', time_zone: 'UTC', layers: [dailyLayer()], start: MON, end: MON + 2 * D },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: null, schedule_name: null, team_id: null, status: null });
    expect(res.body.data.final_schedule.schedules).toHaveLength(2);
    expect((await t.post('/schedule/list', {}, owner.appKey)).body.data.total).toBe(before);
  });

  it('/schedule/self lists the schedules the caller is on', async () => {
    const carol = await t.newMember(owner, [3], 'carol');
    const id = await create({
      layers: [{ ...dailyLayer(), groups: [group('C', carol.memberId)] }],
    });
    const res = await t.post('/schedule/self', { start: MON, end: MON + 2 * D }, carol.appKey);
    expect(res.body.data.items.map((s: any) => s.schedule_id)).toEqual([id]);
    // One group: consecutive turns of the same people join into one final shift.
    expect(res.body.data.items[0].final_schedule.schedules).toEqual([
      expect.objectContaining({ start: MON, end: MON + 2 * D }),
    ]);
    expect(res.body.data.items[0].schedule_layers[0].schedules).toHaveLength(2);
    const tooLong = await t.post('/schedule/self', { start: MON, end: MON + 31 * D }, carol.appKey);
    expect(tooLong.body.error).toMatchObject({ code: 'InvalidParameter' });
    expect(tooLong.body.error?.message).toContain('end');
  });
});

describe('time zones over HTTP', () => {
  it('a daily 09:00 hand-off in Berlin stays at 09:00 local across the March change', async () => {
    const start = Date.UTC(2026, 2, 27, 8, 0, 0) / 1000; // Fri 27 March 09:00 CET
    const id = await create({
      time_zone: 'Europe/Berlin',
      layers: [{ ...dailyLayer(), layer_start: start }],
    });
    const res = await info(id, start, start + 4 * D);
    const shifts = res.body.data.schedule_layers[0].schedules.map((s: any) => [
      s.start,
      (s.end - s.start) / H,
    ]);
    expect(shifts).toEqual([
      [start, 24],
      [start + D, 23], // Sat 28 09:00 CET → Sun 29 09:00 CEST
      [start + 2 * D - H, 24],
      [start + 3 * D - H, 24],
      [start + 4 * D - H, 1], // clipped by the window
    ]);
  });

  it('a schedule without a time_zone takes the account zone (UTC)', async () => {
    const res = await t.post(
      '/schedule/create',
      { schedule_name: 'zone default', layers: [dailyLayer()] },
      owner.appKey,
    );
    const data = (await info(res.body.data.schedule_id)).body.data;
    expect(data.time_zone).toBe('UTC');
  });
});

describe('validation names the field', () => {
  const invalid = async (body: Record<string, unknown>, field: string, path = '/schedule/create') => {
    const res = await t.post(path, body, owner.appKey);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('InvalidParameter');
    expect(res.body.error?.message).toContain(field);
  };

  it('refuses bad schedules', async () => {
    await invalid({ layers: [dailyLayer()] }, 'schedule_name');
    await invalid({ schedule_name: 'x'.repeat(41) }, 'schedule_name');
    await invalid({ schedule_name: 'bad zone', time_zone: 'Mars/Olympus' }, 'time_zone');
    await invalid({ schedule_name: 'bad desc', description: 'd'.repeat(501) }, 'description');
    await invalid({ schedule_name: 'bad team', team_id: 12345 }, 'team_id');
    await invalid(
      {
        schedule_name: 'stranger',
        layers: [{ ...dailyLayer(), groups: [group('X', alice.memberId), group('Y', 42)] }],
      },
      'layers[0].groups[1].members[0].person_ids',
    );
    await invalid(
      { schedule_name: 'no start', layers: [{ ...dailyLayer(), layer_start: undefined }] },
      'layers[0].layer_start',
    );
    await invalid(
      { schedule_name: 'end first', layers: [{ ...dailyLayer(), layer_end: MON - 60 }] },
      'layers[0].layer_end',
    );
    await invalid(
      { schedule_name: 'bad unit', layers: [{ ...dailyLayer(), rotation_unit: 'year' }] },
      'rotation_unit',
    );
    await invalid(
      { schedule_name: 'bad value', layers: [{ ...dailyLayer(), rotation_value: 31 }] },
      'rotation_value',
    );
    await invalid(
      {
        schedule_name: 'open override',
        layers: [{ ...dailyLayer(), mode: 1, groups: [group('O', bob.memberId)] }],
      },
      'layers[0].layer_end',
    );
    await invalid(
      { schedule_name: 'no periods', layers: [{ ...dailyLayer(), restrict_mode: 1, restrict_periods: [] }] },
      'layers[0].restrict_periods',
    );
    await invalid(
      {
        schedule_name: 'long period',
        layers: [
          {
            ...dailyLayer(),
            restrict_mode: 1,
            restrict_periods: [{ restrict_start: 0, restrict_end: 90_000 }],
          },
        ],
      },
      'layers[0].restrict_periods[0].restrict_end',
    );
    await invalid(
      {
        schedule_name: 'mask and week',
        layers: [
          {
            ...dailyLayer(),
            restrict_mode: 2,
            restrict_periods: [{ restrict_start: 0, restrict_end: 3600 }],
            day_mask: { repeat: [1, 2] },
          },
        ],
      },
      'layers[0].restrict_mode',
    );
    await invalid(
      { schedule_name: 'bad notify', notify: { fixed_time: { cycle: 'day', start: '25:00' } } },
      'notify.fixed_time.start',
    );
  });

  it('of two concurrent creates with one name, exactly one wins', async () => {
    const body = { schedule_name: 'Race', time_zone: 'UTC', layers: [dailyLayer()] };
    const results = await Promise.all([1, 2, 3].map(() => t.post('/schedule/create', body, owner.appKey)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200))
      expect(r.body.error?.message).toContain('schedule_name');
  });

  it('refuses a second schedule with the same name, whatever its case', async () => {
    await create({ schedule_name: 'Unique Name' });
    await invalid({ schedule_name: 'unique name' }, 'schedule_name');
  });

  it('refuses windows that are inverted or longer than 45 days', async () => {
    const id = await create();
    await invalid({ schedule_id: id, start: MON, end: MON }, 'end', '/schedule/info');
    await invalid({ schedule_id: id, start: MON, end: MON + 46 * D }, 'end', '/schedule/info');
    await invalid({ layers: [dailyLayer()], start: MON }, 'end', '/schedule/preview');
    expect((await info(id, MON, MON + 45 * D)).status).toBe(200);
  });

  it('refuses a wrong type without storing anything', async () => {
    const res = await t.post('/schedule/create', { schedule_name: 5 }, owner.appKey);
    expect(res.body.error?.code).toBe('InvalidParameter');
  });
});

describe('permissions and tenancy', () => {
  it('a Read-only member reads schedules but cannot write them', async () => {
    const reader = await t.newMember(owner, [4], 'reader');
    const id = await create();
    expect((await info(id, MON, MON + D, reader.appKey)).status).toBe(200);
    expect((await t.post('/schedule/list', {}, reader.appKey)).status).toBe(200);
    for (const [path, body] of [
      ['/schedule/create', { schedule_name: 'nope' }],
      ['/schedule/update', { schedule_id: id, description: 'nope' }],
      ['/schedule/delete', { schedule_ids: [id] }],
    ] as const) {
      const res = await t.post(path, body, reader.appKey);
      expect(res.status, path).toBe(403);
      expect(res.body.error?.code).toBe('AccessDenied');
    }
    expect((await info(id)).body.data.description).toBe('');
  });

  it("another account can neither see nor change this account's schedules, nor rota its people", async () => {
    const id = await create();
    const other = await t.newAccount('Other');
    expect((await info(id, MON, MON + D, other.appKey)).body.error?.code).toBe('ResourceNotFound');
    const update = await t.post('/schedule/update', { schedule_id: id, description: 'x' }, other.appKey);
    expect(update.body.error?.code).toBe('ResourceNotFound');
    const del = await t.post('/schedule/delete', { schedule_ids: [id] }, other.appKey);
    expect(del.body.error?.code).toBe('ResourceNotFound');
    const infos = await t.post('/schedule/infos', { schedule_ids: [id] }, other.appKey);
    expect(infos.body.data.items).toEqual([]);
    const list = await t.post('/schedule/list', {}, other.appKey);
    expect(list.body.data.total).toBe(0);
    const steal = await t.post(
      '/schedule/create',
      { schedule_name: 'steal', layers: [dailyLayer()] },
      other.appKey,
    );
    expect(steal.body.error?.code).toBe('InvalidParameter');
    const preview = await t.post(
      '/schedule/preview',
      { schedule_id: id, start: MON, end: MON + D },
      other.appKey,
    );
    expect(preview.body.error?.code).toBe('ResourceNotFound');
    expect((await info(id)).body.data.description).toBe('');
  });
});

describe('who is on call, for escalation', () => {
  it('resolves schedules to the people on call at an instant, by role', async () => {
    const id = await create({
      layers: [
        {
          ...dailyLayer(),
          groups: [
            {
              group_name: 'pair',
              members: [
                { role_id: 0, person_ids: [alice.memberId] },
                { role_id: 1, person_ids: [bob.memberId] },
              ],
            },
          ],
        },
      ],
    });
    const map = await whoIsOnCall(t.db.q, owner.accountId, [id, 987654321], NOW);
    expect([...map.keys()]).toEqual([id]);
    const onCall = map.get(id)!;
    expect(inRoles(onCall, [])).toEqual([alice.memberId, bob.memberId]);
    expect(inRoles(onCall, [1])).toEqual([bob.memberId]);
    const before = await whoIsOnCall(t.db.q, owner.accountId, [id], MON - 1);
    expect(before.get(id)).toEqual([]);
    const other = await t.newAccount('Other lookup');
    expect((await whoIsOnCall(t.db.q, other.accountId, [id], NOW)).size).toBe(0);
  });

  it('reads the legacy aliases: name, enable_time/expire_time, rotation_duration, restrict_start/end', async () => {
    nameCounter += 1;
    const res = await t.post(
      '/schedule/create',
      {
        name: `legacy ${nameCounter}`,
        time_zone: 'UTC',
        layers: [
          {
            name: 'legacy layer',
            groups: [group('A', alice.memberId), group('B', bob.memberId)],
            rotation_duration: 2 * D,
            enable_time: MON,
            expire_time: MON + 4 * D,
            restrict_mode: 1,
            restrict_start: 9 * H,
            restrict_end: 17 * H,
          },
        ],
      },
      owner.appKey,
    );
    expect(res.body.error).toBeUndefined();
    const data = (await info(res.body.data.schedule_id, MON, MON + 7 * D)).body.data;
    expect(data.schedule_name).toBe(`legacy ${nameCounter}`);
    expect(data.layers[0]).toMatchObject({
      layer_name: 'legacy layer',
      rotation_unit: 'day',
      rotation_value: 2,
      layer_end: MON + 4 * D,
      restrict_periods: [{ restrict_start: 9 * H, restrict_end: 17 * H }],
    });
    expect(data.final_schedule.schedules.map((s: any) => [s.start - MON, s.group.group_name])).toEqual([
      [9 * H, 'A'],
      [D + 9 * H, 'A'],
      [2 * D + 9 * H, 'B'],
      [3 * D + 9 * H, 'B'],
    ]);
  });

  it('update without schedule_id names the field', async () => {
    const res = await t.post('/schedule/update', { description: 'x' }, owner.appKey);
    expect(res.body.error?.code).toBe('InvalidParameter');
    expect(res.body.error?.message).toContain('schedule_id');
  });
});

describe('on-call roles', () => {
  it('lists the built-in roles a group member can hold', async () => {
    const res = await t.get('/oncall/roles', {}, alice.appKey);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: any) => [r.id, r.name, r.account_id])).toEqual([
      [0, 'Primary', owner.accountId],
      [1, 'Backup', owner.accountId],
    ]);
  });
});

describe('round trip', () => {
  it('reads back the layer configuration as written (what Terraform compares against)', async () => {
    const written = {
      layer_name: 'weekly',
      mode: 0,
      groups: [{ group_name: '', members: [{ role_id: 0, person_ids: [alice.memberId, bob.memberId] }] }],
      fair_rotation: true,
      handoff_time: 9 * H + 30 * 60,
      layer_start: MON,
      layer_end: MON + 60 * D,
      restrict_mode: 0,
      restrict_periods: [{ restrict_start: 0, restrict_end: 3600 }],
      day_mask: { repeat: [0, 1, 2, 3, 4, 5, 6] },
      mask_continuous_enabled: true,
      rotation_unit: 'week',
      rotation_value: 2,
    };
    const id = await create({ layers: [written] });
    const layer = (await info(id)).body.data.layers[0];
    const { groups, ...rest } = written;
    for (const [key, value] of Object.entries(rest)) expect(layer[key], key).toEqual(value);
    expect(layer.groups).toEqual([expect.objectContaining(groups[0])]);
  });
});
