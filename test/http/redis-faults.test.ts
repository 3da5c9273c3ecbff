import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVigil, type Server, startVigil } from '../cli/processes.ts';
import { createPostgres, type OwnPostgres, type OwnRedis, startRedis } from '../db/own-servers.ts';

/*
 * A frozen Redis (SIGSTOP: connections stay open, nothing answers) must cost pushes and app-key
 * calls no more than REDIS_COMMAND_TIMEOUT_MS, with the rate limits counted in memory meanwhile, as
 * when Redis is down (docs/engine.md, "Redis faults"). Against a redis-server this file starts, and
 * a PostgreSQL of its own (quicker for a child process to open than a PGlite directory).
 */

let redis: OwnRedis;
let postgres: OwnPostgres;
let server: Server | undefined;
const clients: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
  postgres = await createPostgres();
  await postgres.start();
});

afterAll(async () => {
  try {
    redis?.thaw();
    for (const c of clients) c.disconnect();
    if (server) {
      const killer = setTimeout(() => server?.process.kill('SIGKILL'), 10_000);
      await server.stop();
      clearTimeout(killer);
    }
  } finally {
    postgres?.destroy();
    await redis?.stop();
  }
});

async function post(url: string, body: unknown = {}) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: response.status, body: (await response.json()) as any, ms: performance.now() - started };
}

const readyz = async (url: string) => (await (await fetch(`${url}/readyz`)).json()) as any;

describe('a frozen Redis', { timeout: 60_000 }, () => {
  it('costs pushes and app-key calls at most the command timeout, limits in memory, and /readyz says degraded', async () => {
    const env = {
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      RATE_LIMIT_ACCOUNT_PER_SECOND: '0',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '30',
    };
    const created = await runVigil(
      ['account', 'create', '--name', 'Frozen', '--email', 'ops@frozen.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const appKey = JSON.parse(created.stdout.trim().split('\n').at(-1)!).app_key as string;
    server = await startVigil(env);
    const api = (p: string, body: unknown = {}) => post(`${server!.url}${p}?app_key=${appKey}`, body);
    const integration = (await api('/datasource/upsert', { name: 'frozen', plugin_type: 'alert.standard' }))
      .body.data;
    const push = (key: string) =>
      post(`${server!.url}/event/push/alert/standard?integration_key=${integration.integration_key}`, {
        event_status: 'Warning',
        title_rule: `frozen ${key}`,
        alert_key: key,
      });

    // Shared through Redis while it answers.
    expect((await api('/member/info')).status).toBe(200);
    expect((await push('before')).status).toBe(200);
    const inspector = new Redis(redis.url);
    clients.push(inspector);
    expect((await inspector.keys('vigil:rl:account:60:*')).length).toBe(1);
    expect((await readyz(server.url)).data).toMatchObject({ status: 'ready', redis: 'ok' });

    redis.freeze();
    try {
      const answers = [];
      for (let i = 0; i < 32; i++) {
        answers.push(await api('/member/info'));
        if (i % 4 === 0) answers.push(await push(`during-${i}`));
      }
      for (const a of answers) expect(a.ms).toBeLessThan(1_000);
      const pushes = answers.filter((a) => a.body.data?.alert_key !== undefined);
      expect(pushes).toHaveLength(8);
      // The per-minute budget of 30 is counted in memory meanwhile: the calls past it are refused.
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]!.body.error.code).toBe('RequestTooFrequently');
      expect(answers.filter((a) => a.status !== 200 && a.status !== 429)).toEqual([]);

      const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      expect(health.status).toBe(200);
      // Ready still (the fallback serves), and says Redis is degraded.
      const ready = await readyz(server.url);
      expect(ready.data).toMatchObject({ status: 'ready', database: 'ok', redis: 'degraded' });
    } finally {
      redis.thaw();
    }
    let redisState = '';
    for (let i = 0; i < 100 && redisState !== 'ok'; i++) {
      redisState = (await readyz(server.url)).data.redis;
      if (redisState !== 'ok') await sleep(100);
    }
    expect(redisState).toBe('ok');
  });
});
