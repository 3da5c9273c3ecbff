import { sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { ChangedRow } from './live-cursor.ts';

type Executor = Db['q'];

/** At most this many changed incidents are read at once; the rest come with the next read. */
const READ_LIMIT = 2000;

/**
 * The incidents of these accounts written by transactions at or after `low` (all accounts' xmin
 * only, when `low` is undefined), and the snapshot's xmin, in one statement so both come from the
 * same snapshot. Uses incidents_change_xid_idx (migration 0020).
 */
export async function readIncidentChanges(
  q: Executor,
  low: bigint | undefined,
  accountIds: readonly number[],
): Promise<{ rows: ChangedRow[]; xmin: bigint }> {
  if (low === undefined || accountIds.length === 0) {
    const { rows } = await sql<{ xmin: string }>`
      select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`.execute(q);
    return { rows: [], xmin: BigInt(rows[0]!.xmin) };
  }
  const { rows } = await sql<{ xmin: string; changes: { a: number; i: string; x: string }[] }>`
    select pg_snapshot_xmin(pg_current_snapshot())::text as xmin,
           coalesce((select json_agg(json_build_object('a', c.account_id, 'i', c.incident_id, 'x', c.change_xid::text)
                                     order by c.change_xid)
                       from (select account_id, incident_id, change_xid from incidents
                              where change_xid >= ${low.toString()}::xid8
                                and account_id = any(${[...accountIds]}::bigint[])
                              order by change_xid
                              limit ${READ_LIMIT}) c), '[]'::json) as changes`.execute(q);
  const row = rows[0]!;
  const changes = row.changes.map((c) => ({ accountId: Number(c.a), incidentId: c.i, xid: BigInt(c.x) }));
  let xmin = BigInt(row.xmin);
  // A full read may have left rows out: start the next one at the last transaction read.
  if (changes.length === READ_LIMIT) {
    const last = changes.at(-1)!.xid;
    if (last < xmin) xmin = last;
  }
  return { rows: changes, xmin };
}

/** Of these session hashes, those whose session is still live (not signed out, expired or disabled). */
export async function liveSessionHashes(
  q: Executor,
  hashes: readonly string[],
  now: number,
): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await q
    .selectFrom('console_sessions as s')
    .innerJoin('members as m', 'm.member_id', 's.member_id')
    .select('s.session_hash')
    .where('s.session_hash', 'in', [...hashes])
    .where('s.expires_at', '>', now)
    .where('m.status', '=', 'enabled')
    .execute();
  return new Set(rows.map((r) => r.session_hash));
}
