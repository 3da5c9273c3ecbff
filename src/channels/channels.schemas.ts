import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { InlineEscalateRule } from '../escalation/escalation.schemas.ts';
import { pageFields } from '../http/pagination.ts';

/*
 * Request and response schemas of channels (on-call.openapi.en.json, "Channels"). Limits the spec
 * leaves open are Vigil's own and are listed in docs/channels.md.
 */

/** Auto-resolve timeouts and grouping windows stop at 30 days. */
const MAX_AUTO_RESOLVE_SECONDS = 2_592_000;
const MAX_TIME_WINDOW_MINUTES = 43_200;

const ChannelName = Type.String({ minLength: 1, maxLength: 59 });
const Description = Type.String({ maxLength: 500 });
const TeamIds = Type.Array(Id, { maxItems: 3 });
const PluginIds = Type.Array(Id, { maxItems: 100 });
const AutoResolveMode = Type.Enum(['trigger', 'update']);
const AutoResolveTimeout = Type.Integer({ minimum: 0, maximum: MAX_AUTO_RESOLVE_SECONDS });
/** An alert attribute (title, severity, ...) or `labels.<key>`. */
const GroupingKey = Type.String({ minLength: 1, maxLength: 256 });

const Condition = Type.Object({
  key: GroupingKey,
  oper: Type.Enum(['IN', 'NOTIN']),
  vals: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 1, maxItems: 100 }),
});

/** A fine-grained grouping branch: alerts matching every `if` condition group by its `equals`. */
const GroupCase = Type.Object({
  if: Type.Array(Condition, { minItems: 1, maxItems: 20 }),
  equals: Type.Array(GroupingKey, { minItems: 1, maxItems: 20 }),
});

const Group = Type.Object({
  method: Type.Enum(['i', 'p', 'n']),
  equals: Type.Optional(Type.Array(Type.Array(GroupingKey, { minItems: 1, maxItems: 20 }), { maxItems: 5 })),
  cases: Type.Optional(Type.Array(GroupCase, { maxItems: 100 })),
  all_equals_required: Type.Optional(Type.Boolean()),
  time_window: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_TIME_WINDOW_MINUTES })),
  window_type: Type.Optional(Type.Enum(['tumbling', 'sliding'])),
  storm_threshold: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  storm_thresholds: Type.Optional(Type.Array(Type.Integer({ minimum: 2, maximum: 10_000 }), { maxItems: 5 })),
  i_keys: Type.Optional(Type.Array(GroupingKey, { maxItems: 10 })),
  i_score_threshold: Type.Optional(Type.Number({ minimum: 0.5, maximum: 1 })),
});

const Flapping = Type.Object({
  is_disabled: Type.Optional(Type.Boolean()),
  max_changes: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
  in_mins: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
  mute_mins: Type.Optional(Type.Integer({ minimum: 0, maximum: 1440 })),
});

/** Settable on create and update alike. */
const ChannelFields = {
  managing_team_ids: Type.Optional(TeamIds),
  description: Type.Optional(Description),
  group: Type.Optional(Group),
  flapping: Type.Optional(Flapping),
  auto_resolve_timeout: Type.Optional(AutoResolveTimeout),
  auto_resolve_mode: Type.Optional(AutoResolveMode),
  plugin_ids: Type.Optional(PluginIds),
  is_private: Type.Optional(Type.Boolean()),
  disable_outlier_detection: Type.Optional(Type.Boolean()),
  disable_auto_close: Type.Optional(Type.Boolean()),
  is_external_report_enabled: Type.Optional(Type.Boolean()),
};

export const ChannelCreateRequest = Type.Object({
  team_id: Id,
  channel_name: ChannelName,
  ...ChannelFields,
  /** The channel's first escalation rule, "Default" (docs/escalation.md). */
  escalate_rule: Type.Optional(InlineEscalateRule),
});

export const ChannelCreateResponse = Type.Object({
  channel_id: Id,
  channel_name: Type.String(),
  external_report_token: Type.String(),
});

export const ChannelUpdateRequest = Type.Object({
  channel_id: Id,
  team_id: Type.Optional(Id),
  channel_name: Type.Optional(ChannelName),
  ...ChannelFields,
  // Not in the spec's update request. Accepted by the schema only so the service can refuse it by
  // name (pointing at /channel/escalate/rule/update) instead of dropping it unseen.
  escalate_rule: Type.Optional(Type.Unknown()),
});

export const ChannelUpdateResponse = Type.Object({ external_report_token: Type.String() });

export const ChannelIdRequest = Type.Object({ channel_id: Id });

export const ChannelInfosRequest = Type.Object({ channel_ids: Type.Array(Id, { maxItems: 1000 }) });

const LiveStatus = Type.Enum(['enabled', 'disabled']);

/** team_id and creator_id are not in the documents: Flashduty's Go SDK reads them (docs/conformance.md). */
export const ChannelInfosResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      channel_id: Id,
      channel_name: Type.String(),
      status: LiveStatus,
      team_id: Id,
      creator_id: Id,
    }),
  ),
});

export const ChannelItem = Type.Object({
  channel_id: Id,
  team_id: Id,
  managing_team_ids: Type.Array(Id),
  creator_id: Id,
  account_id: Id,
  channel_name: Type.String(),
  description: Type.String(),
  status: Type.Enum(['enabled', 'disabled', 'deleted']),
  deleted_at: Type.Integer(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  auto_resolve_timeout: Type.Integer(),
  auto_resolve_mode: AutoResolveMode,
  is_private: Type.Boolean(),
  disable_outlier_detection: Type.Boolean(),
  disable_auto_close: Type.Boolean(),
  group: Group,
  flapping: Flapping,
  plugin_ids: Type.Array(Id),
  progress_to_incident_cnts: Type.Object({ Triggered: Type.Integer(), Processing: Type.Integer() }),
  is_starred: Type.Boolean(),
  active_incident_highest_severity: Type.String(),
  last_incident_at: Type.Integer(),
  is_external_report_enabled: Type.Boolean(),
  external_report_token: Type.String(),
});

export const ChannelListRequest = Type.Object({
  ...pageFields(100),
  orderby: Type.Optional(
    Type.Enum(['ranking', 'created_at', 'updated_at', 'channel_name', 'last_incident_at']),
  ),
  asc: Type.Optional(Type.Boolean()),
  is_my_managed: Type.Optional(Type.Boolean()),
  is_my_starred: Type.Optional(Type.Boolean()),
  is_brief: Type.Optional(Type.Boolean()),
  is_my_team: Type.Optional(Type.Boolean()),
  team_ids: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  channel_ids: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  channel_name: Type.Optional(Type.String({ maxLength: 59 })),
  query: Type.Optional(Type.String({ maxLength: 256 })),
});

export const ChannelListResponse = Type.Object({
  // Every ChannelItem field is optional in the spec: is_brief items carry only four of them.
  items: Type.Array(Type.Partial(ChannelItem)),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
});

export type GroupInput = Static<typeof Group>;
export type FlappingInput = Static<typeof Flapping>;
