import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runApplyBench } from './apply.ts';
import { runIngestBench } from './ingest.ts';
import { runInsightsBench } from './insights.ts';
import { runListsBench } from './lists.ts';
import { CONNECTIONS, call, type LoadResult, reportFailures, runLoad, type Scenario } from './load.ts';
import { runNotifyBench } from './notify.ts';
import { runPastBench } from './past-incidents.ts';
import { runPatternsBench } from './patterns.ts';
import { runCli, type Server, startServer, vigilEnv } from './server.ts';
import { runStatusPageBench } from './status-page.ts';
import { chooseTargets, type DatabaseName, forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench [-- --pglite-only] [-- --duration S]`: start-up time, idle memory and HTTP
 * throughput of `vigil serve`, on PGlite and (unless --pglite-only) on PostgreSQL.
 * `npm run bench -- ingest [--pglite-only | --postgres-only] [--duration S] [--connections N]`: the event ingestion benchmark
 * (bench/ingest.ts; `--compare-only`, `--variants-only` run one part of it). `npm run bench -- status-page [--pglite-only] [--duration S]`: the public
 * status page under readers while events change (bench/status-page.ts). `npm run bench -- insights
 * [--count N] [--keep | --reuse] [--before DIR]`: the insight endpoints over N incidents on
 * PostgreSQL (bench/insights.ts).
 * `npm run bench -- notify [--pglite-only | --postgres-only] [--count N]`: from an accepted alert
 * to its first page (bench/notify.ts). `npm run bench -- patterns`: condition patterns, in process
 * (bench/patterns.ts). `npm run bench -- past [--count N]`: /incident/past/list over N closed
 * incidents on PostgreSQL (bench/past-incidents.ts). `npm run bench -- lists [--count N] [--keep | --reuse]
 * [--before DIR]`: the search lists over N incidents, 5N alerts and N changes on PostgreSQL
 * (bench/lists.ts). `npm run bench -- apply [--count BATCHES]`: the apply step alone, in process
 * (bench/apply.ts). See docs/benchmarks.md.
 */

const IDLE_MS = 2_000;
const WARM_UP_S = 1;
const CHANNELS = 5;
const RESULTS = path.resolve(import.meta.dirname, 'results/latest.json');

type StartResult = { startMs: number; rssAfterStartMb: number; rssIdleMb: number; peakRssMb: number };

type DatabaseResult = {
  database: DatabaseName;
  version?: string;
  firstStart: StartResult;
  secondStart: StartResult;
  loads: LoadResult[];
};

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

async function benchServe(pgliteOnly: boolean, durationS: number): Promise<number> {
  const { targets, skipped } = await chooseTargets(pgliteOnly);
  const results = await forEachTarget(targets, (target) => benchDatabase(target, durationS));

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

  const failed = reportFailures(results.flatMap((r) => r.loads.map((load) => ({ label: r.database, load }))));
  return failed > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'pglite-only': { type: 'boolean' },
      duration: { type: 'string', default: '10' },
      count: { type: 'string' },
      'postgres-only': { type: 'boolean' },
      connections: { type: 'string', default: '50' },
      keep: { type: 'boolean' },
      reuse: { type: 'boolean' },
      before: { type: 'string' },
      'compare-only': { type: 'boolean' },
      'variants-only': { type: 'boolean' },
    },
  });
  const durationS = Number(values.duration);
  if (!Number.isInteger(durationS) || durationS < 1 || durationS > 60)
    throw new Error('--duration must be a whole number of seconds from 1 to 60');
  const pgliteOnly = values['pglite-only'] ?? false;
  const [command, ...extra] = positionals;
  if (command === undefined) return benchServe(pgliteOnly, durationS);
  if (command === 'ingest' && extra.length === 0) {
    const connections = Number(values.connections);
    if (!(Number.isInteger(connections) && connections >= 1 && connections <= 1000))
      throw new Error('--connections must be a whole number from 1 to 1000');
    return runIngestBench({
      pgliteOnly,
      postgresOnly: values['postgres-only'] ?? false,
      durationS,
      connections,
      compareOnly: values['compare-only'] ?? false,
      variantsOnly: values['variants-only'] ?? false,
    });
  }
  if (command === 'status-page' && extra.length === 0) return runStatusPageBench(pgliteOnly, durationS);
  if (command === 'insights' && extra.length === 0) {
    const count = values.count === undefined ? 1_000_000 : Number(values.count);
    if (!(Number.isInteger(count) && count >= 1_000 && count <= 5_000_000))
      throw new Error('--count must be a whole number from 1000 to 5000000');
    return runInsightsBench({
      count,
      keep: values.keep ?? false,
      reuse: values.reuse ?? false,
      ...(values.before ? { before: values.before } : {}),
    });
  }
  if (command === 'notify' && extra.length === 0) {
    const count = values.count === undefined ? undefined : Number(values.count);
    if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= 100_000))
      throw new Error('--count must be a whole number from 1 to 100000');
    return runNotifyBench(pgliteOnly, count, values['postgres-only'] ?? false);
  }
  if (command === 'patterns' && extra.length === 0) return runPatternsBench();
  if (command === 'apply' && extra.length === 0) {
    const count = values.count === undefined ? 20 : Number(values.count);
    if (!(Number.isInteger(count) && count >= 3 && count <= 1_000))
      throw new Error('--count must be a whole number of batches from 3 to 1000');
    await runApplyBench(count);
    return 0;
  }
  if (command === 'past' && extra.length === 0) {
    const count = values.count === undefined ? 100_000 : Number(values.count);
    if (!(Number.isInteger(count) && count >= 1_000 && count <= 5_000_000))
      throw new Error('--count must be a whole number from 1000 to 5000000');
    return runPastBench(count);
  }
  if (command === 'lists' && extra.length === 0) {
    const count = values.count === undefined ? 1_000_000 : Number(values.count);
    if (!(Number.isInteger(count) && count >= 1_000 && count <= 5_000_000))
      throw new Error('--count must be a whole number from 1000 to 5000000');
    return runListsBench({
      count,
      keep: values.keep ?? false,
      reuse: values.reuse ?? false,
      ...(values.before ? { before: values.before } : {}),
    });
  }
  throw new Error(
    `unknown command ${positionals.join(' ')}: use no command, ingest, apply, status-page, notify, insights, lists, past or patterns`,
  );
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
