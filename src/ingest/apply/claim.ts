import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';
import type { LogEntry } from './apply-entries.ts';

type Executor = Db['q'];

/** The advisory lock space of partitions (the two-int form: apart from src/db/locks.ts's keys). */
const LOCK_SPACE = 0x76_69_67;

/**
 * Phase "claim" of applying, first in the batch's transaction: take the advisory locks of up to
 * `share` partitions of the ingest log that no other worker (of any instance) holds, trying them in
 * `order`, and read their oldest entries in seq (accepted) order, at most `max`. The locks last until
 * the transaction ends, so no one else applies these partitions' entries meanwhile.
 */
export async function claim(
  trx: Executor,
  order: readonly number[],
  share: number,
  max: number,
): Promise<LogEntry[]> {
  const locked = await sql<{ p: number }>`
    select p from unnest(${order}::int[]) as p
     where pg_try_advisory_xact_lock(${LOCK_SPACE}, p)
     limit ${share}`.execute(trx);
  if (locked.rows.length === 0) return [];
  const rows = await trx
    .selectFrom('ingest_log')
    .select(['seq', 'partition', 'account_id', 'integration_id', 'accepted_at', 'event'])
    .where(
      'partition',
      'in',
      locked.rows.map((r) => r.p),
    )
    .orderBy('seq')
    .limit(max)
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    partition: r.partition,
    accountId: r.account_id,
    integrationId: r.integration_id,
    acceptedAt: r.accepted_at,
    event: r.event as LogEntry['event'],
  }));
}

/** The claimed entries leave the log in the transaction that applied them: each is applied once. */
export async function release(trx: Executor, entries: readonly LogEntry[]): Promise<void> {
  await sql`delete from ingest_log where seq = any(${entries.map((e) => e.seq)}::bigint[])`.execute(trx);
}
