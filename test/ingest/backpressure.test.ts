import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration } from './helpers.ts';

/*
 * The backlog's bound (docs/ingest.md, "Backpressure"): an instance that only accepts
 * (INGEST_APPLY_WORKERS=0) fills the log up to INGEST_BACKLOG_MAX_EVENTS, then pushes answer 429
 * with Retry-After; once another instance applies, every event that got 200 is applied, once.
 */

let accepting: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  accepting = await startTestApp({
    env: { INGEST_APPLY_WORKERS: '0', INGEST_BACKLOG_MAX_EVENTS: '5', INGEST_BACKLOG_MAX_AGE_SECONDS: '60' },
  });
  owner = await accepting.newAccount();
});
afterAll(() => accepting.close());

async function push(t: TestApp, key: string, alertKey: string) {
  const raw = await t.app.inject({
    method: 'POST',
    url: `/event/push/alert/standard?integration_key=${key}`,
    payload: { event_status: 'Critical', title_rule: `down ${alertKey}`, alert_key: alertKey },
  });
  return { status: raw.statusCode, headers: raw.headers, body: raw.json() };
}

async function metric(t: TestApp, name: string): Promise<number> {
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

describe('a backlog over its bound', () => {
  it('answers 429 with Retry-After, and every event that got 200 is applied once', async () => {
    const channelId = await newChannel(accepting, owner);
    const { integrationId, key } = await newIntegration(accepting, owner, 'alert.standard', channelId);
    const answers = [];
    for (let i = 0; i < 8; i++) answers.push(await push(accepting, key, `k${i}`));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = answers[5]!;
    expect(refused.body.error.code).toBe('RequestTooFrequently');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(await metric(accepting, 'vigil_ingest_backlog_events')).toBe(5);
    expect(await metric(accepting, 'vigil_ingest_pushes_refused_total')).toBe(3);

    // A second instance on the same database applies what the first accepted.
    const applying = await startTestApp({ database: accepting.database });
    try {
      await applying.waitForApplied();
      const alerts = await applying.db.q
        .selectFrom('alerts')
        .select(['alert_key', 'event_cnt'])
        .where('integration_id', '=', integrationId)
        .orderBy('alert_key')
        .execute();
      expect(alerts).toEqual([0, 1, 2, 3, 4].map((i) => ({ alert_key: `k${i}`, event_cnt: 1 })));
      expect(await metric(applying, 'vigil_ingest_events_applied_total')).toBe(5);
      expect(await metric(accepting, 'vigil_ingest_backlog_events')).toBe(0);
    } finally {
      await applying.close();
    }
    // Room again.
    expect((await push(accepting, key, 'k5')).status).toBe(200);
  });

  it('refuses while the oldest waiting event is older than INGEST_BACKLOG_MAX_AGE_SECONDS', async () => {
    await accepting.db.q.deleteFrom('ingest_log').execute();
    const channelId = await newChannel(accepting, owner);
    const { key } = await newIntegration(accepting, owner, 'alert.standard', channelId);
    expect((await push(accepting, key, 'old')).status).toBe(200);
    accepting.clock.advance(61_000);
    const late = await push(accepting, key, 'late');
    expect(late.status).toBe(429);
    expect(await metric(accepting, 'vigil_ingest_backlog_oldest_age_seconds')).toBeGreaterThan(60);
  });
});

describe('GET /metrics', () => {
  it('reports HTTP requests by route pattern in Prometheus text format', async () => {
    const res = await accepting.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /vigil_http_requests_total\{method="POST",route="\/event\/push\/alert\/standard",status="200"\} \d+/,
    );
    expect(res.body).toContain('vigil_http_request_duration_seconds_bucket');
    expect(res.body).toMatch(/vigil_ingest_events_accepted_total\{integration_type="alert.standard"\} \d+/);
    // Never a key from a request.
    expect(res.body).not.toContain('integration_key');
  });
});
