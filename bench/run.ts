import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { CONNECTIONS, call, type LoadResult, runLoad, type Scenario } from './load.ts';
import { runCli, type Server, startServer, vigilEnv } from './server.ts';

/*
 * `npm run bench [-- --pglite-only] [-- --duration S]`: start-up time, idle memory and HTTP
 * throughput of `vigil serve`, on PGlite and (unless --pglite-only) on PostgreSQL.
 * See docs/benchmarks.md.
 */

const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const IDLE_MS = 2_000;
const WARM_UP_S = 1;
const CHANNELS = 5;
const RESULTS = path.resolve(import.meta.dirname, 'results/latest.json');

type StartResult = { startMs: number; rssAfterStartMb: number; rssIdleMb: number; peakRssMb: number };

type DatabaseResult = {
  database: 'pglite' | 'postgres';
  version?: string;
  firstStart: StartResult;
  secondStart: StartResult;
  loads: LoadResult[];
};

/** A fresh, empty database: the environment that points Vigil at it, and how to remove it. */
type Target = {
  name: DatabaseResult['database'];
  env: Record<string, string>;
  version?: string;
  drop(): Promise<void>;
};

function pgliteTarget(): Target {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-bench-'));
  return {
    name: 'pglite',
    env: { DATA_DIR: path.join(dir, 'data') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates a throw-away database next to `adminUrl`'s; throws when that server does not answer. */
async function postgresTarget(adminUrl: string): Promise<Target> {
  const { rows } = await adminQuery(adminUrl, 'show server_version');
  const name = `vigil_bench_${Date.now()}_${process.pid}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name: 'postgres',
    env: { DATABASE_URL: url.toString() },
    version: `PostgreSQL ${(rows[0] as { server_version: string }).server_version}`,
    drop: async () => {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Which PostgreSQL to use: BENCH_DATABASE_URL must answer; the local default is used if it does. */
async function choosePostgres(): Promise<{ adminUrl?: string; skipped?: string }> {
  const asked = process.env.BENCH_DATABASE_URL?.trim();
  const adminUrl = asked || DEFAULT_PG_URL;
  try {
    await adminQuery(adminUrl, 'select 1');
    return { adminUrl };
  } catch (error) {
    const reason = `PostgreSQL at ${redact(adminUrl)} does not answer: ${(error as Error).message}`;
    if (asked) throw new Error(`${reason}\nFix BENCH_DATABASE_URL, or run with --pglite-only.`);
    return { skipped: `${reason} (set BENCH_DATABASE_URL, or pass --pglite-only)` };
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function measureStart(server: Server): Promise<StartResult> {
  const rssAfterStartMb = server.rssMb();
  await sleep(IDLE_MS);
  return {
    startMs: server.startMs,
    rssAfterStartMb,
    rssIdleMb: server.rssMb(),
    peakRssMb: server.peakRssMb(),
  };
}

let teamCounter = 0;

function scenarios(): Scenario[] {
  return [
    { name: 'member/info (auth + 2 reads)', path: '/member/info', body: {} },
    { name: `channel/list (${CHANNELS} channels)`, path: '/channel/list', body: {} },
    { name: 'team/upsert (insert)', path: '/team/upsert', body: () => ({ team_name: `t-${++teamCounter}` }) },
  ];
}

async function benchDatabase(target: Target, durationS: number): Promise<DatabaseResult> {
  const env = vigilEnv(target.env);
  log(`${target.name}: first start (empty database)`);
  const first = await startServer(env);
  let firstStart: StartResult;
  try {
    firstStart = await measureStart(first);
  } finally {
    await first.stop();
  }

  log(`${target.name}: second start (migrated database)`);
  const server = await startServer(env);
  try {
    const secondStart = await measureStart(server);
    const account = JSON.parse(
      await runCli(['account', 'create', '--name', 'Bench', '--email', 'bench@example.com'], env),
    ) as { app_key: string };
    const key = account.app_key;
    const team = await call<{ team_id: number }>(server.url, key, '/team/upsert', { team_name: 'bench' });
    for (let i = 1; i <= CHANNELS; i++)
      await call(server.url, key, '/channel/create', { team_id: team.team_id, channel_name: `bench-${i}` });

    const loads: LoadResult[] = [];
    for (const scenario of scenarios()) {
      log(`${target.name}: ${scenario.name}, ${WARM_UP_S} s warm-up + ${durationS} s`);
      await runLoad(server.url, key, scenario, WARM_UP_S);
      const result = await runLoad(server.url, key, scenario, durationS);
      loads.push({ ...result, rssAfterMb: server.rssMb() });
    }
    return {
      database: target.name,
      ...(target.version ? { version: target.version } : {}),
      firstStart,
      secondStart,
      loads,
    };
  } finally {
    await server.stop();
  }
}

const mb = (value: number) => value.toFixed(0);

const startRow = (database: string, start: string, s: StartResult) =>
  `| ${database} | ${start} | ${s.startMs.toFixed(0)} | ${mb(s.rssAfterStartMb)} | ${mb(s.rssIdleMb)} | ` +
  `${mb(s.peakRssMb)} |`;

const loadRow = (database: string, l: LoadResult) =>
  `| ${database} | ${l.scenario} | ${l.requestsPerSecond.toFixed(0)} | ${l.latencyMs.p50} | ${l.latencyMs.p90} | ` +
  `${l.latencyMs.p99} | ${l.latencyMs.max} | ${l.non2xx} | ${l.errors} | ${mb(l.rssAfterMb ?? 0)} |`;

function table(results: DatabaseResult[]): string {
  return [
    '| Database | Start | Time to listening (ms) | RSS at start (MiB) | RSS after 2 s idle (MiB) | Peak RSS (MiB) |',
    '|---|---|--:|--:|--:|--:|',
    ...results.flatMap((r) => [
      startRow(r.database, 'empty database', r.firstStart),
      startRow(r.database, 'migrated database', r.secondStart),
    ]),
    '',
    '| Database | Scenario | req/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-2xx | errors | RSS after (MiB) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.flatMap((r) => r.loads.map((l) => loadRow(r.database, l))),
  ].join('\n');
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'pglite-only': { type: 'boolean' }, duration: { type: 'string', default: '10' } },
  });
  const durationS = Number(values.duration);
  if (!Number.isInteger(durationS) || durationS < 1 || durationS > 60)
    throw new Error('--duration must be a whole number of seconds from 1 to 60');

  const targets: Array<() => Promise<Target>> = [async () => pgliteTarget()];
  let skipped: string | undefined;
  if (!values['pglite-only']) {
    const choice = await choosePostgres();
    skipped = choice.skipped;
    if (choice.adminUrl) {
      const adminUrl = choice.adminUrl;
      targets.push(() => postgresTarget(adminUrl));
    }
  }
  if (skipped) log(`skipping ${skipped}`);

  const results: DatabaseResult[] = [];
  for (const makeTarget of targets) {
    const target = await makeTarget();
    try {
      results.push(await benchDatabase(target, durationS));
    } finally {
      await target.drop();
    }
  }

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadDurationS: durationS,
    connections: CONNECTIONS,
    ...(skipped ? { skipped } : {}),
    results,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(results)}\n\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`);

  const failed = results.flatMap((r) =>
    r.loads.filter((l) => l.non2xx > 0 || l.errors > 0).map((l) => ({ database: r.database, ...l })),
  );
  for (const f of failed) {
    process.stderr.write(
      `\n${f.database} ${f.scenario}: ${f.non2xx} non-2xx, ${f.errors} errors; status codes ` +
        `${JSON.stringify(f.statusCodes)}; first error bodies:\n${f.firstErrors.map((e) => `  ${e}`).join('\n')}\n`,
    );
  }
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exitCode = 1;
  },
);
