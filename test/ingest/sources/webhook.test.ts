import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel } from '../helpers.ts';

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount();
});
afterAll(() => t.close());

/** A mapping for the payload below: a made-up monitoring tool's webhook. */
const MAPPING = {
  title: '{{$.check.name}} on {{$.host.name}}',
  alert_key: '$.incident.id',
  description: '$.message',
  status: '$.state',
  severity: '$.check.level',
  event_time: '$.timestamp',
  labels: { host: '$.host.name', env: '$.host.tags.env', first_tag: '$.check.tags[0]', missing: '$.nope' },
};

const payload = (state: string, level = 'critical') => ({
  incident: { id: 'inc-42' },
  state,
  timestamp: 1767603600,
  message: 'disk /var is 97% full',
  host: { name: 'db-1', tags: { env: 'prod' } },
  check: { name: 'disk usage', level, tags: ['storage', 'linux'] },
});

async function newWebhook(settings: Record<string, unknown> = MAPPING, account = owner) {
  const channelId = await newChannel(t, account);
  const res = await t.post(
    '/datasource/upsert',
    { name: 'my tool', plugin_type: 'alert.webhook', channel_id: channelId, settings },
    account.appKey,
  );
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return { id: res.body.data.integration_id as number, key: res.body.data.integration_key as string };
}

async function push(key: string, body: unknown, app: TestApp = t) {
  const raw = await app.app.inject({
    method: 'POST',
    url: `/event/push/alert/webhook?integration_key=${encodeURIComponent(key)}`,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  if (raw.statusCode === 200) await t.waitForApplied();
  return { status: raw.statusCode, body: raw.json() as any };
}

const alertsOf = (integrationId: number) =>
  t.db.q.selectFrom('alerts').selectAll().where('integration_id', '=', integrationId).execute();

describe('generic webhook with a mapping', () => {
  it('maps any JSON payload to an alert, and recovers it on a recovery status', async () => {
    const hook = await newWebhook();
    const res = await push(hook.key, payload('alerting'));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ alert_key: 'inc-42' });
    const [alert] = await alertsOf(hook.id);
    expect(alert).toMatchObject({
      alert_key: 'inc-42',
      title: 'disk usage on db-1',
      description: 'disk /var is 97% full',
      alert_status: 'Critical',
      start_time: 1767603600,
      end_time: 0,
    });
    expect(alert!.labels).toEqual({ host: 'db-1', env: 'prod', first_tag: 'storage' });
    expect((await push(hook.key, payload('RESOLVED'))).status).toBe(200);
    const [closed] = await alertsOf(hook.id);
    expect(closed).toMatchObject({ alert_status: 'Ok' });
    expect(closed!.end_time).toBeGreaterThan(0);
  });

  it('gives an unknown severity word the mapping default, and derives the key when none is mapped', async () => {
    const hook = await newWebhook({
      title: '$.check.name',
      severity: '$.check.level',
      default_severity: 'Info',
    });
    const res = await push(hook.key, payload('alerting', 'purple'));
    expect(res.status).toBe(200);
    expect(res.body.data.alert_key).toMatch(/^[0-9A-Za-z]{22}$/);
    const [alert] = await alertsOf(hook.id);
    expect(alert).toMatchObject({ title: 'disk usage', alert_status: 'Info' });
  });

  it('refuses a payload the mapping cannot title, and a non-object body, storing nothing', async () => {
    const hook = await newWebhook();
    const res = await push(hook.key, { something: 'else' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidParameter');
    expect(res.body.error.message).toContain('title');
    const scalar = await push(hook.key, 42);
    expect(scalar.status).toBe(400);
    expect(scalar.body.error.code).toBe('InvalidParameter');
    expect(await alertsOf(hook.id)).toEqual([]);
    const log = await t.db.q.selectFrom('ingest_log').selectAll().execute();
    expect(log).toEqual([]);
  });

  it('refuses unsafe or broken mappings naming the field', async () => {
    for (const [settings, field] of [
      [{}, 'settings.title'],
      [{ title: '$.items[?(@.x == 1)]' }, 'settings.title'],
      [{ title: '$.a', alert_key: '$..a..b' }, 'settings.alert_key'],
      [{ title: '$.a', labels: { host: '$[(@.length-1)]' } }, 'settings.labels.host'],
      [{ title: '$.a', labels: { host: 5 } }, 'settings.labels.host'],
      [{ title: '$.a', default_severity: 'Ok' }, 'settings.default_severity'],
      [{ title: 'x'.repeat(600) }, 'settings.title'],
    ] as const) {
      const res = await t.post(
        '/datasource/upsert',
        { name: 'bad', plugin_type: 'alert.webhook', settings },
        owner.appKey,
      );
      expect(res.status, JSON.stringify(settings)).toBe(400);
      expect(res.body.error?.code).toBe('InvalidParameter');
      expect(res.body.error?.message).toContain(field);
    }
  });

  it('previews the alert of a pasted payload without storing anything', async () => {
    const res = await t.post(
      '/datasource/webhook/preview',
      { settings: MAPPING, payload: payload('alerting') },
      owner.appKey,
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      alert: {
        alert_key: 'inc-42',
        title: 'disk usage on db-1',
        description: 'disk /var is 97% full',
        event_status: 'Critical',
        event_time: 1767603600,
        labels: { env: 'prod', first_tag: 'storage', host: 'db-1' },
      },
      warnings: [],
    });
    const bad = await t.post(
      '/datasource/webhook/preview',
      { settings: { title: '$.x' }, payload: {} },
      owner.appKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('title');
    const anonymous = await t.post(
      '/datasource/webhook/preview',
      { settings: MAPPING, payload: {} },
      undefined,
    );
    expect(anonymous.status).toBe(401);
  });

  it('maps a deep, wide payload with a recursive path in bounded time', async () => {
    const hook = await newWebhook({ title: '$..name', labels: { all: '$..*' } });
    let deep: Record<string, unknown> = { name: 'bottom' };
    // The API refuses JSON nested deeper than 32 levels: 25 levels, each with 1,000 small objects.
    for (let i = 0; i < 25; i++) {
      deep = { child: deep, list: Array.from({ length: 1000 }, (_, j) => ({ n: j, tags: ['a', 'b'] })) };
    }
    const started = Date.now();
    const res = await push(hook.key, { ...deep, name: 'top' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('applies the per-integration rate limit; another account cannot change the mapping', async () => {
    const hook = await newWebhook();
    const limited = await startTestApp({
      database: t.database,
      env: { RATE_LIMIT_INTEGRATION_PER_SECOND: '1' },
    });
    try {
      // Sent together, without waiting for the first to be applied: both fall in one second.
      const send = () =>
        limited.app.inject({
          method: 'POST',
          url: `/event/push/alert/webhook?integration_key=${hook.key}`,
          payload: payload('alerting'),
        });
      const answers = await Promise.all([send(), send(), send()]);
      await t.waitForApplied();
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 429, 429]);
      expect(answers.find((a) => a.statusCode === 429)!.json().error.code).toBe('RequestTooFrequently');
    } finally {
      await limited.close();
    }
    const foreign = await t.post(
      '/datasource/upsert',
      { integration_id: hook.id, name: 'x', plugin_type: 'alert.webhook', settings: { title: '$.x' } },
      other.appKey,
    );
    expect(foreign.body.error?.code).toBe('ResourceNotFound');
    const desc = await t.post('/datasource/desc', { integration_id: hook.id }, owner.appKey);
    expect(desc.body.data.settings[0].title).toBe(MAPPING.title);
    expect(desc.body.data.push_url).toContain('/event/push/alert/webhook?integration_key=');
  });
});
