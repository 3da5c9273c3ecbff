import type { Insertable, Selectable, Updateable } from 'kysely';
import type { FilterGroups, NoiseRule, OnceWindow, WeeklyWindow } from '../../alerts/noise.ts';
import type { Db } from '../../db/db.ts';
import type { ChannelRuleKind, ChannelRulesTable } from '../../db/schema.ts';

type Executor = Db['q'];

export type RuleRow = Selectable<ChannelRulesTable>;

/** `settings` of each kind, as the service writes them. */
export type SilenceSettings = {
  time_filter: OnceWindow | null;
  time_filters: WeeklyWindow[];
  is_directly_discard: boolean;
  from_incident_id: string;
};
export type InhibitSettings = {
  source_filters: FilterGroups;
  equals: string[];
  is_directly_discard: boolean;
};

/** The rules of one kind in a channel (not deleted), in evaluation order. */
export async function listRules(
  q: Executor,
  scope: { accountId: number; channelId: number; kind: ChannelRuleKind },
): Promise<RuleRow[]> {
  return q
    .selectFrom('channel_rules')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('channel_id', '=', scope.channelId)
    .where('kind', '=', scope.kind)
    .where('status', '<>', 'deleted')
    .orderBy('priority')
    .orderBy('rule_id')
    .execute();
}

export async function countRules(q: Executor, channelId: number, kind: ChannelRuleKind): Promise<number> {
  const row = await q
    .selectFrom('channel_rules')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('channel_id', '=', channelId)
    .where('kind', '=', kind)
    .where('status', '<>', 'deleted')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A rule of one kind in a channel of the account, not deleted; `lock` holds it until the transaction ends. */
export async function findRule(
  q: Executor,
  scope: { accountId: number; channelId: number; kind: ChannelRuleKind; ruleId: string },
  options: { lock?: boolean } = {},
): Promise<RuleRow | undefined> {
  const query = q
    .selectFrom('channel_rules')
    .selectAll()
    .where('account_id', '=', scope.accountId)
    .where('channel_id', '=', scope.channelId)
    .where('kind', '=', scope.kind)
    .where('rule_id', '=', scope.ruleId.toLowerCase())
    .where('status', '<>', 'deleted');
  return (options.lock ? query.forUpdate() : query).executeTakeFirst();
}

export async function insertRule(q: Executor, values: Insertable<ChannelRulesTable>): Promise<void> {
  await q.insertInto('channel_rules').values(values).execute();
}

/** Changes a rule that is not deleted; false when there is none. */
export async function updateRule(
  q: Executor,
  scope: { accountId: number; channelId: number; kind: ChannelRuleKind; ruleId: string },
  fields: Updateable<ChannelRulesTable>,
): Promise<boolean> {
  const row = await q
    .updateTable('channel_rules')
    .set(fields)
    .where('account_id', '=', scope.accountId)
    .where('channel_id', '=', scope.channelId)
    .where('kind', '=', scope.kind)
    .where('rule_id', '=', scope.ruleId.toLowerCase())
    .where('status', '<>', 'deleted')
    .returning('rule_id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function accountTimeZone(q: Executor, accountId: number): Promise<string> {
  const row = await q
    .selectFrom('accounts')
    .select('time_zone')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return row?.time_zone || 'UTC';
}

/** An incident of the account with this id exists. */
export async function incidentExists(q: Executor, accountId: number, incidentId: string): Promise<boolean> {
  const row = await q
    .selectFrom('incidents')
    .select('incident_id')
    .where('account_id', '=', accountId)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  return row !== undefined;
}

/** A stored rule in the shape the noise decision takes (src/alerts/noise.ts). */
function toNoiseRule(
  row: Pick<RuleRow, 'rule_id' | 'rule_name' | 'priority' | 'kind' | 'filters' | 'settings'>,
): NoiseRule {
  const base = { rule_id: row.rule_id, rule_name: row.rule_name, priority: row.priority };
  if (row.kind === 'silence') {
    const s = row.settings as SilenceSettings;
    return {
      ...base,
      kind: 'silence',
      filters: row.filters,
      time_filter: s.time_filter,
      time_filters: s.time_filters,
      is_directly_discard: s.is_directly_discard,
    };
  }
  if (row.kind === 'inhibit') {
    const s = row.settings as InhibitSettings;
    return {
      ...base,
      kind: 'inhibit',
      source_filters: s.source_filters,
      target_filters: row.filters,
      equals: s.equals,
      is_directly_discard: s.is_directly_discard,
    };
  }
  return { ...base, kind: 'drop', filters: row.filters };
}

/**
 * What the alert pipeline needs to screen an event in a channel, in one round trip: the account's
 * time zone and the channel's enabled rules of every kind.
 */
export async function loadNoiseRules(
  q: Executor,
  accountId: number,
  channelId: number,
): Promise<{ timeZone: string; rules: NoiseRule[] }> {
  const rows = await q
    .selectFrom('accounts')
    .leftJoin('channel_rules', (join) =>
      join
        .onRef('channel_rules.account_id', '=', 'accounts.account_id')
        .on('channel_rules.channel_id', '=', channelId)
        .on('channel_rules.status', '=', 'enabled'),
    )
    .select([
      'accounts.time_zone',
      'channel_rules.rule_id',
      'channel_rules.rule_name',
      'channel_rules.kind',
      'channel_rules.priority',
      'channel_rules.filters',
      'channel_rules.settings',
    ])
    .where('accounts.account_id', '=', accountId)
    .execute();
  const rules = rows.flatMap((r) =>
    r.rule_id === null || r.kind === null || r.rule_name === null || r.priority === null
      ? []
      : [
          toNoiseRule({
            rule_id: r.rule_id,
            rule_name: r.rule_name,
            kind: r.kind,
            priority: r.priority,
            filters: r.filters ?? [],
            settings: r.settings ?? {},
          }),
        ],
  );
  return { timeZone: rows[0]?.time_zone || 'UTC', rules };
}

/** Which of these channels have an enabled drop, silence or inhibit rule. */
export async function channelsWithRules(q: Executor, channelIds: readonly number[]): Promise<Set<number>> {
  if (channelIds.length === 0) return new Set();
  const rows = await q
    .selectFrom('channel_rules')
    .select('channel_id')
    .distinct()
    .where('channel_id', 'in', [...channelIds])
    .where('status', '=', 'enabled')
    .execute();
  return new Set(rows.map((r) => r.channel_id));
}
