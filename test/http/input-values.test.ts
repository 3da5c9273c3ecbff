import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_INPUT_DEPTH } from '../../src/http/input-check.ts';
import { sampleContext } from '../conformance/samples.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

/*
 * Issue 17, items 7 and 8: values PostgreSQL cannot take (a NUL character, a lone UTF-16
 * surrogate, JSON nested past its stack, a number outside bigint or outside JavaScript's exact
 * integers) are InvalidParameter naming the field, wherever they are in a body or a query.
 */

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t?.close());

/** POSTs JSON text as is, so numbers and escapes reach the server exactly as written. */
async function postText(path: string, json: string, query = `app_key=${owner.appKey}`) {
  const raw = await t.app.inject({
    method: 'POST',
    url: `${path}?${query}`,
    headers: { 'content-type': 'application/json' },
    payload: json,
  });
  return { status: raw.statusCode, body: raw.json() };
}

function expectInvalid(res: { status: number; body: any }, field: string) {
  expect([res.status, res.body.error?.code], JSON.stringify(res.body)).toEqual([400, 'InvalidParameter']);
  expect(res.body.error.message).toContain(`parameter ${field} `);
}

describe('text PostgreSQL cannot store', () => {
  it('refuses a NUL character in a body string, naming the field', async () => {
    expectInvalid(await t.post('/team/upsert', { team_name: 'a\u0000b' }, owner.appKey), 'team_name');
    expectInvalid(
      await t.post(
        '/member/invite',
        { members: [{ member_name: 'Nul Member', email: 'a\u0000b@example.com' }] },
        owner.appKey,
      ),
      'members[0].email',
    );
  });

  it('refuses a lone surrogate, and keeps a pair (an emoji)', async () => {
    expectInvalid(await t.post('/team/upsert', { team_name: 'team \ud800' }, owner.appKey), 'team_name');
    expectInvalid(await t.post('/team/upsert', { team_name: 'team \udfff x' }, owner.appKey), 'team_name');
    const emoji = await t.post('/team/upsert', { team_name: 'team 😀' }, owner.appKey);
    expect(emoji.status, JSON.stringify(emoji.body)).toBe(200);
    expect(emoji.body.data.team_name).toBe('team 😀');
  });

  it('checks free-form maps too: label values and label names', async () => {
    const { channel_id } = await sampleContext(t, owner).channel();
    const { integration_key } = (
      await t.post(
        '/datasource/upsert',
        { name: 'nul push', plugin_type: 'alert.standard', channel_id },
        owner.appKey,
      )
    ).body.data;
    const push = (labels: Record<string, string>) =>
      postText(
        '/event/push/alert/standard',
        JSON.stringify({ event_status: 'Critical', title_rule: 'nul', labels }),
        `integration_key=${integration_key}`,
      );
    expectInvalid(await push({ host: 'a\u0000b' }), 'labels.host');
    expectInvalid(await push({ host: '\ud800' }), 'labels.host');
    expectInvalid(await push({ 'ho\u0000st': 'web-1' }), 'labels."ho\\u0000st"');
    expect((await push({ host: 'web-1' })).status).toBe(200);
  });

  it('refuses them in a query and in a path', async () => {
    const query = await t.app.inject({ method: 'GET', url: '/schedule/ical/feed?token=a%00b' });
    expect([query.statusCode, query.json().error.code]).toEqual([400, 'InvalidParameter']);
    expect(query.json().error.message).toContain('parameter token ');
    const path = await t.app.inject({ method: 'GET', url: '/status/a%00b' });
    expect([path.statusCode, path.json().error.code]).toEqual([400, 'InvalidParameter']);
    expect(path.json().error.message).toContain('parameter urlName ');
  });

  it(`refuses JSON nested deeper than ${MAX_INPUT_DEPTH} levels, even in a free-form field`, async () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const body = (levels: number) =>
      `{"name":"deep","plugin_type":"alert.standard","settings":{"a":${deep(levels)}}}`;
    // 400,000 levels: JSON.stringify and PostgreSQL's jsonb parser would overflow their stacks.
    expectInvalid(await postText('/datasource/upsert', body(400_000)), 'settings');
    expectInvalid(await postText('/datasource/upsert', body(MAX_INPUT_DEPTH)), 'settings');
    const fits = await postText('/datasource/upsert', body(MAX_INPUT_DEPTH - 3));
    expect(fits.status, JSON.stringify(fits.body)).toBe(200);
  });
});

describe('numbers out of range', () => {
  it('refuses an id beyond 2^53 − 1, beyond int64, or with a fraction', async () => {
    expectInvalid(await postText('/channel/info', '{"channel_id": 9223372036854775808}'), 'channel_id');
    expectInvalid(await postText('/channel/info', '{"channel_id": 9007199254740992}'), 'channel_id');
    expectInvalid(await postText('/channel/infos', '{"channel_ids": [1, 1e300]}'), 'channel_ids[1]');
    expectInvalid(await postText('/member/info/reset', '{"member_id": 1.5}'), 'member_id');
    expectInvalid(await postText('/console/invite/create', '{"member_id": 1.5}'), 'member_id');
    // 1e400 is Infinity once parsed.
    expectInvalid(await postText('/team/info', '{"team_id": 1e400}'), 'team_id');
  });

  it('refuses them in a query', async () => {
    for (const page_id of ['1e308', '9223372036854775808', 'Infinity', 'NaN', '1.5']) {
      const res = await t.get('/status-page/info', { page_id }, owner.appKey);
      expectInvalid({ status: res.status, body: res.body }, 'page_id');
    }
  });

  it('refuses any other integer outside the safe range: pages, limits, times', async () => {
    const ctx = sampleContext(t, owner);
    const route = await ctx.alertIntegration();
    expectInvalid(
      await postText(
        '/route/upsert',
        `{"integration_id": ${route.integration_id}, "version": 9007199254740994}`,
      ),
      'version',
    );
    const { page_id } = await ctx.call('/status-page/create', {
      name: 'Times',
      url_name: ctx.unique('times'),
      type: 'public',
      date_view: 'list',
      display_uptime_mode: 'chart',
    });
    const list = await t.get(
      '/status-page/change/list',
      { page_id, type: 'incident', status: 'investigating', start_at_seconds: '100000000000000000000' },
      owner.appKey,
    );
    expectInvalid({ status: list.status, body: list.body }, 'start_at_seconds');
    expectInvalid(await postText('/member/list', '{"p": 9007199254740993}'), 'p');
  });
});
