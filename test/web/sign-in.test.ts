import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newSource, push } from '../incidents/read-helpers.ts';
import { consoleCall, cookiePair, emailOf, PASSWORD, setCookieOf, setPassword, signIn } from './helpers.ts';

/*
 * Console sign-in over HTTP (docs/console.md): passwords, session cookies, the CSRF header, the
 * session standing for the member on the Open API with exactly their permissions, slowing down
 * repeated failures, invite links, and the page served for browser routes.
 */

let t: TestApp;
let owner: TestAccount;
let ownerEmail: string;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  ownerEmail = await emailOf(t, owner);
  await setPassword(t, ownerEmail);
});
afterAll(async () => {
  await t.close();
});

describe('console sign-in', () => {
  it('signs in with e-mail and password, in an http-only SameSite cookie, and the session calls the Open API', async () => {
    const res = await signIn(t, ownerEmail.toUpperCase());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toMatchObject({ account_id: owner.accountId, member_id: owner.memberId });
    expect(res.body.data.csrf_token).toMatch(/^[\w-]{40,}$/);
    const flags = res.session!.setCookie.split('; ');
    expect(flags).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/']));
    expect(flags).not.toContain('Secure'); // plain http here
    // The cookie holds a secret of which only a digest is stored.
    const secret = cookiePair(res.session!.setCookie).split('=')[1]!;
    const stored = await t.db.q.selectFrom('console_sessions').select('session_hash').execute();
    expect(stored.map((s) => s.session_hash)).not.toContain(secret);

    const info = await consoleCall(t, '/member/info', {}, res.session!);
    expect(info.status, JSON.stringify(info.body)).toBe(200);
    expect(info.body.data).toMatchObject({ member_id: owner.memberId, account_id: owner.accountId });

    const current = await t.app.inject({
      method: 'GET',
      url: '/console/session',
      headers: { cookie: res.session!.cookie },
    });
    expect(current.statusCode).toBe(200);
    expect(current.json().data.csrf_token).toBe(res.session!.csrf);
  });

  it('refuses a session call without the CSRF header, or with another session’s token', async () => {
    const a = (await signIn(t, ownerEmail)).session!;
    const b = (await signIn(t, ownerEmail)).session!;
    const missing = await consoleCall(t, '/member/info', {}, { cookie: a.cookie });
    expect(missing.status).toBe(403);
    expect(missing.body.error).toMatchObject({ code: 'AccessDenied' });
    expect(missing.body.error.message).toContain('X-CSRF-Token');
    const crossed = await consoleCall(t, '/member/info', {}, { cookie: a.cookie, csrf: b.csrf });
    expect(crossed.status).toBe(403);
    // An app_key call is untouched by a cookie the caller happens to carry.
    const keyed = await t.app.inject({
      method: 'POST',
      url: `/member/info?app_key=${owner.appKey}`,
      payload: {},
      headers: { 'content-type': 'application/json', cookie: a.cookie },
    });
    expect(keyed.statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown e-mail alike, in words', async () => {
    const wrong = await signIn(t, ownerEmail, 'not the password', { 'x-forwarded-for': '10.0.0.1' });
    const unknown = await signIn(t, 'nobody@example.com', PASSWORD);
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toEqual({
        code: 'Unauthorized',
        message: 'You are unauthorized: the e-mail or the password is wrong.',
      });
      expect(res.raw.headers['set-cookie']).toBeUndefined();
    }
    const noSession = await consoleCall(t, '/member/info', {}, { cookie: 'vigil_session=forged', csrf: 'x' });
    expect(noSession.status).toBe(401);
    const missingField = await t.app.inject({
      method: 'POST',
      url: '/console/sign-in',
      payload: { email: ownerEmail },
      headers: { 'content-type': 'application/json' },
    });
    expect(missingField.statusCode).toBe(400);
    expect(missingField.json().error.message).toContain('password');
  });

  it('slows down repeated failures per e-mail: after five, even the right password waits', async () => {
    const account = await t.newAccount();
    const email = await emailOf(t, account);
    await setPassword(t, email);
    // A success clears the count of earlier failures.
    for (let i = 0; i < 4; i++) expect((await signIn(t, email, `wrong password ${i}`)).status).toBe(401);
    expect((await signIn(t, email)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await signIn(t, email, `wrong password ${i}`)).status).toBe(401);
    const blocked = await signIn(t, email);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RequestTooFrequently');
    expect(blocked.body.error.message).toMatch(/Too many failed sign-ins: try again in \d+ minute/);
    expect(Number(blocked.raw.headers['retry-after'])).toBeGreaterThan(60);
    // Other members are not locked out by it.
    expect((await signIn(t, ownerEmail)).status).toBe(200);
  });

  it('slows down many failures from one address, whatever the e-mails', async () => {
    // Its own instance: its counts are its own, so this address stays usable for the other tests.
    const other = await startTestApp({ database: t.database });
    try {
      for (let i = 0; i < 50; i++)
        expect((await signIn(other, `guess${i}@example.com`, 'password guess')).status).toBe(401);
      const blocked = await signIn(other, ownerEmail);
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.code).toBe('RequestTooFrequently');
    } finally {
      await other.app.close();
    }
  });

  it('gives the session exactly the member’s permissions: a read-only member reads but cannot act', async () => {
    const readOnly = await t.newMember(owner, [4], 'Reader');
    const email = (
      await t.db.q
        .selectFrom('members')
        .select('email')
        .where('member_id', '=', readOnly.memberId)
        .executeTakeFirstOrThrow()
    ).email;
    await setPassword(t, email);
    const session = (await signIn(t, email)).session!;
    const source = await newSource(t, owner);
    const { incidentId } = await push(t, source);

    const read = await consoleCall(t, '/incident/info', { incident_id: incidentId }, session);
    expect(read.status).toBe(200);
    const viaSession = await consoleCall(t, '/incident/ack', { incident_ids: [incidentId] }, session);
    const viaKey = await t.post('/incident/ack', { incident_ids: [incidentId] }, readOnly.appKey);
    expect(viaSession.status).toBe(403);
    expect(viaSession.body.error).toEqual(viaKey.body.error);

    const ownerSession = (await signIn(t, ownerEmail)).session!;
    const ack = await consoleCall(t, '/incident/ack', { incident_ids: [incidentId] }, ownerSession);
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    const feed = await t.post('/incident/feed', { incident_id: incidentId }, owner.appKey);
    expect(feed.body.data.items.find((e: any) => e.type === 'i_ack')).toMatchObject({
      creator_id: owner.memberId,
    });
  });

  it('signs out: the cookie is cleared and the session no longer works', async () => {
    const session = (await signIn(t, ownerEmail)).session!;
    const refused = await t.app.inject({
      method: 'POST',
      url: '/console/sign-out',
      headers: { cookie: session.cookie },
    });
    expect(refused.statusCode).toBe(403); // another site cannot sign the member out
    const out = await consoleCall(t, '/console/sign-out', {}, session);
    expect(out.status).toBe(200);
    expect(setCookieOf(out.raw)).toContain('Max-Age=0');
    expect((await consoleCall(t, '/member/info', {}, session)).status).toBe(401);
  });

  it('ends every session of a member whose password changes', async () => {
    const account = await t.newAccount();
    const email = await emailOf(t, account);
    await setPassword(t, email);
    const session = (await signIn(t, email)).session!;
    expect((await consoleCall(t, '/member/info', {}, session)).status).toBe(200);
    await setPassword(t, email, 'another long password');
    expect((await consoleCall(t, '/member/info', {}, session)).status).toBe(401);
    expect((await signIn(t, email)).status).toBe(401);
    expect((await signIn(t, email, 'another long password')).status).toBe(200);
  });

  it('expires a session a week after its last use', async () => {
    const session = (await signIn(t, ownerEmail)).session!;
    t.clock.advance(6 * 24 * 3600 * 1000);
    expect((await consoleCall(t, '/member/info', {}, session)).status).toBe(200); // use extends it
    t.clock.advance(6 * 24 * 3600 * 1000);
    expect((await consoleCall(t, '/member/info', {}, session)).status).toBe(200);
    t.clock.advance(8 * 24 * 3600 * 1000);
    expect((await consoleCall(t, '/member/info', {}, session)).status).toBe(401);
    // The next sign-in clears the member's ended sessions.
    await signIn(t, ownerEmail);
    const live = await t.db.q
      .selectFrom('console_sessions')
      .select('expires_at')
      .where('member_id', '=', owner.memberId)
      .execute();
    expect(live.every((row) => row.expires_at > t.clock.nowMs() / 1000)).toBe(true);
  });

  it('marks the cookie Secure when the console is served over https', async () => {
    const secure = await startTestApp({
      env: { PUBLIC_URL: 'https://vigil.example.com' },
      database: t.database,
    });
    try {
      const res = await signIn(secure, ownerEmail);
      expect(res.session!.setCookie.split('; ')).toContain('Secure');
    } finally {
      await secure.app.close();
    }
  });
});

describe('vigil member set-password', () => {
  it('refuses short passwords and unknown e-mails, and asks for the account when an e-mail repeats', async () => {
    await expect(setPassword(t, ownerEmail, 'short')).rejects.toThrow(
      /password is not valid: a password needs at least 10/,
    );
    await expect(setPassword(t, 'ghost@example.com')).rejects.toThrow(/not found/);
    const other = await t.newAccount();
    await t.post(
      '/member/invite',
      { members: [{ member_name: 'Twin', email: 'twin@example.com' }] },
      owner.appKey,
    );
    await t.post(
      '/member/invite',
      { members: [{ member_name: 'Twin', email: 'twin@example.com' }] },
      other.appKey,
    );
    await expect(setPassword(t, 'twin@example.com')).rejects.toThrow(/account_id is not valid/);
    const set = await setPassword(t, 'twin@example.com', PASSWORD, other.accountId);
    expect(set).toMatchObject({ account_id: other.accountId });
    expect((await signIn(t, 'twin@example.com')).body.data.account_id).toBe(other.accountId);
  });
});

describe('invite links', () => {
  it('lets an invited member set a password once, and signs them in', async () => {
    const invited = await t.post(
      '/member/invite',
      { members: [{ member_name: 'Newcomer', email: 'newcomer@example.com', role_ids: [3] }] },
      owner.appKey,
    );
    const memberId = invited.body.data.items[0].member_id;
    const link = await t.post('/console/invite/create', { member_id: memberId }, owner.appKey);
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    const url: string = link.body.data.invite_url;
    expect(url.startsWith(`${t.config.publicUrl}/invite/`)).toBe(true);
    const token = url.split('/invite/')[1]!;

    const post = (path: string, payload: object) =>
      t.app.inject({ method: 'POST', url: path, payload, headers: { 'content-type': 'application/json' } });
    const info = await post('/console/invite/info', { token });
    expect(info.json().data).toMatchObject({ member_name: 'Newcomer', email: 'newcomer@example.com' });
    const short = await post('/console/invite/accept', { token, password: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.message).toContain('parameter password');
    const accepted = await post('/console/invite/accept', { token, password: PASSWORD });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().data.member_id).toBe(memberId);
    const session = { cookie: cookiePair(setCookieOf(accepted)), csrf: accepted.json().data.csrf_token };
    expect((await consoleCall(t, '/member/info', {}, session)).body.data.member_name).toBe('Newcomer');

    const again = await post('/console/invite/accept', { token, password: 'another long password' });
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe('ResourceNotFound');
    expect((await signIn(t, 'newcomer@example.com')).status).toBe(200);
  });

  it('needs Members Manage to create a link, and a member of the same account', async () => {
    const responder = await t.newMember(owner, [3]);
    const refused = await t.post('/console/invite/create', { member_id: owner.memberId }, responder.appKey);
    expect(refused.status).toBe(403);
    const other = await t.newAccount();
    const foreign = await t.post('/console/invite/create', { member_id: other.memberId }, owner.appKey);
    expect(foreign.status).toBe(400);
    expect(foreign.body.error?.code).toBe('ResourceNotFound');
  });
});

describe('console pages', () => {
  const get = (url: string, accept: string) => t.app.inject({ method: 'GET', url, headers: { accept } });
  const html = 'text/html,application/xhtml+xml';

  it('answers a browser’s GET of a console route with the page, and API clients with the API’s errors', async () => {
    for (const url of ['/', '/incidents', `/incident/detail/${'a'.repeat(24)}`, '/sign-in']) {
      const page = await get(url, html);
      expect([200, 503]).toContain(page.statusCode); // 503: the bundle is not built
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    const methodless = await get('/incident/list', html); // a POST route of the Open API
    expect(methodless.json().error.code).toBe('MethodNotAllowed');
    for (const url of ['/status/no-such-page/x', '/console/nothing', '/assets/missing.js', '/docs/x/y']) {
      expect((await get(url, html)).headers['content-type']).not.toContain('text/html');
    }
    const json = await get('/incident/detail/abc', 'application/json');
    expect(json.statusCode).toBe(404);
    expect(json.json().error.code).toBe('RouteNotFound');
    expect((await get('/healthz', html)).json().data.status).toBe('ok');
  });
});
