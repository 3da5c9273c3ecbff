import Type, { type Static } from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';
import { MAX_LABEL_KEY_LENGTH } from '../../alerts/conditions.ts';

/*
 * Silence, inhibit and drop ("unsubscribe") rules of a channel (on-call.openapi.en.json,
 * "Channels": /channel/{silence,inhibit,unsubscribe}/rule/*). The limits the spec leaves open are
 * Vigil's own; docs/noise-control.md lists them.
 */

export const RULE_LIMITS = {
  ruleName: 39,
  description: 500,
  /** OR groups in one filter, conditions in one group, values in one condition, and a value's length. */
  filterGroups: 50,
  conditionsPerGroup: 50,
  valsPerCondition: 100,
  valLength: 1024,
  conditionKey: 'labels.'.length + MAX_LABEL_KEY_LENGTH,
  equals: 20,
  timeFilters: 20,
  /** Rules of one kind in one channel. */
  rulesPerKind: 100,
  /** Evaluation priority: lower first. */
  priority: 2_147_483_647,
  /** 9999-12-31T23:59:59Z: a larger "Unix seconds" value is a millisecond timestamp sent by mistake. */
  latestSeconds: 253_402_300_799,
} as const;

const RuleId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });
const RuleName = Type.String({ minLength: 1, maxLength: RULE_LIMITS.ruleName });
const Description = Type.String({ maxLength: RULE_LIMITS.description });
const Priority = Type.Integer({ minimum: 0, maximum: RULE_LIMITS.priority });
const RuleStatus = Type.Enum(['enabled', 'disabled']);

const Condition = Type.Object({
  key: Type.String({ minLength: 1, maxLength: RULE_LIMITS.conditionKey }),
  oper: Type.Enum(['IN', 'NOTIN']),
  vals: Type.Array(Type.String({ maxLength: RULE_LIMITS.valLength }), {
    minItems: 1,
    maxItems: RULE_LIMITS.valsPerCondition,
  }),
});

/** OR of AND groups; an empty group would match every alert, so each needs a condition. */
const Filters = Type.Array(Type.Array(Condition, { minItems: 1, maxItems: RULE_LIMITS.conditionsPerGroup }), {
  maxItems: RULE_LIMITS.filterGroups,
});

/** 0 only in the all-zero window some clients send for "no one-off window" (the service checks). */
const Seconds = Type.Integer({ minimum: 0, maximum: RULE_LIMITS.latestSeconds });
const OnceTimeFilter = Type.Object({ start_time: Seconds, end_time: Seconds });

const TimeFilter = Type.Object({
  start: Type.String({ maxLength: 5 }),
  end: Type.String({ maxLength: 5 }),
  repeat: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
  // Accepted by the schema only so the service can refuse calendars by name.
  cal_id: Type.Optional(Type.String({ maxLength: 64 })),
  is_off: Type.Optional(Type.Boolean()),
});

const EqualsKey = Type.String({ minLength: 1, maxLength: RULE_LIMITS.conditionKey });

export const ChannelScopedListRequest = Type.Object({ channel_id: Id });
export const ChannelRuleIdRequest = Type.Object({ channel_id: Id, rule_id: RuleId });
export const RuleCreateResponse = Type.Object({ rule_id: Type.String(), rule_name: Type.String() });

const SilenceFields = {
  priority: Type.Optional(Priority),
  description: Type.Optional(Description),
  time_filters: Type.Optional(Type.Array(TimeFilter, { maxItems: RULE_LIMITS.timeFilters })),
  time_filter: Type.Optional(OnceTimeFilter),
  filters: Type.Optional(Filters),
  is_directly_discard: Type.Optional(Type.Boolean()),
};

export const SilenceCreateRequest = Type.Object({
  channel_id: Id,
  rule_name: RuleName,
  from_incident_id: Type.Optional(Type.String({ maxLength: 24 })),
  ...SilenceFields,
});

export const SilenceUpdateRequest = Type.Object({
  channel_id: Id,
  rule_id: RuleId,
  rule_name: RuleName,
  ...SilenceFields,
});

const InhibitFields = {
  priority: Type.Optional(Priority),
  description: Type.Optional(Description),
  source_filters: Type.Optional(Filters),
  target_filters: Type.Optional(Filters),
  is_directly_discard: Type.Optional(Type.Boolean()),
};

export const InhibitCreateRequest = Type.Object({
  channel_id: Id,
  rule_name: RuleName,
  equals: Type.Array(EqualsKey, { maxItems: RULE_LIMITS.equals }),
  ...InhibitFields,
});

export const InhibitUpdateRequest = Type.Object({
  channel_id: Id,
  rule_id: RuleId,
  rule_name: RuleName,
  equals: Type.Array(EqualsKey, { maxItems: RULE_LIMITS.equals }),
  ...InhibitFields,
});

const DropFields = {
  priority: Type.Optional(Priority),
  description: Type.Optional(Description),
  filters: Type.Optional(Filters),
};

export const DropCreateRequest = Type.Object({ channel_id: Id, rule_name: RuleName, ...DropFields });

export const DropUpdateRequest = Type.Object({
  channel_id: Id,
  rule_id: RuleId,
  rule_name: RuleName,
  ...DropFields,
});

const ItemBase = {
  account_id: Id,
  channel_id: Id,
  priority: Type.Integer(),
  rule_name: Type.String(),
  description: Type.String(),
  status: RuleStatus,
  rule_id: Type.String(),
  updated_by: Id,
  deleted_at: Type.Integer(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
};

const StoredTimeFilter = Type.Object({
  start: Type.String(),
  end: Type.String(),
  repeat: Type.Array(Type.Integer()),
});

export const SilenceRuleItem = Type.Object({
  ...ItemBase,
  from_incident_id: Type.Optional(Type.String()),
  time_filters: Type.Array(StoredTimeFilter),
  time_filter: Type.Object({ start_time: Type.Integer(), end_time: Type.Integer() }),
  filters: Filters,
  is_directly_discard: Type.Boolean(),
  is_effective: Type.Boolean(),
});

export const InhibitRuleItem = Type.Object({
  ...ItemBase,
  source_filters: Filters,
  target_filters: Filters,
  equals: Type.Array(Type.String()),
  is_directly_discard: Type.Boolean(),
});

export const DropRuleItem = Type.Object({ ...ItemBase, filters: Filters });

export const SilenceListResponse = Type.Object({ items: Type.Array(SilenceRuleItem) });
export const InhibitListResponse = Type.Object({ items: Type.Array(InhibitRuleItem) });
export const DropListResponse = Type.Object({ items: Type.Array(DropRuleItem) });

export type FiltersInput = Static<typeof Filters>;
export type TimeFilterInput = Static<typeof TimeFilter>;
export type SilenceCreate = Static<typeof SilenceCreateRequest>;
export type SilenceUpdate = Static<typeof SilenceUpdateRequest>;
export type InhibitCreate = Static<typeof InhibitCreateRequest>;
export type InhibitUpdate = Static<typeof InhibitUpdateRequest>;
export type DropCreate = Static<typeof DropCreateRequest>;
export type DropUpdate = Static<typeof DropUpdateRequest>;
export type SilenceItem = Static<typeof SilenceRuleItem>;
export type InhibitItem = Static<typeof InhibitRuleItem>;
export type DropItem = Static<typeof DropRuleItem>;
