import Type, { type Static } from 'typebox';
import { Id } from '../../accounts/accounts.schemas.ts';
import { ObjectId } from '../../alerts/alerts.schemas.ts';

/*
 * The post-mortem operations: list, info and delete as on-call.openapi.en.json documents them;
 * init, the title/status/follow-ups resets and the templates as openapi.legacy.zh.json (Flashduty's
 * console) names them; export and content/reset are Vigil's (docs/post-mortems.md).
 */

const Status = Type.Enum(['drafting', 'published']);

/** Post-mortem ids are MD5 hex (Flashduty's "deterministic hash"). */
const PostMortemId = Type.String({ pattern: '^[0-9a-fA-F]{32}$' });

/** The most incidents one post-mortem covers (Vigil's limit; Flashduty publishes none). */
const MAX_INCIDENTS = 20;
/** The longest title, as the legacy title/reset documents it. */
export const MAX_TITLE = 256;
/** The longest Markdown body and follow-ups (Vigil's limits, well under the 1 MiB request limit). */
const MAX_CONTENT = 200_000;
const MAX_FOLLOW_UPS = 20_000;

export const PostMortemMeta = Type.Object({
  account_id: Id,
  title: Type.String(),
  status: Status,
  post_mortem_id: Type.String(),
  template_id: Type.String(),
  incident_ids: Type.Array(Type.String()),
  media_count: Type.Integer(),
  author_ids: Type.Array(Id),
  team_id: Id,
  channel_id: Id,
  is_private: Type.Boolean(),
  channel_name: Type.String(),
  created_at_seconds: Type.Integer(),
  updated_at_seconds: Type.Integer(),
});
export type PostMortemMeta = Static<typeof PostMortemMeta>;

const Responder = Type.Object({
  person_id: Id,
  assigned_at: Type.Integer(),
  acknowledged_at: Type.Integer(),
  person_name: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});

export const PostMortemItem = Type.Object({
  meta: PostMortemMeta,
  basics: Type.Object({
    incidents_highest_severity: Type.String(),
    incidents_earliest_start_seconds: Type.Integer(),
    incidents_latest_close_seconds: Type.Integer(),
    incidents_total_duration_seconds: Type.Integer(),
    responders: Type.Array(Responder),
  }),
  content: Type.Object({ content: Type.String() }),
  follow_ups: Type.String(),
});
export type PostMortemItem = Static<typeof PostMortemItem>;

export const PostMortemIdRequest = Type.Object({ post_mortem_id: PostMortemId });

export const PostMortemInitRequest = Type.Object({
  incident_ids: Type.Array(ObjectId, { minItems: 1, maxItems: MAX_INCIDENTS }),
  /** Legacy document: required; Vigil defaults to its standard template. */
  template_id: Type.Optional(Type.String({ maxLength: 64 })),
});
export type PostMortemInitRequest = Static<typeof PostMortemInitRequest>;

export const PostMortemListRequest = Type.Object({
  status: Type.Optional(Status),
  team_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  channel_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  created_at_start_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
  created_at_end_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
  order_by: Type.Optional(Type.Enum(['created_at_seconds', 'updated_at_seconds'])),
  /** The legacy document's spelling of order_by. */
  orderby: Type.Optional(Type.Enum(['created_at_seconds', 'updated_at_seconds'])),
  asc: Type.Optional(Type.Boolean()),
  p: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  search_after_ctx: Type.Optional(Type.String({ maxLength: 64 })),
});
export type PostMortemListRequest = Static<typeof PostMortemListRequest>;

export const PostMortemListResponse = Type.Object({
  items: Type.Array(PostMortemMeta),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  search_after_ctx: Type.Optional(Type.String()),
});

export const TitleResetRequest = Type.Object({
  post_mortem_id: PostMortemId,
  title: Type.String({ minLength: 1, maxLength: MAX_TITLE }),
});
export const ContentResetRequest = Type.Object({
  post_mortem_id: PostMortemId,
  content: Type.String({ maxLength: MAX_CONTENT }),
});
export const FollowUpsResetRequest = Type.Object({
  post_mortem_id: PostMortemId,
  follow_ups: Type.Optional(Type.String({ maxLength: MAX_FOLLOW_UPS })),
});
export const StatusResetRequest = Type.Object({ post_mortem_id: PostMortemId, status: Status });

export const PostMortemTemplate = Type.Object({
  account_id: Id,
  template_id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  content: Type.String(),
  content_markdown: Type.String(),
  team_id: Id,
  created_at_seconds: Type.Integer(),
  updated_at_seconds: Type.Integer(),
});
export const TemplateListRequest = Type.Object({
  order_by: Type.Optional(Type.Enum(['created_at_seconds'])),
  asc: Type.Optional(Type.Boolean()),
  p: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
});
export const TemplateListResponse = Type.Object({
  items: Type.Array(PostMortemTemplate),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
});
export const TemplateInfoRequest = Type.Object({ template_id: Type.String({ minLength: 1, maxLength: 64 }) });
