import type { Selectable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { FeedEntriesTable } from '../db/schema.ts';

type Executor = Db['q'];

export type FeedEntryRow = Selectable<FeedEntriesTable>;

/**
 * The timeline of one incident (entries with its incident_id) or of one alert (entries with its
 * alert_id), oldest or newest first, ties broken by ref_id. Fetches `limit + 1` rows so the caller
 * can tell whether another page follows.
 */
export async function listFeedEntries(
  q: Executor,
  of: { accountId: number; incidentId: string } | { accountId: number; alertId: string },
  page: { types: readonly string[] | undefined; asc: boolean; offset: number; limit: number },
): Promise<FeedEntryRow[]> {
  const direction = page.asc ? 'asc' : 'desc';
  let query = q.selectFrom('feed_entries').selectAll().where('account_id', '=', of.accountId);
  query =
    'incidentId' in of
      ? query.where('incident_id', '=', of.incidentId)
      : query.where('alert_id', '=', of.alertId);
  if (page.types && page.types.length > 0) query = query.where('type', 'in', [...page.types]);
  return query
    .orderBy('created_at', direction)
    .orderBy('ref_id', direction)
    .offset(page.offset)
    .limit(page.limit + 1)
    .execute();
}
