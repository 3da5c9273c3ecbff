import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { StatusPageChangesTable, StatusPageUpdatesTable } from '../db/schema.ts';
import { inTimeOrder } from './timeline.ts';

/* SQL of status-page events (changes) and their updates. */

type Executor = Db['q'];

export type ChangeRow = Selectable<StatusPageChangesTable>;
/** An update; `timeline_id` is numbered by the database, so rows built before insertion lack it. */
export type UpdateRow = Omit<Selectable<StatusPageUpdatesTable>, 'timeline_id'> & { timeline_id?: number };
/** An event with its updates in time order. */
export type ChangeWithUpdates = ChangeRow & { updates: UpdateRow[] };

/** The most events a list answers (the documented list has no paging). */
const LIST_MAX = 1_000;

export async function insertChange(q: Executor, row: Insertable<StatusPageChangesTable>): Promise<number> {
  const inserted = await q
    .insertInto('status_page_changes')
    .values(row)
    .returning('change_id')
    .executeTakeFirstOrThrow();
  return inserted.change_id;
}

export async function insertUpdates(q: Executor, rows: Insertable<StatusPageUpdatesTable>[]): Promise<void> {
  if (rows.length > 0) await q.insertInto('status_page_updates').values(rows).execute();
}

export async function updateChangeRow(
  q: Executor,
  changeId: number,
  values: Updateable<StatusPageChangesTable>,
): Promise<void> {
  await q.updateTable('status_page_changes').set(values).where('change_id', '=', changeId).execute();
}

export async function updateUpdateRow(
  q: Executor,
  updateId: string,
  values: Updateable<StatusPageUpdatesTable>,
): Promise<void> {
  await q.updateTable('status_page_updates').set(values).where('update_id', '=', updateId).execute();
}

export async function deleteUpdateRow(q: Executor, updateId: string): Promise<void> {
  await q.deleteFrom('status_page_updates').where('update_id', '=', updateId).execute();
}

export async function deleteChangeRow(q: Executor, changeId: number): Promise<void> {
  await q.deleteFrom('status_page_changes').where('change_id', '=', changeId).execute();
}

/** An event of a page of the account, locked for the rest of the transaction when `lock`. */
export async function findChange(
  q: Executor,
  scope: { accountId: number; pageId: number },
  changeId: number,
  lock = false,
): Promise<ChangeRow | undefined> {
  const query = q
    .selectFrom('status_page_changes')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('page_id', '=', scope.pageId)
    .where('change_id', '=', changeId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

/** The events with their updates, each in time order. */
export async function withUpdates(q: Executor, changes: ChangeRow[]): Promise<ChangeWithUpdates[]> {
  if (changes.length === 0) return [];
  const rows = await q
    .selectFrom('status_page_updates')
    .selectAll()
    .where(
      'change_id',
      'in',
      changes.map((c) => c.change_id),
    )
    .execute();
  const byChange = new Map<number, UpdateRow[]>();
  for (const row of rows) {
    const list = byChange.get(row.change_id) ?? [];
    list.push(row);
    byChange.set(row.change_id, list);
  }
  return changes.map((change) => ({ ...change, updates: inTimeOrder(byChange.get(change.change_id) ?? []) }));
}

export type ChangeFilter = {
  type?: string;
  statuses?: readonly string[];
  /** Started at or after. */
  startFrom?: number;
  /** Started at or before. */
  startTo?: number;
  /** Not ended before this time (open, or closed at or after it). */
  activeSince?: number;
  limit?: number;
  offset?: number;
};

/** A page's events, latest start first. */
export async function listChanges(q: Executor, pageId: number, filter: ChangeFilter): Promise<ChangeRow[]> {
  let query = q.selectFrom('status_page_changes').selectAll().where('page_id', '=', pageId);
  if (filter.type) query = query.where('type', '=', filter.type as ChangeRow['type']);
  if (filter.statuses) query = query.where('status', 'in', [...filter.statuses]);
  if (filter.startFrom) query = query.where('start_at_seconds', '>=', filter.startFrom);
  if (filter.startTo) query = query.where('start_at_seconds', '<=', filter.startTo);
  if (filter.activeSince !== undefined) {
    const since = filter.activeSince;
    query = query.where((eb) =>
      eb.or([
        eb('status', 'not in', ['resolved', 'completed']),
        eb('close_at_seconds', '>=', since),
        eb('close_at_seconds', '=', 0),
      ]),
    );
  }
  return query
    .orderBy('start_at_seconds', 'desc')
    .orderBy('change_id', 'desc')
    .limit(filter.limit ?? LIST_MAX)
    .offset(filter.offset ?? 0)
    .execute();
}

/** The events of these pages that have not ended (their components' current status comes from them). */
export async function openChanges(q: Executor, pageIds: readonly number[]): Promise<ChangeRow[]> {
  if (pageIds.length === 0) return [];
  return q
    .selectFrom('status_page_changes')
    .selectAll()
    .where('page_id', 'in', [...pageIds])
    .where('status', 'not in', ['resolved', 'completed'])
    .execute();
}

/** Maintenance whose schedule has a step due at `now`, claimed (locked, skipping rows others hold). */
export async function claimDueSchedules(q: Executor, now: number, limit: number): Promise<ChangeRow[]> {
  return q
    .selectFrom('status_page_changes')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb.and([eb('auto_start_pending', '=', true), eb('start_at_seconds', '<=', now)]),
        eb.and([
          eb('auto_end_pending', '=', true),
          eb('planned_close_at', '<=', now),
          eb('planned_close_at', '>', 0),
        ]),
      ]),
    )
    .orderBy('start_at_seconds')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Distinct components any of these updates touched. */
export function touchedComponents(updates: readonly UpdateRow[]): string[] {
  return [...new Set(updates.flatMap((u) => u.component_changes.map((c) => c.component_id)))];
}
