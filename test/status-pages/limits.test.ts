import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONFIRMATIONS_PER_DAY } from '../../src/status-pages/subscribers.service.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newComponents, newPage, ok } from './helpers.ts';
import { linkIn, SmtpSink } from './smtp.ts';

/*
 * Abuse limits: the per-operation rate limits of subscriber import and export (Flashduty's 20 and
 * 10 a minute), and the cap on confirmation mails the public subscribe form sends to one address.
 */

let limited: TestApp;
let open: TestApp;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await SmtpSink.start();
  // Account limits on (as in production), generous enough not to be the ones that refuse.
  limited = await startTestApp({
    env: { RATE_LIMIT_ACCOUNT_PER_SECOND: '50', RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000' },
  });
  open = await startTestApp({ env: { SMTP_URL: smtp.url }, database: limited.database });
});
afterAll(async () => {
  await open.close();
  await limited.close();
  await smtp.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Rate limits count real time: a fake Date moves their windows without waiting. */
function startFakeTime(): (ms: number) => void {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 5, 1, 12, 0, 0) });
  return (ms) => vi.setSystemTime(Date.now() + ms);
}

const importOne = (t: TestApp, owner: TestAccount, pageId: number, n: number) =>
  t.post(
    '/status-page/subscriber/import',
    { page_id: pageId, method: 'email', subscribers: [{ recipient: `r${n}@example.com` }] },
    owner.appKey,
  );

function refusedTooFrequently(res: { status: number; headers: Record<string, unknown>; body: any }) {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('RequestTooFrequently');
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
}

describe('subscriber import and export rate limits', () => {
  it('lets an account import 2 times a second and 20 times a minute', async () => {
    const owner = await limited.newAccount();
    const other = await limited.newAccount();
    const { pageId } = await newPage(limited, owner);
    const { pageId: otherPage } = await newPage(limited, other);
    const advance = startFakeTime();

    ok(await importOne(limited, owner, pageId, 1));
    const second = await importOne(limited, owner, pageId, 2);
    ok(second);
    expect(second.headers['x-ratelimit-remaining']).toBe('0');
    refusedTooFrequently(await importOne(limited, owner, pageId, 3));
    // Another account has its own count.
    ok(await importOne(limited, other, otherPage, 1));

    // 20 in the minute: two a second for the next 9 seconds, then the minute window refuses.
    for (let s = 0; s < 9; s++) {
      advance(1_001);
      ok(await importOne(limited, owner, pageId, 10 + 2 * s));
      ok(await importOne(limited, owner, pageId, 11 + 2 * s));
    }
    advance(1_001);
    refusedTooFrequently(await importOne(limited, owner, pageId, 99));
    advance(60_000);
    ok(await importOne(limited, owner, pageId, 100));
    // Refused calls imported nothing.
    const listed = ok(
      await limited.get('/status-page/subscriber/list', { page_id: pageId, limit: 100 }, owner.appKey),
    );
    expect(listed.total).toBe(21);
  });

  it('lets an account export once a second and 10 times a minute', async () => {
    const owner = await limited.newAccount();
    const { pageId } = await newPage(limited, owner);
    const exportCsv = () => limited.post('/status-page/subscriber/export', { page_id: pageId }, owner.appKey);
    const advance = startFakeTime();

    expect(ok(await exportCsv())).toMatch(/^Method,Recipient/);
    refusedTooFrequently(await exportCsv());
    for (let i = 0; i < 9; i++) {
      advance(1_001);
      ok(await exportCsv());
    }
    advance(1_001);
    refusedTooFrequently(await exportCsv());
    advance(60_000);
    ok(await exportCsv());
  });

  it('are off where account limits are off', async () => {
    const owner = await open.newAccount();
    const { pageId } = await newPage(open, owner);
    for (let i = 0; i < 5; i++) ok(await importOne(open, owner, pageId, i));
    for (let i = 0; i < 3; i++)
      ok(await open.post('/status-page/subscriber/export', { page_id: pageId }, owner.appKey));
  });
});

describe('confirmation mails from the public subscribe form', () => {
  const subscribe = (urlName: string, email: string) =>
    open.app.inject({
      method: 'POST',
      url: `/status/${urlName}/subscribe`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${encodeURIComponent(email)}`,
    });

  it(`sends an address at most ${CONFIRMATIONS_PER_DAY} a day per page, answering the same either way`, async () => {
    const owner = await open.newAccount();
    const { pageId, urlName } = await newPage(open, owner, { name: 'Capped' });
    await newComponents(open, owner, pageId, ['API']);
    const { urlName: otherPage } = await newPage(open, owner, { name: 'Other' });
    const address = 'target@example.com';

    // The address written differently is the same address.
    const spellings = [address, 'Target@Example.com', 'TARGET@example.com', ' target@example.com ', address];
    for (const spelling of spellings) {
      const res = await subscribe(urlName, spelling);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Check your inbox');
    }
    await open.statusPages.runOnce();
    const mails = () => smtp.mails.filter((m) => m.headers.subject?.includes('Capped status'));
    expect(mails()).toHaveLength(CONFIRMATIONS_PER_DAY);

    // Another page counts apart.
    expect((await subscribe(otherPage, address)).statusCode).toBe(200);
    await open.statusPages.runOnce();
    expect(smtp.to(address).filter((m) => m.headers.subject?.includes('Other status'))).toHaveLength(1);

    // A day after the first, the address may be sent a link again.
    open.clock.advance(86_400_000);
    expect((await subscribe(urlName, address)).statusCode).toBe(200);
    await open.statusPages.runOnce();
    expect(mails()).toHaveLength(CONFIRMATIONS_PER_DAY + 1);
  });

  it('keeps the earlier link valid when a submission is refused', async () => {
    const owner = await open.newAccount();
    const { pageId, urlName } = await newPage(open, owner, { name: 'Kept' });
    const address = 'kept@example.com';
    for (let i = 0; i <= CONFIRMATIONS_PER_DAY; i++) await subscribe(urlName, address);
    await open.statusPages.runOnce();
    const sent = smtp.to(address);
    expect(sent).toHaveLength(CONFIRMATIONS_PER_DAY);
    // Each link sent replaced the one before; the refused submission replaced none, so the newest
    // link sent still confirms (mails may arrive in any order: exactly one of them works).
    const outcomes: number[] = [];
    for (const mail of sent) {
      const link = new URL(linkIn(mail, '/subscribe/confirm?token='));
      outcomes.push(
        (await open.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` })).statusCode,
      );
    }
    expect(outcomes.filter((code) => code === 200)).toHaveLength(1);
    const listed = ok(await open.get('/status-page/subscriber/list', { page_id: pageId }, owner.appKey));
    expect(listed.items[0].status).toBe('active');
  });
});
