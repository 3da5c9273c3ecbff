import { type RawBuilder, sql } from 'kysely';
import type { Db } from './db.ts';

type Executor = Db['q'];

/*
 * Statements built as fragments, so that the ingestion batch can run several writes in one round
 * trip. Each runs as a prepared statement (src/db/db.ts): its text must not depend on how many rows
 * it writes (arrays, not lists of values).
 */

/** A data-modifying statement to run, or null when there is nothing to write. */
export type Write = RawBuilder<unknown> | null;

/**
 * Runs the writes as one statement, each a data-modifying CTE, saving a round trip per write. The
 * parts see one snapshot and run in no set order, so they must not write the same rows.
 */
export async function writeTogether(q: Executor, writes: readonly Write[]): Promise<void> {
  const parts = writes.filter((w): w is RawBuilder<unknown> => w !== null);
  if (parts.length === 0) return;
  if (parts.length === 1) {
    await sql`/* prepared */ ${parts[0]}`.execute(q);
    return;
  }
  const ctes = parts.map((part, i) => sql`${sql.raw(`w${i}`)} as (${part})`);
  await sql`/* prepared */ with ${sql.join(ctes)} select 1`.execute(q);
}
