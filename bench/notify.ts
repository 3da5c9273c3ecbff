import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { DEFAULT_TEMPLATE_ID } from '../src/notifications/default-template.ts';
import { call } from './load.ts';
import { idlePercent, processCpuMs, runCli, type Server, startServer, vigilEnv } from './server.ts';
import { chooseTargets, type DatabaseName, forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench -- notify [--pglite-only | --postgres-only] [--count N]`: how long an incident waits for its first
 * page. A channel's escalation rule pages layer 0 on a Slack-style chat webhook served by a local
 * HTTP listener; N alert events (10,000 on PostgreSQL, fewer on PGlite) are pushed as fast as 50
 * connections are answered, each opening its own incident, so N incidents escalate at once. Per
 * incident: from the push's reply (the event accepted) to the arrival of the provider's call at the
 * listener (the start of the first provider call for it). The listener counts calls per incident:
 * each must get exactly one. See docs/benchmarks.md "Notification latency".
 */

const RESULTS = path.resolve(import.meta.dirname, 'results/notify.json');
const COUNTS: Record<DatabaseName, number> = { pglite: 2_000, postgres: 10_000 };
const WARM_UP = 100;
const CONNECTIONS = 50;
const PUSH_PATH = '/event/push/alert/standard';
/** How long to wait for the last page after the last push before giving up (the run then fails). */
const DRAIN_TIMEOUT_MS = 600_000;
/** After the last expected call: how long the listener keeps counting, to see doubles. */
const LINGER_MS = 3_000;
const BUSY_BELOW_IDLE_PERCENT = 80;

/** The listener: a Slack incoming webhook that notes when each incident's page arrived. */
type Listener = {
  url: string;
  /** Per incident number: arrival times (performance.now()) of its calls. */
  arrivals: Map<number, number[]>;
  /** Calls whose body named no bench incident. */
  strays: number;
  close(): Promise<void>;
};

const MARKER = /nb-(\d+)-(\d{6})/;

async function startListener(runId: string): Promise<Listener> {
  const arrivals = new Map<number, number[]>();
  const listener: Listener = { url: '', arrivals, strays: 0, close: async () => {} };
  const server: HttpServer = createServer((req: IncomingMessage, res: ServerResponse) => {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const match = MARKER.exec(text);
      if (match && match[1] === runId) {
        const n = Number(match[2]);
        const seen = arrivals.get(n);
        if (seen) seen.push(at);
        else arrivals.set(n, [at]);
      } else listener.strays += 1;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  listener.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack`;
  listener.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return listener;
}

/** Pushes events n = from .. to-1 through `connections` concurrent loops; returns each reply's time. */
async function push(
  url: string,
  runId: string,
  from: number,
  to: number,
  replies: Map<number, number>,
): Promise<{ failures: string[] }> {
  const failures: string[] = [];
  let next = from;
  const lane = async () => {
    while (next < to) {
      const n = next++;
      const id = `nb-${runId}-${String(n).padStart(6, '0')}`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          event_status: 'Critical',
          alert_key: id,
          title_rule: `Disk full ${id}`,
          labels: { service: `svc-${n % 20}`, host: `host-${n}` },
        }),
      });
      const text = await response.text();
      if (response.status === 200) replies.set(n, performance.now());
      else if (failures.length < 5) failures.push(`${response.status} ${text}`);
      else failures.push('');
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, lane));
  return { failures };
}

/** Waits until every incident in [from, to) was paged, or the deadline passes. */
async function drain(listener: Listener, from: number, to: number, deadline: number): Promise<boolean> {
  for (;;) {
    let missing = 0;
    for (let n = from; n < to; n++) if (!listener.arrivals.has(n)) missing++;
    if (missing === 0) return true;
    if (performance.now() > deadline) return false;
    await sleep(100);
  }
}

/** CPU time so far of the PostgreSQL backends serving this database (on this machine), in ms. */
async function backendCpuMs(client: pg.Client): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  let total = 0;
  let found = false;
  for (const { pid } of rows) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      total += processCpuMs(pid);
      found = true;
    } catch {
      // gone, or not on this machine
    }
  }
  return found ? total : undefined;
}

const DELIVERY_SQL = `select status, count(*)::int as n, count(distinct incident_id)::int as incidents
  from notification_deliveries group by status order by status`;

type DeliveryCount = { status: string; n: number; incidents: number };

/**
 * Where the time went, from the rows' own times (ms, the server's clock): escalation started →
 * notification enqueued (the step) → attempt recorded (claim, render, send and record), and the
 * send alone (the provider call's duration).
 */
const STAGES_SQL = `select
  percentile_disc(0.5) within group (order by n.created_at - e.started_at)::int as step_p50,
  percentile_disc(0.99) within group (order by n.created_at - e.started_at)::int as step_p99,
  percentile_disc(0.5) within group (order by n.attempted_at - n.created_at)::int as delivery_p50,
  percentile_disc(0.99) within group (order by n.attempted_at - n.created_at)::int as delivery_p99,
  percentile_disc(0.5) within group (order by n.duration)::int as send_p50,
  percentile_disc(0.99) within group (order by n.duration)::int as send_p99
  from notification_deliveries n join escalations e on e.incident_id = n.incident_id`;

type Stages = {
  step_p50: number;
  step_p99: number;
  delivery_p50: number;
  delivery_p99: number;
  send_p50: number;
  send_p99: number;
};

async function deliveries(target: Target, postgres: pg.Client | undefined): Promise<DeliveryCount[]> {
  if (postgres) return (await postgres.query<DeliveryCount>(DELIVERY_SQL)).rows;
  const db = await PGlite.create({ dataDir: target.env.DATA_DIR! });
  try {
    return (await db.query<DeliveryCount>(DELIVERY_SQL)).rows;
  } finally {
    await db.close();
  }
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;

type NotifyResult = {
  database: DatabaseName;
  version?: string;
  incidents: number;
  pushFailures: number;
  pushMs: number;
  /** First push sent → last page received. */
  totalMs: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  paged: number;
  /** The median latency of each fifth of the incidents, in push order. */
  p50ByFifthMs: number[];
  missing: number;
  doubled: number;
  strays: number;
  deliveries: DeliveryCount[];
  serverCpuMsPerIncident: number;
  dbCpuMsPerIncident?: number;
  idlePercentBefore: number;
  stopError?: string;
  stagesMs?: Stages;
  loadAverage: { before: number[]; after: number[] };
};

async function benchDatabase(target: Target, count: number): Promise<NotifyResult> {
  const runId = String(Date.now() % 100_000);
  const listener = await startListener(runId);
  const env = vigilEnv(target.env);
  log(`${target.name}: start`);
  let server: Server | undefined;
  const postgres = target.env.DATABASE_URL
    ? new pg.Client({ connectionString: target.env.DATABASE_URL, connectionTimeoutMillis: 3_000 })
    : undefined;
  try {
    server = await startServer(env);
    await postgres?.connect();
    const { app_key: appKey } = JSON.parse(
      await runCli(['account', 'create', '--name', 'Bench', '--email', 'bench@example.com'], env),
    ) as { app_key: string };
    const team = await call<{ team_id: number }>(server.url, appKey, '/team/upsert', { team_name: 'bench' });
    const owner = await call<{ member_id: number }>(server.url, appKey, '/member/info', {});
    // No grouping: every alert opens its own incident.
    const channel = await call<{ channel_id: number }>(server.url, appKey, '/channel/create', {
      team_id: team.team_id,
      channel_name: 'notify',
      group: { method: 'n' },
    });
    await call(server.url, appKey, '/channel/escalate/rule/create', {
      channel_id: channel.channel_id,
      rule_name: 'Page the chat',
      template_id: DEFAULT_TEMPLATE_ID,
      aggr_window: 0,
      layers: [
        {
          max_times: 0,
          escalate_window: 60,
          // Assigned to the owner (not paged personally: no `by`), paged in the chat.
          target: {
            person_ids: [owner.member_id],
            webhooks: [{ type: 'slack', settings: { url: listener.url } }],
          },
        },
      ],
    });
    const integration = await call<{ integration_key: string }>(server.url, appKey, '/datasource/upsert', {
      name: 'bench',
      plugin_type: 'alert.standard',
      channel_id: channel.channel_id,
    });
    const pushUrl = `${server.url}${PUSH_PATH}?integration_key=${encodeURIComponent(integration.integration_key)}`;
    const replies = new Map<number, number>();

    log(`${target.name}: warm-up, ${WARM_UP} incidents`);
    await push(pushUrl, runId, 0, WARM_UP, replies);
    if (!(await drain(listener, 0, WARM_UP, performance.now() + DRAIN_TIMEOUT_MS)))
      throw new Error('the warm-up incidents were not all paged');
    await sleep(2_000);

    const idleBefore = await idlePercent(1_000);
    const loadBefore = loadavg();
    if (idleBefore < BUSY_BELOW_IDLE_PERCENT)
      log(
        `${target.name}: the machine is busy: ${(100 - idleBefore).toFixed(0)}% CPU in use before the start`,
      );
    log(`${target.name}: ${count} incidents at once`);
    const from = WARM_UP;
    const to = WARM_UP + count;
    const cpuBefore = server.cpuMs();
    const dbBefore = postgres ? await backendCpuMs(postgres) : undefined;
    const started = performance.now();
    const { failures } = await push(pushUrl, runId, from, to, replies);
    const pushMs = performance.now() - started;
    if (failures.length > 0)
      log(`${target.name}: ${failures.length} pushes failed: ${failures.slice(0, 5).join('; ')}`);
    const complete = await drain(listener, from, to, performance.now() + DRAIN_TIMEOUT_MS);
    let last = started;
    for (let n = from; n < to; n++) last = Math.max(last, listener.arrivals.get(n)?.[0] ?? 0);
    const cpuMs = server.cpuMs() - cpuBefore;
    const dbAfter = postgres ? await backendCpuMs(postgres) : undefined;
    const loadAfter = loadavg();
    if (!complete) log(`${target.name}: gave up waiting after ${DRAIN_TIMEOUT_MS / 1000} s`);
    await sleep(LINGER_MS);

    const latencies: number[] = [];
    let missing = 0;
    let doubled = 0;
    for (let n = from; n < to; n++) {
      const calls = listener.arrivals.get(n);
      const reply = replies.get(n);
      if (!calls) missing++;
      else if (calls.length > 1) doubled++;
      if (calls && reply !== undefined) latencies.push(calls[0]! - reply);
    }
    // How latency moved over the run: the median of each fifth of the incidents, in push order.
    const fifths = Array.from({ length: 5 }, (_, k) => {
      const part = latencies.slice((k * latencies.length) / 5, ((k + 1) * latencies.length) / 5);
      return Math.round(
        percentile(
          [...part].sort((a, b) => a - b),
          50,
        ),
      );
    });
    latencies.sort((a, b) => a - b);
    const round = (v: number) => Math.round(v);
    // A server that does not stop cleanly is reported, without losing what was measured.
    let stopError: string | undefined;
    await server.stop().catch((error: Error) => {
      stopError = error.message.split('\n')[0];
    });
    server = undefined;
    return {
      database: target.name,
      ...(target.version ? { version: target.version } : {}),
      incidents: count,
      pushFailures: failures.length,
      pushMs: round(pushMs),
      totalMs: round(last - started),
      latencyMs: {
        p50: round(percentile(latencies, 50)),
        p90: round(percentile(latencies, 90)),
        p99: round(percentile(latencies, 99)),
        max: round(latencies.at(-1) ?? 0),
        mean: round(latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length)),
      },
      paged: latencies.length,
      p50ByFifthMs: fifths,
      missing,
      doubled,
      strays: listener.strays,
      deliveries: await deliveries(target, postgres),
      ...(postgres ? { stagesMs: (await postgres.query<Stages>(STAGES_SQL)).rows[0]! } : {}),
      serverCpuMsPerIncident: cpuMs / count,
      ...(dbBefore !== undefined && dbAfter !== undefined
        ? { dbCpuMsPerIncident: (dbAfter - dbBefore) / count }
        : {}),
      idlePercentBefore: round(idleBefore),
      ...(stopError ? { stopError } : {}),
      loadAverage: {
        before: loadBefore.map((l) => Number(l.toFixed(2))),
        after: loadAfter.map((l) => Number(l.toFixed(2))),
      },
    };
  } finally {
    await server?.stop().catch(() => {});
    await postgres?.end().catch(() => {});
    await listener.close();
  }
}

function table(results: NotifyResult[]): string {
  return [
    '| Database | incidents | push (s) | total (s) | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | paged | missing | doubled | server CPU ms/incident | PostgreSQL CPU ms/incident | load avg (1 min, before → after) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
    ...results.map(
      (r) =>
        `| ${r.database} | ${r.incidents} | ${(r.pushMs / 1000).toFixed(1)} | ${(r.totalMs / 1000).toFixed(1)} | ` +
        `${r.latencyMs.p50} | ${r.latencyMs.p90} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${r.paged} | ` +
        `${r.missing} | ${r.doubled} | ${r.serverCpuMsPerIncident.toFixed(2)} | ` +
        `${r.dbCpuMsPerIncident?.toFixed(2) ?? '—'} | ${r.loadAverage.before[0]} → ${r.loadAverage.after[0]} |`,
    ),
  ].join('\n');
}

/** Which runs fail the command: pushes refused, incidents not paged or paged twice, rows not delivered. */
function problems(r: NotifyResult): string[] {
  const found: string[] = [];
  if (r.stopError) found.push(`the server did not stop cleanly: ${r.stopError}`);
  if (r.pushFailures > 0) found.push(`${r.pushFailures} pushes failed`);
  if (r.missing > 0) found.push(`${r.missing} incidents never paged`);
  if (r.doubled > 0) found.push(`${r.doubled} incidents paged more than once`);
  const expected = r.incidents + WARM_UP;
  const delivered = r.deliveries.find((d) => d.status === 'success');
  const others = r.deliveries.filter((d) => d.status !== 'success');
  if (delivered?.n !== expected || delivered.incidents !== expected || others.length > 0)
    found.push(
      `deliveries ${JSON.stringify(r.deliveries)}, expected ${expected} delivered, one per incident`,
    );
  return found;
}

export async function runNotifyBench(
  pgliteOnly: boolean,
  count?: number,
  postgresOnly = false,
): Promise<number> {
  const chosen = await chooseTargets(pgliteOnly);
  const { skipped } = chosen;
  // chooseTargets lists PGlite first.
  const targets = postgresOnly ? chosen.targets.slice(1) : chosen.targets;
  if (targets.length === 0) throw new Error(`no PostgreSQL to run on${skipped ? `: ${skipped}` : ''}`);
  const results = await forEachTarget(targets, (target) =>
    benchDatabase(target, count ?? COUNTS[target.name]),
  );
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    connections: CONNECTIONS,
    ...(skipped ? { skipped } : {}),
    results,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(results)}\n\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`);
  let failed = 0;
  for (const r of results) {
    for (const problem of problems(r)) {
      process.stderr.write(`${r.database}: ${problem}\n`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}
