import { setTimeout as sleep } from 'node:timers/promises';
import { startAlertmanager } from './alertmanager.ts';
import { call, type LoadResult, load } from './load.ts';
import { runCli, startServer, vigilEnv } from './server.ts';
import { forEachTarget, log, type Target } from './targets.ts';

/*
 * Side by side with Prometheus Alertmanager, in one run, with one closed loop (issue 18,
 * docs/benchmarks.md "Ingestion against Alertmanager"): 32 connections over 5,000 alert keys, every
 * 10th event a recovery. Vigil answers a push once the event is in its ingest log and applies it in
 * the background, so each Vigil load reports the accepted rate (events answered 200 per second of
 * load) and the sustained rate: events ÷ (load time + the time `vigil_ingest_backlog_events`, read
 * from GET /metrics, takes to reach 0). Ratios are against Alertmanager's single-alert rate.
 */

export const CONNECTIONS = 32;
export const KEYS = 5_000;
export const RECOVERY_EVERY = 10;
const BATCH = 20;
const DRAIN_TIMEOUT_MS = 600_000;

/** The n-th event of the loop: key n mod KEYS, every 10th a recovery. */
export function nth(context: Record<string, unknown>, counter: { n: number }) {
  const n = counter.n++;
  context.n = n;
  return { key: n % KEYS, recovery: n % RECOVERY_EVERY === RECOVERY_EVERY - 1 };
}

export const vigilBody = (counter: { n: number }) => (context: Record<string, unknown>) => {
  const { key, recovery } = nth(context, counter);
  return JSON.stringify({
    event_status: recovery ? 'Ok' : 'Critical',
    alert_key: `k${key}`,
    title_rule: `CPU above 90% on host-${key}`,
    labels: { service: `svc-${key % 50}`, host: `host-${key}` },
  });
};

const amAlert = (key: number, recovery: boolean, now: string) => ({
  labels: { alertname: 'HighCPU', service: `svc-${key % 50}`, host: `host-${key}` },
  annotations: { summary: `CPU above 90% on host-${key}` },
  startsAt: now,
  ...(recovery ? { endsAt: now } : {}),
});

/** Alertmanager's own API: a list of alerts; one a request, as Prometheus would never batch less. */
const alertmanagerBody = (counter: { n: number }) => (context: Record<string, unknown>) => {
  const { key, recovery } = nth(context, counter);
  return JSON.stringify([amAlert(key, recovery, new Date().toISOString())]);
};

/** An Alertmanager webhook (version 4) of BATCH alerts of consecutive keys. */
const webhookBody = (counter: { n: number }) => (context: Record<string, unknown>) => {
  const now = new Date().toISOString();
  const alerts = Array.from({ length: BATCH }, () => {
    const { key, recovery } = nth(context, counter);
    const a = amAlert(key, recovery, now);
    return {
      status: recovery ? 'resolved' : 'firing',
      ...a,
      endsAt: recovery ? now : '0001-01-01T00:00:00Z',
      fingerprint: `f${key}`,
    };
  });
  return JSON.stringify({ version: '4', status: 'firing', alerts });
};

export const ok = (r: LoadResult) =>
  Object.entries(r.statusCodes)
    .filter(([code]) => code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);

/** GET /metrics, as name{labels} → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return values;
}

/** Milliseconds until vigil_ingest_backlog_events is 0. */
export async function drainMs(url: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if ((await scrape(url)).get('vigil_ingest_backlog_events') === 0) return performance.now() - started;
    if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error('the backlog did not drain');
    await sleep(20);
  }
}

/** The p99 of vigil_ingest_apply_lag_seconds over what was applied between two scrapes (a bucket's bound). */
function lagP99(before: Map<string, number>, after: Map<string, number>): number | undefined {
  const buckets = [...after.keys()]
    .filter((k) => k.startsWith('vigil_ingest_apply_lag_seconds_bucket'))
    .map((k) => ({
      le: k.includes('+Inf') ? Number.POSITIVE_INFINITY : Number(/le="([^"]+)"/.exec(k)![1]),
      count: after.get(k)! - (before.get(k) ?? 0),
    }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return undefined;
  return buckets.find((b) => b.count >= total * 0.99)?.le;
}

type Row = {
  server: string;
  load: string;
  events: number;
  loadS: number;
  acceptedPerS: number;
  drainS?: number;
  sustainedPerS?: number;
  p50Ms: number;
  p99Ms: number;
  lagP99S?: number;
  non2xx: number;
};

async function vigilRuns(target: Target, durationS: number, amRate: number): Promise<Row[]> {
  const env = vigilEnv(target.env);
  const server = await startServer(env);
  try {
    const { app_key: appKey } = JSON.parse(
      await runCli(['account', 'create', '--name', 'Bench', '--email', 'bench@example.com'], env),
    ) as { app_key: string };
    const team = await call<{ team_id: number }>(server.url, appKey, '/team/upsert', { team_name: 'bench' });
    const channel = await call<{ channel_id: number }>(server.url, appKey, '/channel/create', {
      team_id: team.team_id,
      channel_name: 'compare',
      group: { method: 'p', equals: [['labels.service']] },
    });
    const integration = async (plugin_type: string) =>
      (
        await call<{ integration_key: string }>(server.url, appKey, '/datasource/upsert', {
          name: plugin_type,
          plugin_type,
          channel_id: channel.channel_id,
        })
      ).integration_key;
    const standard = `integration_key=${await integration('alert.standard')}`;
    const prometheus = `integration_key=${await integration('alert.prometheus')}`;
    const rows: Row[] = [];
    const run = async (
      name: string,
      options: { path: string; query: string; body: (c: Record<string, unknown>) => string; rate?: number },
      perRequest = 1,
    ) => {
      log(`${target.name}: ${name}, ${durationS} s`);
      const before = await scrape(server.url);
      const result = await load({
        name,
        baseUrl: server.url,
        path: options.path,
        query: options.query,
        connections: CONNECTIONS,
        durationS,
        body: options.body,
        ...(options.rate ? { overallRate: options.rate } : {}),
      });
      const drain = (await drainMs(server.url)) / 1000;
      const after = await scrape(server.url);
      const events = ok(result) * perRequest;
      const lag = lagP99(before, after);
      rows.push({
        server: `Vigil, ${target.name}`,
        load: name,
        events,
        loadS: result.durationS,
        acceptedPerS: events / result.durationS,
        drainS: drain,
        sustainedPerS: events / (result.durationS + drain),
        p50Ms: result.latencyMs.p50,
        p99Ms: result.latencyMs.p99,
        ...(lag !== undefined ? { lagP99S: lag } : {}),
        non2xx: result.non2xx,
      });
    };
    const push = '/event/push/alert/standard';
    await run('single-event pushes, closed loop', { path: push, query: standard, body: vigilBody({ n: 0 }) });
    const half = Math.round(amRate / 2);
    await run(`single-event pushes at ${half}/s (half Alertmanager's)`, {
      path: push,
      query: standard,
      body: vigilBody({ n: 0 }),
      rate: half,
    });
    await run(
      `Alertmanager webhooks of ${BATCH}, closed loop`,
      { path: '/event/push/alert/prometheus', query: prometheus, body: webhookBody({ n: 0 }) },
      BATCH,
    );
    return rows;
  } finally {
    await server.stop();
  }
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '—' : n.toFixed(digits));

/** Runs Alertmanager, then Vigil on each target; prints the table with ratios; the rows. */
export async function runIngestComparison(
  targets: Array<() => Promise<Target>>,
  durationS: number,
): Promise<Row[] | undefined> {
  const am = await startAlertmanager();
  if ('missing' in am) {
    log(`no comparison with Alertmanager: ${am.missing}`);
    return undefined;
  }
  let amRow: Row;
  try {
    log(`Alertmanager ${am.version}: single-alert pushes, closed loop, ${durationS} s`);
    const result = await load({
      name: 'single-alert pushes, closed loop',
      baseUrl: am.url,
      path: '/api/v2/alerts',
      connections: CONNECTIONS,
      durationS,
      body: alertmanagerBody({ n: 0 }),
    });
    amRow = {
      server: `Alertmanager ${am.version}`,
      load: 'single-alert pushes (POST /api/v2/alerts), closed loop',
      events: ok(result),
      loadS: result.durationS,
      acceptedPerS: ok(result) / result.durationS,
      p50Ms: result.latencyMs.p50,
      p99Ms: result.latencyMs.p99,
      non2xx: result.non2xx,
    };
  } finally {
    await am.stop();
  }
  const rows = [
    amRow,
    ...(await forEachTarget(targets, (t) => vigilRuns(t, durationS, amRow.acceptedPerS))).flat(),
  ];
  const amRate = amRow.acceptedPerS;
  const ratio = (n: number | undefined) => (n === undefined ? '—' : `${(n / amRate).toFixed(2)}×`);
  process.stdout.write(
    [
      '',
      `| Server | Load (${CONNECTIONS} connections, ${KEYS} keys, every ${RECOVERY_EVERY}th a recovery) | events | accepted/s | × AM | drain (s) | sustained/s | × AM | p50 (ms) | p99 (ms) | apply lag p99 (s, bucket) | non-2xx |`,
      '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
      ...rows.map(
        (r) =>
          `| ${r.server} | ${r.load} | ${r.events} | ${fmt(r.acceptedPerS)} | ${ratio(r.acceptedPerS)} | ${fmt(r.drainS, 2)} | ` +
          `${fmt(r.sustainedPerS)} | ${ratio(r.sustainedPerS)} | ${r.p50Ms} | ${r.p99Ms} | ${fmt(r.lagP99S, 3)} | ${r.non2xx} |`,
      ),
      '',
    ].join('\n'),
  );
  return rows;
}
