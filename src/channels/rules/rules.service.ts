import type { Actor } from '../../accounts/permissions.ts';
import { conditionKeyProblem, conditionValueProblem, MAX_LABEL_KEY_LENGTH } from '../../alerts/conditions.ts';
import { minuteOfDay, type OnceWindow, silenceWindowOpen, type WeeklyWindow } from '../../alerts/noise.ts';
import { codePointLength } from '../../alerts/truncate.ts';
import type { Db } from '../../db/db.ts';
import type { ChannelRuleKind } from '../../db/schema.ts';
import { AppError, invalidParameter, notFound } from '../../shared/app-error.ts';
import { type Clock, nowSeconds } from '../../shared/clock.ts';
import { newObjectId } from '../../shared/ids.ts';
import { findChannel } from '../channels.store.ts';
import {
  type DropCreate,
  type DropItem,
  type DropUpdate,
  type FiltersInput,
  type InhibitCreate,
  type InhibitItem,
  type InhibitUpdate,
  RULE_LIMITS,
  type SilenceCreate,
  type SilenceItem,
  type SilenceUpdate,
  type TimeFilterInput,
} from './rules.schemas.ts';
import {
  accountTimeZone,
  countRules,
  findRule,
  type InhibitSettings,
  incidentExists,
  insertRule,
  listRules,
  type RuleRow,
  type SilenceSettings,
  updateRule,
} from './rules.store.ts';

/*
 * Silence, inhibit and drop rules of a channel: validation, tenancy, and the API shape of stored
 * rules. The alert pipeline applies them (src/alerts/noise-control.ts). Decisions: docs/noise-control.md.
 */

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];
type Filters = { key: string; oper: 'IN' | 'NOTIN'; vals: string[] }[][];

const KIND_NAMES: Record<ChannelRuleKind, string> = { silence: 'silence', inhibit: 'inhibit', drop: 'drop' };

async function requireChannel(
  q: Executor,
  accountId: number,
  channelId: number,
  lock = false,
): Promise<void> {
  const channel = await findChannel(q, accountId, channelId, { lock });
  if (!channel) throw notFound(`channel ${channelId}`);
}

/** Surrounding blanks would make look-alike names; a name of blanks only is no name. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalidParameter('rule_name', 'must not be blank');
  return trimmed;
}

/** Non-empty OR-of-AND filters whose every key and value the shared condition evaluator accepts. */
function checkFilters(field: string, filters: FiltersInput | undefined): Filters {
  if (!filters || filters.length === 0) {
    throw invalidParameter(field, 'must not be empty: send at least one group of conditions');
  }
  return filters.map((group, i) =>
    group.map((condition, j) => {
      const at = `${field}[${i}][${j}]`;
      const keyProblem = conditionKeyProblem(condition.key);
      if (keyProblem) throw invalidParameter(`${at}.key`, keyProblem);
      condition.vals.forEach((val, k) => {
        const valueProblem = conditionValueProblem(condition.key, val);
        if (valueProblem) throw invalidParameter(`${at}.vals[${k}]`, valueProblem);
      });
      return { key: condition.key, oper: condition.oper, vals: [...condition.vals] };
    }),
  );
}

/** `equals` entries: condition keys (`labels.host`, `service`, `title`, ...) or bare label names; repeats dropped. */
function checkEquals(equals: readonly string[]): string[] {
  equals.forEach((key, i) => {
    const problem = conditionKeyProblem(key);
    if (!problem) return;
    if (key.startsWith('labels.')) throw invalidParameter(`equals[${i}]`, problem);
    if (key.trim() !== key || codePointLength(key) > MAX_LABEL_KEY_LENGTH) {
      throw invalidParameter(
        `equals[${i}]`,
        `a label key must have no surrounding blanks and at most ${MAX_LABEL_KEY_LENGTH} characters`,
      );
    }
  });
  return [...new Set(equals)];
}

function checkOnce(window: OnceWindow): OnceWindow {
  if (window.start_time <= 0)
    throw invalidParameter('time_filter.start_time', 'must be a Unix time in seconds');
  if (window.end_time <= window.start_time) {
    throw invalidParameter('time_filter.end_time', 'must be after time_filter.start_time');
  }
  return { start_time: window.start_time, end_time: window.end_time };
}

function checkWeekly(windows: readonly TimeFilterInput[]): WeeklyWindow[] {
  return windows.map((w, i) => {
    const at = `time_filters[${i}]`;
    // Calendar-based windows (holidays, days off) need the calendars of on-call schedules.
    if (w.cal_id) {
      throw invalidParameter(
        `${at}.cal_id`,
        'calendar windows are not supported yet; send the window without cal_id',
      );
    }
    if (w.is_off) {
      throw invalidParameter(
        `${at}.is_off`,
        'calendar days off are not supported yet; send the window without is_off',
      );
    }
    if (minuteOfDay(w.start) === undefined)
      throw invalidParameter(`${at}.start`, 'must be HH:MM, from 00:00 to 23:59');
    if (minuteOfDay(w.end, { allowEndOfDay: true }) === undefined) {
      throw invalidParameter(`${at}.end`, 'must be HH:MM, from 00:00 to 24:00');
    }
    return { start: w.start, end: w.end, repeat: [...new Set(w.repeat ?? [])].sort((a, b) => a - b) };
  });
}

type Window = Pick<SilenceSettings, 'time_filter' | 'time_filters'>;

/**
 * Exactly one of a one-off window and recurring windows. An empty time_filters, and a time_filter
 * of {0, 0} (the zero value some clients send), count as none.
 */
function checkWindow(request: {
  time_filter?: OnceWindow | undefined;
  time_filters?: TimeFilterInput[] | undefined;
}): Window | undefined {
  const sent = request.time_filter;
  const once = sent && (sent.start_time !== 0 || sent.end_time !== 0) ? sent : undefined;
  const weekly = request.time_filters?.length ? request.time_filters : undefined;
  if (once && weekly) {
    throw invalidParameter(
      'time_filters',
      'send either time_filter (one-off) or time_filters (recurring), not both',
    );
  }
  if (once) return { time_filter: checkOnce(once), time_filters: [] };
  if (weekly) return { time_filter: null, time_filters: checkWeekly(weekly) };
  return undefined;
}

async function checkFromIncident(
  q: Executor,
  accountId: number,
  incidentId: string | undefined,
): Promise<string> {
  if (!incidentId) return '';
  if (!/^[0-9a-fA-F]{24}$/.test(incidentId))
    throw invalidParameter('from_incident_id', 'must be a 24-hex incident id');
  const id = incidentId.toLowerCase();
  if (!(await incidentExists(q, accountId, id))) {
    throw invalidParameter('from_incident_id', `incident ${incidentId} does not exist`);
  }
  return id;
}

type NewRule = {
  kind: ChannelRuleKind;
  channelId: number;
  ruleName: string;
  description: string;
  priority: number;
  filters: Filters;
  settings: Record<string, unknown>;
};

async function create(
  deps: Deps,
  actor: Actor,
  rule: NewRule,
  before?: (q: Executor) => Promise<Record<string, unknown>>,
): Promise<{ rule_id: string; rule_name: string }> {
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  const ruleId = newObjectId(nowMs);
  await deps.db.q.transaction().execute(async (trx) => {
    // The channel row stays locked until commit, so concurrent creates cannot pass the limit together.
    await requireChannel(trx, actor.accountId, rule.channelId, true);
    const extra = before ? await before(trx) : {};
    if ((await countRules(trx, rule.channelId, rule.kind)) >= RULE_LIMITS.rulesPerKind) {
      throw new AppError(
        'BadRequest',
        `Channel ${rule.channelId} already has ${RULE_LIMITS.rulesPerKind} ${KIND_NAMES[rule.kind]} rules; delete one first.`,
      );
    }
    await insertRule(trx, {
      rule_id: ruleId,
      account_id: actor.accountId,
      channel_id: rule.channelId,
      kind: rule.kind,
      rule_name: rule.ruleName,
      description: rule.description,
      priority: rule.priority,
      status: 'enabled',
      filters: JSON.stringify(rule.filters),
      settings: JSON.stringify({ ...rule.settings, ...extra }),
      creator_id: actor.memberId,
      updated_by: actor.memberId,
      created_at: now,
      updated_at: now,
    });
  });
  return { rule_id: ruleId, rule_name: rule.ruleName };
}

type RuleChange = {
  ruleName: string;
  description?: string | undefined;
  priority?: number | undefined;
  filters?: Filters | undefined;
  /** The new settings from the stored ones. */
  settings: (stored: Record<string, unknown>) => Record<string, unknown>;
};

/** Changes only what the request carries (rule_name always, as the spec requires it). */
async function update(
  deps: Deps,
  actor: Actor,
  scope: { kind: ChannelRuleKind; channelId: number; ruleId: string },
  change: RuleChange,
): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    await requireChannel(trx, actor.accountId, scope.channelId);
    const ruleScope = { accountId: actor.accountId, ...scope };
    const row = await findRule(trx, ruleScope, { lock: true });
    if (!row) throw notFound(`${KIND_NAMES[scope.kind]} rule ${scope.ruleId}`);
    await updateRule(trx, ruleScope, {
      rule_name: change.ruleName,
      ...(change.description === undefined ? {} : { description: change.description }),
      ...(change.priority === undefined ? {} : { priority: change.priority }),
      ...(change.filters === undefined ? {} : { filters: JSON.stringify(change.filters) }),
      settings: JSON.stringify(change.settings(row.settings)),
      updated_by: actor.memberId,
      updated_at: nowSeconds(deps.clock),
    });
  });
}

/** Enable, disable or delete (soft: the rule keeps its id for the feed entries that name it). */
export async function setRuleStatus(
  deps: Deps,
  actor: Actor,
  kind: ChannelRuleKind,
  input: { channel_id: number; rule_id: string },
  status: 'enabled' | 'disabled' | 'deleted',
): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    await requireChannel(trx, actor.accountId, input.channel_id);
    const now = nowSeconds(deps.clock);
    const found = await updateRule(
      trx,
      { accountId: actor.accountId, channelId: input.channel_id, kind, ruleId: input.rule_id },
      {
        status,
        updated_by: actor.memberId,
        updated_at: now,
        ...(status === 'deleted' ? { deleted_at: now } : {}),
      },
    );
    if (!found) throw notFound(`${KIND_NAMES[kind]} rule ${input.rule_id}`);
  });
}

export async function createSilenceRule(deps: Deps, actor: Actor, input: SilenceCreate) {
  const ruleName = cleanName(input.rule_name);
  const window = checkWindow(input);
  if (!window)
    throw invalidParameter('time_filter', 'send time_filter (one-off) or time_filters (recurring)');
  const filters = checkFilters('filters', input.filters);
  return create(
    deps,
    actor,
    {
      kind: 'silence',
      channelId: input.channel_id,
      ruleName,
      description: input.description ?? '',
      priority: input.priority ?? 0,
      filters,
      settings: { ...window, is_directly_discard: input.is_directly_discard ?? false },
    },
    async (q) => ({ from_incident_id: await checkFromIncident(q, actor.accountId, input.from_incident_id) }),
  );
}

export async function updateSilenceRule(deps: Deps, actor: Actor, input: SilenceUpdate): Promise<void> {
  const ruleName = cleanName(input.rule_name);
  const window = checkWindow(input);
  const filters = input.filters === undefined ? undefined : checkFilters('filters', input.filters);
  await update(
    deps,
    actor,
    { kind: 'silence', channelId: input.channel_id, ruleId: input.rule_id },
    {
      ruleName,
      description: input.description,
      priority: input.priority,
      filters,
      settings: (stored) => ({
        ...stored,
        ...window,
        ...(input.is_directly_discard === undefined
          ? {}
          : { is_directly_discard: input.is_directly_discard }),
      }),
    },
  );
}

export async function createInhibitRule(deps: Deps, actor: Actor, input: InhibitCreate) {
  const ruleName = cleanName(input.rule_name);
  const equals = checkEquals(input.equals);
  const sourceFilters = checkFilters('source_filters', input.source_filters);
  const targetFilters = checkFilters('target_filters', input.target_filters);
  return create(deps, actor, {
    kind: 'inhibit',
    channelId: input.channel_id,
    ruleName,
    description: input.description ?? '',
    priority: input.priority ?? 0,
    filters: targetFilters,
    settings: {
      source_filters: sourceFilters,
      equals,
      is_directly_discard: input.is_directly_discard ?? false,
    } satisfies InhibitSettings,
  });
}

export async function updateInhibitRule(deps: Deps, actor: Actor, input: InhibitUpdate): Promise<void> {
  const ruleName = cleanName(input.rule_name);
  const equals = checkEquals(input.equals);
  const sourceFilters =
    input.source_filters === undefined ? undefined : checkFilters('source_filters', input.source_filters);
  const targetFilters =
    input.target_filters === undefined ? undefined : checkFilters('target_filters', input.target_filters);
  await update(
    deps,
    actor,
    { kind: 'inhibit', channelId: input.channel_id, ruleId: input.rule_id },
    {
      ruleName,
      description: input.description,
      priority: input.priority,
      filters: targetFilters,
      settings: (stored) => ({
        ...stored,
        equals,
        ...(sourceFilters === undefined ? {} : { source_filters: sourceFilters }),
        ...(input.is_directly_discard === undefined
          ? {}
          : { is_directly_discard: input.is_directly_discard }),
      }),
    },
  );
}

export async function createDropRule(deps: Deps, actor: Actor, input: DropCreate) {
  const ruleName = cleanName(input.rule_name);
  const filters = checkFilters('filters', input.filters);
  return create(deps, actor, {
    kind: 'drop',
    channelId: input.channel_id,
    ruleName,
    description: input.description ?? '',
    priority: input.priority ?? 0,
    filters,
    settings: {},
  });
}

export async function updateDropRule(deps: Deps, actor: Actor, input: DropUpdate): Promise<void> {
  const ruleName = cleanName(input.rule_name);
  const filters = input.filters === undefined ? undefined : checkFilters('filters', input.filters);
  await update(
    deps,
    actor,
    { kind: 'drop', channelId: input.channel_id, ruleId: input.rule_id },
    {
      ruleName,
      description: input.description,
      priority: input.priority,
      filters,
      settings: (stored) => stored,
    },
  );
}

/**
 * The span reported as `time_filter` of a recurring rule (the spec requires one on every item):
 * from the rule's creation, without end — the period its weekly windows apply in.
 */
const RECURRING_SPAN_END = RULE_LIMITS.latestSeconds;

function itemBase(row: RuleRow) {
  return {
    account_id: row.account_id,
    channel_id: row.channel_id,
    priority: row.priority,
    rule_name: row.rule_name,
    description: row.description,
    status: row.status === 'disabled' ? ('disabled' as const) : ('enabled' as const),
    rule_id: row.rule_id,
    updated_by: row.updated_by,
    deleted_at: row.deleted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The rows of one kind in a live channel of the caller's account, with what their items need. */
async function rowsOf(
  deps: Deps,
  actor: Actor,
  kind: ChannelRuleKind,
  channelId: number,
): Promise<RuleRow[]> {
  await requireChannel(deps.db.q, actor.accountId, channelId);
  return listRules(deps.db.q, { accountId: actor.accountId, channelId, kind });
}

export async function listSilenceRules(deps: Deps, actor: Actor, channelId: number): Promise<SilenceItem[]> {
  const rows = await rowsOf(deps, actor, 'silence', channelId);
  const timeZone = rows.length > 0 ? await accountTimeZone(deps.db.q, actor.accountId) : 'UTC';
  const now = nowSeconds(deps.clock);
  return rows.map((row) => {
    const s = row.settings as SilenceSettings;
    return {
      ...itemBase(row),
      ...(s.from_incident_id ? { from_incident_id: s.from_incident_id } : {}),
      time_filters: s.time_filters.map((w) => ({ start: w.start, end: w.end, repeat: [...w.repeat] })),
      time_filter: s.time_filter ?? { start_time: row.created_at, end_time: RECURRING_SPAN_END },
      filters: row.filters,
      is_directly_discard: s.is_directly_discard,
      is_effective: row.status === 'enabled' && silenceWindowOpen(s, timeZone, now),
    };
  });
}

export async function listInhibitRules(deps: Deps, actor: Actor, channelId: number): Promise<InhibitItem[]> {
  const rows = await rowsOf(deps, actor, 'inhibit', channelId);
  return rows.map((row) => {
    const s = row.settings as InhibitSettings;
    return {
      ...itemBase(row),
      source_filters: s.source_filters as Filters,
      target_filters: row.filters,
      equals: s.equals,
      is_directly_discard: s.is_directly_discard,
    };
  });
}

export async function listDropRules(deps: Deps, actor: Actor, channelId: number): Promise<DropItem[]> {
  const rows = await rowsOf(deps, actor, 'drop', channelId);
  return rows.map((row) => ({ ...itemBase(row), filters: row.filters }));
}
