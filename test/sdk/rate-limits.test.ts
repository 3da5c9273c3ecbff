import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';

/*
 * What the Go SDK's heaviest calls ask of the per-account limit (docs/conformance.md, "Rate
 * limits and the SDK"), at Vigil's defaults, which are Flashduty's documented ones (50 requests a
 * second and 1,000 a minute per account). ListIncidents sends /incident/list, then one
 * /incident/alert/list per incident, all at once (errgroup without a bound), then /person/infos and
 * /channel/infos: limit + 3 requests in a burst.
 */

let t: TestApp;
let account: TestAccount;

beforeAll(async () => {
  t = await startTestApp({
    env: { RATE_LIMIT_ACCOUNT_PER_SECOND: '50', RATE_LIMIT_ACCOUNT_PER_MINUTE: '1000' },
  });
  account = await t.newAccount('Burst');
});
afterAll(() => t?.close());

const ID = '0123456789abcdef01234567';

/** The requests of one ListIncidents call of `limit` incidents, sent together as the SDK does. */
function listIncidentsBurst(limit: number) {
  return Promise.all([
    t.post('/incident/list', { p: 1, limit, start_time: 1, end_time: 2 }, account.appKey),
    ...Array.from({ length: limit }, () =>
      t.post('/incident/alert/list', { incident_id: ID, p: 1, limit: 1 }, account.appKey),
    ),
    t.post('/person/infos', { person_ids: [account.memberId] }, account.appKey),
    t.post('/channel/infos', { channel_ids: [1] }, account.appKey),
  ]);
}

describe('the SDK against the default per-account limit', () => {
  it('ListIncidents at its default page (20 incidents, 23 requests) is never refused', async () => {
    const answers = await listIncidentsBurst(20);
    expect(answers).toHaveLength(23);
    expect(answers.filter((r) => r.status === 429)).toEqual([]);
  });

  it('ListIncidents at 100 incidents (103 requests at once) meets 429 with Retry-After, as at Flashduty', async () => {
    const answers = await listIncidentsBurst(100);
    const refused = answers.filter((r) => r.status === 429);
    // However the burst straddles a window, at least 103 − 2 × 50 requests are refused.
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused[0]!.body.error?.code).toBe('RequestTooFrequently');
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});
