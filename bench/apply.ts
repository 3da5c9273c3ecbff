import pg from 'pg';
import { openDb } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { applyEntries, type LogEntry } from '../src/ingest/apply/apply-entries.ts';
import { RoutingCache } from '../src/ingest/apply/route.ts';
import type { AlertEventInput } from '../src/ingest/event.ts';
import { OutboundAllow } from '../src/notifications/providers/outbound-policy.ts';

/*
 * `npm run bench -- apply [--count BATCHES]`: the apply step alone, in process, on a throw-away PostgreSQL
 * database (BENCH_DATABASE_URL or the local default): batches of 2,000 events over 5,000 keys of one
 * channel grouping by service, every 10th a recovery (the ingest benchmark's mix), each applied in
 * its own transaction through applyEntries. Prints wall and Node CPU time per event: the CPU figure
 * is what the apply path costs this process, whatever else the machine runs.
 */

const ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 2000;
const KEYS = 5000;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function runApplyBench(batches: number): Promise<void> {
  const name = `vigil_apply_bench_${process.pid}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN);
  url.pathname = `/${name}`;
  const db = await openDb({ databaseUrl: url.toString() });
  try {
    await migrate(db);
    const now = Math.floor(Date.now() / 1000);
    const { account_id } = await db.q
      .insertInto('accounts')
      .values({ account_name: 'bench', email: 'bench@example.com', created_at: now, updated_at: now })
      .returning('account_id')
      .executeTakeFirstOrThrow();
    const { channel_id } = await db.q
      .insertInto('channels')
      .values({
        account_id,
        team_id: 0,
        creator_id: 0,
        channel_name: 'bench',
        group: JSON.stringify({ method: 'p', equals: [['labels.service']], time_window: 0 }),
        flapping: JSON.stringify({ is_disabled: false }),
        created_at: now,
        updated_at: now,
      })
      .returning('channel_id')
      .executeTakeFirstOrThrow();
    const { integration_id } = await db.q
      .insertInto('integrations')
      .values({
        account_id,
        name: 'bench',
        plugin_type: 'standard',
        integration_key: 'bench',
        channel_id,
        creator_id: 0,
        created_at: now,
        updated_at: now,
        dropped_event_reasons: '{}',
        settings: '{}',
      })
      .returning('integration_id')
      .executeTakeFirstOrThrow();

    const routing = new RoutingCache(OutboundAllow.none);
    let seq = 0;
    let cpuUs = 0;
    let wallMs = 0;
    const started = Date.now();
    for (let b = 0; b < batches; b++) {
      const entries: LogEntry[] = [];
      for (let i = 0; i < BATCH; i++) {
        seq++;
        const key = (seq * 7919) % KEYS;
        const status = seq % 10 === 0 ? 'Ok' : 'Critical';
        const event: AlertEventInput = {
          alertKey: `host-${key}/cpu`,
          alertKeyDerived: false,
          titleRule: `CPU high on host-${key}`,
          title: `CPU high on host-${key}`,
          description: '',
          status,
          severity: status === 'Ok' ? 'Info' : 'Critical',
          eventTime: Math.floor((started + seq) / 1000),
          labels: { service: `svc-${key % 20}`, host: `host-${key}` },
          images: [],
        };
        entries.push({
          seq,
          partition: 0,
          accountId: account_id,
          integrationId: integration_id,
          acceptedAt: started + seq,
          event,
        });
      }
      const cpu = process.cpuUsage();
      const t = performance.now();
      await db.q.transaction().execute((trx) => applyEntries(trx, routing, entries));
      // The first batches open every alert and warm the JIT: only the later ones are counted.
      if (b >= 2) {
        wallMs += performance.now() - t;
        const used = process.cpuUsage(cpu);
        cpuUs += used.user + used.system;
      }
    }
    const counted = (batches - 2) * BATCH;
    console.log(
      `apply: ${counted} events in ${batches - 2} batches of ${BATCH}: ` +
        `wall ${((wallMs * 1000) / counted).toFixed(1)} µs/event, Node CPU ${(cpuUs / counted).toFixed(1)} µs/event`,
    );
  } finally {
    await db.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}
