import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Presents one PGlite instance as a `pg`-style pool for Kysely's Postgres dialect.
 *
 * PGlite is a single backend: there is no second connection. A transaction opened through one
 * "client" would otherwise see statements from concurrent requests interleaved into it, so each
 * checkout holds an exclusive turn until it is released. Queries are therefore serialised, which
 * is what a single embedded backend does anyway.
 */
export class PGlitePool implements PostgresPool {
  readonly #pg: PGlite;
  #tail: Promise<void> = Promise.resolve();
  /** Turns asked for and not yet given back (the one held, and those waiting). */
  #turns = 0;

  constructor(pg: PGlite) {
    this.#pg = pg;
  }

  /** Waits for an exclusive turn on the backend; call the returned function to give it back. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    this.#turns += 1;
    let given = false;
    await previous;
    return () => {
      if (given) return;
      given = true;
      this.#turns -= 1;
      release();
    };
  }

  /** One backend: busy while a turn is held, the other turns waiting (db.ts, poolStats). */
  stats() {
    return { max: 1, open: 1, idle: this.#turns === 0 ? 1 : 0, waiting: Math.max(0, this.#turns - 1) };
  }

  async connect(): Promise<PostgresPoolClient> {
    const release = await this.acquire();
    const pg = this.#pg;
    let released = false;
    return {
      async query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
        const result = await pg.query<R>(sql, parameters as unknown[]);
        return {
          // Kysely only reads rowCount for data-changing commands.
          command: /^\s*select/i.test(sql) ? 'SELECT' : 'UPDATE',
          rowCount: result.affectedRows ?? result.rows.length,
          rows: result.rows,
        };
      },
      release() {
        if (released) return;
        released = true;
        release();
      },
    } as PostgresPoolClient;
  }

  async end(): Promise<void> {
    const release = await this.acquire();
    try {
      await this.#pg.close();
    } finally {
      release();
    }
  }
}
