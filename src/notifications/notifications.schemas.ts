import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { ObjectId } from '../alerts/alerts.schemas.ts';

/** A personal channel: email, voice, sms, push, or an IM app integration (`feishu_app:<id>`, ...). */
const PersonalChannel = Type.String({
  pattern: '^(email|voice|sms|push|(feishu_app|dingtalk_app|wecom_app|teams_app):\\d+)$',
});
const ChannelList = Type.Array(PersonalChannel, { maxItems: 20 });

const SeverityToBy = Type.Object({ critical: ChannelList, warning: ChannelList, info: ChannelList });

/** Vigil's own: another member's preferences (Members Manage), as an import sets them. */
const PersonId = Type.Optional(Id);

export const PreferenceInfoRequest = Type.Object({ person_id: PersonId });

export const PreferenceUpdateRequest = Type.Object({
  person_id: PersonId,
  trigger_notify: SeverityToBy,
  schedule_shift_notify: Type.Optional(Type.Object({ personal_channels: ChannelList })),
  status_change_notify: Type.Optional(
    Type.Object({ im_integrations: Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 }) }),
  ),
});

export const Preference = Type.Object({
  person_id: Id,
  trigger_notify: Type.Object({
    critical: Type.Array(Type.String()),
    warning: Type.Array(Type.String()),
    info: Type.Array(Type.String()),
  }),
  shedule_shift_notify: Type.Object({ personal_channels: Type.Array(Type.String()) }),
  status_page_notify: Type.Object({ im_integrations: Type.Array(Type.String()) }),
});

export const ReachabilityRequest = Type.Object({
  person_ids: Type.Array(Id, { minItems: 1, maxItems: 100 }),
  incident_severity: Type.Enum(['Critical', 'Warning', 'Info']),
  by: Type.Optional(
    Type.Object({
      follow_preference: Type.Optional(Type.Boolean()),
      critical: Type.Optional(ChannelList),
      warning: Type.Optional(ChannelList),
      info: Type.Optional(ChannelList),
    }),
  ),
});

export const ReachabilityResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      person_id: Id,
      channels: Type.Array(Type.String()),
      skipped: Type.Array(Type.Object({ channel: Type.String(), reason: Type.String() })),
      unreachable: Type.Boolean(),
    }),
  ),
});

export const DeliveryLogRequest = Type.Object({ incident_id: ObjectId });

/** One attempt of a delivery (docs/notifications.md, "The delivery log"). */
export const DeliveryAttempt = Type.Object({
  attempt: Type.Integer(),
  /** sending (no outcome yet), success, failed, or abandoned (taken over before it reported). */
  status: Type.Enum(['sending', 'success', 'failed', 'abandoned']),
  /** Another worker took the row over while this attempt was in progress. */
  lease_lost: Type.Boolean(),
  started_at: Type.Integer(),
  /** 0 while sending or abandoned. */
  finished_at: Type.Integer(),
  duration: Type.Integer(),
  status_code: Type.Integer(),
  error_kind: Type.String(),
  error_message: Type.String(),
});
export type DeliveryAttempt = Static<typeof DeliveryAttempt>;

const DeliveryLogItem = Type.Object({
  notification_id: Id,
  incident_id: Type.String(),
  step: Type.String(),
  recipient: Type.String(),
  channel: Type.String(),
  person_id: Id,
  template_id: Type.String(),
  status: Type.Enum(['pending', 'success', 'failed']),
  attempt: Type.Integer(),
  next_attempt_at: Type.Integer(),
  attempted_at: Type.Integer(),
  error_kind: Type.String(),
  error_message: Type.String(),
  status_code: Type.Integer(),
  duration: Type.Integer(),
  created_at: Type.Integer(),
  /** Every attempt, oldest first (the fields above are the last finished one's). */
  attempts: Type.Array(DeliveryAttempt),
});

export const DeliveryLogResponse = Type.Object({ items: Type.Array(DeliveryLogItem) });
