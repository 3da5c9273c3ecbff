import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../harness/app.ts';

/*
 * Statements marked `/* prepared *\/` (src/db/db.ts): named prepared statements on PostgreSQL,
 * parsed once per connection; plain statements on PGlite. docs/ingest-performance.md.
 */

describe('statements marked as prepared', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('are named prepared statements on PostgreSQL, once per connection, and plain ones on PGlite', async () => {
    const found = await t.db.q.connection().execute(async (c) => {
      for (const n of [1, 2, 3]) {
        const { rows } = await sql<{ n: number }>`/* prepared */ select ${n}::int as n`.execute(c);
        expect(rows).toEqual([{ n }]);
      }
      await sql`select 'not marked' as plain`.execute(c);
      const { rows } = await sql<{ name: string; statement: string }>`
        select name, statement from pg_prepared_statements order by name`.execute(c);
      return rows;
    });
    if (t.db.kind === 'postgres') {
      expect(found).toEqual([
        { name: expect.stringMatching(/^v_[0-9a-f]{20}$/), statement: expect.any(String) },
      ]);
      expect(found[0]!.statement).toBe('/* prepared */ select $1::int as n');
    } else {
      expect(found).toEqual([]);
    }
  });
});
