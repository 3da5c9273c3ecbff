import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/db.ts';
import type { RoutesTable } from '../db/schema.ts';

type Executor = Db['q'];

export type RouteRow = Selectable<RoutesTable>;

/** Stored routes of these live integrations of the account, in no particular order. */
export async function getRoutes(
  q: Executor,
  accountId: number,
  integrationIds: readonly number[],
): Promise<RouteRow[]> {
  if (integrationIds.length === 0) return [];
  return q
    .selectFrom('routes')
    .innerJoin('integrations as i', 'i.integration_id', 'routes.integration_id')
    .selectAll('routes')
    .where('routes.account_id', '=', accountId)
    .where('routes.integration_id', 'in', [...new Set(integrationIds)])
    .where('i.status', '<>', 'deleted')
    .execute();
}

export type RouteContent = {
  cases: unknown[];
  sections: unknown[];
  defaultChannelIds: number[];
};

export type RouteWrite = {
  accountId: number;
  integrationId: number;
  memberId: number;
  now: number;
  content: RouteContent;
};

const contentValues = (content: RouteContent) => ({
  cases: JSON.stringify(content.cases),
  sections: JSON.stringify(content.sections),
  default_channel_ids: content.defaultChannelIds,
});

/** The new version, or undefined when a route already exists (someone else created it first). */
export async function insertFirstRoute(q: Executor, write: RouteWrite): Promise<number | undefined> {
  const row = await q
    .insertInto('routes')
    .values({
      integration_id: write.integrationId,
      account_id: write.accountId,
      ...contentValues(write.content),
      version: 1,
      creator_id: write.memberId,
      updated_by: write.memberId,
      created_at: write.now,
      updated_at: write.now,
    })
    .onConflict((oc) => oc.column('integration_id').doNothing())
    .returning('version')
    .executeTakeFirst();
  return row?.version;
}

/** Replaces the route only if it still has `version`; the new version, or undefined when it moved on. */
export async function updateRouteAtVersion(
  q: Executor,
  write: RouteWrite,
  version: number,
): Promise<number | undefined> {
  const row = await q
    .updateTable('routes')
    .set({
      ...contentValues(write.content),
      version: sql<number>`version + 1`,
      updated_by: write.memberId,
      updated_at: write.now,
    })
    .where('account_id', '=', write.accountId)
    .where('integration_id', '=', write.integrationId)
    .where('version', '=', version)
    .returning('version')
    .executeTakeFirst();
  return row?.version;
}

/** Creates or replaces the route whatever its version (a client that sent none); the new version. */
export async function upsertRoute(q: Executor, write: RouteWrite): Promise<number> {
  const values = contentValues(write.content);
  const row = await q
    .insertInto('routes')
    .values({
      integration_id: write.integrationId,
      account_id: write.accountId,
      ...values,
      version: 1,
      creator_id: write.memberId,
      updated_by: write.memberId,
      created_at: write.now,
      updated_at: write.now,
    })
    .onConflict((oc) =>
      oc.column('integration_id').doUpdateSet({
        ...values,
        version: sql<number>`routes.version + 1`,
        updated_by: write.memberId,
        updated_at: write.now,
      }),
    )
    .returning('version')
    .executeTakeFirstOrThrow();
  return row.version;
}

export async function deleteRoute(q: Executor, accountId: number, integrationId: number): Promise<void> {
  await q
    .deleteFrom('routes')
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .execute();
}
