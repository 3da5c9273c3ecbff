import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { pageFields } from '../http/pagination.ts';

/*
 * Schedules (on-call.openapi.en.json, "Schedules"). The upsert body takes the shape of the
 * schedule detail, so every read-only field of a layer (account_id, create_at, ...) is accepted
 * and ignored; limits the spec leaves open are Vigil's and listed in docs/schedules.md.
 */

const Seconds = Type.Integer({ minimum: 0 });
const TimeZone = Type.String({ minLength: 1, maxLength: 64 });

const Member = Type.Object({
  role_id: Type.Optional(Id),
  person_ids: Type.Array(Id, { maxItems: 100 }),
});

const GroupInput = Type.Object({
  group_name: Type.Optional(Type.String({ maxLength: 40 })),
  name: Type.Optional(Type.String({ maxLength: 40 })),
  members: Type.Array(Member, { maxItems: 20 }),
});

const RestrictPeriod = Type.Object({
  restrict_start: Type.Integer({ minimum: 0, maximum: 604_800 }),
  restrict_end: Type.Integer({ minimum: 0, maximum: 604_800 }),
});

const DayMask = Type.Object({
  repeat: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 })),
});

const RotationUnit = Type.Enum(['hour', 'day', 'week', 'month']);

const LayerInput = Type.Object({
  layer_name: Type.Optional(Type.String({ maxLength: 40 })),
  name: Type.Optional(Type.String({ maxLength: 40 })),
  mode: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  hidden: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  groups: Type.Optional(Type.Array(GroupInput, { maxItems: 50 })),
  rotation_unit: Type.Optional(RotationUnit),
  rotation_value: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
  rotation_duration: Type.Optional(Seconds),
  handoff_time: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_799 })),
  layer_start: Type.Optional(Seconds),
  layer_end: Type.Optional(Type.Union([Seconds, Type.Null()])),
  enable_time: Type.Optional(Seconds),
  expire_time: Type.Optional(Seconds),
  restrict_mode: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)])),
  restrict_start: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
  restrict_end: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
  restrict_periods: Type.Optional(Type.Array(RestrictPeriod, { maxItems: 20 })),
  day_mask: Type.Optional(Type.Union([DayMask, Type.Null()])),
  fair_rotation: Type.Optional(Type.Boolean()),
  mask_continuous_enabled: Type.Optional(Type.Boolean()),
  /** Vigil's own: on call together with the layers below in its band (docs/schedules.md, "Bands"). */
  cumulative: Type.Optional(Type.Boolean()),
});

const WebhookSettings = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 1024 })),
  alias: Type.Optional(Type.String({ maxLength: 100 })),
  data_source_id: Type.Optional(Id),
  integration_id: Type.Optional(Id),
  chat_ids: Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 })),
  verify_token: Type.Optional(Type.String({ maxLength: 1024 })),
  sign_secret: Type.Optional(Type.String({ maxLength: 1024 })),
});

const NotifyInput = Type.Object({
  advance_in_time: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800 })),
  fixed_time: Type.Optional(
    Type.Object({
      cycle: Type.Optional(Type.String({ maxLength: 16 })),
      start: Type.Optional(Type.String({ maxLength: 5 })),
    }),
  ),
  by: Type.Optional(
    Type.Object({
      follow_preference: Type.Optional(Type.Boolean()),
      personal_channels: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 })),
    }),
  ),
  im: Type.Optional(Type.Record(Type.String(), Type.String())),
  webhooks: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String({ minLength: 1, maxLength: 40 }),
        settings: Type.Optional(WebhookSettings),
      }),
      { maxItems: 20 },
    ),
  ),
});

export const ScheduleUpsertRequest = Type.Object({
  schedule_id: Type.Optional(Id),
  schedule_name: Type.Optional(Type.String({ maxLength: 40 })),
  name: Type.Optional(Type.String({ maxLength: 40 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  team_id: Type.Optional(Id),
  time_zone: Type.Optional(TimeZone),
  layers: Type.Optional(Type.Array(LayerInput, { maxItems: 20 })),
  notify: Type.Optional(NotifyInput),
  start: Type.Optional(Seconds),
  end: Type.Optional(Seconds),
});
export type ScheduleUpsert = Static<typeof ScheduleUpsertRequest>;
export type LayerInput = Static<typeof LayerInput>;
export type NotifyInput = Static<typeof NotifyInput>;

export const ScheduleInfoRequest = Type.Object({ schedule_id: Id, start: Seconds, end: Seconds });
export const ScheduleIdsRequest = Type.Object({
  schedule_ids: Type.Array(Id, { minItems: 1, maxItems: 100 }),
});
export const ScheduleIdResponse = Type.Object({ schedule_id: Id });

export const ScheduleListRequest = Type.Object({
  ...pageFields(10),
  query: Type.Optional(Type.String({ maxLength: 100 })),
  is_my_team: Type.Optional(Type.Boolean()),
  is_my_manage: Type.Optional(Type.Boolean()),
  team_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  start: Type.Optional(Seconds),
  end: Type.Optional(Seconds),
});

export const ScheduleSelfRequest = Type.Object({
  start: Type.Optional(Seconds),
  end: Type.Optional(Seconds),
});

/* Responses: ScheduleItem and its parts, every field the document requires. */

const MemberOut = Type.Object({ role_id: Id, person_ids: Type.Array(Id) });
const GroupOut = Type.Object({
  group_name: Type.String(),
  name: Type.String(),
  members: Type.Array(MemberOut),
  start: Type.Integer(),
  end: Type.Integer(),
});

export const LayerOut = Type.Object({
  account_id: Id,
  name: Type.String(),
  schedule_id: Id,
  hidden: Type.Integer(),
  mode: Type.Union([Type.Literal(0), Type.Literal(1)]),
  weight: Type.Integer(),
  groups: Type.Array(GroupOut),
  rotation_duration: Type.Integer(),
  handoff_time: Type.Integer(),
  enable_time: Type.Integer(),
  expire_time: Type.Integer(),
  restrict_mode: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)]),
  restrict_start: Type.Integer(),
  restrict_end: Type.Integer(),
  restrict_periods: Type.Array(RestrictPeriod),
  day_mask: Type.Object({ repeat: Type.Array(Type.Integer()) }),
  create_at: Type.Integer(),
  create_by: Id,
  update_at: Type.Integer(),
  update_by: Id,
  layer_name: Type.String(),
  fair_rotation: Type.Boolean(),
  layer_start: Type.Integer(),
  layer_end: Type.Union([Type.Integer(), Type.Null()]),
  rotation_unit: RotationUnit,
  rotation_value: Type.Integer(),
  mask_continuous_enabled: Type.Boolean(),
  /** Vigil's own (docs/schedules.md, "Bands"). */
  cumulative: Type.Boolean(),
});

const ShiftOut = Type.Object({
  start: Type.Integer(),
  end: Type.Integer(),
  group: GroupOut,
  index: Type.Integer(),
});
export const CalculatedLayer = Type.Object({
  layer_name: Type.String(),
  name: Type.String(),
  mode: Type.Integer(),
  schedules: Type.Array(ShiftOut),
});
export const OncallOut = Type.Object({
  start: Type.Integer(),
  end: Type.Integer(),
  group: GroupOut,
  update_at: Type.Integer(),
  weight: Type.Integer(),
  index: Type.Integer(),
});

const NotifyOut = Type.Object({
  advance_in_time: Type.Integer(),
  fixed_time: Type.Object({ cycle: Type.String(), start: Type.String() }),
  by: Type.Object({ follow_preference: Type.Boolean(), personal_channels: Type.Array(Type.String()) }),
  im: Type.Record(Type.String(), Type.String()),
  webhooks: Type.Array(
    Type.Object({
      type: Type.String(),
      settings: Type.Object({
        token: Type.String(),
        alias: Type.String(),
        data_source_id: Id,
        chat_ids: Type.Array(Type.String()),
        verify_token: Type.String(),
        sign_secret: Type.String(),
      }),
    }),
  ),
});

export const ScheduleItem = Type.Object({
  id: Type.Union([Id, Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  account_id: Id,
  group_id: Type.Union([Id, Type.Null()]),
  disabled: Type.Union([Type.Integer(), Type.Null()]),
  create_at: Type.Integer(),
  create_by: Id,
  update_at: Type.Integer(),
  update_by: Id,
  layers: Type.Array(LayerOut),
  schedule_layers: Type.Array(CalculatedLayer),
  final_schedule: CalculatedLayer,
  start: Type.Integer(),
  end: Type.Integer(),
  notify: NotifyOut,
  schedule_id: Id,
  schedule_name: Type.Union([Type.String(), Type.Null()]),
  team_id: Type.Union([Id, Type.Null()]),
  description: Type.Union([Type.String(), Type.Null()]),
  layer_schedules: Type.Array(CalculatedLayer),
  status: Type.Union([Type.Integer(), Type.Null()]),
  cur_oncall: OncallOut,
  next_oncall: OncallOut,
  /** Vigil's own: the zone the layers' wall-clock rules are read in. */
  time_zone: Type.String(),
});
export type ScheduleItemOut = Static<typeof ScheduleItem>;

export const ScheduleListResponse = Type.Object({
  items: Type.Array(ScheduleItem),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
});
export const ScheduleItemsResponse = Type.Object({ items: Type.Array(ScheduleItem) });
