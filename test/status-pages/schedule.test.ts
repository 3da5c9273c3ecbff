import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { changeInfo, invalid, nowOf, ok, pageInfo, pageWithComponents } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const HOUR = 3600;
const DAY = 86_400;

async function scheduledMaintenance(
  pageId: number,
  componentId: string,
  from: number,
  to: number,
  extra = {},
) {
  return ok(
    await t.post(
      '/status-page/change/create',
      {
        page_id: pageId,
        type: 'maintenance',
        title: 'Database upgrade',
        description: 'We upgrade the database.',
        status: 'scheduled',
        start_at_seconds: from,
        close_at_seconds: to,
        auto_update_by_schedule: true,
        updates: [
          {
            description: 'Planned.',
            component_changes: [{ component_id: componentId, status: 'under_maintenance' }],
          },
        ],
        ...extra,
      },
      owner.appKey,
    ),
  ).change_id as number;
}

const cycle = async () => (await t.engine.runOnce(t.clock.nowMs())).changed['status-page-schedule'];
const advance = (seconds: number) => t.clock.advance(seconds * 1000);
const statusOf = async (pageId: number, componentId: string) =>
  (await pageInfo(t, owner, pageId)).components.find((c: any) => c.component_id === componentId).status;

describe('maintenance that follows its schedule', () => {
  it('goes on at the planned start and completes at the planned end, with the moved clock', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const db = componentIds[0]!;
    const announced = nowOf(t);
    const start = announced + HOUR;
    const end = announced + 3 * HOUR;
    const changeId = await scheduledMaintenance(pageId, db, start, end);
    let info = await changeInfo(t, owner, pageId, changeId);
    expect(info).toMatchObject({
      status: 'scheduled',
      start_at_seconds: start,
      close_at_seconds: end,
      auto_update_by_schedule: true,
    });
    // Announced now, before its window.
    expect(info.updates[0].at_seconds).toBe(announced);
    expect(await statusOf(pageId, db)).toBe('operational');

    expect(await cycle()).toBe(0);
    advance(HOUR - 1);
    expect(await cycle()).toBe(0);
    advance(1);
    expect(await cycle()).toBe(1);
    info = await changeInfo(t, owner, pageId, changeId);
    expect(info.status).toBe('ongoing');
    expect(info.updates.at(-1)).toMatchObject({
      at_seconds: start,
      status: 'ongoing',
      description: 'The scheduled maintenance has started.',
    });
    expect(await statusOf(pageId, db)).toBe('under_maintenance');
    expect(await cycle()).toBe(0);

    advance(2 * HOUR);
    expect(await cycle()).toBe(1);
    info = await changeInfo(t, owner, pageId, changeId);
    expect(info).toMatchObject({ status: 'completed', close_at_seconds: end });
    expect(info.updates.at(-1)).toMatchObject({
      at_seconds: end,
      status: 'completed',
      component_changes: [{ component_id: db, component_name: 'API', status: 'operational' }],
    });
    expect(await statusOf(pageId, db)).toBe('operational');
    expect(await cycle()).toBe(0);
  });

  it('takes both steps, in order, when the whole window passed while the engine was not running', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await scheduledMaintenance(pageId, componentIds[0]!, nowOf(t) + 60, nowOf(t) + 120);
    advance(DAY);
    expect(await cycle()).toBe(1);
    const info = await changeInfo(t, owner, pageId, changeId);
    expect(info.updates.map((u: any) => u.status)).toEqual(['scheduled', 'ongoing', 'completed']);
    expect(info.status).toBe('completed');
  });

  it('a manual start cancels the start step; a manual completion cancels the rest', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const db = componentIds[0]!;
    const start = nowOf(t) + HOUR;
    const changeId = await scheduledMaintenance(pageId, db, start, start + HOUR);
    advance(HOUR - 600);
    // Started by hand ten minutes early (an update of an ongoing maintenance must not precede its start: move the start).
    ok(
      await t.post(
        '/status-page/change/timeline/create',
        {
          page_id: pageId,
          change_id: changeId,
          status: 'ongoing',
          description: 'Starting early.',
          at_seconds: start,
        },
        owner.appKey,
      ),
    );
    advance(600);
    expect(await cycle()).toBe(0);
    expect(
      (await changeInfo(t, owner, pageId, changeId)).updates.filter((u: any) => u.status === 'ongoing'),
    ).toHaveLength(1);

    // Completed by hand: the end step is cancelled too.
    ok(
      await t.post(
        '/status-page/change/timeline/create',
        {
          page_id: pageId,
          change_id: changeId,
          status: 'completed',
          description: 'Done early.',
          component_changes: [{ component_id: db, status: 'operational' }],
        },
        owner.appKey,
      ),
    );
    advance(2 * HOUR);
    expect(await cycle()).toBe(0);
    const info = await changeInfo(t, owner, pageId, changeId);
    expect(info.updates.map((u: any) => u.description)).toEqual([
      'Planned.',
      'Starting early.',
      'Done early.',
    ]);
  });

  it('a manual start keeps the end step', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const start = nowOf(t);
    const changeId = await scheduledMaintenance(pageId, componentIds[0]!, start + 60, start + HOUR);
    advance(60);
    ok(
      await t.post(
        '/status-page/change/timeline/create',
        { page_id: pageId, change_id: changeId, status: 'ongoing', description: 'Go.' },
        owner.appKey,
      ),
    );
    advance(HOUR);
    expect(await cycle()).toBe(1);
    expect((await changeInfo(t, owner, pageId, changeId)).status).toBe('completed');
  });

  it('deleting the event cancels every step', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await scheduledMaintenance(pageId, componentIds[0]!, nowOf(t) + 60, nowOf(t) + 120);
    ok(await t.post('/status-page/change/delete', { page_id: pageId, change_id: changeId }, owner.appKey));
    advance(DAY);
    expect(await cycle()).toBe(0);
  });

  it('is planned at most 30 days ahead, and only for maintenance that is not retrospective', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const now = nowOf(t);
    const create = (extra: Record<string, unknown>) =>
      t.post(
        '/status-page/change/create',
        {
          page_id: pageId,
          type: 'maintenance',
          title: 'Far',
          description: 'd',
          status: 'scheduled',
          auto_update_by_schedule: true,
          updates: [{ component_changes: [{ component_id: componentIds[0], status: 'under_maintenance' }] }],
          ...extra,
        },
        owner.appKey,
      );
    invalid(await create({ start_at_seconds: now + 31 * DAY }), 'start_at_seconds', /within 30 days/);
    invalid(
      await create({ start_at_seconds: now + DAY, close_at_seconds: now + 31 * DAY }),
      'close_at_seconds',
      /within 30 days/,
    );
    invalid(
      await create({ start_at_seconds: now + DAY, is_retrospective: true }),
      'auto_update_by_schedule',
      /retrospective/,
    );
    ok(await create({ start_at_seconds: now + 29 * DAY, close_at_seconds: now + 30 * DAY }));
  });

  it('two instances sweeping at once take each step once', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await scheduledMaintenance(pageId, componentIds[0]!, nowOf(t) + 60, nowOf(t) + 7200);
    advance(120);
    const [a, b] = await Promise.all([t.engine.runOnce(t.clock.nowMs()), t.engine.runOnce(t.clock.nowMs())]);
    expect((a.changed['status-page-schedule'] ?? 0) + (b.changed['status-page-schedule'] ?? 0)).toBe(1);
    const info = await changeInfo(t, owner, pageId, changeId);
    expect(info.updates.filter((u: any) => u.status === 'ongoing')).toHaveLength(1);
  });
});
