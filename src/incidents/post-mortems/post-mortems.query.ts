import { sql } from 'kysely';
import type { Db } from '../../db/db.ts';

/**
 * The post-mortem each of these incidents is part of (the newest, when several cover it), for
 * `post_mortem_id` on /incident/info. One query for the page.
 */
export async function postMortemsOfIncidents(
  q: Db['q'],
  accountId: number,
  incidentIds: readonly string[],
): Promise<Map<string, string>> {
  if (incidentIds.length === 0) return new Map();
  const rows = await q
    .selectFrom('post_mortems')
    .select(['post_mortem_id', 'incident_ids'])
    .where('account_id', '=', accountId)
    .where(sql<boolean>`incident_ids && ${[...incidentIds]}::text[]`)
    .orderBy('created_at', 'asc')
    .execute();
  const out = new Map<string, string>();
  for (const row of rows) for (const id of row.incident_ids) out.set(id, row.post_mortem_id);
  return out;
}
