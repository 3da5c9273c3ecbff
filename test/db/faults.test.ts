import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../src/db/migrate.ts';
import { runVigil } from '../cli/processes.ts';
import { freePort } from '../harness/ports.ts';
import { createPostgres, type OwnPostgres } from './own-servers.ts';

/*
 * Operations faults on PostgreSQL (docs/engine.md, "Database faults"), against a cluster this file
 * creates, starts, restarts, freezes and stops itself, and `vigil serve` as real child processes:
 * PostgreSQL down at start, a busy connection terminated, a restart under load, a frozen server.
 * It needs no TEST_DATABASE_URL, so it runs (the same) in both CI passes.
 */

const CLI = path.resolve(import.meta.dirname, '../../src/cli.ts');
const PASSWORD = 'not-to-be-logged-7f3a';

type Vigil = {
  url: string;
  child: ChildProcess;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
};

/** `vigil serve` on a port chosen here, so the test can call it before it is ready. */
async function spawnVigil(env: Record<string, string>): Promise<Vigil> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      SHUTDOWN_DRAIN_SECONDS: '0',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    output += chunk;
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // Not left running should this test process end without its cleanup.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('close', () => process.off('exit', killOnExit));
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await closed;
      clearTimeout(killer);
    },
  };
}

type Answer = { status: number; body: any; ms: number };

/** One call; a connection refused or reset, or no answer within `timeoutMs`, is a status of 0. */
async function call(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
  timeoutMs = 10_000,
): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: response.status, body: parsed, ms: performance.now() - started };
  } catch (error) {
    return { status: 0, body: String(error), ms: performance.now() - started };
  }
}

/** Polls `probe` every 100 ms until it holds, for at most `ms`; returns whether it did. */
async function eventually(probe: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(100);
  }
  return false;
}

const isUnavailableEnvelope = (a: Answer) =>
  a.status === 503 &&
  typeof a.body?.request_id === 'string' &&
  a.body?.error?.code === 'ServiceUnavailable' &&
  typeof a.body?.error?.message === 'string';

let postgres: OwnPostgres;
const vigils: Vigil[] = [];

beforeAll(async () => {
  postgres = await createPostgres();
});

afterAll(async () => {
  try {
    postgres?.thaw();
    await Promise.all(vigils.map((v) => v.stop()));
  } finally {
    postgres?.destroy();
  }
});

describe('PostgreSQL faults', { timeout: 60_000 }, () => {
  // One server through the first three tests: it starts before PostgreSQL does, then lives through
  // a terminated connection and a restart.
  let vigil: Vigil;
  let appKey = '';
  let integrationKey = '';
  const databaseUrl = () => `postgres://postgres:${PASSWORD}@127.0.0.1:${postgres.port}/postgres`;
  const api = (p: string, body: unknown = {}) => call(`${vigil.url}${p}?app_key=${appKey}`, 'POST', body);

  it('starts while PostgreSQL is down: alive, not ready, API 503, then migrates and serves once it is up', async () => {
    vigil = await spawnVigil({
      DATABASE_URL: databaseUrl(),
      DATABASE_STARTUP_TIMEOUT_SECONDS: '60',
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '10',
      ENGINE_INTERVAL_SECONDS: '1',
      // The load below is far above the default per-account limit.
      RATE_LIMIT_ACCOUNT_PER_SECOND: '0',
      RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
    });
    vigils.push(vigil);
    expect(
      await eventually(async () => (await call(`${vigil.url}/healthz`, 'GET')).status === 200, 20_000),
    ).toBe(true);
    const ready = await call(`${vigil.url}/readyz`, 'GET');
    expect(isUnavailableEnvelope(ready), JSON.stringify(ready)).toBe(true);
    const apiCall = await call(`${vigil.url}/member/info?app_key=whatever`, 'POST', {});
    expect(isUnavailableEnvelope(apiCall), JSON.stringify(apiCall)).toBe(true);
    expect(vigil.output()).toContain(`waiting for PostgreSQL at 127.0.0.1:${postgres.port}`);
    expect(vigil.output()).not.toContain(PASSWORD);
    await sleep(1_000);
    expect(vigil.alive()).toBe(true);

    await postgres.start();
    expect(
      await eventually(async () => (await call(`${vigil.url}/readyz`, 'GET')).status === 200, 30_000),
      vigil.output(),
    ).toBe(true);
    const readyNow = await call(`${vigil.url}/readyz`, 'GET');
    expect(readyNow.body.data).toMatchObject({ status: 'ready', database: 'ok', redis: 'off' });
    const applied = await postgres.query<{ n: number }>('select count(*)::int as n from vigil_migrations');
    expect(applied[0]!.n).toBe(listMigrations().length);

    const created = await runVigil(['account', 'create', '--name', 'Faults', '--email', 'ops@faults.test'], {
      DATABASE_URL: databaseUrl(),
    });
    expect(created.code, created.stderr).toBe(0);
    appKey = JSON.parse(created.stdout.trim().split('\n').at(-1)!).app_key;
    expect((await api('/member/info')).status).toBe(200);
  });

  it('answers 503 when a busy connection is terminated, lives on, and serves the next requests', async () => {
    // Requests wait on a lock held here, so their connections are busy when they are terminated.
    const holder = new pg.Client({ connectionString: postgres.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table members in access exclusive mode');
      const pending = [api('/member/info'), api('/member/info'), api('/member/info')];
      const waiting = async () =>
        (
          await holder.query<{ pid: number }>(
            `select pid from pg_stat_activity where wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
          )
        ).rows;
      expect(await eventually(async () => (await waiting()).length === 3, 5_000)).toBe(true);
      await postgres.query('select pg_terminate_backend(pid) from unnest($1::int[]) pid', [
        (await waiting()).map((r) => r.pid),
      ]);
      const answers = await Promise.all(pending);
      for (const answer of answers) expect(isUnavailableEnvelope(answer), JSON.stringify(answer)).toBe(true);
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    expect(vigil.alive(), vigil.output()).toBe(true);
    expect(await eventually(async () => vigil.output().includes('lost a PostgreSQL connection'), 5_000)).toBe(
      true,
    );
    for (let i = 0; i < 12; i++) expect((await api('/member/info')).status).toBe(200);
  });

  it('lives through a restart under load: every answer is 200 or the 503 envelope, and work resumes', async () => {
    const team = (await api('/team/upsert', { team_name: 'faults' })).body.data;
    const channel = (
      await api('/channel/create', {
        team_id: team.team_id,
        channel_name: 'faults',
        auto_resolve_timeout: 1,
        auto_resolve_mode: 'trigger',
      })
    ).body.data;
    const integration = (
      await api('/datasource/upsert', {
        name: 'faults',
        plugin_type: 'alert.standard',
        channel_id: channel.channel_id,
      })
    ).body.data;
    integrationKey = integration.integration_key;
    const push = (alertKey: string) =>
      call(`${vigil.url}/event/push/alert/standard?integration_key=${integrationKey}`, 'POST', {
        event_status: 'Critical',
        title_rule: `load ${alertKey}`,
        alert_key: alertKey,
      });

    const answers: Answer[] = [];
    let loading = true;
    const worker = async (n: number) => {
      for (let i = 0; loading && i < 2_000; i++) {
        answers.push(await (i % 2 === 0 ? push(`w${n}-${i}`) : api('/member/info')));
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    await sleep(500);
    await postgres.restart();
    await sleep(1_000);
    loading = false;
    await load;

    expect(vigil.alive(), vigil.output()).toBe(true);
    const unexpected = answers.filter((a) => a.status !== 200 && !isUnavailableEnvelope(a));
    expect(unexpected, JSON.stringify(unexpected.slice(0, 3))).toEqual([]);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    expect(answers.some((a) => a.status === 503)).toBe(true); // the load met the restart
    expect(await eventually(async () => (await api('/member/info')).status === 200, 10_000)).toBe(true);

    // The engine lives on: an incident opened after the restart is closed by its auto-resolve timeout.
    expect((await push('after-restart')).status).toBe(200);
    const now = Math.floor(Date.now() / 1000);
    const closed = await eventually(async () => {
      const list = await api('/incident/list', {
        start_time: now - 3600,
        end_time: now + 3600,
        query: 'load after-restart',
      });
      const mine = list.body.data?.items ?? [];
      return mine.length === 1 && mine[0].progress === 'Closed';
    }, 20_000);
    expect(closed, vigil.output().slice(-3000)).toBe(true);
  });

  it('bounds requests on a frozen PostgreSQL: /healthz at once, API and /readyz 503 in time, then recovers', async () => {
    const frozenVigil = await spawnVigil({
      DATABASE_URL: databaseUrl(),
      DATABASE_STATEMENT_TIMEOUT_SECONDS: '1',
      DATABASE_CONNECT_TIMEOUT_SECONDS: '1',
    });
    vigils.push(frozenVigil);
    expect(
      await eventually(async () => (await call(`${frozenVigil.url}/readyz`, 'GET')).status === 200, 30_000),
    ).toBe(true);
    const member = () => call(`${frozenVigil.url}/member/info?app_key=${appKey}`, 'POST', {}, 15_000);
    const push = (alertKey: string) =>
      call(
        `${frozenVigil.url}/event/push/alert/standard?integration_key=${integrationKey}`,
        'POST',
        { event_status: 'Warning', title_rule: `frozen ${alertKey}`, alert_key: alertKey },
        15_000,
      );
    expect((await member()).status).toBe(200);
    // Pushes go on to the ingest log's group commit once their integration is cached.
    expect((await push('warm')).status).toBe(200);

    postgres.freeze();
    try {
      const [health, calls, ready] = await Promise.all([
        call(`${frozenVigil.url}/healthz`, 'GET', undefined, 15_000),
        // Pushes arriving together share one group commit: it fails at once, not one push after another.
        Promise.all([member(), member(), member(), ...Array.from({ length: 30 }, (_, i) => push(`f${i}`))]),
        call(`${frozenVigil.url}/readyz`, 'GET', undefined, 15_000),
      ]);
      expect(health.status).toBe(200);
      expect(health.ms).toBeLessThan(500);
      expect(isUnavailableEnvelope(ready), JSON.stringify(ready)).toBe(true);
      expect(ready.ms).toBeLessThan(2_500);
      for (const answer of calls) {
        expect(isUnavailableEnvelope(answer), JSON.stringify(answer)).toBe(true);
        // Statement timeout 1 s, the client's second of grace, and 1 s to open a new connection at most.
        expect(answer.ms).toBeLessThan(5_000);
      }
      // Once the pool's connections were given up, a new one cannot open either: bounded too.
      const later = await member();
      expect(isUnavailableEnvelope(later), JSON.stringify(later)).toBe(true);
      expect(later.ms).toBeLessThan(5_000);
    } finally {
      postgres.thaw();
    }
    expect(await eventually(async () => (await member()).status === 200, 15_000)).toBe(true);
    // PostgreSQL first serves the backlog of connections opened (and given up) during the freeze.
    expect(
      await eventually(async () => (await call(`${frozenVigil.url}/readyz`, 'GET')).status === 200, 15_000),
    ).toBe(true);
    expect(frozenVigil.alive()).toBe(true);
  });

  it('gives up after DATABASE_STARTUP_TIMEOUT_SECONDS, exiting non-zero with a clear message', async () => {
    postgres.stop();
    const started = Date.now();
    const result = await runVigil(['serve'], {
      DATABASE_URL: databaseUrl(),
      DATABASE_STARTUP_TIMEOUT_SECONDS: '2',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.stderr).toContain(`PostgreSQL at 127.0.0.1:${postgres.port} did not answer within 2 s`);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });
});
