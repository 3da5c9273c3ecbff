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
