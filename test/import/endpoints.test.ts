import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, startTestApp, type TestApp } from '../harness/app.ts';
import { PD_TOKEN, startFakePagerduty } from './fake-pagerduty.ts';

/*
 * /import/plan and /import/apply, the console's import: the same stages as the CLI, the source
 * called through the outbound guard, Vigil called back with the caller's own credentials.
 */

const NOW = Date.parse('2026-02-20T12:00:00Z') / 1000;

let t: TestApp;
let guarded: TestApp;
let pd: Awaited<ReturnType<typeof startFakePagerduty>>;

beforeAll(async () => {
  t = await startTestApp({ env: ALLOW_LOOPBACK });
  guarded = await startTestApp({ database: t.database });
  pd = await startFakePagerduty();
});
afterAll(async () => {
  await pd?.close();
  await guarded?.close();
  await t?.close();
});

describe('/import/plan and /import/apply', { timeout: 120_000 }, () => {
  it('plan changes nothing; apply imports as the caller; a second apply changes nothing', async () => {
    const account = await t.newAccount();
    const body = { source: 'pagerduty', api_url: pd.url, token: PD_TOKEN, now: NOW };
    const plan = await t.post('/import/plan', body, account.appKey);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    expect(plan.body.data.mode).toBe('plan');
    expect(plan.body.data.items.filter((i: any) => i.action === 'create')).toHaveLength(15);
    expect((await t.post('/schedule/list', {}, account.appKey)).body.data.total).toBe(0);

    // Stage by stage, as the console applies.
    for (const stage of ['users', 'teams', 'schedules', 'escalations', 'integrations']) {
      const step = await t.post('/import/apply', { ...body, only: [stage] }, account.appKey);
      expect(step.status, JSON.stringify(step.body)).toBe(200);
      expect(step.body.data.stages).toEqual([stage]);
      expect(
        step.body.data.items.filter((i: any) => i.action === 'failed'),
        JSON.stringify(step.body.data.items),
      ).toEqual([]);
    }
    const list = (await t.post('/schedule/list', { limit: 100 }, account.appKey)).body.data;
    expect(list.total).toBe(2);
    const rules = await t.post('/channel/list', { limit: 100 }, account.appKey);
    expect(rules.body.data.total).toBe(2);

    const again = await t.post('/import/apply', body, account.appKey);
    expect(again.body.data.items.filter((i: any) => i.action === 'create' || i.action === 'update')).toEqual(
      [],
    );
    expect(again.body.data.checks.map((c: any) => c.differences.length)).toEqual([0, 0]);
  });

  it('refuses a wrong token, naming token, and a bad URL, naming api_url; stores nothing', async () => {
    const account = await t.newAccount();
    const wrong = await t.post(
      '/import/apply',
      { source: 'pagerduty', api_url: pd.url, token: 'nope' },
      account.appKey,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'InvalidParameter' });
    expect(wrong.body.error!.message).toMatch(/parameter token .*refused the token/);
    const bad = await t.post(
      '/import/plan',
      { source: 'pagerduty', api_url: 'file:///etc', token: 'x' },
      account.appKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error!.message).toMatch(/parameter api_url .*http/);
    expect((await t.post('/member/list', {}, account.appKey)).body.data.total).toBe(1);
  });

  it('calls the source through the outbound guard: loopback is refused unless OUTBOUND_ALLOW permits it', async () => {
    const account = await guarded.newAccount();
    const refused = await guarded.post(
      '/import/plan',
      { source: 'pagerduty', api_url: pd.url, token: PD_TOKEN },
      account.appKey,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error!.message).toMatch(/parameter api_url .*loopback/);
  });

  it('needs Members Manage', async () => {
    const owner = await t.newAccount();
    const responder = await t.newMember(owner, [3]);
    const denied = await t.post(
      '/import/plan',
      { source: 'pagerduty', api_url: pd.url, token: PD_TOKEN },
      responder.appKey,
    );
    expect(denied.status).toBe(403);
  });
});
