import Type, { type Static } from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';
import { Filters, Target } from '../../escalation/escalation.schemas.ts';
import { INCIDENT_EVENT_TYPES } from '../../webhooks/webhook-settings.ts';

/*
 * /channel/notify/rule/*: the documents give these an empty request schema; the fields are Vigil's
 * (docs/channels.md, "Notification rules"). Filters and target have the shapes escalation rules use.
 */

export const NOTIFY_RULE_LIMITS = { ruleName: 39, description: 500, rulesPerChannel: 50 } as const;

const RuleId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });
const EventTypes = Type.Array(Type.Enum([...INCIDENT_EVENT_TYPES]), {
  minItems: 1,
  maxItems: INCIDENT_EVENT_TYPES.length,
});

const Fields = {
  rule_name: Type.String({ minLength: 1, maxLength: NOTIFY_RULE_LIMITS.ruleName }),
  description: Type.Optional(Type.String({ maxLength: NOTIFY_RULE_LIMITS.description })),
  template_id: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{24}$' })),
  event_types: EventTypes,
  filters: Type.Optional(Filters),
  target: Target,
};

export const NotifyRuleCreateRequest = Type.Object({ channel_id: Id, ...Fields });
/** An update replaces the rule's fields (all of them, as create takes them). */
export const NotifyRuleUpdateRequest = Type.Object({ channel_id: Id, rule_id: RuleId, ...Fields });
export const NotifyRuleIdRequest = Type.Object({ channel_id: Id, rule_id: RuleId });
export const NotifyRuleListRequest = Type.Object({ channel_id: Id });
export const NotifyRuleCreateResponse = Type.Object({ rule_id: Type.String(), rule_name: Type.String() });

export const NotifyRuleItem = Type.Object({
  rule_id: Type.String(),
  channel_id: Id,
  rule_name: Type.String(),
  description: Type.String(),
  template_id: Type.String(),
  status: Type.Enum(['enabled', 'disabled']),
  event_types: Type.Array(Type.String()),
  filters: Filters,
  target: Type.Record(Type.String(), Type.Unknown()),
  creator_id: Id,
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export const NotifyRuleListResponse = Type.Object({ items: Type.Array(NotifyRuleItem) });

export type NotifyRuleCreate = Static<typeof NotifyRuleCreateRequest>;
export type NotifyRuleUpdate = Static<typeof NotifyRuleUpdateRequest>;
export type NotifyRuleItemOut = Static<typeof NotifyRuleItem>;
