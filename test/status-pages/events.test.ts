import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  changeInfo,
  invalid,
  newComponents,
  newIncident,
  newPage,
  nowOf,
  ok,
  pageInfo,
  pageWithComponents,
} from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const create = (body: Record<string, unknown>, key = owner.appKey) =>
  t.post('/status-page/change/create', body, key);
const timeline = (body: Record<string, unknown>) =>
  t.post('/status-page/change/timeline/create', body, owner.appKey);
const statusOf = async (pageId: number, componentId: string) =>
  (await pageInfo(t, owner, pageId)).components.find((c: any) => c.component_id === componentId).status;

describe('POST /status-page/change/create', () => {
  it('accepts the seed example and answers {change_id, change_name}', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner, ['Web Console']);
    // The seed's request, with this page's ids.
    const res = await create({
      page_id: pageId,
      type: 'incident',
      title: 'Web Console Degraded Performance',
      description: 'We are investigating degraded performance affecting the web console.',
      status: 'investigating',
      start_at_seconds: 1712000000,
      notify_subscribers: true,
      updates: [
        {
          status: 'investigating',
          description: 'We are currently investigating an issue affecting some users.',
          component_changes: [{ component_id: componentIds[0], status: 'degraded' }],
        },
      ],
    });
    const data = ok(res);
    expect(res.body.request_id).toBe(res.headers['flashcat-request-id']);
    expect(data).toEqual({ change_id: expect.any(Number), change_name: 'Web Console Degraded Performance' });

    const info = await changeInfo(t, owner, pageId, data.change_id);
    expect(info).toEqual({
      change_id: data.change_id,
      page_id: pageId,
      type: 'incident',
      title: 'Web Console Degraded Performance',
      description: 'We are investigating degraded performance affecting the web console.',
      status: 'investigating',
      affected_components: [
        {
          component_id: componentIds[0],
          name: 'Web Console',
          description: '',
          available_since_seconds: nowOf(t),
          order_id: 0,
          hide_uptime: false,
          hide_all: false,
          status: 'degraded',
        },
      ],
      responder_ids: [],
      linked_change_ids: [],
      start_at_seconds: 1712000000,
      close_at_seconds: 0,
      is_retrospective: false,
      updates: [
        {
          update_id: expect.stringMatching(ULID),
          at_seconds: 1712000000,
          status: 'investigating',
          description: 'We are currently investigating an issue affecting some users.',
          component_changes: [
            { component_id: componentIds[0], component_name: 'Web Console', status: 'degraded' },
          ],
        },
      ],
      notify_subscribers: true,
      auto_update_by_schedule: false,
      created_at: nowOf(t),
      updated_at: nowOf(t),
      // The updates as Flashduty's Go SDK reads them (docs/conformance.md).
      timelines: [
        {
          timeline_id: expect.any(Number),
          at: 1712000000,
          status: 'investigating',
          description: 'We are currently investigating an issue affecting some users.',
        },
      ],
    });
    expect(await statusOf(pageId, componentIds[0]!)).toBe('degraded');
  });

  it('defaults the start to now and the first update to the start; keeps responders and links', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await newIncident(
      t,
      owner,
      pageId,
      [{ component_id: componentIds[0]!, status: 'full_outage' }],
      {
        responders: [owner.memberId],
        linked_changes: ['69da451ef77b1b51f40e83ee'],
      },
    );
    const info = await changeInfo(t, owner, pageId, changeId);
    expect(info.start_at_seconds).toBe(nowOf(t));
    expect(info.updates[0].at_seconds).toBe(nowOf(t));
    expect(info.updates[0].status).toBe('investigating');
    expect(info.responder_ids).toEqual([owner.memberId]);
    expect(info.linked_change_ids).toEqual(['69da451ef77b1b51f40e83ee']);
  });

  describe('refuses, naming the field, and stores nothing', () => {
    let pageId = 0;
    let api = '';
    let foreign = '';
    beforeAll(async () => {
      const page = await pageWithComponents(t, owner, ['API']);
      pageId = page.pageId;
      api = page.componentIds[0]!;
      foreign = (await newComponents(t, owner, (await newPage(t, owner)).pageId, ['Elsewhere']))[0]!;
    });

    const base = () => ({
      page_id: pageId,
      type: 'incident',
      title: 'Down',
      description: 'desc',
      status: 'investigating',
      updates: [{ component_changes: [{ component_id: api, status: 'degraded' }] }],
    });
    const now = () => nowOf(t);

    it.each<[string, (b: any) => any, string, RegExp]>([
      ['no title', (b) => ({ ...b, title: undefined }), 'title', /required/],
      ['a title over 255', (b) => ({ ...b, title: 't'.repeat(256) }), 'title', /more than 255/],
      ['no description', (b) => ({ ...b, description: undefined }), 'description', /required/],
      ['an empty description', (b) => ({ ...b, description: '' }), 'description', /fewer than 1/],
      ['an unknown type', (b) => ({ ...b, type: 'outage' }), 'type', /incident/],
      [
        'a maintenance status on an incident',
        (b) => ({ ...b, status: 'scheduled' }),
        'status',
        /investigating/,
      ],
      [
        'an incident status on a maintenance',
        (b) => ({
          ...b,
          type: 'maintenance',
          updates: [{ component_changes: [{ component_id: api, status: 'under_maintenance' }] }],
        }),
        'status',
        /scheduled, ongoing, completed/,
      ],
      ['no updates', (b) => ({ ...b, updates: undefined }), 'updates', /required/],
      ['empty updates', (b) => ({ ...b, updates: [] }), 'updates', /fewer than 1/],
      [
        'an update status of the other type',
        (b) => ({
          ...b,
          updates: [{ status: 'ongoing', component_changes: [{ component_id: api, status: 'degraded' }] }],
        }),
        'updates[0].status',
        /investigating/,
      ],
      [
        'a first update without component_changes',
        (b) => ({ ...b, updates: [{ description: 'x' }] }),
        'updates[0].component_changes',
        /first update/,
      ],
      [
        'a maintenance component status on an incident',
        (b) => ({
          ...b,
          updates: [{ component_changes: [{ component_id: api, status: 'under_maintenance' }] }],
        }),
        'updates[0].component_changes[0].status',
        /operational, degraded, partial_outage, full_outage/,
      ],
      [
        'an incident component status on a maintenance',
        (b) => ({
          ...b,
          type: 'maintenance',
          status: 'ongoing',
          updates: [{ component_changes: [{ component_id: api, status: 'degraded' }] }],
        }),
        'updates[0].component_changes[0].status',
        /operational, under_maintenance/,
      ],
      [
        'an unknown component status',
        (b) => ({ ...b, updates: [{ component_changes: [{ component_id: api, status: 'broken' }] }] }),
        'updates[0].component_changes[0].status',
        /operational/,
      ],
      [
        'a component of another page',
        (b) => ({ ...b, updates: [{ component_changes: [{ component_id: foreign, status: 'degraded' }] }] }),
        'updates[0].component_changes[0].component_id',
        /no such component/,
      ],
      [
        'a component twice in one update',
        (b) => ({
          ...b,
          updates: [
            {
              component_changes: [
                { component_id: api, status: 'degraded' },
                { component_id: api, status: 'full_outage' },
              ],
            },
          ],
        }),
        'updates[0].component_changes[1].component_id',
        /twice/,
      ],
      [
        'a retrospective event with one update',
        (b) => ({ ...b, is_retrospective: true }),
        'updates',
        /at least 2/,
      ],
      [
        'several updates, the first without its status',
        (b) => ({ ...b, updates: [...b.updates, { status: 'identified' }] }),
        'updates[0].status',
        /first of several/,
      ],
      [
        'a close time not after the start',
        (b) => ({
          ...b,
          is_retrospective: true,
          start_at_seconds: now() - 100,
          close_at_seconds: now() - 100,
        }),
        'close_at_seconds',
        /after start_at_seconds/,
      ],
      [
        'a resolved incident with a component still degraded',
        (b) => ({ ...b, status: 'resolved' }),
        'updates[0].status',
        /resolved requires every affected component to be operational/,
      ],
      [
        'a retrospective history that resolves before its components recover',
        (b) => ({
          ...b,
          status: 'resolved',
          is_retrospective: true,
          start_at_seconds: now() - 600,
          updates: [
            {
              at_seconds: now() - 600,
              status: 'investigating',
              component_changes: [{ component_id: api, status: 'partial_outage' }],
            },
            { at_seconds: now() - 300, status: 'resolved', description: 'fixed' },
          ],
        }),
        'updates[1].status',
        /API|operational/,
      ],
      [
        'an update before the start',
        (b) => ({
          ...b,
          start_at_seconds: now(),
          updates: [
            { at_seconds: now() - 60, component_changes: [{ component_id: api, status: 'degraded' }] },
          ],
        }),
        'updates[0].at_seconds',
        /before the start/,
      ],
      [
        'updates out of time order',
        (b) => ({
          ...b,
          start_at_seconds: now() - 600,
          updates: [
            {
              at_seconds: now() - 100,
              status: 'investigating',
              component_changes: [{ component_id: api, status: 'degraded' }],
            },
            { at_seconds: now() - 200, status: 'identified' },
          ],
        }),
        'updates[1].at_seconds',
        /time order/,
      ],
      [
        'a status the updates do not leave',
        (b) => ({
          ...b,
          status: 'identified',
          updates: [
            { status: 'investigating', component_changes: [{ component_id: api, status: 'degraded' }] },
          ],
        }),
        'status',
        /leave the event investigating/,
      ],
      ['an unknown responder', (b) => ({ ...b, responders: [12345] }), 'responders[0]', /does not exist/],
      [
        'a schedule on an incident',
        (b) => ({ ...b, auto_update_by_schedule: true }),
        'auto_update_by_schedule',
        /only a maintenance/,
      ],
      [
        'a close time on an open incident',
        (b) => ({ ...b, close_at_seconds: now() + 3600 }),
        'close_at_seconds',
        /still open/,
      ],
      [
        'a linked change over 255',
        (b) => ({ ...b, linked_changes: ['x'.repeat(256)] }),
        'linked_changes[0]',
        /more than 255/,
      ],
      ['a negative start', (b) => ({ ...b, start_at_seconds: -1 }), 'start_at_seconds', />= 0/],
      ['a string for a number', (b) => ({ ...b, page_id: String(b.page_id) }), 'page_id', /integer/],
    ])('%s', async (_name, change, field, reason) => {
      invalid(await create(change(base())), field, reason);
      const stored = await t.db.q
        .selectFrom('status_page_changes')
        .select('change_id')
        .where('page_id', '=', pageId)
        .execute();
      expect(stored).toEqual([]);
    });

    it('an unknown page', async () => {
      const res = await create({ ...base(), page_id: 1 });
      expect(res.body.error?.code).toBe('ResourceNotFound');
    });
  });

  it('takes a retrospective event with its history and closes it at close_at_seconds', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const now = nowOf(t);
    const base = {
      page_id: pageId,
      type: 'incident',
      title: 'Yesterday',
      description: 'What happened',
      status: 'resolved',
      is_retrospective: true,
      start_at_seconds: now - 7200,
      updates: [
        {
          at_seconds: now - 7200,
          status: 'investigating',
          component_changes: [{ component_id: componentIds[0], status: 'full_outage' }],
        },
        { at_seconds: now - 5400, status: 'identified', description: 'found it' },
        {
          at_seconds: now - 3600,
          status: 'resolved',
          component_changes: [{ component_id: componentIds[0], status: 'operational' }],
        },
      ],
    };
    const withClose = ok(await create({ ...base, close_at_seconds: now - 3000 })).change_id;
    const info = await changeInfo(t, owner, pageId, withClose);
    expect(info).toMatchObject({
      status: 'resolved',
      is_retrospective: true,
      start_at_seconds: now - 7200,
      close_at_seconds: now - 3000,
    });
    expect(info.updates.map((u: any) => [u.at_seconds, u.status])).toEqual([
      [now - 7200, 'investigating'],
      [now - 5400, 'identified'],
      [now - 3600, 'resolved'],
    ]);
    // Created terminal without close_at_seconds: the resolving update's time is the end.
    const withoutClose = ok(await create(base)).change_id;
    expect((await changeInfo(t, owner, pageId, withoutClose)).close_at_seconds).toBe(now - 3600);
    expect(await statusOf(pageId, componentIds[0]!)).toBe('operational');
  });
});

describe('the timeline', () => {
  it('adds updates, resolves only once components are operational, and reopens', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const [api, web] = componentIds as [string, string];
    const changeId = await newIncident(t, owner, pageId, [{ component_id: api, status: 'degraded' }]);
    t.clock.advance(60_000);
    const added = ok(
      await timeline({
        page_id: pageId,
        change_id: changeId,
        status: 'identified',
        description: 'Root cause found.',
        component_changes: [
          { component_id: api, status: 'partial_outage' },
          { component_id: web, status: 'degraded' },
        ],
      }),
    );
    expect(added.update_id).toMatch(ULID);
    let info = await changeInfo(t, owner, pageId, changeId);
    expect(info.status).toBe('identified');
    expect(info.updates).toHaveLength(2);
    expect(info.updates[1]).toMatchObject({
      update_id: added.update_id,
      at_seconds: nowOf(t),
      status: 'identified',
    });
    expect(info.affected_components.map((c: any) => [c.name, c.status])).toEqual([
      ['API', 'partial_outage'],
      ['Web', 'degraded'],
    ]);

    // Resolving while Web is still degraded is refused.
    const early = await timeline({
      page_id: pageId,
      change_id: changeId,
      status: 'resolved',
      description: 'Fixed',
      component_changes: [{ component_id: api, status: 'operational' }],
    });
    invalid(early, 'status', /resolved requires every affected component to be operational; .* is degraded/);

    t.clock.advance(60_000);
    ok(
      await timeline({
        page_id: pageId,
        change_id: changeId,
        status: 'resolved',
        description: 'Fixed',
        component_changes: [
          { component_id: api, status: 'operational' },
          { component_id: web, status: 'operational' },
        ],
      }),
    );
    info = await changeInfo(t, owner, pageId, changeId);
    expect(info.status).toBe('resolved');
    expect(info.close_at_seconds).toBe(nowOf(t));
    expect(await statusOf(pageId, api)).toBe('operational');

    // A non-terminal update reopens it.
    t.clock.advance(60_000);
    ok(
      await timeline({
        page_id: pageId,
        change_id: changeId,
        status: 'monitoring',
        description: 'It came back',
        component_changes: [{ component_id: web, status: 'degraded' }],
      }),
    );
    info = await changeInfo(t, owner, pageId, changeId);
    expect(info).toMatchObject({ status: 'monitoring', close_at_seconds: 0 });
    expect(await statusOf(pageId, web)).toBe('degraded');
  });

  it('refuses bad updates naming the field', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const [api] = componentIds as [string];
    const changeId = await newIncident(t, owner, pageId, [{ component_id: api, status: 'degraded' }]);
    const base = { page_id: pageId, change_id: changeId, status: 'identified', description: 'x' };
    invalid(await timeline({ ...base, status: 'ongoing' }), 'status', /investigating/);
    invalid(await timeline({ ...base, description: undefined }), 'description', /required/);
    invalid(await timeline({ ...base, at_seconds: nowOf(t) - 10 }), 'at_seconds', /before the start/);
    invalid(
      await timeline({
        ...base,
        component_changes: [
          { component_id: api, status: 'degraded' },
          { component_id: api, status: 'operational' },
        ],
      }),
      'component_changes[1].component_id',
      /twice/,
    );
    invalid(
      await timeline({ ...base, component_changes: [{ component_id: api, status: 'under_maintenance' }] }),
      'component_changes[0].status',
      /operational, degraded/,
    );
    invalid(
      await timeline({ ...base, component_changes: [{ component_id: 'nope', status: 'degraded' }] }),
      'component_changes[0].component_id',
    );
    const missing = await timeline({ ...base, change_id: 1 });
    expect(missing.body.error?.code).toBe('ResourceNotFound');
    expect((await changeInfo(t, owner, pageId, changeId)).updates).toHaveLength(1);
  });

  it('edits an update; moving the first one earlier moves the start', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await newIncident(t, owner, pageId, [
      { component_id: componentIds[0]!, status: 'degraded' },
    ]);
    const start = nowOf(t);
    t.clock.advance(60_000);
    const second = ok(
      await timeline({ page_id: pageId, change_id: changeId, status: 'identified', description: 'a' }),
    ).update_id;
    const first = (await changeInfo(t, owner, pageId, changeId)).updates[0].update_id;

    ok(
      await t.post(
        '/status-page/change/timeline/update',
        { page_id: pageId, change_id: changeId, update_id: second, description: 'b' },
        owner.appKey,
      ),
    );
    ok(
      await t.post(
        '/status-page/change/timeline/update',
        { page_id: pageId, change_id: changeId, update_id: first, at_seconds: start - 300 },
        owner.appKey,
      ),
    );
    const info = await changeInfo(t, owner, pageId, changeId);
    expect(info.start_at_seconds).toBe(start - 300);
    expect(info.updates.map((u: any) => [u.update_id, u.at_seconds, u.description])).toEqual([
      [first, start - 300, 'Investigating.'],
      [second, start + 60, 'b'],
    ]);

    // Moving the second update before the first would make it the first, without components.
    invalid(
      await t.post(
        '/status-page/change/timeline/update',
        { page_id: pageId, change_id: changeId, update_id: second, at_seconds: start - 600 },
        owner.appKey,
      ),
      'at_seconds',
      /first update must declare/,
    );
    invalid(
      await t.post(
        '/status-page/change/timeline/update',
        { page_id: pageId, change_id: changeId, update_id: 'nope', description: 'x' },
        owner.appKey,
      ),
      'update_id',
    );
  });

  it('deletes an update and derives the status again; never the last one', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const [api] = componentIds as [string];
    const changeId = await newIncident(t, owner, pageId, [{ component_id: api, status: 'degraded' }]);
    t.clock.advance(60_000);
    const resolved = ok(
      await timeline({
        page_id: pageId,
        change_id: changeId,
        status: 'resolved',
        description: 'ok',
        component_changes: [{ component_id: api, status: 'operational' }],
      }),
    ).update_id;
    expect(await statusOf(pageId, api)).toBe('operational');
    ok(
      await t.post(
        '/status-page/change/timeline/delete',
        { page_id: pageId, change_id: changeId, update_id: resolved },
        owner.appKey,
      ),
    );
    const info = await changeInfo(t, owner, pageId, changeId);
    expect(info).toMatchObject({ status: 'investigating', close_at_seconds: 0 });
    expect(await statusOf(pageId, api)).toBe('degraded');
    invalid(
      await t.post(
        '/status-page/change/timeline/delete',
        { page_id: pageId, change_id: changeId, update_id: info.updates[0].update_id },
        owner.appKey,
      ),
      'update_id',
      /at least one update/,
    );
  });
});

describe('edit, delete, list', () => {
  it('edits the title, responders and links, replacing the lists', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await newIncident(
      t,
      owner,
      pageId,
      [{ component_id: componentIds[0]!, status: 'degraded' }],
      {
        linked_changes: ['a', 'b'],
      },
    );
    const member = await t.newMember(owner, [3]);
    ok(
      await t.post(
        '/status-page/change/update',
        {
          page_id: pageId,
          change_id: changeId,
          title: 'New title',
          responders: [member.memberId],
          linked_changes: ['c'],
        },
        owner.appKey,
      ),
    );
    expect(await changeInfo(t, owner, pageId, changeId)).toMatchObject({
      title: 'New title',
      responder_ids: [member.memberId],
      linked_change_ids: ['c'],
    });
    invalid(
      await t.post(
        '/status-page/change/update',
        { page_id: pageId, change_id: changeId, responders: [1] },
        owner.appKey,
      ),
      'responders[0]',
    );
    invalid(
      await t.post(
        '/status-page/change/update',
        { page_id: pageId, change_id: changeId, title: '' },
        owner.appKey,
      ),
      'title',
    );
  });

  it('deletes an event, which then no longer shows on its components', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await newIncident(t, owner, pageId, [
      { component_id: componentIds[0]!, status: 'full_outage' },
    ]);
    expect(await statusOf(pageId, componentIds[0]!)).toBe('full_outage');
    ok(await t.post('/status-page/change/delete', { page_id: pageId, change_id: changeId }, owner.appKey));
    const res = await t.get(
      '/status-page/change/info',
      { page_id: pageId, change_id: changeId },
      owner.appKey,
    );
    expect(res.body.error?.code).toBe('ResourceNotFound');
    expect(await statusOf(pageId, componentIds[0]!)).toBe('operational');
  });

  it('lists by type, status and start window, latest first; active/list has what has not ended', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const [api] = componentIds as [string];
    const now = nowOf(t);
    const old = await newIncident(t, owner, pageId, [{ component_id: api, status: 'degraded' }], {
      start_at_seconds: now - 1000,
    });
    const recent = await newIncident(t, owner, pageId, [{ component_id: api, status: 'degraded' }], {
      start_at_seconds: now - 10,
    });
    const done = await newIncident(t, owner, pageId, [{ component_id: api, status: 'operational' }], {
      status: 'resolved',
    });
    const list = (query: Record<string, unknown>) =>
      t.get('/status-page/change/list', { page_id: pageId, type: 'incident', ...query }, owner.appKey);
    expect(ok(await list({ status: 'investigating' })).items.map((i: any) => i.change_id)).toEqual([
      recent,
      old,
    ]);
    expect(
      ok(await list({ status: 'investigating', start_at_seconds: now - 500 })).items.map(
        (i: any) => i.change_id,
      ),
    ).toEqual([recent]);
    expect(
      ok(await list({ status: 'investigating', end_at_seconds: now - 500 })).items.map(
        (i: any) => i.change_id,
      ),
    ).toEqual([old]);
    expect(ok(await list({ status: 'resolved' })).items.map((i: any) => i.change_id)).toEqual([done]);
    invalid(await list({ status: 'resolved', type: 'maintenance' }), 'status', /for maintenance/);
    invalid(await list({ status: 'ongoing' }), 'status', /for incident/);
    invalid(await list({}), 'status', /required/);
    const active = ok(
      await t.get('/status-page/change/active/list', { page_id: pageId, type: 'incident' }, owner.appKey),
    );
    expect(active.items.map((i: any) => i.change_id).sort()).toEqual([old, recent].sort());
    const maintenance = ok(
      await t.get('/status-page/change/active/list', { page_id: pageId, type: 'maintenance' }, owner.appKey),
    );
    expect(maintenance.items).toEqual([]);
  });
});

describe('component status roll-up', () => {
  it('is the worst status among the events in effect that touch the component', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner, ['A', 'B', 'C']);
    const [a, b, c] = componentIds as [string, string, string];
    await newIncident(t, owner, pageId, [{ component_id: a, status: 'degraded' }]);
    const outage = await newIncident(t, owner, pageId, [{ component_id: a, status: 'full_outage' }]);
    expect(await statusOf(pageId, a)).toBe('full_outage');

    ok(
      await timeline({
        page_id: pageId,
        change_id: outage,
        status: 'resolved',
        description: 'ok',
        component_changes: [{ component_id: a, status: 'operational' }],
      }),
    );
    expect(await statusOf(pageId, a)).toBe('degraded');

    // Ongoing maintenance shows; an incident's degradation outranks it.
    ok(
      await create({
        page_id: pageId,
        type: 'maintenance',
        title: 'Upgrade',
        description: 'DB upgrade',
        status: 'ongoing',
        updates: [{ component_changes: [{ component_id: b, status: 'under_maintenance' }] }],
      }),
    );
    expect(await statusOf(pageId, b)).toBe('under_maintenance');
    await newIncident(t, owner, pageId, [{ component_id: b, status: 'degraded' }]);
    expect(await statusOf(pageId, b)).toBe('degraded');

    // A maintenance still scheduled does not show yet.
    ok(
      await create({
        page_id: pageId,
        type: 'maintenance',
        title: 'Later',
        description: 'Next week',
        status: 'scheduled',
        start_at_seconds: nowOf(t) + 7 * 86_400,
        updates: [{ component_changes: [{ component_id: c, status: 'under_maintenance' }] }],
      }),
    );
    expect(await statusOf(pageId, c)).toBe('operational');
  });
});

describe('permissions', () => {
  it('needs Status Pages Events Manage to publish: a Responder may, a Read-only member may not', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const readOnly = await t.newMember(owner, [4]);
    const responder = await t.newMember(owner, [3]);
    const body = {
      page_id: pageId,
      type: 'incident',
      title: 't',
      description: 'd',
      status: 'investigating',
      updates: [{ component_changes: [{ component_id: componentIds[0], status: 'degraded' }] }],
    };
    const refused = await create(body, readOnly.appKey);
    expect(refused.status).toBe(403);
    expect(refused.body.error?.message).toContain('Status Pages Events Manage');
    const changeId = ok(await create(body, responder.appKey)).change_id;
    ok(await t.get('/status-page/change/info', { page_id: pageId, change_id: changeId }, readOnly.appKey));
  });

  it('keeps another account out of the events', async () => {
    const other = await t.newAccount();
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const changeId = await newIncident(t, owner, pageId, [
      { component_id: componentIds[0]!, status: 'degraded' },
    ]);
    for (const res of [
      await t.get('/status-page/change/info', { page_id: pageId, change_id: changeId }, other.appKey),
      await t.post(
        '/status-page/change/update',
        { page_id: pageId, change_id: changeId, title: 'x' },
        other.appKey,
      ),
      await t.post('/status-page/change/delete', { page_id: pageId, change_id: changeId }, other.appKey),
      await t.post(
        '/status-page/change/timeline/create',
        { page_id: pageId, change_id: changeId, status: 'identified', description: 'x' },
        other.appKey,
      ),
    ]) {
      expect(res.body.error?.code).toBe('ResourceNotFound');
    }
    expect((await changeInfo(t, owner, pageId, changeId)).updates).toHaveLength(1);
  });
});
