import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDb } from '../src/db/db.ts';
import { refreshFacts } from '../src/insights/facts.store.ts';
import { call } from './load.ts';
import { runCli, startServer, vigilEnv } from './server.ts';
import { chooseTargets, forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench -- insights [--count N]`: one account with N incidents (default 1,000,000) over the
 * past year and their response history (assignments, escalations, acknowledgements, closes,
 * notifications), generated set-based in SQL on PostgreSQL; then the insight facts are built and
 * the endpoints timed over HTTP. Targets (issue 7): a 31-day /insight/responder by day for 50
 * responders p95 ≤ 200 ms; a one-year /insight/account by month ≤ 500 ms. See docs/benchmarks.md.
 */

const DAY = 86_400;
const PEOPLE = 200;
const CHANNELS = 10;
const RESULTS = path.resolve(import.meta.dirname, 'results/insights.json');

type Timing = { name: string; runs: number; p50: number; p95: number; max: number; items: number };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(name: string, runs: number, request: (run: number) => Promise<{ items: unknown[] }>) {
  // One untimed call warms caches and prepared plans, as a dashboard's first paint would.
  await request(0);
  const times: number[] = [];
  let items = 0;
  for (let run = 1; run <= runs; run++) {
    const started = performance.now();
    const data = await request(run);
    times.push(performance.now() - started);
    items = data.items.length;
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const timing: Timing = {
    name,
    runs,
    p50: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    max: round(times.at(-1)!),
    items,
  };
  log(`${name}: p50 ${timing.p50} ms, p95 ${timing.p95} ms (${items} items)`);
  return timing;
}

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

type InsightBenchResult = {
  database: string;
  version?: string;
  incidents: number;
  feedEntries: number;
  deliveries: number;
  generateSeconds: number;
  factsBuildSeconds: number;
  timings: Timing[];
};

async function benchInsights(target: Target, count: number): Promise<InsightBenchResult> {
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
    let window: { now: number; t0: number };
    const generateStarted = performance.now();
    try {
      await client.query(`update accounts set time_zone = 'Asia/Shanghai' where account_id = $1`, [
        account.account_id,
      ]);
      log(`${target.name}: generating ${count} incidents with their history`);
      window = await generate(client, account.account_id, people, channels, count);
    } finally {
      await client.end();
    }
    const generateSeconds = (performance.now() - generateStarted) / 1000;

    log(`${target.name}: building the insight facts (the first refresh of the account)`);
    const db = await openDb({ databaseUrl: target.env.DATABASE_URL! });
    const factsStarted = performance.now();
    try {
      await refreshFacts(db, account.account_id, Date.now());
      await db.withSession((session) =>
        session.exec('vacuum analyze insight_incident_facts, insight_responder_facts'),
      );
    } finally {
      await db.close();
    }
    const factsBuildSeconds = (performance.now() - factsStarted) / 1000;
    log(`${target.name}: facts built in ${factsBuildSeconds.toFixed(1)} s`);

    const counts = await countRows(target.env.DATABASE_URL!);
    const responders = people.slice(0, 50);
    // Windows ending 0..29 days before now, so runs do not all read the same rows.
    const month = (run: number) => {
      const end = window.now - (run % 30) * DAY;
      return { start_time: end - 31 * DAY, end_time: end };
    };
    const year = { start_time: window.now - 365 * DAY, end_time: window.now };
    const post = <T>(p: string, body: unknown) => call<T & { items: unknown[] }>(server.url, key, p, body);
    const timings = [
      await timed('responder, 31 days by day, 50 responders', 40, (run) =>
        post('/insight/responder', { ...month(run), aggregate_unit: 'day', responder_ids: responders }),
      ),
      await timed('responder, 31 days by day, 50 responders, split_hours', 20, (run) =>
        post('/insight/responder', {
          ...month(run),
          aggregate_unit: 'day',
          split_hours: true,
          responder_ids: responders,
        }),
      ),
      await timed('account, one year by month', 20, () =>
        post('/insight/account', { ...year, aggregate_unit: 'month' }),
      ),
      await timed('account, one year by month, split_hours', 10, () =>
        post('/insight/account', { ...year, aggregate_unit: 'month', split_hours: true }),
      ),
      await timed('channel, one year by month', 10, () =>
        post('/insight/channel', { ...year, aggregate_unit: 'month' }),
      ),
      await timed('team, 31 days by week', 20, (run) =>
        post('/insight/team', { ...month(run), aggregate_unit: 'week' }),
      ),
      await timed('incident/list, 31 days, first page of 100', 20, (run) =>
        post('/insight/incident/list', { ...month(run), limit: 100 }),
      ),
    ];
    return {
      database: target.name,
      ...(target.version ? { version: target.version } : {}),
      incidents: counts.incidents,
      feedEntries: counts.feed,
      deliveries: counts.deliveries,
      generateSeconds: Math.round(generateSeconds),
      factsBuildSeconds: Math.round(factsBuildSeconds),
      timings,
    };
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
    return {
      incidents: await count('incidents'),
      feed: await count('feed_entries'),
      deliveries: await count('notification_deliveries'),
    };
  } finally {
    await client.end();
  }
}

function table(results: InsightBenchResult[]): string {
  return results
    .flatMap((r) => [
      `${r.database}${r.version ? ` (${r.version})` : ''}: ${r.incidents} incidents, ${r.feedEntries} timeline entries, ` +
        `${r.deliveries} deliveries; generated in ${r.generateSeconds} s, facts built in ${r.factsBuildSeconds} s`,
      '',
      '| Endpoint | runs | p50 (ms) | p95 (ms) | max (ms) | items |',
      '|---|--:|--:|--:|--:|--:|',
      ...r.timings.map((t) => `| ${t.name} | ${t.runs} | ${t.p50} | ${t.p95} | ${t.max} | ${t.items} |`),
    ])
    .join('\n');
}

/** Runs on PostgreSQL only (the issue's benchmark); PGlite is not a target for a million incidents. */
export async function runInsightsBench(count: number): Promise<number> {
  const { targets, skipped } = await chooseTargets(false);
  if (skipped) throw new Error(`the insights benchmark needs PostgreSQL: ${skipped}`);
  const results = await forEachTarget(targets.slice(1), (target) => benchInsights(target, count));
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    count,
    results,
  };
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${table(results)}\n\nResults written to ${path.relative(process.cwd(), RESULTS)}\n`);
  const responder = results[0]?.timings[0];
  const account = results[0]?.timings[2];
  const missed = [
    ...(responder && responder.p95 > 200 ? [`responder p95 ${responder.p95} ms > 200 ms`] : []),
    ...(account && account.p95 > 500 ? [`account p95 ${account.p95} ms > 500 ms`] : []),
  ];
  for (const miss of missed) log(`target missed: ${miss}`);
  return missed.length > 0 ? 1 : 0;
}
