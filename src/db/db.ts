import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { type Config, loadConfig } from '../config/config.ts';
import { AuditedPostgresDialect } from './audited-dialect.ts';
import { DatabaseUnavailable } from './errors.ts';
import type { ListenHandlers } from './listen.ts';
import { PGlitePool } from './pglite-pool.ts';
import { INT8_OID, openPostgres, parseInt8 } from './postgres.ts';
import type { Tables } from './schema.ts';
import { withinMs } from './wait.ts';

/** One pinned database session, for what needs a single connection: advisory locks, SQL scripts. */
export interface Session {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a parameterless script that may hold several statements. */
  exec(script: string): Promise<void>;
}

/** The statement timeouts besides the default one: `long` work (insights, exports, maintenance), or `none` (migrations). */
export type StatementTimeout = 'long' | 'none';

/** The database handle every store receives: typed queries, plus a pinned session when needed. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  /** What the logs call it: "PostgreSQL at host:port" (never credentials), or "PGlite". */
  readonly describe: string;
  readonly q: Kysely<Tables>;
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` with every statement it makes under a longer timeout than DATABASE_STATEMENT_TIMEOUT_SECONDS.
   * PGlite runs in this process and has no timeouts.
   */
  withStatementTimeout<T>(timeout: StatementTimeout, fn: () => Promise<T>): Promise<T>;
  /** Resolves once the database answers `select 1`; rejects with DatabaseUnavailable after `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  /**
   * Hears every NOTIFY on `channel`, from any instance, once its transaction commits (listen.ts);
   * resolves to the function that stops listening.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  /**
   * The connection pool's use now, for /metrics: PostgreSQL's pool of `max` connections; PGlite is one
   * backend taken in turns (`open` 1, `idle` 0 while a turn is held, `waiting` for a turn).
   */
  poolStats(): PoolStats;
  /** PGlite only: the whole data directory as a tarball, restorable with `{ memory: true, snapshot }`. */
  snapshot?: () => Promise<Blob>;
  close(): Promise<void>;
}

type PoolStats = { max: number; open: number; idle: number; waiting: number };

/** Where the database layer reports what happens to its connections (pino's shape). */
export type DbLogger = {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
};

export type DbTimeouts = { statementMs: number; longStatementMs: number; connectMs: number };

export function databaseTimeouts(
  config: Pick<
    Config,
    | 'databaseStatementTimeoutSeconds'
    | 'databaseLongStatementTimeoutSeconds'
    | 'databaseConnectTimeoutSeconds'
  >,
): DbTimeouts {
  return {
    statementMs: config.databaseStatementTimeoutSeconds * 1000,
    longStatementMs: config.databaseLongStatementTimeoutSeconds * 1000,
    connectMs: config.databaseConnectTimeoutSeconds * 1000,
  };
}

const silent: DbLogger = { info() {}, warn() {} };

/** PostgreSQL, a PGlite directory, or PGlite in memory (optionally restored from a dumped data directory). */
export type DbTarget = { databaseUrl: string } | { dataDir: string } | { memory: true; snapshot?: Blob };

/**
 * Opens the handle; on PostgreSQL this connects nothing yet (waitForDatabase, in wait.ts, waits for
 * the server). Timeouts default to the configuration's defaults.
 */
export async function openDb(
  target: DbTarget,
  options: { timeouts?: DbTimeouts; logger?: DbLogger } = {},
): Promise<Db> {
  return 'databaseUrl' in target
    ? openPostgres(
        target.databaseUrl,
        options.timeouts ?? databaseTimeouts(loadConfig({})),
        options.logger ?? silent,
      )
    : openPGlite(target);
}

async function openPGlite(target: { dataDir: string } | { memory: true; snapshot?: Blob }): Promise<Db> {
  const pglite = await PGlite.create({
    ...('dataDir' in target ? { dataDir: target.dataDir } : {}),
    ...('snapshot' in target && target.snapshot ? { loadDataDir: target.snapshot } : {}),
    parsers: { [INT8_OID]: parseInt8 },
    // One backend in this process: PostgreSQL's defaults (128 MB of shared buffers, 100 connections'
    // worth of shared memory) cost resident memory a small box needs (docs/deploy.md, "Memory").
    startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'max_connections=5'],
  });
  const pool = new PGlitePool(pglite);
  const q = new Kysely<Tables>({ dialect: new AuditedPostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    describe: 'dataDir' in target ? `PGlite in ${target.dataDir}` : 'PGlite in memory',
    q,
    poolStats: () => pool.stats(),
    async withSession(fn) {
      const release = await pool.acquire();
      try {
        return await fn({
          async query(sql, params) {
            return (await pglite.query(sql, params)).rows as never[];
          },
          async exec(script) {
            await pglite.exec(script);
          },
        });
      } finally {
        release();
      }
    },
    withStatementTimeout: (_timeout, fn) => fn(),
    async listen(channel, handlers) {
      // One backend, in this process: nothing can be missed, so it listens from the start.
      const release = await pool.acquire();
      let unlisten: () => Promise<void>;
      try {
        unlisten = await pglite.listen(channel, handlers.message);
      } finally {
        release();
      }
      handlers.listening(true);
      return async () => {
        const turn = await pool.acquire();
        try {
          await unlisten();
        } finally {
          turn();
        }
      };
    },
    async ping(timeoutMs) {
      const attempt = (async () => {
        const release = await pool.acquire();
        try {
          await pglite.query('select 1');
        } finally {
          release();
        }
      })();
      await withinMs(
        attempt,
        timeoutMs,
        () => new DatabaseUnavailable(`PGlite did not answer within ${timeoutMs} ms`),
      );
    },
    async snapshot() {
      // Between two transactions (the pool's one backend is ours), after a checkpoint: the files
      // then hold every committed change, and the copy needs no recovery.
      const release = await pool.acquire();
      try {
        await pglite.exec('checkpoint');
        return await pglite.dumpDataDir('none');
      } finally {
        release();
      }
    },
    close: () => q.destroy(),
  };
}
