import Type, { type Static } from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { ObjectId } from '../alerts/alerts.schemas.ts';
import { pageFields } from '../http/pagination.ts';
import { TEMPLATE_CHANNELS } from './default-template.ts';

/** The largest body of one channel Vigil stores (Flashduty publishes no limit). */
const MAX_BODY_LENGTH = 65_536;

const bodyFields = Object.fromEntries(
  TEMPLATE_CHANNELS.map((channel) => [channel, Type.Optional(Type.String({ maxLength: MAX_BODY_LENGTH }))]),
) as { [K in (typeof TEMPLATE_CHANNELS)[number]]: ReturnType<typeof optionalBody> };
function optionalBody() {
  return Type.Optional(Type.String({ maxLength: MAX_BODY_LENGTH }));
}

const TemplateFields = {
  team_id: Type.Optional(Id),
  template_name: Type.String({ minLength: 1, maxLength: 39 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  ...bodyFields,
};

export const TemplateCreateRequest = Type.Object(TemplateFields);
export type TemplateCreateRequest = Static<typeof TemplateCreateRequest>;
export const TemplateUpdateRequest = Type.Object({ template_id: ObjectId, ...TemplateFields });
export const TemplateIdRequest = Type.Object({ template_id: ObjectId });

/**
 * /template/info also takes the id as `id`, as Flashduty's Go SDK sends it (docs/conformance.md);
 * one of the two is required.
 */
export const TemplateInfoRequest = Type.Object({
  template_id: Type.Optional(ObjectId),
  id: Type.Optional(ObjectId),
});

export const TemplateCreated = Type.Object({ template_id: Type.String(), template_name: Type.String() });

const outBodies = Object.fromEntries(TEMPLATE_CHANNELS.map((channel) => [channel, Type.String()])) as {
  [K in (typeof TEMPLATE_CHANNELS)[number]]: ReturnType<typeof Type.String>;
};

export const TemplateInfo = Type.Object({
  account_id: Id,
  team_id: Id,
  template_id: Type.String(),
  template_name: Type.String(),
  description: Type.String(),
  ...outBodies,
  status: Type.Enum(['enabled', 'disabled', 'deleted']),
  creator_id: Id,
  updated_by: Id,
  deleted_at: Type.Optional(Type.Integer()),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export type TemplateInfo = Static<typeof TemplateInfo>;

export const TemplateListRequest = Type.Object({
  ...pageFields(20),
  orderby: Type.Optional(Type.Enum(['created_at', 'updated_at'])),
  asc: Type.Optional(Type.Boolean()),
  is_my_team: Type.Optional(Type.Boolean()),
  team_ids: Type.Optional(Type.Array(Id, { maxItems: 1000 })),
  creator_id: Type.Optional(Id),
  query: Type.Optional(Type.String({ maxLength: 200 })),
});
export type TemplateListRequest = Static<typeof TemplateListRequest>;

export const TemplateListResponse = Type.Object({
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  items: Type.Array(TemplateInfo),
});

export const PreviewRequest = Type.Object({
  content: Type.String({ maxLength: MAX_BODY_LENGTH }),
  type: Type.Enum([...TEMPLATE_CHANNELS]),
  incident_id: Type.Optional(Type.String()),
});

export const PreviewResponse = Type.Object({
  content: Type.String(),
  success: Type.Boolean(),
  message: Type.String(),
});
