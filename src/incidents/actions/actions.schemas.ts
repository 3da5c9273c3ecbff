import Type from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';

/*
 * Request schemas of the incident lifecycle actions (on-call.openapi.en.json, "Incidents" and
 * "Alerts"). Limits the spec leaves open are Vigil's own and are listed in docs/incidents.md
 * ("Lifecycle actions").
 */

/** Batch endpoints take 1 to 100 ids (the spec's limit where it states one). */
const MAX_BATCH = 100;

const ObjectId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });
const ObjectIds = Type.Array(ObjectId, { minItems: 1, maxItems: MAX_BATCH });
const Severity = Type.Enum(['Info', 'Warning', 'Critical']);
const Text = (maxLength: number) => Type.String({ maxLength });
const LongText = Type.String({ minLength: 3, maxLength: 6144 });

export const IncidentIdsRequest = Type.Object({ incident_ids: ObjectIds });

export const ResolveRequest = Type.Object({
  incident_ids: ObjectIds,
  root_cause: Type.Optional(Text(1024)),
  resolution: Type.Optional(Text(1024)),
});

export const ReopenRequest = Type.Object({
  incident_ids: ObjectIds,
  reason: Type.Optional(Text(1024)),
});

export const SnoozeRequest = Type.Object({
  incident_ids: ObjectIds,
  minutes: Type.Integer({ minimum: 1, maximum: 1440 }),
});

export const CommentRequest = Type.Object({
  incident_ids: ObjectIds,
  // Optional in the spec; a comment without text would be an empty timeline entry, so Vigil needs one.
  comment: Type.String({ minLength: 1, maxLength: 1024 }),
  mute_reply: Type.Optional(Type.Boolean()),
});

export const ResetRequest = Type.Object({
  incident_id: ObjectId,
  title: Type.Optional(Type.String({ minLength: 3, maxLength: 200 })),
  description: Type.Optional(LongText),
  impact: Type.Optional(LongText),
  root_cause: Type.Optional(LongText),
  resolution: Type.Optional(LongText),
  incident_severity: Type.Optional(Severity),
});

export const FieldResetRequest = Type.Object({
  incident_id: ObjectId,
  // Custom field definitions do not exist yet: any lower-case identifier names a field.
  field_name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  field_value: Type.Optional(Type.Unknown()),
});

const PersonIds = Type.Array(Id, { maxItems: MAX_BATCH });
const Emails = Type.Array(Type.String({ format: 'email', maxLength: 254 }), { maxItems: MAX_BATCH });

/** How added responders are notified (Flashduty's `notify`). */
export const NotifyOptions = Type.Object({
  follow_preference: Type.Optional(Type.Boolean()),
  personal_channels: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 16 }),
  ),
  template_id: Type.Optional(ObjectId),
});

/** Who to (re)assign to: people and addresses, or a layer of one of the channel's escalation rules. */
export const AssignedTo = Type.Object({
  person_ids: Type.Optional(PersonIds),
  emails: Type.Optional(Emails),
  escalate_rule_id: Type.Optional(ObjectId),
  layer_idx: Type.Optional(Type.Integer({ minimum: 0 })),
  type: Type.Optional(Type.Enum(['assign', 'reassign', 'escalate', 'reopen'])),
  notify: Type.Optional(NotifyOptions),
  // Output fields of the same object in the spec; accepted and ignored (Vigil sets them).
  escalate_rule_name: Type.Optional(Type.String()),
  assigned_at: Type.Optional(Type.Integer()),
  id: Type.Optional(Type.String()),
});

export const CreateRequest = Type.Object({
  incident_severity: Severity,
  // Optional in the spec; a manual incident without a title cannot be told apart, so Vigil needs one.
  title: Type.String({ minLength: 1, maxLength: 512 }),
  description: Type.Optional(Text(1024)),
  channel_id: Type.Optional(Id),
  assigned_to: Type.Optional(AssignedTo),
});

export const CreateResponse = Type.Object({ incident_id: Type.String(), title: Type.String() });

export const MergeRequest = Type.Object({
  source_incident_ids: ObjectIds,
  target_incident_id: ObjectId,
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  comment: Type.Optional(Text(1024)),
  owner_id: Type.Optional(Id),
  remove_source_incidents: Type.Optional(Type.Boolean()),
});

export const AlertMergeRequest = Type.Object({
  alert_ids: ObjectIds,
  incident_id: ObjectId,
  comment: Type.Optional(Text(1024)),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  owner_id: Type.Optional(Id),
});

export const AssignRequest = Type.Object({
  incident_id: Type.Optional(ObjectId),
  incident_ids: Type.Optional(Type.Array(ObjectId, { maxItems: MAX_BATCH })),
  assigned_to: AssignedTo,
});

export const ResponderAddRequest = Type.Object({
  incident_id: ObjectId,
  person_ids: Type.Array(Id, { minItems: 1, maxItems: MAX_BATCH }),
  notify: Type.Optional(NotifyOptions),
});
