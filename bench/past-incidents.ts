import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { call } from './load.ts';
import { runCli, startServer, vigilEnv } from './server.ts';
import { chooseTargets, forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench -- past [--count N]`: one account with N closed incidents (default 100,000) over
 * the past year, their titles drawn from 40 checks on 500 hosts and their labels from 30 services,
 * 500 hosts and 2 environments, inserted set-based on PostgreSQL (the trigger of migration 0052
 * indexes them as it would in production); then /incident/past/list timed over HTTP for 200
 * different incidents. Target (issue 21): p95 under 50 ms. See docs/benchmarks.md.
 */

const DAY = 86_400;
const CHANNELS = 10;
const RUNS = 200;
const RESULTS = path.resolve(import.meta.dirname, 'results/past-incidents.json');

const CHECKS = [
  'CPU usage high',
  'Memory usage high',
  'Disk almost full',
  'Disk read latency high',
  'Load average high',
  'HTTP 5xx rate high',
  'HTTP latency p99 high',
  'TLS certificate expires soon',
  'Pod crash looping',
  'Pod not ready',
  'Node not ready',
  'Deployment replicas mismatch',
  'Kafka consumer lag high',
  'Kafka broker offline',
  'Redis memory high',
  'Redis replication broken',
  'MySQL replication lag',
  'MySQL slow queries',
  'PostgreSQL connections exhausted',
  'PostgreSQL deadlocks',
  'Queue backlog growing',
  'Cron job failed',
  'Backup failed',
  'DNS resolution failing',
  'Packet loss high',
  'Interface errors',
  'BGP session down',
  'Ping unreachable',
  'Heartbeat missing',
  'Error budget burn fast',
  'Login failures spike',
  'Payment errors spike',
  'Search index stale',
  'Cache hit ratio low',
  'GC pause long',
  'Thread pool saturated',
  'File descriptors exhausted',
  'NTP drift',
  'Inode usage high',
  'Swap usage high',
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

type Result = {
  database: string;
  version?: string;
  incidents: number;
  tokens: number;
  generateSeconds: number;
  runs: number;
  p50: number;
  p95: number;
  max: number;
  meanItems: number;
};

async function benchPast(target: Target, count: number): Promise<Result> {
  const env = vigilEnv(target.env);
  const server = await startServer(env);
  try {
    const account = JSON.parse(
      await runCli(['account', 'create', '--name', 'Past', '--email', 'past@example.com'], env),
    ) as { account_id: number; app_key: string };
    const key = account.app_key;
    const team = await call<{ team_id: number }>(server.url, key, '/team/upsert', { team_name: 'bench' });
    const channels: number[] = [];
    for (let i = 1; i <= CHANNELS; i++) {
      const created = await call<{ channel_id: number }>(server.url, key, '/channel/create', {
        team_id: team.team_id,
        channel_name: `bench-${i}`,
      });
      channels.push(created.channel_id);
    }
    const client = new pg.Client({ connectionString: target.env.DATABASE_URL });
    await client.connect();
    const started = performance.now();
    try {
      log(`${target.name}: inserting ${count} closed incidents`);
      const now = Math.floor(Date.now() / 1000) - DAY;
      await client.query(
        `insert into incidents (incident_id, account_id, channel_id, title, incident_severity, incident_status,
           progress, start_time, last_time, close_time, labels, fields, images, responders, assigned_to,
           alert_cnt, alert_event_cnt, created_at, updated_at)
         select lpad(to_hex(st), 8, '0') || lpad(to_hex(g), 16, '0'), $1, ($2::bigint[])[1 + g % $3],
                ($4::text[])[1 + g % cardinality($4::text[])] || ' on host-' || (g * 7919) % 500,
                'Warning', 'Ok', 'Closed', st, st, st + 1800,
                jsonb_build_object('service', 'svc-' || g % 30, 'host', 'host-' || (g * 7919) % 500,
                                   'env', case when g % 4 = 0 then 'staging' else 'prod' end),
                '{}', '[]', '[]', '{}', 1, 1, st, st
           from (select g, $5::bigint - $6::bigint + (g::bigint * $6::bigint) / $7::bigint as st
                   from generate_series(0, $7::int - 1) g) s`,
        [account.account_id, channels, CHANNELS, CHECKS, now, 365 * DAY, count],
      );
      await client.query('vacuum analyze incidents, incident_past_tokens');
    } finally {
      await client.end();
    }
    const generateSeconds = (performance.now() - started) / 1000;
    const counts = await countRows(target.env.DATABASE_URL!);
    log(
      `${target.name}: ${counts.incidents} incidents, ${counts.tokens} index rows in ${generateSeconds.toFixed(1)} s`,
    );

    const sample = await sampleIds(target.env.DATABASE_URL!, RUNS + 1);
    const post = (incidentId: string) =>
      call<{ items: unknown[] }>(server.url, key, '/incident/past/list', {
        incident_id: incidentId,
        limit: 10,
      });
    await post(sample[RUNS]!);
    const times: number[] = [];
    let items = 0;
    for (let run = 0; run < RUNS; run++) {
      const t0 = performance.now();
      const data = await post(sample[run]!);
      times.push(performance.now() - t0);
      items += data.items.length;
    }
    times.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const result: Result = {
      database: target.name,
      ...(target.version ? { version: target.version } : {}),
      incidents: counts.incidents,
      tokens: counts.tokens,
      generateSeconds: Math.round(generateSeconds),
      runs: RUNS,
      p50: round(percentile(times, 50)),
      p95: round(percentile(times, 95)),
      max: round(times.at(-1)!),
      meanItems: Math.round((items / RUNS) * 10) / 10,
    };
    log(
      `${target.name}: /incident/past/list p50 ${result.p50} ms, p95 ${result.p95} ms, max ${result.max} ms`,
    );
    return result;
  } finally {
    await server.stop();
  }
}

async function countRows(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (table: string) =>
      Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
    return { incidents: await count('incidents'), tokens: await count('incident_past_tokens') };
  } finally {
    await client.end();
  }
}

/** Incidents spread over the whole history, one per run. */
async function sampleIds(url: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `select incident_id from incidents order by md5(incident_id) limit $1`,
      [n],
    );
    return rows.map((r) => r.incident_id as string);
  } finally {
    await client.end();
  }
}

/** On PostgreSQL only, as the insights benchmark: the data is generated with SQL over a connection. */
export async function runPastBench(count: number): Promise<number> {
  const { targets, skipped } = await chooseTargets(false);
  if (skipped) throw new Error(`the past-incidents benchmark needs PostgreSQL: ${skipped}`);
  const results = await forEachTarget(targets.slice(1), (target) => benchPast(target, count));
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    count,
    results,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify(results, null, 2)}\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`,
  );
  const missed = results.filter((r) => r.p95 >= 50);
  for (const miss of missed) log(`target missed on ${miss.database}: p95 ${miss.p95} ms >= 50 ms`);
  return missed.length > 0 ? 1 : 0;
}
