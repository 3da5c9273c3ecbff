import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { EscalationRulesTable } from '../db/schema.ts';
import type { EscalateLayer, EscalateTimeFilter, EscalationRule } from './escalation.types.ts';

type Executor = Db['q'];

export type EscalationRuleRow = Selectable<EscalationRulesTable>;

type RuleScope = { accountId: number; channelId: number; ruleId: string };

/** A stored row in the shape the matcher and the engine read (written only by escalation.service). */
export function toEscalationRule(row: EscalationRuleRow): EscalationRule {
  return {
    rule_id: row.rule_id,
    account_id: row.account_id,
    channel_id: row.channel_id,
    rule_name: row.rule_name,
    description: row.description,
    priority: row.priority,
    aggr_window: row.aggr_window,
    template_id: row.template_id,
    status: row.status === 'disabled' ? 'disabled' : 'enabled',
    layers: row.layers as EscalateLayer[],
    time_filters: row.time_filters as EscalateTimeFilter[],
    filters: row.filters,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The rules of a channel (or of every channel of the account) that are not deleted, in evaluation order. */
export async function listEscalationRules(
  q: Executor,
  scope: { accountId: number; channelId?: number | undefined },
): Promise<EscalationRuleRow[]> {
  let query = q
    .selectFrom('escalation_rules')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('status', '<>', 'deleted');
  if (scope.channelId !== undefined) query = query.where('channel_id', '=', scope.channelId);
  return query.orderBy('channel_id').orderBy('priority').orderBy('created_at').orderBy('rule_id').execute();
}

export async function countEscalationRules(q: Executor, channelId: number): Promise<number> {
  const row = await q
    .selectFrom('escalation_rules')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId)
    .where('status', '<>', 'deleted')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A rule of a channel of the account, not deleted; `lock` holds it until the transaction ends. */
export async function findEscalationRule(
  q: Executor,
  scope: RuleScope,
  options: { lock?: boolean } = {},
): Promise<EscalationRuleRow | undefined> {
  const query = q
    .selectFrom('escalation_rules')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('channel_id', '=', scope.channelId)
    .where('rule_id', '=', scope.ruleId.toLowerCase())
    .where('status', '<>', 'deleted');
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function insertEscalationRule(
  q: Executor,
  values: Insertable<EscalationRulesTable>,
): Promise<void> {
  await q.insertInto('escalation_rules').values(values).execute();
}

/** Changes a rule that is not deleted; false when there is none. */
export async function updateEscalationRule(
  q: Executor,
  scope: RuleScope,
  fields: Updateable<EscalationRulesTable>,
): Promise<boolean> {
  const row = await q
    .updateTable('escalation_rules')
    .set(fields)
    .where('account_id', '=', scope.accountId)
    .where('channel_id', '=', scope.channelId)
    .where('rule_id', '=', scope.ruleId.toLowerCase())
    .where('status', '<>', 'deleted')
    .returning('rule_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Which of these ids are members of the account that are not deleted; their rows are share-locked. */
export async function lockLiveMembers(
  q: Executor,
  accountId: number,
  memberIds: readonly number[],
): Promise<Set<number>> {
  if (memberIds.length === 0) return new Set();
  const rows = await q
    .selectFrom('members')
    .select('member_id')
    .where('account_id', '=', accountId)
    .where('member_id', 'in', [...memberIds])
    .where('status', '<>', 'deleted')
    .forShare()
    .execute();
  return new Set(rows.map((r) => r.member_id));
}

/**
 * What the escalation engine needs to pick a rule for an incident of a channel, in one round trip:
 * the account's time zone and the channel's enabled rules (in evaluation order).
 */
export async function loadEscalationRules(
  q: Executor,
  accountId: number,
  channelId: number,
): Promise<{ timeZone: string; rules: EscalationRule[] }> {
  const account = await q
    .selectFrom('accounts')
    .select('time_zone')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  const rows = await listEscalationRules(q, { accountId, channelId });
  return {
    timeZone: account?.time_zone || 'UTC',
    rules: rows.filter((r) => r.status === 'enabled').map(toEscalationRule),
  };
}

/** The members of each of these live teams of the account, in id order; a deleted or unknown team maps to []. */
export async function teamMembers(
  q: Executor,
  accountId: number,
  teamIds: readonly number[],
): Promise<Map<number, number[]>> {
  const out = new Map(teamIds.map((id) => [Number(id), [] as number[]]));
  if (teamIds.length === 0) return out;
  const rows = await q
    .selectFrom('team_members')
    .innerJoin('teams', 'teams.team_id', 'team_members.team_id')
    .select(['team_members.team_id', 'team_members.person_id'])
    .where('teams.account_id', '=', accountId)
    .where('teams.team_id', 'in', [...teamIds])
    .where('teams.status', '<>', 'deleted')
    .orderBy('team_members.person_id')
    .execute();
  for (const row of rows) out.get(Number(row.team_id))?.push(Number(row.person_id));
  return out;
}
