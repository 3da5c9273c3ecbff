import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/db.ts';
import { runVigil, type Server, startVigil } from '../cli/processes.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';

/*
 * The ingest log's promises with real `vigil serve` processes (docs/ingest.md): a 200 survives a
 * kill -9 before anything was applied; a kill -9 in the middle of applying leaves every event
 * applied exactly once, in order; two instances on one PostgreSQL share the work without two
 * alerts for one key or two incidents for one grouping key.
 *
 * Events of a key alternate Critical and Warning with one title: each is a change, stored and
 * counted (event_cnt), so an event applied twice, lost, or applied out of order (two equal
 * statuses in a row make a repeat, which is not counted) changes the count.
 */

const servers: Server[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
  for (const d of databases) await d.drop();
});

type Target = { env: Record<string, string>; open(): Promise<Db>; shared: boolean };

async function newTarget(): Promise<Target> {
  if (!TEST_DATABASE_URL) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vigil-ingest-'));
    // PGlite: one process owns the directory; it is opened only once every server is stopped.
    return { env: { DATA_DIR: dataDir }, open: () => openDb({ dataDir }), shared: false };
  }
  const database = await createTestDatabase({ migrated: false });
  databases.push(database);
  return { env: { DATABASE_URL: database.url! }, open: async () => database.db, shared: true };
}

async function serve(target: Target, env: Record<string, string> = {}): Promise<Server> {
  // Closed loops of pushes here outrun the default 1,000 pushes/s per integration on a quiet machine.
  const server = await startVigil({ ...target.env, RATE_LIMIT_INTEGRATION_PER_SECOND: '0', ...env });
  servers.push(server);
  return server;
}

function kill9(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.process.exitCode !== null || server.process.signalCode !== null) return resolve();
    server.process.once('close', () => resolve());
    server.process.kill('SIGKILL');
  });
}

async function call(url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') ? JSON.parse(text) : text };
}

async function backlog(server: Server): Promise<number> {
  const { json } = await call(`${server.url}/metrics`);
  const line = (json as string).split('\n').find((l) => l.startsWith('vigil_ingest_backlog_events '));
  return Number(line?.split(' ')[1]);
}

async function drained(server: Server, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await backlog(server)) !== 0) {
    if (Date.now() > deadline) throw new Error('the ingest backlog did not drain');
    await sleep(100);
  }
}

/** An account (made before any server runs: PGlite is then free), a channel and its integration key. */
async function setUp(target: Target, server: () => Promise<Server>, group?: object) {
  const created = await runVigil(['account', 'create', '--name', 'Ingest', '--email', 'ops@ingest.test'], {
    ...target.env,
  });
  expect(created.code, created.stderr).toBe(0);
  const appKey = JSON.parse(created.stdout.trim().split('\n').at(-1)!).app_key as string;
  const first = await server();
  const api = async (p: string, body: unknown) => {
    const res = await call(`${first.url}${p}?app_key=${appKey}`, body);
    if (res.status !== 200) throw new Error(`${p}: ${JSON.stringify(res.json)}`);
    return res.json.data;
  };
  const team = await api('/team/upsert', { team_name: 'ingest' });
  const channel = await api('/channel/create', {
    team_id: team.team_id,
    channel_name: 'ingest',
    ...(group ? { group } : {}),
  });
  const integration = await api('/datasource/upsert', {
    name: 'ingest',
    plugin_type: 'alert.standard',
    channel_id: channel.channel_id,
  });
  return { first, key: integration.integration_key as string, integrationId: integration.integration_id };
}

const statusOf = (i: number) => (i % 2 === 0 ? 'Critical' : 'Warning');

/** Pushes `perKey` events to each key, each key's in order, `connections` keys at a time; all must get 200. */
async function pushAll(url: string, key: string, keys: string[], perKey: number, connections = 16) {
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < keys.length; k = next++) {
      for (let i = 0; i < perKey; i++) {
        const res = await call(`${url}/event/push/alert/standard?integration_key=${key}`, {
          event_status: statusOf(i),
          title_rule: 'disk full',
          alert_key: keys[k],
          labels: { service: 'db' },
        });
        expect(res.status, JSON.stringify(res.json)).toBe(200);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

async function eventCounts(db: Db, integrationId: number) {
  return db.q
    .selectFrom('alerts')
    .select(['alert_key', 'event_cnt', 'alert_status'])
    .where('integration_id', '=', integrationId)
    .orderBy('alert_key')
    .execute();
}

async function storedEvents(db: Db, integrationId: number): Promise<number> {
  const row = await db.q
    .selectFrom('alert_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('integration_id', '=', integrationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('the ingest log with vigil serve', { timeout: 600_000 }, () => {
  it('applies after a restart what was answered 200 just before a kill -9', async () => {
    const target = await newTarget();
    // This instance only accepts: nothing is applied before the kill.
    const { first, key, integrationId } = await setUp(target, () =>
      serve(target, { INGEST_APPLY_WORKERS: '0' }),
    );
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    await pushAll(first.url, key, keys, 2, 4);
    expect(await backlog(first)).toBe(20);
    await kill9(first);

    const second = await serve(target);
    await drained(second);
    await second.stop();
    const db = await target.open();
    try {
      expect(await eventCounts(db, integrationId)).toEqual(
        keys.map((k) => ({ alert_key: k, event_cnt: 2, alert_status: 'Warning' })),
      );
      expect(await storedEvents(db, integrationId)).toBe(20);
    } finally {
      if (!target.shared) await db.close();
    }
  });

  it('applies every event of a batch killed mid-way exactly once, in order', async () => {
    const target = await newTarget();
    const { first, key, integrationId } = await setUp(target, () =>
      serve(target, { INGEST_APPLY_WORKERS: '0' }),
    );
    const keys = Array.from({ length: 300 }, (_, i) => `key-${String(i).padStart(3, '0')}`);
    const perKey = 10;
    await pushAll(first.url, key, keys, perKey);
    const total = keys.length * perKey;
    expect(await backlog(first)).toBe(total);
    await first.stop();

    // One applier taking 100 events a batch, which works without a pause while the backlog is not
    // empty: once part of the backlog is applied and part is not, a kill lands in a batch (or
    // between two, the easier case).
    const applying = await serve(target, { INGEST_APPLY_WORKERS: '1', INGEST_APPLY_BATCH_MAX: '100' });
    let left = await backlog(applying);
    for (const deadline = Date.now() + 120_000; left === total && Date.now() < deadline; ) {
      await sleep(5);
      left = await backlog(applying);
    }
    await kill9(applying);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(total);

    const last = await serve(target);
    await drained(last);
    await last.stop();
    const db = await target.open();
    try {
      const alerts = await eventCounts(db, integrationId);
      expect(alerts).toHaveLength(keys.length);
      const wrong = alerts.filter((a) => a.event_cnt !== perKey || a.alert_status !== statusOf(perKey - 1));
      expect(wrong).toEqual([]);
      expect(await storedEvents(db, integrationId)).toBe(total);
    } finally {
      if (!target.shared) await db.close();
    }
  });
});

describe.runIf(TEST_DATABASE_URL)('two instances on one PostgreSQL', { timeout: 600_000 }, () => {
  it('make one alert per key, one incident per grouping key, each connection in its order', async () => {
    const target = await newTarget();
    const { first, key, integrationId } = await setUp(target, () => serve(target), {
      method: 'p',
      equals: [['labels.service']],
    });
    const second = await serve(target);
    const perConnection = 60;
    const connection = async (server: Server, name: string) => {
      for (let i = 0; i < perConnection; i++) {
        // One key for both connections, and 20 more keys of the same grouping key.
        const body = { event_status: 'Critical', title_rule: `${name}-${i}`, labels: { service: 'db' } };
        for (const alert_key of ['shared', `${name}-${i % 10}`]) {
          const res = await call(`${server.url}/event/push/alert/standard?integration_key=${key}`, {
            ...body,
            alert_key,
          });
          expect(res.status, JSON.stringify(res.json)).toBe(200);
        }
      }
    };
    await Promise.all([connection(first, 'a'), connection(second, 'b')]);
    await drained(first);
    const db = await target.open();

    const alerts = await db.q
      .selectFrom('alerts')
      .select(['alert_id', 'alert_key', 'event_cnt', 'incident_id'])
      .where('integration_id', '=', integrationId)
      .execute();
    const shared = alerts.filter((a) => a.alert_key === 'shared');
    expect(shared).toHaveLength(1);
    // Every event changes the title: each is stored, once.
    expect(shared[0]!.event_cnt).toBe(2 * perConnection);
    expect(alerts).toHaveLength(1 + 20);
    expect(new Set(alerts.map((a) => a.incident_id)).size).toBe(1);

    // Within what one process applied (event ids carry its bytes and a counter), each connection's
    // events of the shared key come in the order it sent them.
    const events = await db.q
      .selectFrom('alert_events')
      .select(['event_id', 'title'])
      .where('alert_id', '=', shared[0]!.alert_id)
      .orderBy('event_id')
      .execute();
    expect(events).toHaveLength(2 * perConnection);
    const byProcess = Map.groupBy(events, (e) => e.event_id.slice(8, 18));
    for (const applied of byProcess.values()) {
      for (const name of ['a', 'b']) {
        const order = applied
          .filter((e) => e.title.startsWith(`${name}-`))
          .map((e) => Number(e.title.slice(2)));
        expect(order).toEqual([...order].sort((x, y) => x - y));
      }
    }
    await Promise.all([first.stop(), second.stop()]);
  });
});
