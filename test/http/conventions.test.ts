import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp({
    extend(app) {
      app.post('/test/boom', async () => {
        throw new Error('connection string postgres://secret@db/internal failed');
      });
    },
  });
  owner = await t.newAccount();
});
afterAll(() => t.close());

const teamCount = async () => (await t.post('/team/list', {}, owner.appKey)).body.data.total as number;

describe('envelope and routing errors', () => {
  it('answers an unknown path with RouteNotFound 404, in the envelope, with the request id header', async () => {
    const res = await t.post('/no/such/thing', {}, owner.appKey);
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('RouteNotFound');
    expect(res.headers['flashcat-request-id']).toBe(res.body.request_id);
    expect(res.body).not.toHaveProperty('data');
  });

  it('answers a known path with the wrong method with MethodNotAllowed 405', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/member/info?app_key=${owner.appKey}` });
    expect(res.statusCode).toBe(405);
    expect(res.json().error.code).toBe('MethodNotAllowed');
  });

  it('refuses a body that is not JSON with InvalidContentType', async () => {
    const form = await t.app.inject({
      method: 'POST',
      url: `/team/upsert?app_key=${owner.appKey}`,
      payload: 'team_name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(400);
    expect(form.json().error.code).toBe('InvalidContentType');
    const broken = await t.app.inject({
      method: 'POST',
      url: `/team/upsert?app_key=${owner.appKey}`,
      payload: '{"team_name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('InvalidContentType');
    expect(await teamCount()).toBe(0);
  });

  it('refuses a 10 MB body with EntityTooLarge 413 and stores nothing', async () => {
    const res = await t.post(
      '/team/upsert',
      { team_name: 'big', description: 'x'.repeat(10 * 1024 * 1024) },
      owner.appKey,
    );
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe('EntityTooLarge');
    expect(await teamCount()).toBe(0);
  });

  it('takes an empty body, or none, as no parameters', async () => {
    const none = await t.app.inject({ method: 'POST', url: `/member/info?app_key=${owner.appKey}` });
    expect(none.statusCode).toBe(200);
    const empty = await t.app.inject({
      method: 'POST',
      url: `/member/info?app_key=${owner.appKey}`,
      payload: '',
      headers: { 'content-type': 'application/json' },
    });
    expect(empty.statusCode).toBe(200);
  });

  it('answers an unexpected failure with InternalError and no internals', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/test/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.json().error.code).toBe('InternalError');
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('postgres');
  });
});

describe('validation', () => {
  it('does not coerce types: a number for a string field is InvalidParameter naming the field', async () => {
    const res = await t.post('/team/upsert', { team_name: 5 }, owner.appKey);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'InvalidParameter' });
    expect(res.body.error?.message).toContain('team_name');
    expect(await teamCount()).toBe(0);
  });

  it('names missing fields, nested fields, over-long strings and unknown enum values', async () => {
    const missing = await t.post('/team/upsert', {}, owner.appKey);
    expect(missing.body.error?.message).toMatch(/team_name.*required/);
    const nested = await t.post(
      '/member/invite',
      { members: [{ member_name: 'Zed', email: 'not-an-email' }] },
      owner.appKey,
    );
    expect(nested.body.error?.message).toContain('members[0].email');
    const long = await t.post('/team/upsert', { team_name: 'x'.repeat(40) }, owner.appKey);
    expect(long.body.error?.message).toMatch(/team_name.*39/);
    const enumValue = await t.post('/member/list', { orderby: 'name' }, owner.appKey);
    expect(enumValue.body.error?.code).toBe('InvalidParameter');
    expect(enumValue.body.error?.message).toContain('orderby');
    const notObject = await t.post('/team/upsert', [1, 2], owner.appKey);
    expect(notObject.body.error?.code).toBe('InvalidParameter');
    expect(await teamCount()).toBe(0);
  });

  it('refuses pages beyond p × limit = 10,000', async () => {
    const res = await t.post('/member/list', { p: 101, limit: 100 }, owner.appKey);
    expect(res.status).toBe(400);
    expect(res.body.error?.message).toContain('p');
  });
});

describe('authentication and permissions', () => {
  it('refuses a missing, unknown or disabled app_key with Unauthorized 401', async () => {
    expect((await t.post('/member/info', {}, undefined)).body.error?.code).toBe('Unauthorized');
    expect((await t.post('/member/info', {}, 'f'.repeat(32))).status).toBe(401);

    const created = await t.post('/person/app-key/create', { key_name: 'temp' }, owner.appKey);
    const { key, key_id } = created.body.data;
    expect((await t.post('/member/info', {}, key)).status).toBe(200);
    await t.post('/person/app-key/disable', { key_id }, owner.appKey);
    expect((await t.post('/member/info', {}, key)).status).toBe(401);
    await t.post('/person/app-key/enable', { key_id }, owner.appKey);
    expect((await t.post('/member/info', {}, key)).status).toBe(200);
    await t.post('/person/app-key/delete', { key_id }, owner.appKey);
    expect((await t.post('/member/info', {}, key)).status).toBe(401);
  });

  it('stores keys hashed and never lists their secrets', async () => {
    const created = await t.post('/person/app-key/create', { key_name: 'ci' }, owner.appKey);
    const rows = await t.db.q.selectFrom('app_keys').select('key_hash').execute();
    expect(rows.map((r) => r.key_hash)).not.toContain(created.body.data.key);
    const list = await t.post('/person/app-key/list', {}, owner.appKey);
    expect(JSON.stringify(list.body)).not.toContain(created.body.data.key);
    expect(list.body.data.items.map((k: { key_name: string }) => k.key_name)).toContain('ci');
  });

  it('answers a member without the permission with AccessDenied 403 and changes nothing', async () => {
    const reader = await t.newMember(owner, [4]);
    expect((await t.post('/member/info', {}, reader.appKey)).status).toBe(200);
    const res = await t.post('/team/upsert', { team_name: 'readers' }, reader.appKey);
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('AccessDenied');
    expect(res.body.error?.message).toContain('Teams Manage');
    expect(await teamCount()).toBe(0);
    const invite = await t.post(
      '/member/invite',
      { members: [{ member_name: 'Eve', email: 'eve@example.com' }] },
      reader.appKey,
    );
    expect(invite.status).toBe(403);
  });

  it('locks out a deleted member at once', async () => {
    const member = await t.newMember(owner, [3]);
    expect((await t.post('/member/info', {}, member.appKey)).status).toBe(200);
    expect((await t.post('/member/delete', { member_id: member.memberId }, owner.appKey)).status).toBe(200);
    expect((await t.post('/member/info', {}, member.appKey)).status).toBe(401);
  });
});

describe('service endpoints', () => {
  it('serves /healthz, the OpenAPI document and the reference page', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({ data: { status: 'ok' } });
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/member/info', '/team/upsert', '/person/app-key/create']),
    );
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });
});
