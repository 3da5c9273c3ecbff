import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.ts';

const started: TestApp[] = [];
const redisClients: Redis[] = [];
afterAll(async () => {
  for (const t of started.reverse()) await t.close();
  for (const r of redisClients) r.disconnect();
});

describe('per-account rate limit', () => {
  it('answers 429 RequestTooFrequently with Retry-After and X-RateLimit headers, per account', async () => {
    const t = await startTestApp({
      env: { RATE_LIMIT_ACCOUNT_PER_SECOND: '3', RATE_LIMIT_ACCOUNT_PER_MINUTE: '100' },
    });
    started.push(t);
    const a = await t.newAccount();
    const b = await t.newAccount();
    // Sent together, so all four land in one one-second window however slow the machine is.
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => t.post('/member/info', {}, a.appKey)),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 429]);
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.body.error?.code).toBe('RequestTooFrequently');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(refused.headers['x-ratelimit-reset'])).toBeGreaterThanOrEqual(
      Math.floor(Date.now() / 1000),
    );
    expect(
      responses
        .filter((r) => r.status === 200)
        .map((r) => r.headers['x-ratelimit-remaining'])
        .sort(),
    ).toEqual(['0', '1', '2']);
    // Another account has its own budget.
    expect((await t.post('/member/info', {}, b.appKey)).status).toBe(200);
  });

  it('turns a window off with 0', async () => {
    const t = await startTestApp({
      env: { RATE_LIMIT_ACCOUNT_PER_SECOND: '0', RATE_LIMIT_ACCOUNT_PER_MINUTE: '0' },
    });
    started.push(t);
    const a = await t.newAccount();
    const responses = await Promise.all(
      Array.from({ length: 60 }, () => t.post('/member/info', {}, a.appKey)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(responses[0]!.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('counts the per-minute window too', async () => {
    const t = await startTestApp({
      env: { RATE_LIMIT_ACCOUNT_PER_SECOND: '0', RATE_LIMIT_ACCOUNT_PER_MINUTE: '5' },
    });
    started.push(t);
    const a = await t.newAccount();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.post('/member/info', {}, a.appKey)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

// CI sets TEST_REDIS_URL (and fails if Redis does not answer); a developer without Redis skips this block.
describe.runIf(redisUrl)('per-account rate limit shared through Redis', () => {
  it('shares one budget between two instances on one database', async () => {
    const redisA = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    const redisB = new Redis(redisUrl!, { maxRetriesPerRequest: 1 });
    redisClients.push(redisA, redisB);
    await redisA.ping();
    const env = { RATE_LIMIT_ACCOUNT_PER_SECOND: '0', RATE_LIMIT_ACCOUNT_PER_MINUTE: '4' };
    const first = await startTestApp({ env, redis: redisA });
    started.push(first);
    const second = await startTestApp({ env, redis: redisB, database: first.database });
    started.push(second);
    const account = await first.newAccount();
    const statuses = [
      (await first.post('/member/info', {}, account.appKey)).status,
      (await second.post('/member/info', {}, account.appKey)).status,
      (await first.post('/member/info', {}, account.appKey)).status,
      (await second.post('/member/info', {}, account.appKey)).status,
      (await first.post('/member/info', {}, account.appKey)).status,
      (await second.post('/member/info', {}, account.appKey)).status,
    ];
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const keys = await redisA.keys(`vigil:rl:account:60*${account.accountId}`);
    expect(keys.length).toBe(1);
  });
});
