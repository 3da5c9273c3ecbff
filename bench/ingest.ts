import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startAlertmanager } from './alertmanager.ts';
import { startHttpFloor } from './http-floor.ts';
import { drainMs, runIngestComparison } from './ingest-compare.ts';
import { type EventKind, EventMix } from './ingest-mix.ts';
import { runIngestVariants } from './ingest-variants.ts';
import { call, type LoadResult, load, reportFailures } from './load.ts';
import { idlePercent, processCpuMs, runCli, startServer, vigilEnv } from './server.ts';
import { chooseTargets, type DatabaseName, forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench -- ingest [--pglite-only | --postgres-only] [--duration S] [--connections N]`: how
 * many alert events `vigil serve` takes through `POST /event/push/alert/standard`, at what latency,
 * and what it made of them; and the same single-alert load against Prometheus Alertmanager and an
 * empty Fastify route (bench/http-floor.ts) for comparison. Only HTTP is used to
 * drive Vigil; the database is read afterwards to count alerts and incidents.
 * See docs/benchmarks.md "Ingestion".
 */

const RESULTS = path.resolve(import.meta.dirname, 'results/ingest.json');
const WARM_UP_S = 1;
/** Pause after a load so requests cut off at its end are processed before the next one starts. */
const SETTLE_MS = 500;
const MIX = { keys: 2000, seed: 0x5eed, stormKeys: 500, stormService: 'checkout' } as const;
/** The storm's window in the middle of the load: its keys not sent within it are not sent. */
const STORM_WINDOW_S = 5;
/** The fixed rates of the latency run ("p99 at 5,000 events/s" on PostgreSQL; less on PGlite). */
const FIXED_RATE: Record<DatabaseName, number> = { pglite: 2000, postgres: 5000 };
const PUSH_PATH = '/event/push/alert/standard';
/** Below this much idle CPU before the start, the run is flagged as on a busy machine. */
const BUSY_BELOW_IDLE_PERCENT = 80;

/** One alert, firing, pushed again and again: in Vigil's format and in Alertmanager's. */
const SINGLE = {
  labels: { service: 'single', host: 'single-00', region: 'eu-west-1' },
  summary: 'CPU above 90% on single-00',
  description: 'CPU above 90% on single-00 (eu-west-1)',
};
const SINGLE_VIGIL = JSON.stringify({
  event_status: 'Critical',
  alert_key: 'single/single-00/cpu',
  title_rule: SINGLE.summary,
  description: SINGLE.description,
  labels: SINGLE.labels,
});
const SINGLE_ALERTMANAGER = JSON.stringify([
  {
    labels: { alertname: 'HighCPU', severity: 'critical', ...SINGLE.labels },
    annotations: { summary: SINGLE.summary, description: SINGLE.description },
  },
]);

/**
 * Alertmanager groups alerts into one notification: a webhook batch of this many firing alerts (one
 * service, its hosts), sent again and again, as Alertmanager repeats a group's notification.
 */
const BATCH_ALERTS = 20;
const batchAlertmanager = (startsAt: string) =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'vigil',
    groupKey: '{}:{service="batch"}',
    groupLabels: { service: 'batch' },
    commonLabels: { service: 'batch', alertname: 'HighLatency' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local',
    alerts: Array.from({ length: BATCH_ALERTS }, (_, i) => {
      const host = `batch-${String(i).padStart(2, '0')}`;
      return {
        status: 'firing',
        labels: { alertname: 'HighLatency', severity: 'warning', service: 'batch', host },
        annotations: { summary: `p99 latency above 1 s on ${host}` },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.local/graph',
        fingerprint: `b${String(i).padStart(15, '0')}`,
      };
    }),
  });

type IngestLoad = LoadResult & {
  /** Events of 2xx answers per second (a standard push carries one, an Alertmanager batch several). */
  eventsPerSecond: number;
  /** CPU time of the server process (not of PostgreSQL's) per 2xx answer, in milliseconds. */
  cpuMsPerEvent: number;
  /** CPU time of the database's PostgreSQL backends per 2xx answer (PostgreSQL on this machine only). */
  dbCpuMsPerEvent?: number;
  connections: number;
  targetRate?: number;
};

type Counts = { alerts: number; recovered: number; open: number; storedEvents: number };

type Found = Counts & {
  incidents: number;
  openIncidents: number;
  stormAlerts: number;
  /** Incidents the storm's alerts went to. */
  stormIncidents: number;
};

/** What Vigil's own API says, from /incident/list (Σ of its incidents' counters). */
type Listed =
  | { incidents: number; alerts: number; activeAlerts: number; alertEvents: number }
  | { unavailable: string };

type DatabaseIngest = {
  database: DatabaseName;
  version?: string;
  loads: IngestLoad[];
  sent: Record<EventKind, number>;
  answered: Record<EventKind, number>;
  /** tookMs (first sent → last answered) only when every storm event was answered; latencies of those answered. */
  storm: { alerts: number; answered: number; tookMs?: number; p50Ms?: number; p99Ms?: number };
  expected: Counts;
  found: Found;
  listed: Listed;
  /** Which of `expected` differ from `found`, or from `listed`. */
  mismatches: string[];
};

type AlertmanagerIngest = { version: string; loads: IngestLoad[] };

/** The process under load: its memory and CPU time. */
type Measured = { rssMb(): number; cpuMs(): number };

/** Runs a load and adds events/s, the process's RSS after it and its CPU time per event. */
/**
 * CPU time so far of the PostgreSQL backends serving this database, by pid — those running on this
 * machine (a remote server's pids are not ours to read: then the map is empty).
 */
async function backendCpuMs(client: pg.Client): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') cpu.set(pid, processCpuMs(pid));
    } catch {
      // gone, or not on this machine
    }
  }
  return cpu;
}

/**
 * Runs a load and adds events/s, the process's RSS after it and its CPU time per event — and, given
 * a connection to the database, its PostgreSQL backends' CPU time per event.
 */
async function measure(
  proc: Measured,
  run: () => Promise<LoadResult>,
  options: {
    connections: number;
    targetRate?: number;
    postgres?: pg.Client | undefined;
    eventsPerRequest?: number;
  },
): Promise<IngestLoad> {
  const { targetRate, postgres } = options;
  const perRequest = options.eventsPerRequest ?? 1;
  const dbBefore = postgres ? await backendCpuMs(postgres) : undefined;
  const cpuBefore = proc.cpuMs();
  const result = await run();
  const cpuMs = proc.cpuMs() - cpuBefore;
  let dbCpuMs: number | undefined;
  if (postgres && dbBefore) {
    const after = await backendCpuMs(postgres);
    if (after.size > 0)
      dbCpuMs = [...after].reduce((sum, [pid, ms]) => sum + ms - (dbBefore.get(pid) ?? 0), 0);
  }
  const ok =
    perRequest *
    Object.entries(result.statusCodes)
      .filter(([code]) => code.startsWith('2'))
      .reduce((sum, [, count]) => sum + count, 0);
  return {
    ...result,
    rssAfterMb: proc.rssMb(),
    eventsPerSecond: result.durationS > 0 ? ok / result.durationS : 0,
    cpuMsPerEvent: ok > 0 ? cpuMs / ok : 0,
    ...(dbCpuMs !== undefined && ok > 0 ? { dbCpuMsPerEvent: dbCpuMs / ok } : {}),
    connections: options.connections,
    ...(targetRate ? { targetRate } : {}),
  };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

const COUNT_SQL = `select
  (select count(*)::int from alerts) as alerts,
  (select count(*)::int from alerts where end_time > 0) as recovered,
  (select count(*)::int from alerts where end_time = 0) as open,
  (select count(*)::int from alert_events) as stored_events,
  (select count(*)::int from incidents) as incidents,
  (select count(*)::int from incidents where progress <> 'Closed') as open_incidents,
  (select count(*)::int from alerts where alert_key like 'storm/%') as storm_alerts,
  (select count(distinct incident_id)::int from alerts where alert_key like 'storm/%') as storm_incidents`;

type CountRow = Record<
  | 'alerts'
  | 'recovered'
  | 'open'
  | 'stored_events'
  | 'incidents'
  | 'open_incidents'
  | 'storm_alerts'
  | 'storm_incidents',
  number
>;

const toFound = (row: CountRow): Found => ({
  alerts: row.alerts,
  recovered: row.recovered,
  open: row.open,
  storedEvents: row.stored_events,
  incidents: row.incidents,
  openIncidents: row.open_incidents,
  stormAlerts: row.storm_alerts,
  stormIncidents: row.storm_incidents,
});

/** Counts what Vigil stored: on PostgreSQL through `postgres`, on PGlite (one process) once it stopped. */
async function countStored(target: Target, postgres: pg.Client | undefined): Promise<Found> {
  if (postgres) return toFound((await postgres.query<CountRow>(COUNT_SQL)).rows[0]!);
  const db = await PGlite.create({ dataDir: target.env.DATA_DIR! });
  try {
    return toFound((await db.query<CountRow>(COUNT_SQL)).rows[0]!);
  } finally {
    await db.close();
  }
}

const MAX_PAGES = 50;
const PAGE = 100;

/** Incidents through POST /incident/list (paged, at most MAX_PAGES pages), and the alerts they count. */
async function listIncidents(baseUrl: string, appKey: string, sinceSeconds: number): Promise<Listed> {
  const totals = { incidents: 0, alerts: 0, activeAlerts: 0, alertEvents: 0 };
  const endTime = Math.floor(Date.now() / 1000) + 3600;
  for (let p = 1; p <= MAX_PAGES; p++) {
    const response = await fetch(`${baseUrl}/incident/list?app_key=${encodeURIComponent(appKey)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ start_time: sinceSeconds - 3600, end_time: endTime, p, limit: PAGE }),
    });
    const text = await response.text();
    if (response.status !== 200)
      return { unavailable: `/incident/list answered ${response.status}: ${text}` };
    const { items, has_next_page: more } = (
      JSON.parse(text) as {
        data: {
          items: Array<{ alert_cnt: number; active_alert_cnt: number; alert_event_cnt: number }>;
          has_next_page: boolean;
        };
      }
    ).data;
    for (const item of items) {
      totals.incidents++;
      totals.alerts += item.alert_cnt;
      totals.activeAlerts += item.active_alert_cnt;
      totals.alertEvents += item.alert_event_cnt;
    }
    if (!more) return totals;
  }
  return { unavailable: `/incident/list has more than ${MAX_PAGES * PAGE} incidents` };
}

async function benchDatabase(
  target: Target,
  durationS: number,
  connections: number,
): Promise<DatabaseIngest> {
  const env = vigilEnv(target.env);
  log(`${target.name}: start`);
  const server = await startServer(env);
  const mix = new EventMix(MIX);
  const loads: IngestLoad[] = [];
  let found: Found | undefined;
  let listed: Listed;
  const since = Math.floor(Date.now() / 1000);
  // PostgreSQL: a connection of our own, to count and to find the backends serving Vigil.
  const postgres = target.env.DATABASE_URL
    ? new pg.Client({ connectionString: target.env.DATABASE_URL, connectionTimeoutMillis: 3_000 })
    : undefined;
  try {
    await postgres?.connect();
    const { app_key: appKey } = JSON.parse(
      await runCli(['account', 'create', '--name', 'Bench', '--email', 'bench@example.com'], env),
    ) as { app_key: string };
    const team = await call<{ team_id: number }>(server.url, appKey, '/team/upsert', { team_name: 'bench' });
    const channel = await call<{ channel_id: number }>(server.url, appKey, '/channel/create', {
      team_id: team.team_id,
      channel_name: 'ingest',
      group: { method: 'p', equals: [['labels.service']] },
    });
    const integration = await call<{ integration_key: string }>(server.url, appKey, '/datasource/upsert', {
      name: 'bench',
      plugin_type: 'alert.standard',
      channel_id: channel.channel_id,
    });
    const query = `integration_key=${encodeURIComponent(integration.integration_key)}`;

    const mixLoad = (name: string, seconds: number, overallRate?: number) =>
      load({
        name,
        baseUrl: server.url,
        path: PUSH_PATH,
        query,
        connections,
        durationS: seconds,
        ...(overallRate ? { overallRate } : {}),
        body: (context) => mix.next(context),
        onResponse: (status, _body, context) => mix.answer(status, context),
      });
    const settle = async () => {
      await sleep(SETTLE_MS);
      mix.settle();
    };

    const windowS = Math.min(STORM_WINDOW_S, durationS / 2);
    log(
      `${target.name}: event mix, ${WARM_UP_S} s warm-up + ${durationS} s (storm in the middle ${windowS} s)`,
    );
    await mixLoad('warm-up', WARM_UP_S);
    await settle();
    const stormStart = setTimeout(() => mix.startStorm(), ((durationS - windowS) / 2) * 1000);
    const stormEnd = setTimeout(() => mix.stopStorm(), ((durationS + windowS) / 2) * 1000);
    try {
      loads.push(
        await measure(server, () => mixLoad('event mix, as fast as answered', durationS), {
          connections,
          postgres,
        }),
      );
    } finally {
      clearTimeout(stormStart);
      clearTimeout(stormEnd);
      mix.stopStorm();
    }
    await settle();

    const rate = FIXED_RATE[target.name];
    log(`${target.name}: event mix at ${rate}/s, ${durationS} s`);
    const name = `event mix at ${rate.toLocaleString('en')}/s`;
    loads.push(
      await measure(server, () => mixLoad(name, durationS, rate), {
        connections,
        targetRate: rate,
        postgres,
      }),
    );
    await settle();

    log(`${target.name}: one alert repeated, ${WARM_UP_S} s warm-up + ${durationS} s`);
    const single = (seconds: number) =>
      load({
        name: 'one alert repeated',
        baseUrl: server.url,
        path: PUSH_PATH,
        query,
        connections,
        durationS: seconds,
        body: SINGLE_VIGIL,
      });
    await single(WARM_UP_S);
    loads.push(await measure(server, () => single(durationS), { connections, postgres }));
    await sleep(SETTLE_MS);

    log(`${target.name}: Alertmanager batches of ${BATCH_ALERTS}, ${WARM_UP_S} s warm-up + ${durationS} s`);
    const prometheus = await call<{ integration_key: string }>(server.url, appKey, '/datasource/upsert', {
      name: 'bench alertmanager',
      plugin_type: 'alert.prometheus',
      channel_id: channel.channel_id,
    });
    const batches = (seconds: number) =>
      load({
        name: `Alertmanager batches of ${BATCH_ALERTS} alerts`,
        baseUrl: server.url,
        path: '/event/push/alert/prometheus',
        query: `integration_key=${encodeURIComponent(prometheus.integration_key)}`,
        connections,
        durationS: seconds,
        // Started now: an incident's start is its first alert's, and the counts list from `since`.
        body: batchAlertmanager(new Date().toISOString()),
      });
    await batches(WARM_UP_S);
    loads.push(
      await measure(server, () => batches(durationS), {
        connections,
        postgres,
        eventsPerRequest: BATCH_ALERTS,
      }),
    );
    await sleep(SETTLE_MS);

    // Events are applied in the background: count once every accepted one is.
    const drained = await drainMs(server.url);
    log(`${target.name}: the ingest backlog drained ${Math.round(drained)} ms after the last load`);
    listed = await listIncidents(server.url, appKey, since);
    if (postgres) found = await countStored(target, postgres);
  } finally {
    await postgres?.end().catch(() => {});
    await server.stop();
  }
  found ??= await countStored(target, undefined);

  // The single alert and the batch's alerts: one alert and one stored event each (their repeats
  // are deduplicated).
  const fromMix = mix.expected();
  const expected: Counts = {
    alerts: fromMix.alerts + 1 + BATCH_ALERTS,
    recovered: fromMix.recovered,
    open: fromMix.open + 1 + BATCH_ALERTS,
    storedEvents: fromMix.storedEvents + 1 + BATCH_ALERTS,
  };
  const mismatches = (Object.keys(expected) as Array<keyof Counts>)
    .filter((k) => expected[k] !== found[k])
    .map((k) => `${k}: expected ${expected[k]}, found ${found[k]} in the database`);
  if ('alerts' in listed) {
    if (listed.incidents !== found.incidents)
      mismatches.push(`incidents: ${found.incidents} in the database, ${listed.incidents} listed`);
    if (listed.alerts !== expected.alerts)
      mismatches.push(`alerts: expected ${expected.alerts}, the incidents listed count ${listed.alerts}`);
    if (listed.activeAlerts !== expected.open)
      mismatches.push(
        `open alerts: expected ${expected.open}, the incidents listed count ${listed.activeAlerts}`,
      );
  }
  const latencies = [...mix.storm.latenciesMs].sort((a, b) => a - b);
  const { startedAt, lastAnsweredAt } = mix.storm;
  return {
    database: target.name,
    ...(target.version ? { version: target.version } : {}),
    loads,
    sent: { ...mix.sent },
    answered: { ...mix.answered },
    storm: {
      alerts: mix.sent.storm,
      answered: mix.answered.storm,
      ...(startedAt !== undefined && lastAnsweredAt !== undefined && mix.answered.storm === MIX.stormKeys
        ? { tookMs: Math.round(lastAnsweredAt - startedAt) }
        : {}),
      ...(latencies.length > 0
        ? { p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)) }
        : {}),
    },
    expected,
    found,
    listed,
    mismatches,
  };
}

async function benchAlertmanager(
  durationS: number,
  connections: number,
): Promise<AlertmanagerIngest | { skipped: string }> {
  const am = await startAlertmanager();
  if ('missing' in am) {
    log(`skipping Alertmanager: ${am.missing}`);
    return { skipped: am.missing };
  }
  log(`Alertmanager ${am.version}: one alert repeated, ${WARM_UP_S} s warm-up + ${durationS} s`);
  try {
    const single = (seconds: number) =>
      load({
        name: 'one alert repeated (POST /api/v2/alerts)',
        baseUrl: am.url,
        path: '/api/v2/alerts',
        connections,
        durationS: seconds,
        body: SINGLE_ALERTMANAGER,
      });
    await single(WARM_UP_S);
    const amProcess = { rssMb: am.rssMb, cpuMs: () => processCpuMs(am.pid) };
    return {
      version: am.version,
      loads: [await measure(amProcess, () => single(durationS), { connections })],
    };
  } finally {
    await am.stop();
  }
}

/** The same single-alert load against an empty Fastify route: the floor of a one-event push here. */
async function benchHttpFloor(durationS: number, connections: number): Promise<IngestLoad> {
  const floor = await startHttpFloor();
  log(`empty Fastify route: one alert repeated, ${WARM_UP_S} s warm-up + ${durationS} s`);
  try {
    const single = (seconds: number) =>
      load({
        name: 'one alert repeated, body parsed and answered, no database',
        baseUrl: floor.url,
        path: PUSH_PATH,
        connections,
        durationS: seconds,
        body: SINGLE_VIGIL,
      });
    await single(WARM_UP_S);
    const floorProcess = { rssMb: floor.rssMb, cpuMs: () => processCpuMs(floor.pid) };
    return await measure(floorProcess, () => single(durationS), { connections });
  } finally {
    await floor.stop();
  }
}

const loadRow = (who: string, l: IngestLoad) =>
  `| ${who} | ${l.scenario} | ${l.connections} | ${l.eventsPerSecond.toFixed(0)} | ${l.latencyMs.p50} | ` +
  `${l.latencyMs.p90} | ${l.latencyMs.p99} | ${l.latencyMs.max} | ${l.non2xx} | ${l.errors} | ` +
  `${l.cpuMsPerEvent.toFixed(2)} | ${l.dbCpuMsPerEvent?.toFixed(2) ?? '—'} | ${(l.rssAfterMb ?? 0).toFixed(0)} |`;

const expectedCell = (found: number, expected: number) =>
  found === expected ? `${found}` : `**${found}** (expected ${expected})`;

const outcomeRow = (r: DatabaseIngest) =>
  `| ${r.database} | ${r.sent.repeat} / ${r.sent.new} / ${r.sent.recovery} / ${r.sent.storm} | ` +
  `${expectedCell(r.found.alerts, r.expected.alerts)} | ${expectedCell(r.found.recovered, r.expected.recovered)} | ` +
  `${expectedCell(r.found.storedEvents, r.expected.storedEvents)} | ${r.found.incidents} | ` +
  `${r.found.stormAlerts} → ${r.found.stormIncidents} | ${r.storm.tookMs ?? `— (${r.storm.alerts} of ${MIX.stormKeys} sent)`} | ${r.storm.p99Ms ?? '—'} | ` +
  `${'alerts' in r.listed ? `${r.listed.incidents} / ${r.listed.alerts} / ${r.listed.activeAlerts}` : 'unavailable'} |`;

function tables(
  results: DatabaseIngest[],
  alertmanager: AlertmanagerIngest | undefined,
  floor: IngestLoad,
): string {
  return [
    '| Server | Load | connections | events/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | non-2xx | errors | server CPU ms/event | PostgreSQL CPU ms/event | RSS after (MiB) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.flatMap((r) => r.loads.map((l) => loadRow(r.database, l))),
    ...(alertmanager
      ? alertmanager.loads.map((l) => loadRow(`Alertmanager ${alertmanager.version}`, l))
      : []),
    loadRow('empty Fastify route', floor),
    '',
    '| Database | events sent (repeat / new / recovery / storm) | alerts | recovered | events stored | incidents | storm alerts → incidents | storm took (ms) | storm p99 (ms) | /incident/list: incidents / alerts / open |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.map(outcomeRow),
  ].join('\n');
}

/** The ingestion benchmark; resolves to the exit code (1 when a load failed or Vigil lost count). */
export async function runIngestBench(options: {
  pgliteOnly: boolean;
  postgresOnly: boolean;
  durationS: number;
  connections: number;
  /** Only the side-by-side run against Alertmanager (bench/ingest-compare.ts). */
  compareOnly: boolean;
  /** Only processing and sources against the plain push (bench/ingest-variants.ts). */
  variantsOnly: boolean;
}): Promise<number> {
  const { pgliteOnly, postgresOnly, durationS, connections } = options;
  if (options.compareOnly) {
    const { targets: chosen } = await chooseTargets(pgliteOnly);
    const rows = await runIngestComparison(postgresOnly ? chosen.slice(1) : chosen, durationS);
    return rows ? 0 : 1;
  }
  if (options.variantsOnly) {
    const { targets: chosen } = await chooseTargets(pgliteOnly);
    await runIngestVariants(postgresOnly ? chosen.slice(1) : chosen, durationS);
    return 0;
  }
  // Other work on the machine takes CPU from Vigil and autocannon alike: say so up front.
  // The first second includes the start of this process (and npm's): the better of two samples.
  const idleBefore = Math.round(Math.max(await idlePercent(1000), await idlePercent(1000)));
  if (idleBefore < BUSY_BELOW_IDLE_PERCENT)
    log(`the machine is busy (${100 - idleBefore}% CPU in use before the start): expect lower numbers`);
  const { targets: chosen, skipped } = await chooseTargets(pgliteOnly);
  const targets = postgresOnly ? chosen.slice(1) : chosen;
  const results = await forEachTarget(targets, (target) => benchDatabase(target, durationS, connections));
  const alertmanager = await benchAlertmanager(durationS, connections);
  const floor = await benchHttpFloor(durationS, connections);
  const comparison = await runIngestComparison(targets, durationS);
  const variants = await runIngestVariants(targets, durationS);
  const compared = 'skipped' in alertmanager ? undefined : alertmanager;

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadDurationS: durationS,
    idlePercentBeforeStart: idleBefore,
    connections,
    mix: { ...MIX, repeat: 0.7, new: 0.2, recovery: 0.1 },
    fixedRates: FIXED_RATE,
    ...(skipped ? { skipped } : {}),
    results,
    alertmanager,
    httpFloor: floor,
    comparison,
    variants,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${tables(results, compared, floor)}\n\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`,
  );

  const failed = reportFailures([
    ...results.flatMap((r) => r.loads.map((l) => ({ label: r.database, load: l }))),
    ...(compared ? compared.loads.map((l) => ({ label: 'alertmanager', load: l })) : []),
    { label: 'empty Fastify route', load: floor },
  ]);
  for (const r of results.filter((r) => r.mismatches.length > 0)) {
    process.stderr.write(
      `\n${r.database}: stored alerts differ from what was sent: ${r.mismatches.join('; ')}\n`,
    );
  }
  return failed > 0 || results.some((r) => r.mismatches.length > 0) ? 1 : 0;
}
