import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { startHttpFloor } from './http-floor.ts';
import { CONNECTIONS, call, type LoadResult, reportFailures, summarise } from './load.ts';
import { idlePercent, runCli, type Server, startServer, vigilEnv } from './server.ts';
import { chooseTargets, type DatabaseName, forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench -- status-page [--pglite-only] [--duration S]`: how many readers the public status
 * page (`/status/<url_name>`) and its `summary.json` serve, at what latency, while a responder posts
 * timeline updates to an active incident; and how long an update takes to show on the page — on the
 * instance that took it, and (PostgreSQL) on a second instance, which only learns of it when its
 * cached rendering expires. Each reader load is followed by the same load on an empty Fastify
 * route (bench/http-floor.ts), the reference of issue 27's target. See docs/benchmarks.md "Status page".
 */

const RESULTS = path.resolve(import.meta.dirname, 'results/status-page.json');
const WARM_UP_S = 1;
/** A responder's pace: one timeline update every this many ms while readers load the page. */
const UPDATE_EVERY_MS = 250;
/** How often the update watcher fetches the page while waiting for an update to show. */
const POLL_MS = 10;
/** An update not visible after this long counts as never (and fails the run). */
const VISIBLE_TIMEOUT_MS = 5_000;
/** Issue 27: at least this share of the empty route's rate in the same run, p99 ≤ 10 ms, visible within 1 s (+ a poll). */
const TARGET = { ofFloor: 0.8, p99Ms: 10, visibleMs: 1_100 } as const;
const SECTIONS = 3;
const COMPONENTS_PER_SECTION = 4;
/** Ended incidents of the past week (shown on the page with their timelines). */
const RECENT_EVENTS = 5;
const DAY_S = 86_400;
/** What readers fetch, with the headers they send: a browser asks for compression, a script may not. */
const READERS = [
  ['public page (HTML)', '', { 'accept-encoding': 'gzip, deflate, br' }],
  ['summary.json', '/summary.json', { 'accept-encoding': 'identity' }],
] as const satisfies ReadonlyArray<readonly [string, string, Record<string, string>]>;

type Fixture = { key: string; pageId: number; urlName: string; changeId: number; componentIds: string[] };

type Visibility = { updates: number; p50Ms: number; maxMs: number; notSeen: number };

type ReaderLoad = LoadResult & {
  bytes: number;
  /** CPU the server process used during the load, in % of one core. */
  serverCpuPercent: number;
  /** The machine's 1-minute load average right after the load. */
  loadAvg1: number;
  writes: Visibility;
  /** The same load on an empty Fastify route, right after. */
  floor: LoadResult;
};

type DatabaseResult = {
  database: DatabaseName;
  version?: string;
  idlePercentBefore: number;
  loads: ReaderLoad[];
  /** Time to visibility on a second instance (PostgreSQL only: PGlite is one process). */
  otherInstance?: Visibility;
};

const nowS = () => Math.floor(Date.now() / 1000);

/** A page like a small company's: sections of components, an active incident, a week of history. */
async function createFixture(url: string, key: string): Promise<Fixture> {
  const page = await call<{ page_id: number; page_url_name: string }>(url, key, '/status-page/create', {
    name: 'Bench Cloud',
    url_name: 'bench-cloud',
    type: 'public',
    date_view: 'list',
    display_uptime_mode: 'chart_and_percentage',
    page_footer: 'Bench Cloud Inc.',
  });
  const pageId = page.page_id;
  const { section_ids } = await call<{ section_ids: string[] }>(url, key, '/status-page/section/upsert', {
    page_id: pageId,
    sections: Array.from({ length: SECTIONS }, (_, i) => ({ name: `Region ${i + 1}`, order_id: i })),
  });
  const componentIds: string[] = [];
  for (const sectionId of section_ids) {
    const { component_ids } = await call<{ component_ids: string[] }>(
      url,
      key,
      '/status-page/component/upsert',
      {
        page_id: pageId,
        components: Array.from({ length: COMPONENTS_PER_SECTION }, (_, i) => ({
          name: `Service ${componentIds.length + i + 1}`,
          description: 'A service of the bench fixture.',
          section_id: sectionId,
          order_id: i,
        })),
      },
    );
    componentIds.push(...component_ids);
  }
  for (let i = 0; i < RECENT_EVENTS; i++) {
    const start = nowS() - (i + 1) * DAY_S;
    const component_id = componentIds[i % componentIds.length]!;
    await call(url, key, '/status-page/change/create', {
      page_id: pageId,
      type: 'incident',
      title: `Past incident ${i + 1}`,
      description: 'Requests failed for some customers.',
      status: 'resolved',
      is_retrospective: true,
      start_at_seconds: start,
      updates: [
        {
          at_seconds: start,
          status: 'investigating',
          description: 'Investigating.',
          component_changes: [{ component_id, status: 'partial_outage' }],
        },
        { at_seconds: start + 1800, status: 'identified', description: 'Found the cause.' },
        {
          at_seconds: start + 3600,
          status: 'resolved',
          description: 'Fixed.',
          component_changes: [{ component_id, status: 'operational' }],
        },
      ],
    });
  }
  const active = await call<{ change_id: number }>(url, key, '/status-page/change/create', {
    page_id: pageId,
    type: 'incident',
    title: 'Elevated error rates',
    description: 'Some requests fail.',
    status: 'investigating',
    updates: [
      {
        description: 'Investigating.',
        component_changes: [
          { component_id: componentIds[0], status: 'partial_outage' },
          { component_id: componentIds[1], status: 'degraded' },
        ],
      },
    ],
  });
  return { key, pageId, urlName: page.page_url_name, changeId: active.change_id, componentIds };
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

let marker = 0;

/**
 * Posts timeline updates through `writeUrl` every UPDATE_EVERY_MS until `signal` aborts, each with a
 * new marker in its text, and after each one fetches the page at `readUrl` until the marker shows:
 * the time from sending the update to seeing it. Bounded: one update in flight at a time.
 */
async function postUpdates(
  writeUrl: string,
  readUrl: string,
  fixture: Fixture,
  signal: AbortSignal,
): Promise<Visibility> {
  const times: number[] = [];
  let notSeen = 0;
  while (!signal.aborted) {
    const tick = performance.now();
    const text = `Update marker m${++marker}x`;
    await call(writeUrl, fixture.key, '/status-page/change/timeline/create', {
      page_id: fixture.pageId,
      change_id: fixture.changeId,
      status: marker % 2 === 0 ? 'identified' : 'monitoring',
      description: text,
    });
    let seenAt: number | undefined;
    while (performance.now() - tick < VISIBLE_TIMEOUT_MS) {
      const page = await fetch(`${readUrl}/status/${fixture.urlName}`);
      if ((await page.text()).includes(text)) {
        seenAt = performance.now();
        break;
      }
      await sleep(POLL_MS);
    }
    if (seenAt === undefined) notSeen += 1;
    else times.push(seenAt - tick);
    await sleep(Math.max(0, UPDATE_EVERY_MS - (performance.now() - tick)), undefined, { signal }).catch(
      () => {},
    );
  }
  const sorted = times.sort((a, b) => a - b);
  return {
    updates: times.length + notSeen,
    p50Ms: Math.round(percentile(sorted, 50)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
    notSeen,
  };
}

/**
 * GETs `path` with CONNECTIONS connections for `durationS`, sending `headers`, and summarises it like
 * load.ts. No onResponse: autocannon would then keep every body, which costs the client more than
 * the server on a large page; a failing load is fetched once more to show what went wrong.
 */
async function read(
  name: string,
  baseUrl: string,
  pathname: string,
  headers: Record<string, string>,
  durationS: number,
): Promise<LoadResult> {
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    pipelining: 1,
    duration: durationS,
    requests: [{ method: 'GET', path: pathname, headers }],
  });
  const failed = result.non2xx > 0 || result.errors + result.timeouts > 0;
  const probe = failed ? await fetch(`${baseUrl}${pathname}`).catch((error: Error) => error) : undefined;
  const firstErrors =
    probe === undefined
      ? []
      : [probe instanceof Error ? probe.message : `${probe.status} ${(await probe.text()).slice(0, 300)}`];
  return summarise(name, pathname, result, firstErrors);
}

/** One reader load with the responder posting updates alongside it. */
async function readWhileUpdating(
  server: Server,
  floorUrl: string,
  fixture: Fixture,
  name: string,
  pathname: string,
  headers: Record<string, string>,
  durationS: number,
): Promise<ReaderLoad> {
  const probe = await fetch(`${server.url}${pathname}`, { headers });
  // The bytes on the wire (compressed when asked for): content-length, not the decoded body.
  await probe.arrayBuffer();
  const bytes = Number(probe.headers.get('content-length'));
  await read(name, server.url, pathname, headers, WARM_UP_S);
  const stop = new AbortController();
  const writes = postUpdates(server.url, server.url, fixture, stop.signal);
  const cpuBefore = server.cpuMs();
  const started = performance.now();
  const result = await read(name, server.url, pathname, headers, durationS);
  const cpuPercent = (100 * (server.cpuMs() - cpuBefore)) / (performance.now() - started);
  stop.abort();
  const floor = await read('empty Fastify route', floorUrl, '/empty', headers, durationS);
  return {
    ...result,
    floor,
    bytes,
    serverCpuPercent: Math.round(cpuPercent),
    loadAvg1: Number(loadavg()[0]!.toFixed(2)),
    writes: await writes,
    rssAfterMb: server.rssMb(),
  };
}

async function benchDatabase(target: Target, durationS: number): Promise<DatabaseResult> {
  const idleBefore = Math.round(await idlePercent(1000));
  const env = vigilEnv(target.env);
  log(`${target.name}: starting vigil serve`);
  const server = await startServer(env);
  const floor = await startHttpFloor();
  let second: Server | undefined;
  try {
    const { app_key: key } = JSON.parse(
      await runCli(['account', 'create', '--name', 'Bench', '--email', 'bench@example.com'], env),
    ) as { app_key: string };
    const fixture = await createFixture(server.url, key);
    const loads: ReaderLoad[] = [];
    for (const [name, suffix, headers] of READERS) {
      log(
        `${target.name}: ${name}, ${WARM_UP_S} s warm-up + ${durationS} s, updates every ${UPDATE_EVERY_MS} ms`,
      );
      loads.push(
        await readWhileUpdating(
          server,
          floor.url,
          fixture,
          name,
          `/status/${fixture.urlName}${suffix}`,
          headers,
          durationS,
        ),
      );
    }
    let otherInstance: Visibility | undefined;
    if (target.name === 'postgres') {
      // A second instance on the same database learns of an update only when its cache expires.
      log(`${target.name}: update visibility on a second instance, ${durationS} s`);
      second = await startServer(env);
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), durationS * 1000);
      otherInstance = await postUpdates(server.url, second.url, fixture, stop.signal);
      clearTimeout(timer);
    }
    return {
      database: target.name,
      ...(target.version ? { version: target.version } : {}),
      idlePercentBefore: idleBefore,
      loads,
      ...(otherInstance ? { otherInstance } : {}),
    };
  } finally {
    await second?.stop();
    await floor.stop();
    await server.stop();
  }
}

const visibility = (v: Visibility) =>
  `${v.updates} | ${v.p50Ms} | ${v.maxMs}${v.notSeen ? ` (${v.notSeen} never)` : ''}`;

/** Requests answered per second of the server's CPU: comparable between runs on a busy machine. */
const perCpuSecond = (l: ReaderLoad) =>
  l.serverCpuPercent > 0 ? ((100 * l.requestsPerSecond) / l.serverCpuPercent).toFixed(0) : '—';

const ofFloor = (l: ReaderLoad) => l.requestsPerSecond / Math.max(1, l.floor.requestsPerSecond);

function table(results: DatabaseResult[]): string {
  return [
    '| Database | Readers of | bytes | req/s | empty route req/s | % of empty route | p50 (ms) | p90 (ms) | p99 (ms) | empty route p99 (ms) | max (ms) | non-2xx | errors | server CPU (% of a core) | req per server CPU-second | load avg (1 min) |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...results.flatMap((r) =>
      r.loads.map(
        (l) =>
          `| ${r.database} | ${l.scenario} | ${l.bytes} | ${l.requestsPerSecond.toFixed(0)} | ` +
          `${l.floor.requestsPerSecond.toFixed(0)} | ${(100 * ofFloor(l)).toFixed(0)} | ${l.latencyMs.p50} | ` +
          `${l.latencyMs.p90} | ${l.latencyMs.p99} | ${l.floor.latencyMs.p99} | ${l.latencyMs.max} | ${l.non2xx} | ${l.errors} | ` +
          `${l.serverCpuPercent} | ${perCpuSecond(l)} | ${l.loadAvg1} |`,
      ),
    ),
    '',
    '| Database | Update visible on | updates posted | p50 (ms) | max (ms) |',
    '|---|---|--:|--:|--:|',
    ...results.flatMap((r) => [
      ...r.loads.map(
        (l) => `| ${r.database} | the same instance, under ${l.scenario} readers | ${visibility(l.writes)} |`,
      ),
      ...(r.otherInstance
        ? [`| ${r.database} | a second instance (no readers) | ${visibility(r.otherInstance)} |`]
        : []),
    ]),
  ].join('\n');
}

/** What missed the targets, in words (empty: all met). */
function missed(results: DatabaseResult[]): string[] {
  const misses: string[] = [];
  for (const r of results) {
    for (const l of r.loads) {
      if (ofFloor(l) < TARGET.ofFloor)
        misses.push(
          `${r.database} ${l.scenario}: ${(100 * ofFloor(l)).toFixed(0)}% of the empty route's rate < ${100 * TARGET.ofFloor}%`,
        );
      if (l.latencyMs.p99 > TARGET.p99Ms)
        misses.push(`${r.database} ${l.scenario}: p99 ${l.latencyMs.p99} ms > ${TARGET.p99Ms}`);
    }
    for (const v of [...r.loads.map((l) => l.writes), ...(r.otherInstance ? [r.otherInstance] : [])]) {
      if (v.notSeen > 0 || v.maxMs > TARGET.visibleMs)
        misses.push(`${r.database}: an update took ${v.maxMs} ms to show (${v.notSeen} never did)`);
    }
  }
  return misses;
}

/** The status page benchmark; resolves to the exit code (1 when a load failed or an update never showed). */
export async function runStatusPageBench(pgliteOnly: boolean, durationS: number): Promise<number> {
  const { targets, skipped } = await chooseTargets(pgliteOnly);
  const results = await forEachTarget(targets, (target) => benchDatabase(target, durationS));
  const misses = missed(results);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadDurationS: durationS,
    connections: CONNECTIONS,
    updateEveryMs: UPDATE_EVERY_MS,
    targets: TARGET,
    ...(skipped ? { skipped } : {}),
    results,
    missedTargets: misses,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  const idle = results.map((r) => `${r.database} ${100 - r.idlePercentBefore}%`).join(', ');
  process.stdout.write(
    `${table(results)}\n\nCPU in use on the machine before each run: ${idle}.\n` +
      `${misses.length > 0 ? `Missed targets: ${misses.join('; ')}` : 'All targets met.'}\n` +
      `Results written to ${path.relative(process.cwd(), RESULTS)}\n`,
  );
  const failed = reportFailures(results.flatMap((r) => r.loads.map((load) => ({ label: r.database, load }))));
  const invisible = results.some(
    (r) => r.loads.some((l) => l.writes.notSeen > 0) || (r.otherInstance?.notSeen ?? 0) > 0,
  );
  return failed > 0 || invisible ? 1 : 0;
}
