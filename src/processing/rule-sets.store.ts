import type { Selectable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { ProcessingRulesTable } from '../db/schema.ts';

/* The rule lists of integrations: enrichment_rule_sets and alert_pipelines (migration 0085). */

type Executor = Db['q'];
export type RuleSetTable = 'enrichment_rule_sets' | 'alert_pipelines';
export type RuleSetRow = Selectable<ProcessingRulesTable>;

export function listRuleSets(
  q: Executor,
  table: RuleSetTable,
  accountId: number,
  integrationIds: readonly number[],
): Promise<RuleSetRow[]> {
  if (integrationIds.length === 0) return Promise.resolve([]);
  return q
    .selectFrom(table)
    .selectAll()
    .where('account_id', '=', accountId)
    .where('integration_id', 'in', [...integrationIds])
    .orderBy('integration_id')
    .execute();
}

/** The rules of an integration for the applier (no account: the integration id is the ingest log's). */
export async function rulesOf(q: Executor, table: RuleSetTable, integrationId: number): Promise<unknown[]> {
  const row = await q
    .selectFrom(table)
    .select(['rules', 'status'])
    .where('integration_id', '=', integrationId)
    .executeTakeFirst();
  return row && row.status === 'enabled' ? row.rules : [];
}

/** Replaces an integration's whole rule list, in one statement. */
export async function upsertRuleSet(
  q: Executor,
  table: RuleSetTable,
  write: { accountId: number; integrationId: number; memberId: number; now: number; rules: unknown[] },
): Promise<void> {
  const rules = JSON.stringify(write.rules);
  await q
    .insertInto(table)
    .values({
      integration_id: write.integrationId,
      account_id: write.accountId,
      rules,
      creator_id: write.memberId,
      updated_by: write.memberId,
      created_at: write.now,
      updated_at: write.now,
    })
    .onConflict((oc) =>
      oc.column('integration_id').doUpdateSet({ rules, updated_by: write.memberId, updated_at: write.now }),
    )
    .execute();
}
