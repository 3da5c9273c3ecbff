import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { MailServer } from '../notifications/helpers.ts';
import { consoleCall, emailOf, PASSWORD, setPassword, signIn } from './helpers.ts';

/*
 * The console's account set-up endpoints (docs/console.md): POST /console/password/change (the
 * signed-in member proves the current password, the new one follows the rule, their other
 * sessions end and this one stays), and invite links e-mailed when SMTP is configured.
 */

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

const NEW_PASSWORD = 'a brand new passphrase';

describe('changing one’s password', () => {
  it('checks the current password and the rule, ends the other sessions and keeps this one', async () => {
    const owner = await t.newAccount();
    const email = await emailOf(t, owner);
    await setPassword(t, email);
    const here = (await signIn(t, email)).session!;
    const elsewhere = (await signIn(t, email)).session!;

    const wrong = await consoleCall(
      t,
      '/console/password/change',
      { current_password: 'not my password', new_password: NEW_PASSWORD },
      here,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'InvalidParameter' });
    expect(wrong.body.error.message).toContain('current_password');

    const short = await consoleCall(
      t,
      '/console/password/change',
      { current_password: PASSWORD, new_password: 'short' },
      here,
    );
    expect(short.status).toBe(400);
    expect(short.body.error.message).toContain('new_password');

    const noCsrf = await consoleCall(
      t,
      '/console/password/change',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      { cookie: here.cookie },
    );
    expect(noCsrf.status).toBe(403);

    const ok = await consoleCall(
      t,
      '/console/password/change',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      here,
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);

    expect((await consoleCall(t, '/member/info', {}, here)).status).toBe(200);
    expect((await consoleCall(t, '/member/info', {}, elsewhere)).status).toBe(401);
    expect((await signIn(t, email)).status).toBe(401);
    expect((await signIn(t, email, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a call without a session', async () => {
    const raw = await t.app.inject({
      method: 'POST',
      url: '/console/password/change',
      payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.statusCode).toBe(401);
  });

  it('slows down guessing the current password', async () => {
    const owner = await t.newAccount();
    const email = await emailOf(t, owner);
    await setPassword(t, email);
    const session = (await signIn(t, email)).session!;
    for (let i = 0; i < 5; i++) {
      const res = await consoleCall(
        t,
        '/console/password/change',
        { current_password: `guess number ${i}`, new_password: NEW_PASSWORD },
        session,
      );
      expect(res.status).toBe(400);
    }
    const blocked = await consoleCall(
      t,
      '/console/password/change',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      session,
    );
    expect(blocked.status).toBe(429);
  });
});

describe('invite e-mails', () => {
  it('says the link was not e-mailed when SMTP is off', async () => {
    const owner = await t.newAccount();
    const invited = await t.post(
      '/member/invite',
      { members: [{ member_name: 'Nomail Person', email: 'nomail@example.com' }] },
      owner.appKey,
    );
    const link = await t.post(
      '/console/invite/create',
      { member_id: invited.body.data.items[0].member_id },
      owner.appKey,
    );
    expect(link.status, JSON.stringify(link.body)).toBe(200);
    expect(link.body.data).toMatchObject({ emailed_to: '', email_error: '' });
  });

  it('e-mails the link to the member through the configured SMTP server', async () => {
    const mail = await MailServer.start();
    const withSmtp = await startTestApp({
      env: { SMTP_URL: mail.url, SMTP_FROM: 'Vigil <vigil@example.com>' },
    });
    try {
      const owner = await withSmtp.newAccount('Acme Ops');
      const invited = await withSmtp.post(
        '/member/invite',
        {
          members: [
            { member_name: 'Mailed Person', email: 'mailed@example.com' },
            { member_name: 'Refused Person', email: 'refused@example.com' },
            { member_name: 'Phone Person', phone: '5550100', country_code: '1' },
          ],
        },
        owner.appKey,
      );
      const [mailed, refused, phoneOnly] = invited.body.data.items;

      const link = await withSmtp.post(
        '/console/invite/create',
        { member_id: mailed.member_id },
        owner.appKey,
      );
      expect(link.status, JSON.stringify(link.body)).toBe(200);
      expect(link.body.data).toMatchObject({ emailed_to: 'mailed@example.com', email_error: '' });
      expect(mail.mails).toHaveLength(1);
      expect(mail.mails[0]!.to).toEqual(['mailed@example.com']);
      expect(mail.mails[0]!.from).toBe('vigil@example.com');
      const body = mail.mails[0]!.data.replaceAll('=\r\n', '');
      expect(body).toContain('Subject: You are invited to Acme Ops on Vigil');
      expect(body).toContain(link.body.data.invite_url);

      mail.refuse.set('refused@example.com', 550);
      const bounced = await withSmtp.post(
        '/console/invite/create',
        { member_id: refused.member_id },
        owner.appKey,
      );
      expect(bounced.status).toBe(200);
      expect(bounced.body.data.emailed_to).toBe('');
      expect(bounced.body.data.email_error).toContain('refused@example.com');

      const noAddress = await withSmtp.post(
        '/console/invite/create',
        { member_id: phoneOnly.member_id },
        owner.appKey,
      );
      expect(noAddress.body.data).toMatchObject({
        emailed_to: '',
        email_error: 'the member has no e-mail address',
      });
      expect(mail.mails).toHaveLength(1);
    } finally {
      await withSmtp.close();
      await mail.close();
    }
  });
});
