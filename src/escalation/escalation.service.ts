import type { Actor } from '../accounts/permissions.ts';
import { conditionKeyProblem, conditionValueProblem } from '../alerts/conditions.ts';
import { minuteOfDay } from '../alerts/noise.ts';
import { findChannel, lockLiveTeams } from '../channels/channels.store.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import { type OutboundAllow, outboundUrlProblem } from '../notifications/providers/outbound-policy.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newObjectId } from '../shared/ids.ts';
import {
  ESCALATION_LIMITS,
  type EscalateRuleItemOut,
  type EscalationCreate,
  type EscalationUpdate,
  type FiltersInput,
  type InlineEscalateRuleInput,
  type LayerInput,
  type TargetInput,
  type TimeFilterInput,
} from './escalation.schemas.ts';
import {
  countEscalationRules,
  type EscalationRuleRow,
  findEscalationRule,
  insertEscalationRule,
  listEscalationRules,
  lockLiveMembers,
  toEscalationRule,
  updateEscalationRule,
} from './escalation.store.ts';
import type {
  EscalateBy,
  EscalateFilters,
  EscalateLayer,
  EscalateTarget,
  EscalateTimeFilter,
  EscalateWebhook,
} from './escalation.types.ts';

/*
 * Escalation rules of a channel: validation, tenancy, and the API shape of stored rules. Which rule
 * takes an incident is the pure src/escalation/match.ts. Decisions: docs/escalation.md.
 */

type Deps = { db: Db; clock: Clock };
/** Saving a rule checks its bot URLs against OUTBOUND_ALLOW. */
type SavingDeps = Deps & { config: Pick<Config, 'outboundAllow'> };
type Executor = Db['q'];

/** Layer fields a request leaves out take the values of Flashduty's default rule (the spec's example). */
const LAYER_DEFAULTS = { max_times: 1, notify_step: 10, escalate_window: 30, force_escalate: false };

/** The name of the rule `/channel/create` makes from its inline `escalate_rule`. */
const DEFAULT_RULE_NAME = 'Default';

/** Personal channels (`by`, `notify.personal_channels`): the built-in ones, or an IM (optionally its app integration and id). */
export const BY_CHANNEL = /^(email|sms|voice|push|(feishu|dingtalk|wecom|teams|slack)(_app)?(:\d{1,19})?)$/;

const WEBHOOK_TYPES = new Set([
  'feishu',
  'dingtalk',
  'wecom',
  'slack',
  'teams',
  'telegram',
  'zoom',
  'custom',
  'feishu_app',
  'dingtalk_app',
  'wecom_app',
  'slack_app',
  'teams_app',
]);

/** A schedule id as a JSON object key: a positive integer. */
const SCHEDULE_KEY = /^[1-9]\d{0,15}$/;

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** Surrounding blanks would make look-alike names; a name of blanks only is no name. */
export function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalidParameter('rule_name', 'must not be blank');
  return trimmed;
}

function normalizeBy(by: NonNullable<TargetInput['by']>, at: string, hasWebhooks: boolean): EscalateBy {
  const out: EscalateBy = {
    follow_preference: by.follow_preference ?? false,
    critical: [],
    warning: [],
    info: [],
  };
  for (const severity of ['critical', 'warning', 'info'] as const) {
    const channels = by[severity] ?? [];
    channels.forEach((channel, i) => {
      if (!BY_CHANNEL.test(channel)) {
        throw invalidParameter(
          `${at}.${severity}[${i}]`,
          'must be email, sms, voice, push, or an IM (feishu, dingtalk, wecom, teams, slack; e.g. feishu_app:123)',
        );
      }
    });
    out[severity] = unique(channels);
  }
  const names = out.critical.length + out.warning.length + out.info.length;
  if (!out.follow_preference && names === 0 && !hasWebhooks) {
    throw invalidParameter(at, 'names no channel: set follow_preference or list channels per severity');
  }
  return out;
}

function normalizeWebhooks(
  webhooks: NonNullable<TargetInput['webhooks']>,
  at: string,
  allow: OutboundAllow,
): EscalateWebhook[] {
  return webhooks.map((webhook, i) => {
    if (!WEBHOOK_TYPES.has(webhook.type)) {
      throw invalidParameter(`${at}[${i}].type`, `must be one of ${[...WEBHOOK_TYPES].join(', ')}`);
    }
    // A bot URL is called by Vigil: only http(s), and only where OUTBOUND_ALLOW lets it go.
    const url = webhook.settings.url;
    if (url !== undefined && url !== '') {
      const problem =
        typeof url === 'string' ? outboundUrlProblem(url, allow) : 'must be an http:// or https:// URL';
      if (problem) throw invalidParameter(`${at}[${i}].settings.url`, problem);
    }
    if (JSON.stringify(webhook.settings).length > ESCALATION_LIMITS.webhookSettings) {
      throw invalidParameter(
        `${at}[${i}].settings`,
        `must be at most ${ESCALATION_LIMITS.webhookSettings} characters as JSON`,
      );
    }
    return { type: webhook.type, settings: webhook.settings };
  });
}

function normalizeSchedules(
  schedules: NonNullable<TargetInput['schedule_to_role_ids']>,
  at: string,
): Record<string, number[]> {
  const entries = Object.entries(schedules);
  if (entries.length > ESCALATION_LIMITS.schedules) {
    throw invalidParameter(at, `must name at most ${ESCALATION_LIMITS.schedules} schedules`);
  }
  const out: Record<string, number[]> = {};
  for (const [scheduleId, roleIds] of entries) {
    if (!SCHEDULE_KEY.test(scheduleId)) {
      throw invalidParameter(
        at,
        `key ${JSON.stringify(scheduleId)} is not a schedule id (a positive integer)`,
      );
    }
    out[scheduleId] = unique(roleIds);
  }
  return out;
}

/** A target with every field present; `at` is where it sits in the request, for messages. */
export function normalizeTarget(
  target: TargetInput,
  at: string,
  allow: OutboundAllow,
  /** Channel notification rules may notify group chats alone; an escalation layer must name people. */
  chatsAlone = false,
): EscalateTarget {
  const emails: string[] = [];
  const seen = new Set<string>();
  for (const email of target.emails ?? []) {
    if (!seen.has(email.toLowerCase())) emails.push(email);
    seen.add(email.toLowerCase());
  }
  const out: EscalateTarget = {
    person_ids: unique(target.person_ids ?? []),
    team_ids: unique(target.team_ids ?? []),
    schedule_to_role_ids: normalizeSchedules(target.schedule_to_role_ids ?? {}, `${at}.schedule_to_role_ids`),
    emails,
  };
  const nobody =
    out.person_ids.length === 0 &&
    out.team_ids.length === 0 &&
    out.emails.length === 0 &&
    Object.keys(out.schedule_to_role_ids).length === 0;
  if (nobody && !(chatsAlone && target.webhooks?.length)) {
    throw invalidParameter(at, 'names nobody: set person_ids, team_ids, schedule_to_role_ids or emails');
  }
  const webhooks = target.webhooks?.length
    ? normalizeWebhooks(target.webhooks, `${at}.webhooks`, allow)
    : undefined;
  if (!target.by && !webhooks) {
    throw invalidParameter(`${at}.by`, 'set by (personal channels) or webhooks (group chats), or both');
  }
  if (target.by) out.by = normalizeBy(target.by, `${at}.by`, webhooks !== undefined);
  if (webhooks) out.webhooks = webhooks;
  return out;
}

function normalizeLayer(layer: LayerInput, at: string, allow: OutboundAllow): EscalateLayer {
  const notifyStep = layer.notify_step ?? LAYER_DEFAULTS.notify_step;
  if (!Number.isInteger(notifyStep * 2)) {
    throw invalidParameter(`${at}.notify_step`, 'must be a multiple of 0.5 minutes');
  }
  return {
    max_times: layer.max_times ?? LAYER_DEFAULTS.max_times,
    notify_step: notifyStep,
    escalate_window: layer.escalate_window ?? LAYER_DEFAULTS.escalate_window,
    force_escalate: layer.force_escalate ?? LAYER_DEFAULTS.force_escalate,
    target: normalizeTarget(layer.target, `${at}.target`, allow),
  };
}

function normalizeTimeFilters(windows: readonly TimeFilterInput[]): EscalateTimeFilter[] {
  return windows.map((w, i) => {
    const at = `time_filters[${i}]`;
    if (minuteOfDay(w.start) === undefined)
      throw invalidParameter(`${at}.start`, 'must be HH:MM, from 00:00 to 23:59');
    if (minuteOfDay(w.end, { allowEndOfDay: true }) === undefined) {
      throw invalidParameter(`${at}.end`, 'must be HH:MM, from 00:00 to 24:00');
    }
    const calId = w.cal_id ?? '';
    if (calId !== calId.trim()) throw invalidParameter(`${at}.cal_id`, 'must have no surrounding blanks');
    const isOff = w.is_off ?? false;
    if (isOff && calId === '') {
      throw invalidParameter(`${at}.cal_id`, 'is_off matches the days off of a calendar: name the calendar');
    }
    return {
      start: w.start,
      end: w.end,
      repeat: unique(w.repeat ?? []).sort((a, b) => a - b),
      cal_id: calId,
      is_off: isOff,
    };
  });
}

/** OR-of-AND filters whose every key and value the shared condition evaluator accepts; [] = every incident. */
export function normalizeFilters(filters: FiltersInput): EscalateFilters {
  return filters.map((group, i) =>
    group.map((condition, j) => {
      const at = `filters[${i}][${j}]`;
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

/**
 * Every person and team a rule's layers name must be a live member / team of the account (their rows
 * are share-locked until commit, so a deletion cannot slip under the write). Schedules and the
 * template cannot be checked until they exist in Vigil; they are stored as sent.
 */
export async function checkReferences(
  q: Executor,
  accountId: number,
  layers: readonly { at: string; target: EscalateTarget }[],
): Promise<void> {
  const members = await lockLiveMembers(q, accountId, unique(layers.flatMap((l) => l.target.person_ids)));
  const teams = await lockLiveTeams(q, accountId, unique(layers.flatMap((l) => l.target.team_ids)));
  for (const { at, target } of layers) {
    const person = target.person_ids.find((id) => !members.has(id));
    if (person !== undefined) {
      throw invalidParameter(`${at}.person_ids`, `member ${person} is not a member of this account`);
    }
    const team = target.team_ids.find((id) => !teams.has(id));
    if (team !== undefined) throw invalidParameter(`${at}.team_ids`, `team ${team} does not exist`);
  }
}

export async function requireChannel(q: Executor, accountId: number, channelId: number, lock = false) {
  const channel = await findChannel(q, accountId, channelId, { lock });
  if (!channel) throw notFound(`channel ${channelId}`);
  return channel;
}

type PreparedRule = {
  ruleName: string;
  description: string;
  priority: number;
  aggrWindow: number;
  templateId: string;
  layers: EscalateLayer[];
  timeFilters: EscalateTimeFilter[];
  filters: EscalateFilters;
  /** Where each layer's target sits in the request, for reference errors. */
  targetPaths: string[];
};

async function insertPrepared(
  q: Executor,
  actor: Actor,
  channelId: number,
  rule: PreparedRule,
  nowMs: number,
): Promise<string> {
  await checkReferences(
    q,
    actor.accountId,
    rule.layers.map((layer, i) => ({ at: rule.targetPaths[i]!, target: layer.target })),
  );
  if ((await countEscalationRules(q, channelId)) >= ESCALATION_LIMITS.rulesPerChannel) {
    throw new AppError(
      'BadRequest',
      `Channel ${channelId} already has ${ESCALATION_LIMITS.rulesPerChannel} escalation rules; delete one first.`,
    );
  }
  const ruleId = newObjectId(nowMs);
  const now = Math.floor(nowMs / 1000);
  await insertEscalationRule(q, {
    rule_id: ruleId,
    account_id: actor.accountId,
    channel_id: channelId,
    rule_name: rule.ruleName,
    description: rule.description,
    priority: rule.priority,
    aggr_window: rule.aggrWindow,
    template_id: rule.templateId.toLowerCase(),
    status: 'enabled',
    layers: JSON.stringify(rule.layers),
    time_filters: JSON.stringify(rule.timeFilters),
    filters: JSON.stringify(rule.filters),
    creator_id: actor.memberId,
    updated_by: actor.memberId,
    created_at: now,
    updated_at: now,
  });
  return ruleId;
}

export async function createEscalationRule(
  deps: SavingDeps,
  actor: Actor,
  input: EscalationCreate,
): Promise<{ rule_id: string; rule_name: string }> {
  // Everything that needs no database is checked first, so a malformed request touches nothing.
  const rule: PreparedRule = {
    ruleName: cleanName(input.rule_name),
    description: input.description ?? '',
    priority: input.priority ?? 0,
    aggrWindow: input.aggr_window ?? 0,
    templateId: input.template_id,
    layers: input.layers.map((layer, i) => normalizeLayer(layer, `layers[${i}]`, deps.config.outboundAllow)),
    timeFilters: normalizeTimeFilters(input.time_filters ?? []),
    filters: normalizeFilters(input.filters ?? []),
    targetPaths: input.layers.map((_, i) => `layers[${i}].target`),
  };
  const nowMs = deps.clock.nowMs();
  const ruleId = await deps.db.q.transaction().execute(async (trx) => {
    // The channel row stays locked until commit, so concurrent creates cannot pass the limit together.
    await requireChannel(trx, actor.accountId, input.channel_id, true);
    return insertPrepared(trx, actor, input.channel_id, rule, nowMs);
  });
  return { rule_id: ruleId, rule_name: rule.ruleName };
}

/**
 * The default rule `/channel/create` carries inline (`escalate_rule`), checked without the database:
 * one layer with Flashduty's default timing. Messages name the fields under `escalate_rule`.
 */
export function prepareDefaultRule(input: InlineEscalateRuleInput, allow: OutboundAllow): PreparedRule {
  return {
    ruleName: DEFAULT_RULE_NAME,
    description: '',
    priority: 0,
    aggrWindow: input.aggr_window ?? 0,
    templateId: input.template_id,
    layers: [{ ...LAYER_DEFAULTS, target: normalizeTarget(input.target, 'escalate_rule.target', allow) }],
    timeFilters: [],
    filters: [],
    targetPaths: ['escalate_rule.target'],
  };
}

/** Stores a prepared default rule as the first escalation rule of a channel being created (same transaction). */
export async function insertDefaultRule(
  q: Executor,
  actor: Actor,
  channelId: number,
  rule: PreparedRule,
  nowMs: number,
): Promise<void> {
  await insertPrepared(q, actor, channelId, rule, nowMs);
}

/** Replaces rule_name, template_id and layers (the spec requires them); the other fields only when sent. */
export async function updateEscalationRuleFields(
  deps: SavingDeps,
  actor: Actor,
  input: EscalationUpdate,
): Promise<void> {
  const ruleName = cleanName(input.rule_name);
  const layers = input.layers.map((layer, i) =>
    normalizeLayer(layer, `layers[${i}]`, deps.config.outboundAllow),
  );
  const timeFilters = input.time_filters === undefined ? undefined : normalizeTimeFilters(input.time_filters);
  const filters = input.filters === undefined ? undefined : normalizeFilters(input.filters);
  await deps.db.q.transaction().execute(async (trx) => {
    await requireChannel(trx, actor.accountId, input.channel_id);
    const scope = { accountId: actor.accountId, channelId: input.channel_id, ruleId: input.rule_id };
    const row = await findEscalationRule(trx, scope, { lock: true });
    if (!row) throw notFound(`escalation rule ${input.rule_id}`);
    await checkReferences(
      trx,
      actor.accountId,
      layers.map((layer, i) => ({ at: `layers[${i}].target`, target: layer.target })),
    );
    await updateEscalationRule(trx, scope, {
      rule_name: ruleName,
      template_id: input.template_id.toLowerCase(),
      layers: JSON.stringify(layers),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.priority === undefined ? {} : { priority: input.priority }),
      ...(input.aggr_window === undefined ? {} : { aggr_window: input.aggr_window }),
      ...(timeFilters === undefined ? {} : { time_filters: JSON.stringify(timeFilters) }),
      ...(filters === undefined ? {} : { filters: JSON.stringify(filters) }),
      updated_by: actor.memberId,
      updated_at: nowSeconds(deps.clock),
    });
  });
}

/** Enable, disable or delete (soft: the rule keeps its id for the incidents and feed entries that name it). */
export async function setEscalationRuleStatus(
  deps: Deps,
  actor: Actor,
  input: { channel_id: number; rule_id: string },
  status: 'enabled' | 'disabled' | 'deleted',
): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    await requireChannel(trx, actor.accountId, input.channel_id);
    const now = nowSeconds(deps.clock);
    const found = await updateEscalationRule(
      trx,
      { accountId: actor.accountId, channelId: input.channel_id, ruleId: input.rule_id },
      {
        status,
        updated_by: actor.memberId,
        updated_at: now,
        ...(status === 'deleted' ? { deleted_at: now } : {}),
      },
    );
    if (!found) throw notFound(`escalation rule ${input.rule_id}`);
  });
}

function toItem(row: EscalationRuleRow, channelName: string): EscalateRuleItemOut {
  const rule = toEscalationRule(row);
  return {
    account_id: rule.account_id,
    channel_id: rule.channel_id,
    channel_name: channelName,
    priority: rule.priority,
    aggr_window: rule.aggr_window,
    rule_name: rule.rule_name,
    description: rule.description,
    layers: rule.layers,
    time_filters: rule.time_filters,
    filters: rule.filters,
    status: rule.status,
    template_id: rule.template_id,
    rule_id: rule.rule_id,
    updated_by: row.updated_by,
    created_at: rule.created_at,
    updated_at: rule.updated_at,
  };
}

export async function listEscalationRuleItems(
  deps: Deps,
  actor: Actor,
  channelId: number,
): Promise<EscalateRuleItemOut[]> {
  const channel = await requireChannel(deps.db.q, actor.accountId, channelId);
  const rows = await listEscalationRules(deps.db.q, { accountId: actor.accountId, channelId });
  return rows.map((row) => toItem(row, channel.channel_name));
}

export async function escalationRuleInfo(
  deps: Deps,
  actor: Actor,
  input: { channel_id: number; rule_id: string },
): Promise<EscalateRuleItemOut> {
  const channel = await requireChannel(deps.db.q, actor.accountId, input.channel_id);
  const row = await findEscalationRule(deps.db.q, {
    accountId: actor.accountId,
    channelId: input.channel_id,
    ruleId: input.rule_id,
  });
  if (!row) throw notFound(`escalation rule ${input.rule_id}`);
  return toItem(row, channel.channel_name);
}
