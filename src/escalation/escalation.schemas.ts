import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { MAX_LABEL_KEY_LENGTH } from '../alerts/conditions.ts';

/*
 * Escalation rules of a channel (on-call.openapi.en.json, "Channels": /channel/escalate/rule/*).
 * The spec's limits are enforced as published; the ones it leaves open are Vigil's own and are
 * listed in docs/escalation.md.
 */

export const ESCALATION_LIMITS = {
  ruleName: 39,
  description: 500,
  priority: 200,
  aggrWindow: 3600,
  /** Vigil's: layers of one rule. */
  layers: 10,
  maxTimes: 6,
  notifyStepMin: 0.5,
  notifyStepMax: 120,
  escalateWindow: 720,
  /** Vigil's: entries of each target list, schedules of one target, roles of one schedule. */
  targetIds: 100,
  schedules: 20,
  rolesPerSchedule: 20,
  byChannels: 10,
  webhooks: 20,
  /** Vigil's: characters of one webhook's settings, as JSON. */
  webhookSettings: 4096,
  timeFilters: 20,
  calId: 64,
  filterGroups: 50,
  conditionsPerGroup: 50,
  valsPerCondition: 100,
  valLength: 1024,
  conditionKey: 'labels.'.length + MAX_LABEL_KEY_LENGTH,
  /** Vigil's: live rules of one channel. */
  rulesPerChannel: 100,
} as const;

const L = ESCALATION_LIMITS;

const RuleId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });
const TemplateId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });
const RuleName = Type.String({ minLength: 1, maxLength: L.ruleName });
const Description = Type.String({ maxLength: L.description });
const Priority = Type.Integer({ minimum: 0, maximum: L.priority });
const AggrWindow = Type.Integer({ minimum: 0, maximum: L.aggrWindow });

const By = Type.Object({
  follow_preference: Type.Optional(Type.Boolean()),
  critical: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: L.byChannels })),
  warning: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: L.byChannels })),
  info: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: L.byChannels })),
});

const Webhook = Type.Object({
  type: Type.String({ minLength: 1, maxLength: 32 }),
  settings: Type.Record(Type.String(), Type.Unknown()),
});

export const Target = Type.Object({
  person_ids: Type.Optional(Type.Array(Id, { maxItems: L.targetIds })),
  team_ids: Type.Optional(Type.Array(Id, { maxItems: L.targetIds })),
  // Keys (schedule ids) and the number of schedules are checked by the service, which names them.
  schedule_to_role_ids: Type.Optional(
    Type.Record(Type.String(), Type.Array(Id, { maxItems: L.rolesPerSchedule })),
  ),
  emails: Type.Optional(
    Type.Array(Type.String({ format: 'email', maxLength: 254 }), { maxItems: L.targetIds }),
  ),
  by: Type.Optional(By),
  webhooks: Type.Optional(Type.Array(Webhook, { maxItems: L.webhooks })),
});

const Layer = Type.Object({
  max_times: Type.Optional(Type.Integer({ minimum: 0, maximum: L.maxTimes })),
  notify_step: Type.Optional(Type.Number({ minimum: L.notifyStepMin, maximum: L.notifyStepMax })),
  target: Target,
  escalate_window: Type.Optional(Type.Integer({ minimum: 0, maximum: L.escalateWindow })),
  force_escalate: Type.Optional(Type.Boolean()),
});

const Layers = Type.Array(Layer, { minItems: 1, maxItems: L.layers });

const TimeFilter = Type.Object({
  start: Type.String({ maxLength: 5 }),
  end: Type.String({ maxLength: 5 }),
  repeat: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
  cal_id: Type.Optional(Type.String({ maxLength: L.calId })),
  is_off: Type.Optional(Type.Boolean()),
});

const Condition = Type.Object({
  key: Type.String({ minLength: 1, maxLength: L.conditionKey }),
  oper: Type.Enum(['IN', 'NOTIN']),
  vals: Type.Array(Type.String({ maxLength: L.valLength }), { minItems: 1, maxItems: L.valsPerCondition }),
});

/** OR of AND groups; [] means every incident, but an empty AND group is refused (send [] instead). */
export const Filters = Type.Array(Type.Array(Condition, { minItems: 1, maxItems: L.conditionsPerGroup }), {
  maxItems: L.filterGroups,
});

const RuleFields = {
  priority: Type.Optional(Priority),
  aggr_window: Type.Optional(AggrWindow),
  template_id: TemplateId,
  rule_name: RuleName,
  description: Type.Optional(Description),
  layers: Layers,
  time_filters: Type.Optional(Type.Array(TimeFilter, { maxItems: L.timeFilters })),
  filters: Type.Optional(Filters),
};

export const EscalationCreateRequest = Type.Object({ channel_id: Id, ...RuleFields });
export const EscalationUpdateRequest = Type.Object({ channel_id: Id, rule_id: RuleId, ...RuleFields });
export const ChannelScopedRequest = Type.Object({ channel_id: Id });

/** The heads-up check (Vigil's): one channel or all, over the next `hours` (default a week, at most 30 days). */
export const HeadsUpRequest = Type.Object({
  channel_id: Type.Optional(Id),
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 720 })),
});
const Gap = Type.Object({ start: Type.Integer(), end: Type.Integer() });
export const HeadsUpResponse = Type.Object({
  window: Gap,
  items: Type.Array(
    Type.Object({
      channel_id: Type.Integer(),
      rule_id: Type.String(),
      rule_name: Type.String(),
      layer_idx: Type.Integer(),
      // Each names its `kind` (person_unreachable, team_empty, schedule_gap with `gaps`, schedule_missing, email_unconfigured, chat_undeliverable).
      warnings: Type.Array(Type.Object({ kind: Type.String() }, { additionalProperties: true })),
    }),
  ),
});
export const ChannelRuleIdRequest = Type.Object({ channel_id: Id, rule_id: RuleId });
export const RuleCreateResponse = Type.Object({ rule_id: Type.String(), rule_name: Type.String() });

/** The default rule `/channel/create` takes inline (`escalate_rule`): one layer. */
export const InlineEscalateRule = Type.Object({
  aggr_window: Type.Optional(AggrWindow),
  template_id: TemplateId,
  target: Target,
});

const StoredBy = Type.Object({
  follow_preference: Type.Boolean(),
  critical: Type.Array(Type.String()),
  warning: Type.Array(Type.String()),
  info: Type.Array(Type.String()),
});

const StoredTarget = Type.Object({
  person_ids: Type.Array(Id),
  team_ids: Type.Array(Id),
  schedule_to_role_ids: Type.Record(Type.String(), Type.Array(Id)),
  emails: Type.Array(Type.String()),
  by: Type.Optional(StoredBy),
  webhooks: Type.Optional(Type.Array(Webhook)),
});

const StoredLayer = Type.Object({
  max_times: Type.Integer(),
  notify_step: Type.Number(),
  target: StoredTarget,
  escalate_window: Type.Integer(),
  force_escalate: Type.Boolean(),
});

const StoredTimeFilter = Type.Object({
  start: Type.String(),
  end: Type.String(),
  repeat: Type.Array(Type.Integer()),
  cal_id: Type.String(),
  is_off: Type.Boolean(),
});

export const EscalateRuleItem = Type.Object({
  account_id: Id,
  channel_id: Id,
  channel_name: Type.String(),
  priority: Type.Integer(),
  aggr_window: Type.Integer(),
  rule_name: Type.String(),
  description: Type.String(),
  layers: Type.Array(StoredLayer),
  time_filters: Type.Array(StoredTimeFilter),
  filters: Filters,
  status: Type.Enum(['enabled', 'disabled']),
  template_id: Type.String(),
  rule_id: Type.String(),
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const EscalationListResponse = Type.Object({ items: Type.Array(EscalateRuleItem) });

export type TargetInput = Static<typeof Target>;
export type LayerInput = Static<typeof Layer>;
export type TimeFilterInput = Static<typeof TimeFilter>;
export type FiltersInput = Static<typeof Filters>;
export type EscalationCreate = Static<typeof EscalationCreateRequest>;
export type EscalationUpdate = Static<typeof EscalationUpdateRequest>;
export type InlineEscalateRuleInput = Static<typeof InlineEscalateRule>;
export type EscalateRuleItemOut = Static<typeof EscalateRuleItem>;
