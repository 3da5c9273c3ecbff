import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/db.ts';
import { isDatabaseUnavailable } from '../../src/db/errors.ts';
import type { Tables } from '../../src/db/schema.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';

/*
 * Statement timeouts on the run's database (docs/engine.md, "Timeouts"): the ordinary one on every
 * statement, the long one and none inside withStatementTimeout, and the ordinary one back on the
 * connection afterwards. A server that answers nothing is test/db/faults.test.ts's.
 */

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const d of databases) await d.drop();
});

const show = async (q: Kysely<Tables>) =>
  (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(q)).rows[0]!.statement_timeout;

describe.runIf(TEST_DATABASE_URL)('statement timeouts on PostgreSQL', () => {
  it('bounds ordinary statements, lengthens or lifts the bound inside withStatementTimeout, then restores it', async () => {
    const database = await createTestDatabase({ migrated: false });
    databases.push(database);
    const db = await openDb(
      { databaseUrl: database.url! },
      { timeouts: { statementMs: 1_000, longStatementMs: 60_000, connectMs: 5_000 } },
    );
    try {
      expect(await show(db.q)).toBe('1s');
      expect(await db.withStatementTimeout('long', () => show(db.q))).toBe('1min');
      expect(
        await db.withStatementTimeout('none', () =>
          db.withSession(async (s) => s.query('show statement_timeout')),
        ),
      ).toEqual([{ statement_timeout: '0' }]);
      // Every connection of the pool is back to the ordinary timeout.
      const seen = await Promise.all(
        Array.from({ length: 10 }, () => db.q.transaction().execute((t) => show(t))),
      );
      expect(new Set(seen)).toEqual(new Set(['1s']));

      const slow = await sql`select pg_sleep(1.5)`.execute(db.q).catch((error: unknown) => error);
      expect((slow as { code?: string }).code).toBe('57014');
      expect(isDatabaseUnavailable(slow)).toBe(true);
      await db.withStatementTimeout('long', () => sql`select pg_sleep(1.5)`.execute(db.q));
      // A cancelled statement leaves its connection sound.
      expect(await show(db.q)).toBe('1s');
      await db.ping(1_000);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(!TEST_DATABASE_URL)('statement timeouts on PGlite', () => {
  it('has none: withStatementTimeout runs the work as it is, and ping answers', async () => {
    const database = await createTestDatabase({ migrated: false });
    databases.push(database);
    expect(await database.db.withStatementTimeout('long', async () => 42)).toBe(42);
    await database.db.ping(1_000);
    expect(database.db.describe).toBe('PGlite in memory');
  });
});
