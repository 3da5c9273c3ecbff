import Type, { type Static } from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';
import { ObjectId } from '../../alerts/alerts.schemas.ts';

/*
 * Custom field definitions, as the legacy document's /field/* describes them (openapi.legacy.zh.json,
 * tag 自定义字段). Limits the document leaves open are Vigil's: docs/incidents.md, "Custom fields".
 */

export const FIELD_TYPES = ['text', 'single_select', 'multi_select', 'checkbox'] as const;
const VALUE_TYPES = ['string', 'bool'] as const;
const MAX_OPTIONS = 200;
const MAX_OPTION_LENGTH = 100;
export const MAX_TEXT_DEFAULT = 6144;

const Options = Type.Array(Type.String({ minLength: 1, maxLength: MAX_OPTION_LENGTH }), {
  maxItems: MAX_OPTIONS,
});

export const FieldCreateRequest = Type.Object({
  // The names /incident/field/reset and Flashduty's Go SDK accept: letters, digits, underscores.
  field_name: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_]+$' }),
  display_name: Type.String({ minLength: 1, maxLength: 40 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  field_type: Type.Enum([...FIELD_TYPES]),
  value_type: Type.Enum([...VALUE_TYPES]),
  options: Type.Optional(Options),
  default_value: Type.Optional(Type.Unknown()),
});
export type FieldCreateRequest = Static<typeof FieldCreateRequest>;

export const FieldUpdateRequest = Type.Object({
  field_id: ObjectId,
  display_name: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  options: Type.Optional(Options),
  default_value: Type.Optional(Type.Unknown()),
});
export type FieldUpdateRequest = Static<typeof FieldUpdateRequest>;

export const FieldIdRequest = Type.Object({ field_id: ObjectId });

export const FieldCreated = Type.Object({ field_id: Type.String(), field_name: Type.String() });

export const FieldItem = Type.Object({
  account_id: Id,
  field_id: Type.String(),
  field_name: Type.String(),
  display_name: Type.String(),
  description: Type.String(),
  field_type: Type.Enum([...FIELD_TYPES]),
  value_type: Type.Enum([...VALUE_TYPES]),
  options: Type.Array(Type.String()),
  /** null when the field has no default. */
  default_value: Type.Unknown(),
  status: Type.Enum(['enabled', 'disabled', 'deleted']),
  creator_id: Id,
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export type FieldItem = Static<typeof FieldItem>;

export const FieldListResponse = Type.Object({ items: Type.Array(FieldItem) });
