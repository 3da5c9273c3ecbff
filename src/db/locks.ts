import { sql } from 'kysely';
import type { Db } from './db.ts';

/**
 * Serialises work on one key across every connection and every Vigil process on the database, until
 * the surrounding transaction ends. Used where no row exists yet to lock (a new alert, a new
 * incident for a grouping key). Keys are hashed to PostgreSQL's 64-bit advisory lock space.
 */
export async function lockKey(q: Db['q'], key: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(q);
}

/**
 * Takes the locks of many keys in one statement, in one global order (by hash), so that two
 * transactions locking overlapping sets wait for each other instead of deadlocking. Volatile
 * functions in a select list run after the sort, so the locks are taken in hash order.
 */
export async function lockKeys(q: Db['q'], keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await sql`select pg_advisory_xact_lock(h)
    from (select distinct hashtextextended(k, 0) as h from unnest(${[...keys]}::text[]) as k order by h) as s`.execute(
    q,
  );
}
