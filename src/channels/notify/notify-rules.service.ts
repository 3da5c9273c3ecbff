import type { Actor } from '../../accounts/permissions.ts';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/db.ts';
import {
  checkReferences,
  cleanName,
  normalizeFilters,
  normalizeTarget,
  requireChannel,
} from '../../escalation/escalation.service.ts';
import { DEFAULT_TEMPLATE_ID } from '../../notifications/default-template.ts';
import { AppError, notFound } from '../../shared/app-error.ts';
import { type Clock, nowSeconds } from '../../shared/clock.ts';
import { newObjectId } from '../../shared/ids.ts';
import {
  NOTIFY_RULE_LIMITS,
  type NotifyRuleCreate,
  type NotifyRuleItemOut,
  type NotifyRuleUpdate,
} from './notify-rules.schemas.ts';

/*
 * Managing channel notification rules (docs/channels.md, "Notification rules"). Filters and targets
 * are checked exactly as escalation rules' are; everything that needs no database is checked
 * before the transaction, so a refused request writes nothing.
 */

type Deps = { db: Db; clock: Clock };
type SavingDeps = Deps & { config: Pick<Config, 'outboundAllow'> };
type Executor = Db['q'];

type Prepared = {
  rule_name: string;
  description: string;
  template_id: string;
  event_types: string;
  filters: string;
  target: string;
};

function prepare(input: NotifyRuleCreate, deps: SavingDeps) {
  const target = normalizeTarget(input.target, 'target', deps.config.outboundAllow, true);
  const prepared: Prepared = {
    rule_name: cleanName(input.rule_name),
    description: input.description ?? '',
    template_id: (input.template_id ?? DEFAULT_TEMPLATE_ID).toLowerCase(),
    event_types: JSON.stringify([...new Set(input.event_types)]),
    filters: JSON.stringify(normalizeFilters(input.filters ?? [])),
    target: JSON.stringify(target),
  };
  return { prepared, target };
}

export async function createNotifyRule(
  deps: SavingDeps,
  actor: Actor,
  input: NotifyRuleCreate,
): Promise<{ rule_id: string; rule_name: string }> {
  const { prepared, target } = prepare(input, deps);
  const nowMs = deps.clock.nowMs();
  const ruleId = newObjectId(nowMs);
  await deps.db.q.transaction().execute(async (trx) => {
    // The channel row stays locked until commit, so concurrent creates cannot pass the limit together.
    await requireChannel(trx, actor.accountId, input.channel_id, true);
    await checkReferences(trx, actor.accountId, [{ at: 'target', target }]);
    const { count } = await trx
      .selectFrom('channel_notify_rules')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('channel_id', '=', input.channel_id)
      .executeTakeFirstOrThrow();
    if (Number(count) >= NOTIFY_RULE_LIMITS.rulesPerChannel) {
      throw new AppError(
        'BadRequest',
        `Channel ${input.channel_id} already has ${NOTIFY_RULE_LIMITS.rulesPerChannel} notification rules; delete one first.`,
      );
    }
    const now = Math.floor(nowMs / 1000);
    await trx
      .insertInto('channel_notify_rules')
      .values({
        rule_id: ruleId,
        account_id: actor.accountId,
        channel_id: input.channel_id,
        ...prepared,
        status: 'enabled',
        creator_id: actor.memberId,
        updated_by: actor.memberId,
        created_at: now,
        updated_at: now,
      })
      .execute();
  });
  return { rule_id: ruleId, rule_name: prepared.rule_name };
}

function scoped(q: Executor, accountId: number, channelId: number, ruleId: string) {
  return q
    .updateTable('channel_notify_rules')
    .where('account_id', '=', accountId)
    .where('channel_id', '=', channelId)
    .where('rule_id', '=', ruleId.toLowerCase());
}

export async function updateNotifyRule(
  deps: SavingDeps,
  actor: Actor,
  input: NotifyRuleUpdate,
): Promise<void> {
  const { prepared, target } = prepare(input, deps);
  await deps.db.q.transaction().execute(async (trx) => {
    await requireChannel(trx, actor.accountId, input.channel_id);
    await checkReferences(trx, actor.accountId, [{ at: 'target', target }]);
    const updated = await scoped(trx, actor.accountId, input.channel_id, input.rule_id)
      .set({ ...prepared, updated_by: actor.memberId, updated_at: nowSeconds(deps.clock) })
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw notFound(`notification rule ${input.rule_id}`);
  });
}

export async function setNotifyRuleStatus(
  deps: Deps,
  actor: Actor,
  input: { channel_id: number; rule_id: string },
  status: 'enabled' | 'disabled',
): Promise<void> {
  const updated = await scoped(deps.db.q, actor.accountId, input.channel_id, input.rule_id)
    .set({ status, updated_by: actor.memberId, updated_at: nowSeconds(deps.clock) })
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw notFound(`notification rule ${input.rule_id}`);
}

/** Deleting removes the rule: notifications it already enqueued keep their own record. */
export async function deleteNotifyRule(
  deps: Deps,
  actor: Actor,
  input: { channel_id: number; rule_id: string },
): Promise<void> {
  const deleted = await deps.db.q
    .deleteFrom('channel_notify_rules')
    .where('account_id', '=', actor.accountId)
    .where('channel_id', '=', input.channel_id)
    .where('rule_id', '=', input.rule_id.toLowerCase())
    .executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) throw notFound(`notification rule ${input.rule_id}`);
}

export async function listNotifyRules(
  deps: Deps,
  actor: Actor,
  channelId: number,
): Promise<NotifyRuleItemOut[]> {
  await requireChannel(deps.db.q, actor.accountId, channelId);
  const rows = await deps.db.q
    .selectFrom('channel_notify_rules')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .where('channel_id', '=', channelId)
    .orderBy('created_at')
    .orderBy('rule_id')
    .execute();
  return rows.map((row) => ({
    rule_id: row.rule_id,
    channel_id: Number(row.channel_id),
    rule_name: row.rule_name,
    description: row.description,
    template_id: row.template_id,
    status: row.status,
    event_types: row.event_types,
    filters: row.filters,
    target: row.target,
    creator_id: Number(row.creator_id),
    updated_by: Number(row.updated_by),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  }));
}
