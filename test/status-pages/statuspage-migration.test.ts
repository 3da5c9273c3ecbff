import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import {
  type FakePage,
  type FakeStatuspage,
  STATUSPAGE_KEY,
  startFakeStatuspage,
} from '../harness/fake-statuspage.ts';
import { freePort } from '../harness/ports.ts';

/*
 * /status-page/migrate-structure, migrate-email-subscribers, migration/status and migration/cancel,
 * end to end: Vigil's engine reads a local server answering as Statuspage's REST API v1 (paged
 * lists), and the result is read back through the status-page API.
 */

let t: TestApp;
let sp: FakeStatuspage;
let owner: TestAccount;

const iso = (hoursAfterStart: number) =>
  new Date(Date.UTC(2025, 11, 1, 8) + hoursAfterStart * 3_600_000).toISOString();

/** A Statuspage page: 2 groups, 103 components (two pages of components), 3 incidents, 2 maintenances. */
function samplePage(id: string): FakePage {
  const components = Array.from({ length: 103 }, (_, i) => ({
    id: `${id}c${i}`,
    page_id: id,
    name: `Component ${i}`,
    description: i === 0 ? 'The API' : null,
    position: i,
    status: 'operational',
    group: false,
    group_id: i < 2 ? `${id}g1` : i < 4 ? `${id}g2` : null,
    only_show_if_degraded: false,
  }));
  const update = (status: string, hours: number, body: string, affected: [string, string][] = []) => ({
    id: `u${Math.random().toString(36).slice(2)}`,
    status,
    body,
    created_at: iso(hours),
    display_at: iso(hours),
    affected_components: affected.map(([code, new_status]) => ({
      code,
      name: code,
      old_status: 'operational',
      new_status,
    })),
  });
  return {
    page: { id, name: 'Acme Status', subdomain: `acme-${id}` },
    groups: [
      {
        id: `${id}g1`,
        name: 'Core',
        description: 'Core services',
        position: 1,
        components: [`${id}c0`, `${id}c1`],
      },
      { id: `${id}g2`, name: 'Edge', description: null, position: 2, components: [`${id}c2`, `${id}c3`] },
    ],
    components,
    incidents: [
      {
        id: `${id}i1`,
        name: 'API errors',
        status: 'resolved',
        impact: 'major',
        created_at: iso(0),
        started_at: iso(0),
        resolved_at: iso(2),
        scheduled_for: null,
        // Statuspage lists updates newest first.
        incident_updates: [
          update('resolved', 2, 'Fixed.', [[`${id}c0`, 'operational']]),
          update('monitoring', 1, 'A fix is out.', [[`${id}c0`, 'degraded_performance']]),
          update('investigating', 0, 'We are looking into errors.', [[`${id}c0`, 'major_outage']]),
        ],
        components: [{ id: `${id}c0` }],
      },
      {
        id: `${id}i2`,
        name: 'Slow dashboard',
        status: 'postmortem',
        impact: 'minor',
        created_at: iso(10),
        incident_updates: [
          update('postmortem', 13, 'Post-mortem published.'),
          update('resolved', 12, 'Resolved.', [[`${id}c2`, 'operational']]),
          update('identified', 10, 'Slow queries found.', [[`${id}c2`, 'partial_outage']]),
        ],
        components: [{ id: `${id}c2` }],
      },
      {
        id: `${id}i3`,
        name: 'Nothing affected',
        status: 'resolved',
        impact: 'none',
        created_at: iso(20),
        incident_updates: [update('resolved', 20, 'Nothing to see.')],
        components: [],
      },
      {
        id: `${id}m1`,
        name: 'Database upgrade',
        status: 'completed',
        impact: 'maintenance',
        created_at: iso(30),
        scheduled_for: iso(40),
        scheduled_until: iso(42),
        incident_updates: [
          update('completed', 42, 'Done.', [[`${id}c1`, 'operational']]),
          update('in_progress', 40, 'Started.', [[`${id}c1`, 'under_maintenance']]),
          update('scheduled', 30, 'Planned.'),
        ],
        components: [{ id: `${id}c1` }],
      },
      {
        id: `${id}m2`,
        name: 'Network work',
        status: 'scheduled',
        impact: 'maintenance',
        created_at: iso(50),
        scheduled_for: '2026-02-01T10:00:00Z',
        scheduled_until: '2026-02-01T12:00:00Z',
        incident_updates: [update('scheduled', 50, 'Planned for February.')],
        components: [{ id: `${id}c3` }],
      },
    ],
    subscribers: [
      { id: 's1', mode: 'email', email: 'ann@example.com', components: [] },
      { id: 's2', mode: 'email', email: 'bob@example.com', components: [{ id: `${id}c0` }] },
      { id: 's3', mode: 'email', email: 'not-an-address', components: [] },
      { id: 's4', mode: 'sms', phone_number: '+15550100' },
    ],
  };
}

const status = async (jobId: string, key = owner.appKey) =>
  (await t.get('/status-page/migration/status', { job_id: jobId }, key)).body;

async function migrate(sourcePageId: string, apiKey = STATUSPAGE_KEY) {
  const started = await t.post(
    '/status-page/migrate-structure',
    { api_key: apiKey, source_page_id: sourcePageId },
    owner.appKey,
  );
  expect(started.status).toBe(200);
  const jobId = started.body.data.job_id as string;
  expect((await status(jobId)).data.status).toBe('pending');
  await t.engine.runOnce(t.clock.nowMs());
  return (await status(jobId)).data;
}

const events = async (pageId: number, type: string, eventStatus: string) =>
  (await t.get('/status-page/change/list', { page_id: pageId, type, status: eventStatus }, owner.appKey)).body
    .data.items as any[];

beforeAll(async () => {
  sp = await startFakeStatuspage();
  t = await startTestApp({ env: { ...ALLOW_LOOPBACK, STATUSPAGE_API_URL: sp.url } });
  owner = await t.newAccount('Migrating');
});
afterAll(async () => {
  await t?.close();
  await sp?.close();
});

describe('structure and history migration', () => {
  it('creates the page, sections, components and past events, paging through Statuspage', async () => {
    sp.pages.set('pgone', samplePage('pgone'));
    const job = await migrate('pgone');
    expect(job).toMatchObject({
      account_id: owner.accountId,
      source_page_id: 'pgone',
      status: 'completed',
      phase: 'history',
      progress: {
        total_steps: 5,
        completed_steps: 5,
        sections_imported: 2,
        components_imported: 103,
        incidents_imported: 2,
        maintenances_imported: 2,
        subscribers_imported: 0,
      },
    });
    expect(job.error).toBeUndefined();
    expect(job.progress.warnings).toEqual([expect.stringContaining('pgonei3')]);
    // The API key went as Statuspage documents it, and the components came in two pages.
    const componentReads = sp.requests.filter((r) => r.path === '/v1/pages/pgone/components');
    expect(componentReads.map((r) => r.query.get('page'))).toEqual(['1', '2']);
    expect(sp.requests.every((r) => r.authorization === `OAuth ${STATUSPAGE_KEY}`)).toBe(true);

    const page = (await t.get('/status-page/info', { page_id: job.target_page_id }, owner.appKey)).body.data;
    expect(page).toMatchObject({ name: 'Acme Status', url_name: 'acme-pgone', type: 'public' });
    expect(page.sections.map((s: any) => s.name)).toEqual(['Core', 'Edge']);
    expect(page.components).toHaveLength(103);
    const api = page.components.find((c: any) => c.name === 'Component 0');
    expect(api.section_id).toBe(page.sections[0].section_id);

    const resolved = await events(job.target_page_id, 'incident', 'resolved');
    expect(resolved.map((e) => e.title).sort()).toEqual(['API errors', 'Slow dashboard']);
    const errors = resolved.find((e) => e.title === 'API errors');
    expect(errors.updates.map((u: any) => [u.status, u.description])).toEqual([
      ['investigating', 'We are looking into errors.'],
      ['monitoring', 'A fix is out.'],
      ['resolved', 'Fixed.'],
    ]);
    expect(errors.updates[0].component_changes).toEqual([
      { component_id: api.component_id, component_name: 'Component 0', status: 'full_outage' },
    ]);
    expect(errors.start_at_seconds).toBe(Date.UTC(2025, 11, 1, 8) / 1000);
    const done = await events(job.target_page_id, 'maintenance', 'completed');
    expect(done.map((e) => e.title)).toEqual(['Database upgrade']);
    const planned = await events(job.target_page_id, 'maintenance', 'scheduled');
    expect(planned.map((e) => [e.title, e.start_at_seconds])).toEqual([
      ['Network work', Date.UTC(2026, 1, 1, 10) / 1000],
    ]);
  });

  it('running the migration again creates nothing twice', async () => {
    const first = (
      await t.db.q
        .selectFrom('status_page_migrations')
        .select('target_page_id')
        .where('source_page_id', '=', 'pgone')
        .executeTakeFirstOrThrow()
    ).target_page_id;
    const again = await migrate('pgone');
    expect(again).toMatchObject({
      status: 'completed',
      target_page_id: first,
      progress: { components_imported: 103, incidents_imported: 2 },
    });
    const pages = (await t.get('/status-page/list', {}, owner.appKey)).body.data.items as any[];
    expect(pages.filter((p) => p.name === 'Acme Status')).toHaveLength(1);
    expect(pages.find((p) => p.page_id === first).components).toHaveLength(103);
    expect(await events(first, 'incident', 'resolved')).toHaveLength(2);
    expect(await events(first, 'maintenance', 'completed')).toHaveLength(1);
  });

  it('uses the url_name asked for (the SDK sends it), failing clearly when another page has it', async () => {
    sp.pages.set('pgurl', samplePage('pgurl'));
    const start = async (url_name: string) => {
      const body = { api_key: STATUSPAGE_KEY, source_page_id: 'pgurl', url_name };
      const res = await t.post('/status-page/migrate-structure', body, owner.appKey);
      await t.engine.runOnce(t.clock.nowMs());
      return (await status(res.body.data.job_id)).data;
    };
    const taken = await start('acme-pgone');
    expect(taken).toMatchObject({
      status: 'failed',
      error: 'url_name acme-pgone is already used by another status page',
    });
    const job = await start('our-status');
    expect(job.status).toBe('completed');
    const page = (await t.get('/status-page/info', { page_id: job.target_page_id }, owner.appKey)).body.data;
    expect(page.url_name).toBe('our-status');
    expect(
      (
        await t.post(
          '/status-page/migrate-structure',
          { api_key: 'k', source_page_id: 'p', url_name: 'a b' },
          owner.appKey,
        )
      ).status,
    ).toBe(400);
  });

  it('starting while a job is in progress answers the same job', async () => {
    sp.pages.set('pgtwice', samplePage('pgtwice'));
    const body = { api_key: STATUSPAGE_KEY, source_page_id: 'pgtwice' };
    const a = await t.post('/status-page/migrate-structure', body, owner.appKey);
    const b = await t.post('/status-page/migrate-structure', body, owner.appKey);
    expect(b.body.data.job_id).toBe(a.body.data.job_id);
    await t.engine.runOnce(t.clock.nowMs());
    expect((await status(a.body.data.job_id)).data.status).toBe('completed');
  });
});

describe('failures end the job with its error, never the start call', () => {
  it('a key Statuspage refuses (401)', async () => {
    sp.pages.set('pgkey', samplePage('pgkey'));
    const job = await migrate('pgkey', 'sp-wrong-key');
    expect(job).toMatchObject({ status: 'failed', error: 'Statuspage refused the API key (HTTP 401)' });
  });

  it('a page Statuspage does not have (404)', async () => {
    const job = await migrate('nosuchpage');
    expect(job.status).toBe('failed');
    expect(job.error).toContain('404');
  });

  // Two more instances on the same database: their start-up is most of the time.
  it('an API that cannot be reached, and one the outbound guard refuses', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const unreachable = await startTestApp({
      database: t.database,
      env: { ...ALLOW_LOOPBACK, STATUSPAGE_API_URL: `http://127.0.0.1:${port}/v1` },
    });
    const guarded = await startTestApp({ database: t.database, env: { STATUSPAGE_API_URL: sp.url } });
    try {
      for (const [app, expected] of [
        [unreachable, 'could not reach Statuspage'],
        [guarded, 'loopback'],
      ] as const) {
        const account = await app.newAccount();
        const started = await app.post(
          '/status-page/migrate-structure',
          { api_key: STATUSPAGE_KEY, source_page_id: 'pgone' },
          account.appKey,
        );
        expect(started.status).toBe(200);
        await app.engine.runOnce(app.clock.nowMs());
        const job = (
          await app.get('/status-page/migration/status', { job_id: started.body.data.job_id }, account.appKey)
        ).body.data;
        expect(job.status).toBe('failed');
        expect(job.error).toContain(expected);
      }
    } finally {
      await unreachable.close();
      await guarded.close();
    }
  });
});

describe('e-mail subscribers', () => {
  it('imports the active e-mail subscribers, scoped to migrated components, skipping bad and known ones', async () => {
    const pageId = (
      await t.db.q
        .selectFrom('status_page_migrations')
        .select('target_page_id')
        .where('source_page_id', '=', 'pgone')
        .executeTakeFirstOrThrow()
    ).target_page_id;
    const body = { api_key: STATUSPAGE_KEY, source_page_id: 'pgone', target_page_id: pageId };
    const started = await t.post('/status-page/migrate-email-subscribers', body, owner.appKey);
    expect(started.status).toBe(200);
    await t.engine.runOnce(t.clock.nowMs());
    const job = (await status(started.body.data.job_id)).data;
    expect(job).toMatchObject({
      status: 'completed',
      phase: 'subscribers',
      target_page_id: pageId,
      progress: { total_steps: 2, completed_steps: 2, subscribers_imported: 2, subscribers_skipped: 1 },
    });
    expect(sp.requests.find((r) => r.path === '/v1/pages/pgone/subscribers')?.query.get('type')).toBe(
      'email',
    );
    const list = (
      await t.get('/status-page/subscriber/list', { page_id: pageId, method: 'email' }, owner.appKey)
    ).body.data;
    const byRecipient = new Map((list.items as any[]).map((s) => [s.recipient, s]));
    expect([...byRecipient.keys()].sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect(byRecipient.get('bob@example.com').components.map((c: any) => c.name)).toEqual(['Component 0']);

    const again = await t.post('/status-page/migrate-email-subscribers', body, owner.appKey);
    await t.engine.runOnce(t.clock.nowMs());
    expect((await status(again.body.data.job_id)).data.progress).toMatchObject({
      subscribers_imported: 0,
      subscribers_skipped: 3,
    });
  });

  it('refuses a target page that is not the caller’s, or is internal', async () => {
    const other = await t.newAccount();
    const { page_id } = (
      await t.post(
        '/status-page/create',
        {
          name: 'Inside',
          url_name: 'inside-mig',
          type: 'internal',
          date_view: 'list',
          display_uptime_mode: 'none',
        },
        owner.appKey,
      )
    ).body.data;
    const start = (key: string, target: number) =>
      t.post(
        '/status-page/migrate-email-subscribers',
        { api_key: STATUSPAGE_KEY, source_page_id: 'pgone', target_page_id: target },
        key,
      );
    expect((await start(other.appKey, page_id)).body.error?.code).toBe('ResourceNotFound');
    const internal = await start(owner.appKey, page_id);
    expect(internal.status).toBe(400);
    expect(internal.body.error?.code).toBe('InvalidParameter');

    // One subscriber migration of a source page at a time: another target while it runs is refused.
    const pages = async (name: string) =>
      (
        await t.post(
          '/status-page/create',
          { name, url_name: name, type: 'public', date_view: 'list', display_uptime_mode: 'none' },
          owner.appKey,
        )
      ).body.data.page_id as number;
    const [first, second] = [await pages('mig-first'), await pages('mig-second')];
    const running = await t.post(
      '/status-page/migrate-email-subscribers',
      { api_key: STATUSPAGE_KEY, source_page_id: 'pgbusy', target_page_id: first },
      owner.appKey,
    );
    const same = await t.post(
      '/status-page/migrate-email-subscribers',
      { api_key: STATUSPAGE_KEY, source_page_id: 'pgbusy', target_page_id: first },
      owner.appKey,
    );
    expect(same.body.data.job_id).toBe(running.body.data.job_id);
    const elsewhere = await t.post(
      '/status-page/migrate-email-subscribers',
      { api_key: STATUSPAGE_KEY, source_page_id: 'pgbusy', target_page_id: second },
      owner.appKey,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error?.message).toContain('target_page_id');
    await t.post('/status-page/migration/cancel', { job_id: running.body.data.job_id }, owner.appKey);
  });
});

describe('cancel, leases and tenancy', () => {
  it('cancels a job in progress; an ended one cannot be cancelled', async () => {
    sp.pages.set('pgcancel', samplePage('pgcancel'));
    const started = await t.post(
      '/status-page/migrate-structure',
      { api_key: STATUSPAGE_KEY, source_page_id: 'pgcancel' },
      owner.appKey,
    );
    const jobId = started.body.data.job_id;
    expect(
      (await t.post('/status-page/migration/cancel', { job_id: jobId }, owner.appKey)).body.data,
    ).toEqual({});
    await t.engine.runOnce(t.clock.nowMs());
    expect((await status(jobId)).data.status).toBe('cancelled');
    expect(sp.requests.some((r) => r.path.startsWith('/v1/pages/pgcancel'))).toBe(false);
    const again = await t.post('/status-page/migration/cancel', { job_id: jobId }, owner.appKey);
    expect(again.status).toBe(400);
    expect(again.body.error?.message).toContain('cancelled');
  });

  it('a job another instance holds waits for its lease to run out, then is taken over', async () => {
    sp.pages.set('pglease', samplePage('pglease'));
    const started = await t.post(
      '/status-page/migrate-structure',
      { api_key: STATUSPAGE_KEY, source_page_id: 'pglease' },
      owner.appKey,
    );
    const jobId = started.body.data.job_id;
    // Another instance claimed it and stopped (its lease runs out in 30 s).
    await t.db.q
      .updateTable('status_page_migrations')
      .set({ status: 'running', lease_owner: 'gone', lease_until_ms: t.clock.nowMs() + 30_000 })
      .where('job_id', '=', jobId)
      .execute();
    await t.engine.runOnce(t.clock.nowMs());
    expect((await status(jobId)).data.status).toBe('running');
    t.clock.advance(31_000);
    await t.engine.runOnce(t.clock.nowMs());
    expect((await status(jobId)).data).toMatchObject({
      status: 'completed',
      progress: { components_imported: 103 },
    });
    const key = await t.db.q
      .selectFrom('status_page_migrations')
      .select('api_key')
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    expect(key.api_key).toBe('');
  });

  it('another account reads and cancels nothing; bad input names the field', async () => {
    const other = await t.newAccount();
    const started = await t.post(
      '/status-page/migrate-structure',
      { api_key: STATUSPAGE_KEY, source_page_id: 'pgother' },
      owner.appKey,
    );
    const jobId = started.body.data.job_id;
    expect((await status(jobId, other.appKey)).error?.code).toBe('ResourceNotFound');
    expect(
      (await t.post('/status-page/migration/cancel', { job_id: jobId }, other.appKey)).body.error?.code,
    ).toBe('ResourceNotFound');
    expect((await status(jobId)).data.status).toBe('pending');
    await t.post('/status-page/migration/cancel', { job_id: jobId }, owner.appKey);

    for (const body of [
      { source_page_id: 'abc' },
      { api_key: 'k', source_page_id: '../x' },
      { api_key: '', source_page_id: 'abc' },
    ]) {
      const res = await t.post('/status-page/migrate-structure', body, owner.appKey);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('InvalidParameter');
    }
    expect((await t.get('/status-page/migration/status', {}, owner.appKey)).status).toBe(400);
  });
});
