import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { AuditLogsTable } from '../db/schema.ts';
import type { AuditEntry } from './context.ts';

export type AuditRow = Selectable<AuditLogsTable>;

export async function insertAuditEntry(db: Db, entry: AuditEntry): Promise<void> {
  await db.q.insertInto('audit_logs').values(entry).execute();
}

export type AuditQuery = {
  accountId: number;
  /** Unix milliseconds, both ends included. */
  fromMs: number;
  toMs: number;
  limit: number;
  /** The last row of the previous page: (created_at, audit_id), newest first. */
  after?: { createdAt: number; auditId: number } | undefined;
  requestId?: string | undefined;
  operations?: readonly string[] | undefined;
  memberId?: number | undefined;
  isDangerous?: boolean | undefined;
  isWrite?: boolean | undefined;
};

/** One page of the account's entries, newest first, and how many match in all. */
export async function searchAuditLogs(
  db: Db,
  query: AuditQuery,
): Promise<{ rows: AuditRow[]; total: number }> {
  let base = db.q
    .selectFrom('audit_logs')
    .where('account_id', '=', query.accountId)
    .where('created_at', '>=', query.fromMs)
    .where('created_at', '<=', query.toMs);
  if (query.requestId !== undefined) base = base.where('request_id', '=', query.requestId);
  if (query.operations && query.operations.length > 0)
    base = base.where('operation', 'in', [...query.operations]);
  if (query.memberId !== undefined) base = base.where('member_id', '=', query.memberId);
  if (query.isDangerous) base = base.where('is_dangerous', '=', true);
  if (query.isWrite !== undefined) base = base.where('is_write', '=', query.isWrite);
  const after = query.after;
  const page = after
    ? base.where(sql<boolean>`(created_at, audit_id) < (${after.createdAt}, ${after.auditId})`)
    : base;
  const [rows, count] = await Promise.all([
    page.selectAll().orderBy('created_at', 'desc').orderBy('audit_id', 'desc').limit(query.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Removes entries older than `beforeMs`, at most `batch` of them; returns how many went. */
export async function deleteAuditLogsBefore(db: Db, beforeMs: number, batch: number): Promise<number> {
  const result = await db.q
    .deleteFrom('audit_logs')
    .where('audit_id', 'in', (eb) =>
      eb.selectFrom('audit_logs').select('audit_id').where('created_at', '<', beforeMs).limit(batch),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
