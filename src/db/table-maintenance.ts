import { sql } from 'kysely';
import { type EngineModule, requestEngineCycle } from '../jobs/engine.ts';
import type { Db } from './db.ts';

/*
 * Planner statistics and dead rows, kept up by Vigil itself where autovacuum does not (PGlite has
 * no background workers, so no autovacuum at all) or not yet (PostgreSQL's autovacuum looks at a
 * database about once a minute). Without statistics a young database plans the open-alert lookup
 * by key as a scan of every open alert of the channel: ingestion measured 14 ms instead of 0.5 ms
 * for 30 keys among 2,500 open alerts. docs/engine.md, "Table maintenance".
 */

/** autovacuum's defaults: a table is analyzed after 50 + 10% of its rows changed... */
const ANALYZE_BASE = 50;
const ANALYZE_SCALE = 0.1;
/** ...and vacuumed (PGlite only here) once 50 + 20% of its rows are dead. */
const VACUUM_BASE = 50;
const VACUUM_SCALE = 0.2;
/** At most one look per this long, however often the engine cycles (it cycles on every new incident). */
export const MAINTENANCE_INTERVAL_MS = 1_000;

type TableStats = {
  table: string;
  /** Rows at the last analyze or vacuum; -1 when never analyzed. */
  reltuples: number;
  n_mod_since_analyze: number;
  n_dead_tup: number;
};

export type MaintenanceWork = { analyze: string[]; vacuum: string[] };

/** Which tables are due, by autovacuum's rule; vacuum only where nothing else vacuums (PGlite). */
export function dueMaintenance(tables: readonly TableStats[], vacuums: boolean): MaintenanceWork {
  const rows = (t: TableStats) => Math.max(t.reltuples, 0);
  return {
    analyze: tables
      .filter((t) => t.n_mod_since_analyze > ANALYZE_BASE + ANALYZE_SCALE * rows(t))
      .map((t) => t.table),
    vacuum: vacuums
      ? tables.filter((t) => t.n_dead_tup > VACUUM_BASE + VACUUM_SCALE * rows(t)).map((t) => t.table)
      : [],
  };
}

async function readTableStats(db: Db): Promise<TableStats[]> {
  // PGlite reports a statement's row counts only when asked to flush them (it never goes idle the
  // way a server backend does); this read then sees at least the previous cycle's.
  if (db.kind === 'pglite') await sql`select pg_stat_force_next_flush()`.execute(db.q);
  const { rows } = await sql<TableStats>`
    select s.relname as "table", c.reltuples::float8 as reltuples,
           s.n_mod_since_analyze::float8 as n_mod_since_analyze, s.n_dead_tup::float8 as n_dead_tup
      from pg_stat_user_tables s join pg_class c on c.oid = s.relid
     where s.schemaname = current_schema()
     order by s.relname`.execute(db.q);
  return rows;
}

/**
 * Analyzes (and on PGlite vacuums) the tables that are due; returns how many commands ran. SKIP_LOCKED:
 * a table another instance or autovacuum is working on is left to them, never waited for.
 */
async function maintainTables(db: Db): Promise<number> {
  const work = dueMaintenance(await readTableStats(db), db.kind === 'pglite');
  const analyze = work.analyze.filter((t) => !work.vacuum.includes(t));
  // Analyzing a table of millions of rows may outlast the ordinary statement timeout.
  await db.withStatementTimeout('long', async () => {
    for (const table of work.vacuum)
      await sql`vacuum (skip_locked, analyze) ${sql.table(table)}`.execute(db.q);
    for (const table of analyze) await sql`analyze (skip_locked) ${sql.table(table)}`.execute(db.q);
  });
  return work.vacuum.length + analyze.length;
}

const lastRun = new WeakMap<Db, number>();

export const tableMaintenanceModule: EngineModule = {
  name: 'table-maintenance',
  async run({ db }, nowMs) {
    const last = lastRun.get(db);
    if (last !== undefined && nowMs >= last && nowMs - last < MAINTENANCE_INTERVAL_MS) return 0;
    lastRun.set(db, nowMs);
    return maintainTables(db);
  },
};

let lastGrowthWake = 0;

/**
 * Ingestion wrote rows: has the engine cycle soon, at most once per MAINTENANCE_INTERVAL_MS of wall
 * time, so that a table filling fast is analyzed within about a second rather than the engine's
 * interval. Until its first analyze a table's partial indexes are planned as empty, and a lookup by
 * key reads every row they hold (docs/engine.md "Table maintenance").
 */
export function tablesGrew(): void {
  const now = Date.now();
  if (now - lastGrowthWake < MAINTENANCE_INTERVAL_MS) return;
  lastGrowthWake = now;
  requestEngineCycle();
}
