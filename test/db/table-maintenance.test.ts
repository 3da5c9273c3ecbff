import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueMaintenance, MAINTENANCE_INTERVAL_MS, tablesGrew } from '../../src/db/table-maintenance.ts';
import { Engine, type EngineModule } from '../../src/jobs/engine.ts';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { newChannel, newIntegration, pushPrometheus } from '../ingest/helpers.ts';

/*
 * The engine's table-maintenance module (src/db/table-maintenance.ts): planner statistics on both
 * databases, and vacuum where no autovacuum runs (PGlite).
 */

describe('dueMaintenance (autovacuum rule)', () => {
  const stats = (table: string, reltuples: number, mods: number, dead: number) => ({
    table,
    reltuples,
    n_mod_since_analyze: mods,
    n_dead_tup: dead,
  });

  it('analyzes after 50 + 10% of rows changed, counting a never-analyzed table as empty', () => {
    const tables = [
      stats('young', -1, 51, 0),
      stats('quiet', -1, 50, 0),
      stats('big', 10_000, 1_051, 0),
      stats('settled', 10_000, 1_050, 0),
    ];
    expect(dueMaintenance(tables, false)).toEqual({ analyze: ['young', 'big'], vacuum: [] });
  });

  it('vacuums after 50 + 20% of rows died, only where asked (PGlite)', () => {
    const tables = [stats('churned', 1_000, 0, 251), stats('fine', 1_000, 0, 250)];
    expect(dueMaintenance(tables, true)).toEqual({ analyze: [], vacuum: ['churned'] });
    expect(dueMaintenance(tables, false).vacuum).toEqual([]);
  });
});

describe('table-maintenance module', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const alertsStats = async () => {
    const { rows } = await sql<{ analyzed: boolean; vacuumed: boolean; reltuples: number }>`
      select last_analyze is not null as analyzed, last_vacuum is not null as vacuumed,
             (select reltuples::float8 from pg_class where oid = relid) as reltuples
        from pg_stat_user_tables where relname = 'alerts' and schemaname = current_schema()`.execute(t.db.q);
    return rows[0]!;
  };

  /** Engine cycles, the clock moved past the module's interval each time, until `done` holds. */
  const cycleUntil = (done: (s: Awaited<ReturnType<typeof alertsStats>>) => boolean) =>
    expect
      .poll(
        async () => {
          t.clock.advance(MAINTENANCE_INTERVAL_MS);
          const report = await t.engine.runOnce(t.clock.nowMs());
          expect(report.failed).toEqual([]);
          return done(await alertsStats());
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBe(true);

  it('analyzes the alerts table once a push filled it, and on PGlite vacuums it once alerts closed', async () => {
    const owner = await t.newAccount('Maintenance');
    const channelId = await newChannel(t, owner);
    const { key } = await newIntegration(t, owner, 'alert.prometheus', channelId);
    const group = (status: 'firing' | 'resolved') => ({
      version: '4',
      status,
      receiver: 'vigil',
      alerts: Array.from({ length: 100 }, (_, i) => ({
        status,
        labels: { alertname: 'Down', host: `h${i}` },
        annotations: {},
        startsAt: new Date(t.clock.nowMs()).toISOString(),
        endsAt: status === 'resolved' ? new Date(t.clock.nowMs()).toISOString() : '0001-01-01T00:00:00Z',
        fingerprint: `m${i}`,
      })),
    });
    expect((await pushPrometheus(t, key, group('firing'))).status).toBe(200);
    expect((await alertsStats()).analyzed).toBe(false);
    await cycleUntil((s) => s.analyzed && s.reltuples >= 100);

    expect((await pushPrometheus(t, key, group('resolved'))).status).toBe(200);
    if (t.db.kind === 'pglite') {
      await cycleUntil((s) => s.vacuumed);
    } else {
      // PostgreSQL's own autovacuum vacuums; Vigil only analyzes.
      t.clock.advance(MAINTENANCE_INTERVAL_MS);
      await t.engine.runOnce(t.clock.nowMs());
      expect((await alertsStats()).vacuumed).toBe(false);
    }
  });
});

describe('tablesGrew (called by ingestion after each batch)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('has a running engine cycle soon, at most once per maintenance interval', async () => {
    let cycles = 0;
    const counting: EngineModule = {
      name: 'counting',
      async run() {
        cycles += 1;
        return 0;
      },
    };
    const engine = new Engine({
      db: t.db,
      clock: t.clock,
      modules: [counting],
      logger: { info: () => {}, error: () => {} },
    });
    await sleep(MAINTENANCE_INTERVAL_MS); // past any earlier call's throttle
    engine.start(3_600_000);
    try {
      await expect.poll(() => cycles).toBe(1);
      tablesGrew();
      await expect.poll(() => cycles).toBe(2);
      tablesGrew();
      await sleep(200);
      expect(cycles).toBe(2);
    } finally {
      await engine.stop();
    }
  });
});
