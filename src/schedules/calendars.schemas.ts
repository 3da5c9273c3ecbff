import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';

/* Service calendars (on-call.openapi.en.json, "Calendars"). */

const CalId = Type.String({ minLength: 1, maxLength: 100 });
const CalName = Type.String({ minLength: 1, maxLength: 39 });
const Description = Type.String({ maxLength: 499 });
const Workdays = Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { maxItems: 7 });
const ExtraCalIds = Type.Array(CalId, { maxItems: 20 });
const Kind = Type.Enum(['region.official.holiday', 'religion.holiday', 'personal']);
/** A local date, YYYY-MM-DD (checked to be a real date by the service). */
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const CalendarCreateRequest = Type.Object({
  cal_name: CalName,
  description: Type.Optional(Description),
  timezone: Type.Optional(Type.String({ maxLength: 64 })),
  team_id: Type.Optional(Id),
  workdays: Type.Optional(Workdays),
  extra_cal_ids: Type.Optional(ExtraCalIds),
});

export const CalendarUpdateRequest = Type.Object({
  cal_id: CalId,
  cal_name: Type.Optional(CalName),
  description: Type.Optional(Description),
  timezone: Type.Optional(Type.String({ maxLength: 64 })),
  team_id: Type.Optional(Id),
  workdays: Type.Optional(Workdays),
  extra_cal_ids: Type.Optional(ExtraCalIds),
});

export const CalendarCreateResponse = Type.Object({ cal_id: Type.String(), cal_name: Type.String() });
export const CalendarIdRequest = Type.Object({ cal_id: CalId });

export const CalendarItem = Type.Object({
  account_id: Id,
  team_id: Id,
  cal_id: Type.String(),
  cal_name: Type.String(),
  description: Type.String(),
  timezone: Type.String(),
  kind: Kind,
  workdays: Type.Array(Type.Integer()),
  extra_cal_ids: Type.Array(Type.String()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  creator_id: Id,
  updated_by: Id,
  status: Type.Enum(['enabled', 'deleted']),
});

export const CalendarListRequest = Type.Object({
  kind: Type.Optional(Type.Enum(['region.official.holiday', 'personal'])),
  no_locale: Type.Optional(Type.Boolean()),
});
export const CalendarListResponse = Type.Object({ items: Type.Array(CalendarItem), total: Type.Integer() });

export const CalEventUpsertRequest = Type.Object({
  cal_id: CalId,
  event_id: Type.Optional(Type.String({ maxLength: 63 })),
  summary: Type.String({ minLength: 1, maxLength: 39 }),
  description: Type.Optional(Description),
  start_at: DateText,
  end_at: DateText,
  is_off: Type.Boolean(),
});
export const CalEventUpsertResponse = Type.Object({
  cal_id: Type.String(),
  event_id: Type.String(),
  summary: Type.String(),
});
export const CalEventIdRequest = Type.Object({
  cal_id: CalId,
  event_id: Type.String({ minLength: 1, maxLength: 63 }),
});

export const CalEventListRequest = Type.Object({
  cal_id: CalId,
  year: Type.Optional(Type.Integer({ minimum: 2023, maximum: 9999 })),
  month: Type.Optional(Type.Integer({ minimum: 0, maximum: 12 })),
  day: Type.Optional(Type.Integer({ minimum: 0, maximum: 31 })),
});

const CalEventItem = Type.Object({
  account_id: Id,
  creator_id: Id,
  cal_id: Type.String(),
  event_id: Type.String(),
  summary: Type.String(),
  description: Type.String(),
  start_at: Type.String(),
  end_at: Type.String(),
  is_off: Type.Boolean(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export const CalEventListResponse = Type.Object({ items: Type.Array(CalEventItem), total: Type.Integer() });
