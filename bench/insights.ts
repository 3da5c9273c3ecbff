import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDb } from '../src/db/db.ts';
import { refreshFacts } from '../src/insights/facts.store.ts';
import { rebuildDailyRollups } from '../src/insights/rollups.store.ts';
import { call } from './load.ts';
import { runCli, type Server, startServer, vigilEnv } from './server.ts';
import { chooseTargets, log, type Target } from './targets.ts';
import { type Request, type Timing, timed } from './timing.ts';

/*
 * `npm run bench -- insights [--count N]`: one account with N incidents (default 1,000,000) over the
 * past year and their response history (assignments, escalations, acknowledgements, closes,
 * notifications), generated set-based in SQL on PostgreSQL; then the insight facts are built and
 * the endpoints timed over HTTP. Target (issue 27): every endpoint and export p95 ≤ 100 ms.
 * `--keep` keeps the database (and writes how to reach it to bench/results/insights-db.json),
 * `--reuse` times that database again without generating; `--before DIR` also starts the Vigil
 * checkout in DIR on the same database and times both, request by request in turn. See
 * docs/benchmarks.md.
 */

const DAY = 86_400;
const PEOPLE = 200;
const CHANNELS = 10;
const RESULTS = path.resolve(import.meta.dirname, 'results/insights.json');
const STATE = path.resolve(import.meta.dirname, 'results/insights-db.json');
const TARGET_P95_MS = 100;

/** The incidents and their history, in four set-based statements. */
async function generate(
  client: pg.Client,
  accountId: number,
  people: number[],
  channels: number[],
  count: number,
) {
  // The year ends a day ago, so no history (acks, escalations, closes) is stamped in the future.
  const now = Math.floor(Date.now() / 1000) - DAY;
  const t0 = now - 365 * DAY;
  const params = [accountId, people, channels, count, t0, 365 * DAY];
  // Per incident g: trigger time, first assignee p1, escalation target p2, and what happened.
  const facts = `
    select g, st, p1, p2,
           g % 5 = 0 as esc, g % 20 = 1 as reassign,
           g % 10 <> 9 as acked,
           case when g % 5 = 0 then p2 else p1 end as acker,
           st + 60 + g % 600 + case when g % 5 = 0 then 1800 else 0 end as ack_at,
           g < $4 - 200 as closed,
           st + 2400 + g % 3600 as close_at,
           case g % 3 when 0 then 'event' when 1 then 'autorslv' else 'console' end as close_from,
           -- Names every parameter, so each statement may leave some unused.
           cardinality($3::bigint[]) as channel_count, $1::bigint as account_id
      from (select g, $5::bigint + (g::bigint * $6::bigint) / $4::bigint as st,
                   ($2::bigint[])[1 + g % ${PEOPLE}] as p1,
                   ($2::bigint[])[1 + (g * 7 + 3) % ${PEOPLE}] as p2
              from generate_series(0, $4::int - 1) g) s`;
  const id = (time: string, kind: number) =>
    `lpad(to_hex(${time}), 8, '0') || lpad(to_hex(g), 12, '0') || '${kind.toString(16).padStart(4, '0')}'`;

  let started = performance.now();
  await client.query(
    `insert into incidents (incident_id, account_id, channel_id, title, incident_severity, incident_status, progress,
       start_time, last_time, ack_time, close_time, closer_id, ever_muted, labels, fields, images, responders,
       assigned_to, alert_cnt, alert_event_cnt, created_at, updated_at)
     select ${id('st', 0)}, $1, ($3::bigint[])[1 + g % ${CHANNELS}], 'Bench incident ' || g,
            (array['Critical', 'Warning', 'Info'])[1 + g % 3], case when closed then 'Ok' else 'Critical' end,
            case when closed then 'Closed' when acked then 'Processing' else 'Triggered' end,
            st, st, case when acked then ack_at else 0 end, case when closed then close_at else 0 end,
            case when closed and close_from = 'console' then acker else 0 end,
            g % 50 = 0, jsonb_build_object('service', 'svc-' || g % 30), '{}', '[]',
            jsonb_build_array(jsonb_build_object('person_id', p1, 'assigned_at', st,
              'acknowledged_at', case when acked and not esc then ack_at else 0 end))
              || case when esc or reassign then jsonb_build_array(jsonb_build_object('person_id', p2,
                   'assigned_at', st + 600, 'acknowledged_at', case when acked and esc then ack_at else 0 end))
                 else '[]'::jsonb end,
            jsonb_build_object('person_ids', jsonb_build_array(case when esc or reassign then p2 else p1 end)),
            1 + g % 3, 2 * (1 + g % 3), st, st
       from (${facts}) f`,
    params,
  );
  log(`incidents: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const entry = (time: string, kind: number, type: string, creator: string, detail: string, where: string) =>
    `select ${id(time, kind)}, $1::bigint, ${id('st', 0)}, '${type}', ${detail}, ${creator}, ${time} * 1000
       from (${facts}) f where ${where}`;
  await client.query(
    `insert into feed_entries (ref_id, account_id, incident_id, type, detail, creator_id, created_at)
     ${entry('st', 1, 'i_new', '0', `'{}'::jsonb`, 'true')}
     union all ${entry('st', 2, 'i_assign', '0', `jsonb_build_object('person_ids', jsonb_build_array(p1), 'type', 'assign', 'layer_idx', 0)`, 'true')}
     union all ${entry('st + 600', 3, 'i_assign', 'p1', `jsonb_build_object('person_ids', jsonb_build_array(p2), 'type', 'reassign', 'from', 'manual')`, 'reassign')}
     union all ${entry('st + 1800', 4, 'i_assign', '0', `jsonb_build_object('person_ids', jsonb_build_array(p2), 'type', 'escalate', 'layer_idx', 1, 'from', 'timeout')`, 'esc')}
     union all ${entry('ack_at', 5, 'i_ack', 'acker', `jsonb_build_object('person_id', acker)`, 'acked')}
     union all ${entry('close_at', 6, 'i_rslv', `case when close_from = 'console' then acker else 0 end`, `jsonb_build_object('from', close_from)`, 'closed')}`,
    params,
  );
  log(`feed entries: ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  const delivery = (time: string, step: string, person: string, channel: string, where: string) =>
    `select $1::bigint, ${id('st', 0)}, '${step}', 'person:' || ${person}, '${channel}', ${person}, '{}'::jsonb,
            '000000000000000000000000', '{}'::jsonb, 'success', ${time} * 1000, ${time} * 1000, ${time} * 1000
       from (${facts}) f where ${where}`;
  await client.query(
    `insert into notification_deliveries (account_id, incident_id, step, recipient, channel, person_id, target,
       template_id, facts, status, next_attempt_at, attempted_at, created_at)
     ${delivery('st', 'layer:0', 'p1', 'sms', 'true')}
     union all ${delivery('st', 'layer:0', 'p1', 'email', 'true')}
     union all ${delivery('st + 1800', 'layer:1', 'p2', 'voice', 'esc')}`,
    params,
  );
  log(`notification deliveries: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await client.query('vacuum analyze incidents, feed_entries, notification_deliveries');
  return { now, t0 };
}

type Generated = {
  url: string;
  accountId: number;
  appKey: string;
  people: number[];
  now: number;
  generateSeconds: number;
};

type InsightBenchResult = {
  database: string;
  version?: string;
  incidents: number;
  feedEntries: number;
  deliveries: number;
  generateSeconds: number;
  buildSeconds: number;
  tables: { table: string; rows: number; mb: number }[];
  rssMb: { before?: number; after: number };
  before?: Timing[];
  after: Timing[];
};

/** A fresh database with the bench account and its history. */
async function generateDatabase(target: Target, count: number): Promise<Generated> {
  const env = vigilEnv(target.env);
  const server = await startServer(env);
  try {
    const account = JSON.parse(
      await runCli(['account', 'create', '--name', 'Insights', '--email', 'insights@example.com'], env),
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
    const people: number[] = [];
    for (let batch = 0; batch < PEOPLE / 100; batch++) {
      const invited = await call<{ items: { member_id: number }[] }>(server.url, key, '/member/invite', {
        members: Array.from({ length: 100 }, (_, i) => ({
          member_name: `responder-${batch * 100 + i}`,
          email: `r${batch * 100 + i}@example.com`,
        })),
      });
      people.push(...invited.items.map((m) => m.member_id));
    }
    const client = new pg.Client({ connectionString: target.env.DATABASE_URL });
    await client.connect();
    const started = performance.now();
    try {
      await client.query(`update accounts set time_zone = 'Asia/Shanghai' where account_id = $1`, [
        account.account_id,
      ]);
      log(`${target.name}: generating ${count} incidents with their history`);
      const window = await generate(client, account.account_id, people, channels, count);
      return {
        url: target.env.DATABASE_URL!,
        accountId: account.account_id,
        appKey: key,
        people,
        now: window.now,
        generateSeconds: Math.round((performance.now() - started) / 1000),
      };
    } finally {
      await client.end();
    }
  } finally {
    await server.stop();
  }
}

async function tableSizes(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table: string; rows: string; bytes: string }>(
      `select c.relname as table, c.reltuples::bigint as rows, pg_total_relation_size(c.oid) as bytes
         from pg_class c
        where c.relkind = 'r' and c.relname like 'insight%' and c.relnamespace = 'public'::regnamespace
        order by c.relname`,
    );
    return rows.map((r) => ({
      table: r.table,
      rows: Number(r.rows),
      mb: Math.round(Number(r.bytes) / 1e5) / 10,
    }));
  } finally {
    await client.end();
  }
}

/** The facts and rollups of the account, brought up to date as a first insight query would. */
async function build(url: string, accountId: number): Promise<number> {
  const db = await openDb({ databaseUrl: url });
  const started = performance.now();
  try {
    await db.withStatementTimeout('long', async () => {
      await refreshFacts(db, accountId, Date.now());
      // A database generated before the daily rollups existed gets them as a time-zone change would.
      await rebuildDailyRollups(db, accountId);
      await db.withSession((session) => session.exec('vacuum analyze'));
    });
  } finally {
    await db.close();
  }
  return Math.round((performance.now() - started) / 1000);
}

async function timeEndpoints(data: Generated, servers: Server[]) {
  const responders = data.people.slice(0, 50);
  // Windows ending 0..29 days before now, so runs do not all read the same rows.
  const month = (run: number) => {
    const end = data.now - (run % 30) * DAY;
    return { start_time: end - 31 * DAY, end_time: end };
  };
  const year = { start_time: data.now - 365 * DAY, end_time: data.now };
  const json =
    (p: string, body: (run: number) => unknown): Request =>
    async (server, run) =>
      (await call<{ items: unknown[] }>(server.url, data.appKey, p, body(run))).items.length;
  const csv =
    (p: string, body: (run: number) => unknown): Request =>
    async (server, run) => {
      const response = await fetch(`${server.url}${p}?app_key=${encodeURIComponent(data.appKey)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(run)),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`POST ${p} answered ${response.status}: ${text}`);
      return text.split('\n').filter(Boolean).length - 1;
    };
  const cases: [string, number, Request][] = [
    [
      'responder, 31 days by day, 50 responders',
      40,
      json('/insight/responder', (run) => ({
        ...month(run),
        aggregate_unit: 'day',
        responder_ids: responders,
      })),
    ],
    [
      'responder, 31 days by day, 50 responders, split_hours',
      20,
      json('/insight/responder', (run) => ({
        ...month(run),
        aggregate_unit: 'day',
        split_hours: true,
        responder_ids: responders,
      })),
    ],
    ['responder, 31 days, everyone', 20, json('/insight/responder', (run) => month(run))],
    [
      'account, one year by month',
      20,
      json('/insight/account', () => ({ ...year, aggregate_unit: 'month' })),
    ],
    [
      'account, one year by month, split_hours',
      10,
      json('/insight/account', () => ({ ...year, aggregate_unit: 'month', split_hours: true })),
    ],
    [
      'channel, one year by month',
      10,
      json('/insight/channel', () => ({ ...year, aggregate_unit: 'month' })),
    ],
    [
      'channel, one year by week, split_hours',
      10,
      json('/insight/channel', () => ({ ...year, aggregate_unit: 'week', split_hours: true })),
    ],
    [
      'team, 31 days by week',
      20,
      json('/insight/team', (run) => ({ ...month(run), aggregate_unit: 'week' })),
    ],
    [
      'incident/list, 31 days, first page of 100',
      20,
      json('/insight/incident/list', (run) => ({ ...month(run), limit: 100 })),
    ],
    [
      'export: channel, one year by month',
      10,
      csv('/insight/channel/export', () => ({ ...year, aggregate_unit: 'month' })),
    ],
    [
      'export: team, 31 days by day',
      10,
      csv('/insight/team/export', (run) => ({ ...month(run), aggregate_unit: 'day' })),
    ],
    [
      'export: responder, 31 days by week, 50 responders',
      10,
      csv('/insight/responder/export', (run) => ({
        ...month(run),
        aggregate_unit: 'week',
        responder_ids: responders,
      })),
    ],
    [
      'export: incident, one day (about 2,700 rows)',
      10,
      csv('/insight/incident/export', (run) => ({
        start_time: data.now - (run + 1) * DAY,
        end_time: data.now - run * DAY,
      })),
    ],
  ];
  const results: Timing[][] = servers.map(() => []);
  for (const [name, runs, request] of cases) {
    const timings = await timed(name, runs, servers, request);
    for (const [i, timing] of timings.entries()) results[i]!.push(timing);
  }
  return results;
}

async function benchInsights(options: InsightBenchOptions): Promise<InsightBenchResult> {
  let target: Target;
  let data: Generated;
  if (options.reuse) {
    if (!existsSync(STATE)) throw new Error(`--reuse needs ${STATE}: run once with --keep first`);
    data = JSON.parse(readFileSync(STATE, 'utf8')) as Generated;
    target = { name: 'postgres', env: { DATABASE_URL: data.url }, drop: async () => {} };
  } else {
    const { targets, skipped } = await chooseTargets(false);
    if (skipped || !targets[1]) throw new Error(`the insights benchmark needs PostgreSQL: ${skipped}`);
    target = await targets[1]();
  }
  try {
    if (!options.reuse) {
      data = await generateDatabase(target, options.count);
      mkdirSync(path.dirname(STATE), { recursive: true });
      if (options.keep) writeFileSync(STATE, `${JSON.stringify(data, null, 2)}\n`);
    }
    const env = vigilEnv(target.env);
    // Started first, so the database has this checkout's migrations before the build.
    const after = await startServer(env);
    let before: Server | undefined;
    try {
      log(`${target.name}: bringing the insight facts and rollups up to date`);
      const buildSeconds = await build(data!.url, data!.accountId);
      log(`${target.name}: built in ${buildSeconds} s`);
      if (options.before) before = await startServer(env, options.before);
      const servers = before ? [before, after] : [after];
      const timings = await timeEndpoints(data!, servers);
      const counts = await countRows(data!.url);
      return {
        database: target.name,
        ...(target.version ? { version: target.version } : {}),
        incidents: counts.incidents,
        feedEntries: counts.feed,
        deliveries: counts.deliveries,
        generateSeconds: data!.generateSeconds,
        buildSeconds,
        tables: await tableSizes(data!.url),
        rssMb: { ...(before ? { before: before.rssMb() } : {}), after: after.rssMb() },
        ...(before ? { before: timings[0]! } : {}),
        after: timings.at(-1)!,
      };
    } finally {
      await before?.stop();
      await after.stop();
    }
  } finally {
    if (!options.keep && !options.reuse) await target.drop();
  }
}

async function countRows(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (table: string) =>
      Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
    return {
      incidents: await count('incidents'),
      feed: await count('feed_entries'),
      deliveries: await count('notification_deliveries'),
    };
  } finally {
    await client.end();
  }
}

function table(r: InsightBenchResult): string {
  const before = r.before;
  return [
    `${r.database}${r.version ? ` (${r.version})` : ''}: ${r.incidents} incidents, ${r.feedEntries} timeline entries, ` +
      `${r.deliveries} deliveries; generated in ${r.generateSeconds} s, facts and rollups brought up to date in ${r.buildSeconds} s`,
    '',
    before
      ? '| Endpoint | runs | before p50 (ms) | before p95 (ms) | after p50 (ms) | after p95 (ms) | after max (ms) | items |'
      : '| Endpoint | runs | p50 (ms) | p95 (ms) | max (ms) | items |',
    before ? '|---|--:|--:|--:|--:|--:|--:|--:|' : '|---|--:|--:|--:|--:|--:|',
    ...r.after.map((t, i) =>
      before
        ? `| ${t.name} | ${t.runs} | ${before[i]!.p50} | ${before[i]!.p95} | ${t.p50} | ${t.p95} | ${t.max} | ${t.items} |`
        : `| ${t.name} | ${t.runs} | ${t.p50} | ${t.p95} | ${t.max} | ${t.items} |`,
    ),
    '',
    '| Table | rows (estimate) | size with indexes (MB) |',
    '|---|--:|--:|',
    ...r.tables.map((t) => `| ${t.table} | ${t.rows} | ${t.mb} |`),
    '',
    `Server RSS after the timings: ${r.rssMb.before === undefined ? '' : `before ${r.rssMb.before} MB, `}after ${r.rssMb.after} MB`,
  ].join('\n');
}

export type InsightBenchOptions = { count: number; keep: boolean; reuse: boolean; before?: string };

/** Runs on PostgreSQL only (the issue's benchmark); PGlite is not a target for a million incidents. */
export async function runInsightsBench(options: InsightBenchOptions): Promise<number> {
  const result = await benchInsights(options);
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    count: options.count,
    result,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(result)}\n\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`);
  const missed = result.after.filter((t) => t.p95 > TARGET_P95_MS);
  for (const miss of missed) log(`target missed: ${miss.name} p95 ${miss.p95} ms > ${TARGET_P95_MS} ms`);
  return missed.length > 0 ? 1 : 0;
}
