import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { PGlitePool } from './pglite-pool.ts';
import type { Tables } from './schema.ts';

/** One pinned database session, for what needs a single connection: advisory locks, SQL scripts. */
export interface Session {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a parameterless script that may hold several statements. */
  exec(script: string): Promise<void>;
}

/** The database handle every store receives: typed queries, plus a pinned session when needed. */
export interface Db {
  readonly kind: 'postgres' | 'pglite';
  readonly q: Kysely<Tables>;
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /** PGlite only: the whole data directory as a tarball, restorable with `{ memory: true, snapshot }`. */
  snapshot?: () => Promise<Blob>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
// Every int8 Vigil stores is an id below 2^53 or a Unix time, so a JS number holds it exactly.
const parseInt8 = (value: string): number => Number(value);
const parseInt8Array = (value: string): number[] =>
  (pg.types.getTypeParser(INT8_ARRAY_OID as never, 'text')(value) as string[]).map(Number);

/**
 * A statement whose SQL text starts with this comment is, on PostgreSQL, a named prepared statement:
 * each connection parses it once and, once PostgreSQL finds a generic plan as good as the custom
 * ones (after five runs), plans it once too. For the statements of ingestion's hot path, whose text
 * never varies (arrays, not lists of values), where parsing and planning cost as much as running.
 * PGlite reads it as the comment it is.
 */
const PREPARED = '/* prepared */';

const statementNames = new Map<string, string>();
const statementName = (text: string): string => {
  let name = statementNames.get(text);
  if (!name) {
    name = `v_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
};

/** Kysely's view of the pool, sending marked statements (PREPARED) as named ones. */
function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      const query = (text: unknown, values: readonly unknown[] = []) =>
        typeof text !== 'string'
          ? client.query(text as never) // a cursor
          : text.startsWith(PREPARED)
            ? client.query({ name: statementName(text), text, values: [...values] })
            : client.query(text, [...values]);
      return { query, release: () => client.release() } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

/** PostgreSQL, a PGlite directory, or PGlite in memory (optionally restored from a dumped data directory). */
export type DbTarget = { databaseUrl: string } | { dataDir: string } | { memory: true; snapshot?: Blob };

export async function openDb(target: DbTarget): Promise<Db> {
  return 'databaseUrl' in target ? openPostgres(target.databaseUrl) : openPGlite(target);
}

function openPostgres(connectionString: string): Db {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID) return parseInt8;
        if (oid === INT8_ARRAY_OID) return parseInt8Array;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const q = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return {
    kind: 'postgres',
    q,
    async withSession(fn) {
      const client = await pool.connect();
      try {
        return await fn({
          async query(sql, params) {
            return (await client.query(sql, params)).rows;
          },
          async exec(script) {
            await client.query(script);
          },
        });
      } finally {
        client.release();
      }
    },
    close: () => q.destroy(),
  };
}

async function openPGlite(target: { dataDir: string } | { memory: true; snapshot?: Blob }): Promise<Db> {
  const pglite = await PGlite.create({
    ...('dataDir' in target ? { dataDir: target.dataDir } : {}),
    ...('snapshot' in target && target.snapshot ? { loadDataDir: target.snapshot } : {}),
    parsers: { [INT8_OID]: parseInt8 },
  });
  const pool = new PGlitePool(pglite);
  const q = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    q,
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
    async snapshot() {
      const release = await pool.acquire();
      try {
        return await pglite.dumpDataDir('none');
      } finally {
        release();
      }
    },
    close: () => q.destroy(),
  };
}
