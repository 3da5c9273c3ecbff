import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { Kysely, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { AuditedPostgresDialect } from './audited-dialect.ts';
import type { Db, DbLogger, DbTimeouts, StatementTimeout } from './db.ts';
import { DatabaseUnavailable, isDatabaseUnavailable } from './errors.ts';
import { listenPostgres } from './listen.ts';
import type { Tables } from './schema.ts';
import { withinMs } from './wait.ts';

/*
 * PostgreSQL through a `pg` pool, made to survive a server that restarts, drops a connection or
 * freezes (docs/engine.md, "Database faults"):
 * - every connection has an `error` listener for its whole life, checked out or idle, so a
 *   connection lost while in use fails its query instead of crashing the process; the pool discards
 *   it on release and opens a new one when next asked;
 * - statements are bounded twice: PostgreSQL's statement_timeout cancels a slow one cleanly, and the
 *   client gives up CLIENT_GRACE_MS later on a server that answers nothing (frozen, partitioned),
 *   closing that connection;
 * - opening a connection, or waiting for a free one, is bounded by the connect timeout.
 */

export const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;
// Every int8 Vigil stores is an id below 2^53 or a Unix time, so a JS number holds it exactly.
export const parseInt8 = (value: string): number => Number(value);
const parseInt8Array = (value: string): number[] =>
  (pg.types.getTypeParser(INT8_ARRAY_OID as never, 'text')(value) as string[]).map(Number);

/** SQLSTATE of a statement cancelled (by statement_timeout). */
const QUERY_CANCELED = '57014';

/** How long after PostgreSQL's own statement_timeout the client stops waiting for an answer. */
const CLIENT_GRACE_MS = 1_000;

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

/** "PostgreSQL at host:port", for logs: never the user or the password. */
function describePostgres(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = url.hostname || url.searchParams.get('host') || 'localhost';
    return `PostgreSQL at ${host}:${url.port || '5432'}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** One checked-out connection, whose queries are bounded by the statement timeout it was taken with. */
type Connection = {
  query(text: unknown, values?: readonly unknown[]): Promise<pg.QueryResult>;
  release(): void;
};

/** Connections per instance (docs/deploy.md counts them against max_connections). */
const POOL_MAX = 10;

export function openPostgres(connectionString: string, timeouts: DbTimeouts, logger: DbLogger): Db {
  const describe = describePostgres(connectionString);
  const budgetMs = (timeout: StatementTimeout | undefined) =>
    timeout === 'none' ? 0 : timeout === 'long' ? timeouts.longStatementMs : timeouts.statementMs;
  const pool = new pg.Pool({
    connectionString,
    max: POOL_MAX,
    connectionTimeoutMillis: timeouts.connectMs,
    // A peer that vanished without closing (a host down, a partition) is noticed by TCP keep-alive.
    keepAlive: true,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8_OID) return parseInt8;
        if (oid === INT8_ARRAY_OID) return parseInt8Array;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
    // pg-pool awaits this before handing out a new connection.
    onConnect: async (client) => {
      client.on('error', (error) => reportLost(client, error));
      // A SET rather than a startup parameter, which PgBouncer refuses.
      await client.query({
        text: `set statement_timeout = ${timeouts.statementMs}`,
        query_timeout: timeouts.connectMs,
      } as pg.QueryConfig);
    },
  });
  // pg-pool re-emits an idle connection's error here; the connection's own listener logged it.
  pool.on('error', () => {});

  /** Statement timeout of the checkouts made inside `withStatementTimeout` (the default elsewhere). */
  const scope = new AsyncLocalStorage<StatementTimeout>();

  /** One line per connection lost, whether its socket error or its failed query comes first. */
  const reported = new WeakSet<pg.ClientBase>();
  function reportLost(client: pg.ClientBase, error: Error): void {
    if (reported.has(client)) return;
    reported.add(client);
    logger.warn(
      { database: describe, reason: error.message },
      'lost a PostgreSQL connection; its work fails with 503 and the pool opens a new one',
    );
  }

  async function checkout(): Promise<Connection> {
    const client = await pool.connect().catch((error: Error) => {
      throw new DatabaseUnavailable(`could not connect to ${describe}`, { cause: error });
    });
    const budget = budgetMs(scope.getStore());
    let broken: Error | undefined;
    const run = async (config: pg.QueryConfig & { query_timeout?: number }) => {
      if (broken) throw broken;
      try {
        return await client.query(
          budget > 0 ? { ...config, query_timeout: budget + CLIENT_GRACE_MS } : config,
        );
      } catch (error) {
        if ((error as Error).message === 'Query read timeout') {
          // The connection is still waiting for the answer: it must not serve anything else.
          const waited = budget + CLIENT_GRACE_MS;
          broken = new DatabaseUnavailable(`${describe} did not answer within ${waited} ms`, {
            cause: error,
          });
        } else if (isDatabaseUnavailable(error) && (error as { code?: string }).code !== QUERY_CANCELED) {
          // Terminated or lost: the socket may close only after this error arrives, and the pool,
          // which drops a connection whose socket closed, must not hand this one out meanwhile. A
          // statement cancelled by statement_timeout leaves its connection sound.
          broken = error as Error;
        }
        if (broken) reportLost(client, broken);
        throw broken ?? error;
      }
    };
    // Setting the session's timeout is bounded like opening a connection is.
    const setTimeoutTo = (ms: number) =>
      client.query({
        text: `set statement_timeout = ${ms}`,
        query_timeout: timeouts.connectMs,
      } as pg.QueryConfig);
    if (budget !== timeouts.statementMs) {
      try {
        await setTimeoutTo(budget);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    }
    let released = false;
    return {
      query(text, values = []) {
        if (typeof text !== 'string') return client.query(text as never); // a cursor
        return run(
          text.startsWith(PREPARED)
            ? { name: statementName(text), text, values: [...values] }
            : { text, values: [...values] },
        );
      },
      release() {
        if (released) return;
        released = true;
        // A broken connection is closed, never reused; the pool also drops one that lost its socket.
        if (broken || budget === timeouts.statementMs) return client.release(broken);
        setTimeoutTo(timeouts.statementMs).then(
          () => client.release(),
          (error: Error) => client.release(error),
        );
      },
    };
  }

  // Kysely's view of the pool.
  const kyselyPool: PostgresPool = {
    connect: () => checkout() as unknown as Promise<PostgresPoolClient>,
    end: () => pool.end(),
  };
  const q = new Kysely<Tables>({ dialect: new AuditedPostgresDialect({ pool: kyselyPool }) });

  return {
    kind: 'postgres',
    describe,
    q,
    poolStats: () => ({
      max: POOL_MAX,
      open: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    async withSession(fn) {
      const connection = await checkout();
      try {
        return await fn({
          async query(sql, params) {
            return (await connection.query(sql, params)).rows;
          },
          async exec(script) {
            await connection.query(script);
          },
        });
      } finally {
        connection.release();
      }
    },
    withStatementTimeout: (timeout, fn) => scope.run(timeout, fn),
    listen: async (channel, handlers) =>
      listenPostgres(connectionString, channel, handlers, {
        connectMs: timeouts.connectMs,
        describe,
        logger,
      }),
    async ping(timeoutMs) {
      const attempt = (async () => {
        const client = await pool.connect();
        try {
          await client.query({ text: 'select 1', query_timeout: timeoutMs } as pg.QueryConfig);
          client.release();
        } catch (error) {
          client.release(error as Error);
          throw error;
        }
      })();
      await withinMs(
        attempt,
        timeoutMs,
        () => new DatabaseUnavailable(`${describe} did not answer within ${timeoutMs} ms`),
      );
    },
    close: () => q.destroy(),
  };
}
