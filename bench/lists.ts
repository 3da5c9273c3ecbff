import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { call } from './load.ts';
import { runCli, type Server, startServer, vigilEnv } from './server.ts';
import { chooseTargets, log, type Target } from './targets.ts';
import { type Request, type Timing, timed } from './timing.ts';

/*
 * `npm run bench -- lists [--count N]`: one account with N incidents (default 1,000,000), five
 * alerts each and N changes over the past year, inserted set-based on PostgreSQL; then
 * /incident/list, /alert/list and /change/list timed over HTTP with their filters, and deep pages
 * followed through `search_after_ctx`. Target (issue 27): p95 ≤ 50 ms. The plan of each list's
 * queries is printed (EXPLAIN) so the note can say which index each uses; `--keep` keeps the
 * database (and writes how to reach it to bench/results/lists-db.json), `--reuse` times it again
 * without inserting, `--before DIR` also times another checkout's Vigil on the same data, run by
 * run in turn. See docs/benchmarks.md.
 */

const DAY = 86_400;
const CHANNELS = 10;
const ALERTS_PER_INCIDENT = 5;
const RUNS = 30;
const RESULTS = path.resolve(import.meta.dirname, 'results/lists.json');
const STATE = path.resolve(import.meta.dirname, 'results/lists-db.json');
const TARGET_P95_MS = 50;

type Seeded = { accountId: number; appKey: string; channels: number[]; now: number };
type Kept = Seeded & { url: string; count: number };

/** Incidents, their alerts and changes, in three set-based statements, spread evenly over a year. */
async function seed(client: pg.Client, seeded: Omit<Seeded, 'now'>, count: number, integrations: number[]) {
  const now = Math.floor(Date.now() / 1000) - DAY;
  const t0 = now - 365 * DAY;
  const params = [seeded.accountId, seeded.channels, count, t0, 365 * DAY, integrations[0], integrations[1]];
  const series = `select g, $4::bigint + (g::bigint * $5::bigint) / $3::bigint as st,
                         ($2::bigint[])[1 + g % ${CHANNELS}] as channel, $1::bigint as account,
                         $6::bigint as alert_integration, $7::bigint as change_integration
                    from generate_series(0, $3::int - 1) g`;
  const id = (kind: number, extra = `'0000'`) =>
    `lpad(to_hex(st), 8, '0') || lpad(to_hex(g), 12, '0') || ${extra} || '${kind.toString(16)}'`;

  let started = performance.now();
  await client.query(
    `insert into incidents (incident_id, account_id, channel_id, title, incident_severity, incident_status,
       progress, start_time, last_time, close_time, labels, fields, images, responders, alert_cnt, created_at, updated_at)
     select ${id(0, `'000'`)}, account, channel, 'Bench incident ' || g || ' on host-' || g % 500,
            (array['Critical', 'Warning', 'Info'])[1 + g % 3],
            case when g < $3 - 500 then 'Ok' else 'Critical' end,
            case when g >= $3 - 500 then 'Triggered' when g % 7 = 0 then 'Processing' else 'Closed' end,
            st, st + 60, case when g < $3 - 500 then st + 1800 else 0 end,
            jsonb_build_object('service', 'svc-' || g % 30, 'host', 'host-' || g % 500), '{}', '[]', '[]',
            ${ALERTS_PER_INCIDENT}, st, st + 1800
       from (${series}) s`,
    params,
  );
  log(`incidents: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  await client.query(
    `insert into alerts (alert_id, account_id, integration_id, channel_id, incident_id, alert_key, title, title_rule,
       alert_severity, alert_status, start_time, last_time, end_time, labels, images, event_cnt, created_at, updated_at)
     select ${id(1, `lpad(a::text, 3, '0')`)}, account, alert_integration, channel, ${id(0, `'000'`)},
            'key-' || g || '-' || a, 'Bench alert ' || a || ' of ' || g, '',
            (array['Critical', 'Warning', 'Info'])[1 + (g + a) % 3],
            case when g < $3 - 500 then 'Ok' else 'Critical' end,
            st + a, st + a + 60, case when g < $3 - 500 then st + 1800 else 0 end,
            jsonb_build_object('service', 'svc-' || g % 30, 'host', 'host-' || g % 500, 'check', 'check-' || a),
            '[]', 1, st + a, st + 1800
       from (${series}) s, generate_series(1, ${ALERTS_PER_INCIDENT}) a`,
    params,
  );
  log(`alerts: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  await client.query(
    `insert into changes (change_id, account_id, integration_id, channel_id, change_key, change_status, title,
       labels, start_time, last_time, end_time, event_cnt, created_at, updated_at)
     select ${id(2, `'000'`)}, account, change_integration, channel, 'deploy-' || g,
            case when g % 10 = 0 then 'Canceled' else 'Done' end, 'Deploy svc-' || g % 30 || ' build ' || g,
            jsonb_build_object('service', 'svc-' || g % 30), st, st + 300, st + 300, 2, st, st + 300
       from (${series}) s`,
    params,
  );
  log(`changes: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await client.query('vacuum analyze incidents, alerts, changes');
  return now;
}

/** A fresh account with its channels and integrations, and its history inserted. */
async function prepare(env: NodeJS.ProcessEnv, url: string, count: number): Promise<Seeded> {
  const server = await startServer(env);
  try {
    const account = JSON.parse(
      await runCli(['account', 'create', '--name', 'Lists', '--email', 'lists@example.com'], env),
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
    const integrations: number[] = [];
    for (const plugin_type of ['alert.standard', 'change.standard']) {
      const created = await call<{ integration_id: number }>(server.url, key, '/datasource/upsert', {
        name: plugin_type,
        plugin_type,
      });
      integrations.push(created.integration_id);
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      log(`postgres: inserting ${count} incidents, ${count * ALERTS_PER_INCIDENT} alerts, ${count} changes`);
      const seeded = { accountId: account.account_id, appKey: key, channels };
      return { ...seeded, now: await seed(client, seeded, count, integrations) };
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

type Page = { items: unknown[]; search_after_ctx?: string };

/** The list cases: first pages with each family of filters, and the tenth page through the cursor. */
function cases(data: Seeded): [string, Request][] {
  // Windows ending 0..29 days before now, so runs do not all read the same rows.
  const month = (run: number) => {
    const end = data.now - (run % 30) * DAY;
    return { start_time: end - 30 * DAY, end_time: end };
  };
  const list =
    (p: string, body: (run: number) => Record<string, unknown>): Request =>
    async (server, run) =>
      (await call<Page>(server.url, data.appKey, p, body(run))).items.length;
  // Follows the cursor to the tenth page: the time is the whole walk's.
  const deep =
    (p: string, body: (run: number) => Record<string, unknown>): Request =>
    async (server, run) => {
      let page = await call<Page>(server.url, data.appKey, p, body(run));
      for (let i = 1; i < 10 && page.search_after_ctx; i++) {
        page = await call<Page>(server.url, data.appKey, p, {
          ...body(run),
          search_after_ctx: page.search_after_ctx,
        });
      }
      return page.items.length;
    };
  const channel = (run: number) => [data.channels[run % CHANNELS]!];
  return [
    ['incident/list, 30 days, first page of 20', list('/incident/list', month)],
    [
      'incident/list, progress Closed, one channel',
      list('/incident/list', (run) => ({ ...month(run), progress: 'Closed', channel_ids: channel(run) })),
    ],
    [
      'incident/list, severity Critical, limit 100',
      list('/incident/list', (run) => ({ ...month(run), incident_severity: 'Critical', limit: 100 })),
    ],
    [
      'incident/list, open (Triggered)',
      list('/incident/list', (run) => ({ ...month(run), progress: 'Triggered' })),
    ],
    [
      'incident/list, query in title',
      list('/incident/list', (run) => ({ ...month(run), query: `host-${run}` })),
    ],
    ['incident/list, 10 pages by cursor (whole walk)', deep('/incident/list', month)],
    ['alert/list, 30 days, first page of 20', list('/alert/list', month)],
    [
      'alert/list, ended, one channel',
      list('/alert/list', (run) => ({ ...month(run), is_active: false, channel_ids: channel(run) })),
    ],
    [
      'alert/list, labels service',
      list('/alert/list', (run) => ({ ...month(run), labels: { service: `svc-${run % 30}` } })),
    ],
    ['alert/list, by updated_at', list('/alert/list', (run) => ({ ...month(run), orderby: 'updated_at' }))],
    ['alert/list, 10 pages by cursor (whole walk)', deep('/alert/list', month)],
    ['change/list, 30 days, first page of 10', list('/change/list', month)],
    [
      'change/list, one channel',
      list('/change/list', (run) => ({ ...month(run), channel_ids: channel(run) })),
    ],
    ['change/list, 10 pages by cursor (whole walk)', deep('/change/list', month)],
  ];
}

/** The plans of the first-page queries as Vigil runs them, for the note. */
async function explain(url: string, data: Seeded): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const end = data.now;
  const start = end - 30 * DAY;
  const queries: [string, string][] = [
    [
      'incident/list page',
      `select * from incidents where account_id = ${data.accountId} and deleted_at = 0 and start_time >= ${start}
        and start_time <= ${end} order by start_time desc, incident_id desc limit 21`,
    ],
    [
      'incident/list count',
      `select count(*) from (select 1 from incidents where account_id = ${data.accountId} and deleted_at = 0
        and start_time >= ${start} and start_time <= ${end} order by start_time desc, incident_id desc
        limit 1001) capped`,
    ],
    [
      'alert/list page',
      `select * from alerts where account_id = ${data.accountId} and deleted_at = 0 and created_at >= ${start}
        and created_at <= ${end} order by created_at desc, alert_id desc limit 21`,
    ],
    [
      'alert/list count',
      `select count(*) from (select 1 from alerts where account_id = ${data.accountId} and deleted_at = 0
        and created_at >= ${start} and created_at <= ${end} order by created_at desc, alert_id desc
        limit 1001) capped`,
    ],
    [
      'change/list page',
      `select * from changes where account_id = ${data.accountId} and start_time <= ${end}
        and last_time >= ${start} order by start_time desc, change_id desc limit 11`,
    ],
  ];
  try {
    const out: string[] = [];
    for (const [name, text] of queries) {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`explain (analyze, costs off) ${text}`);
      out.push(`-- ${name}`, ...rows.map((r) => r['QUERY PLAN']), '');
    }
    return out.join('\n');
  } finally {
    await client.end();
  }
}

function table(timings: Timing[][]): string {
  const header = timings.length > 1 ? ['before', 'after'] : [''];
  const columns = header
    .map((h) => (h ? `${h} p50 (ms) | ${h} p95 (ms)` : 'p50 (ms) | p95 (ms)'))
    .join(' | ');
  return [
    `| List | runs | ${columns} | items |`,
    `|---|--:|${header.map(() => '--:|--:').join('|')}|--:|`,
    ...timings[0]!.map((first, i) => {
      const cells = timings.map((t) => `${t[i]!.p50} | ${t[i]!.p95}`).join(' | ');
      return `| ${first.name} | ${first.runs} | ${cells} | ${timings.at(-1)![i]!.items} |`;
    }),
  ].join('\n');
}

export type ListsBenchOptions = { count: number; keep: boolean; reuse: boolean; before?: string };

/** The kept database of an earlier `--keep` run, or a fresh one with the history inserted. */
async function database(options: ListsBenchOptions): Promise<{ target: Target; data: Kept }> {
  if (options.reuse) {
    if (!existsSync(STATE)) throw new Error(`--reuse needs ${STATE}: run once with --keep first`);
    const data = JSON.parse(readFileSync(STATE, 'utf8')) as Kept;
    return { target: { name: 'postgres', env: { DATABASE_URL: data.url }, drop: async () => {} }, data };
  }
  const { targets, skipped } = await chooseTargets(false);
  if (skipped || !targets[1]) throw new Error(`the lists benchmark needs PostgreSQL: ${skipped}`);
  const target = await targets[1]();
  const url = target.env.DATABASE_URL!;
  const data = { ...(await prepare(vigilEnv(target.env), url, options.count)), url, count: options.count };
  if (options.keep) {
    mkdirSync(path.dirname(STATE), { recursive: true });
    writeFileSync(STATE, `${JSON.stringify(data, null, 2)}\n`);
  }
  return { target, data };
}

/** Runs on PostgreSQL only, like the insights benchmark: PGlite is not a target for a million incidents. */
export async function runListsBench(options: ListsBenchOptions): Promise<number> {
  const { target, data } = await database(options);
  try {
    const env = vigilEnv(target.env);
    // This checkout first, so the database has its migrations before another checkout starts.
    const after: Server = await startServer(env);
    let before: Server | undefined;
    let timings: Timing[][] = [];
    try {
      if (options.before) before = await startServer(env, options.before);
      const servers = before ? [before, after] : [after];
      timings = servers.map(() => []);
      for (const [name, request] of cases(data)) {
        for (const [i, timing] of (await timed(name, RUNS, servers, request)).entries())
          timings[i]!.push(timing);
      }
    } finally {
      await before?.stop();
      await after.stop();
    }
    const plans = await explain(data.url, data);
    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
      count: data.count,
      ...(before ? { before: timings[0] } : {}),
      timings: timings.at(-1),
      plans,
    };
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      `${table(timings)}\n\n${plans}\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`,
    );
    const missed = timings.at(-1)!.filter((t) => t.p95 > TARGET_P95_MS);
    for (const miss of missed) log(`target missed: ${miss.name} p95 ${miss.p95} ms > ${TARGET_P95_MS} ms`);
    return missed.length > 0 ? 1 : 0;
  } finally {
    if (options.keep || options.reuse) log(`kept ${data.url}`);
    else await target.drop();
  }
}
