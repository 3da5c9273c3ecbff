import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';

/* Mapping tables and mapping APIs (on-call.openapi.en.json, /enrichment/mapping/*; docs/processing.md). */

export const MAPPING_LIMITS = {
  schemas: 20,
  apis: 50,
  rows: 10_000,
  value: 2048,
  docs: 1000,
  headers: 20,
  /** A CSV upload's request body (the older document's 10 MB; the newer one's 100 MB is not taken). */
  uploadBytes: 10 * 1024 * 1024,
} as const;

const ObjectId = Type.String({ pattern: '^[0-9a-fA-F]{24}$' });

export const SchemaCreateRequest = Type.Object({
  schema_name: Type.String({ minLength: 1, maxLength: 39 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  team_id: Type.Optional(Id),
  source_labels: Type.Array(Type.String(), { minItems: 1, maxItems: 3 }),
  result_labels: Type.Array(Type.String(), { minItems: 1, maxItems: 10 }),
});
export const SchemaUpdateRequest = Type.Object({
  schema_id: ObjectId,
  schema_name: Type.Optional(Type.String({ minLength: 1, maxLength: 39 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  team_id: Type.Optional(Id),
});
export const SchemaIdRequest = Type.Object({ schema_id: ObjectId });
export const SchemaItem = Type.Object({
  schema_id: Type.String(),
  schema_name: Type.String(),
  description: Type.String(),
  source_labels: Type.Array(Type.String()),
  result_labels: Type.Array(Type.String()),
  status: Type.String(),
  team_id: Id,
  creator_id: Id,
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export const SchemaCreateResponse = Type.Object({ schema_id: Type.String(), schema_name: Type.String() });
export const SchemaListResponse = Type.Object({ total: Type.Integer(), items: Type.Array(SchemaItem) });
export const SchemaInfoResponse = Type.Union([SchemaItem, Type.Null()]);

export const DataUpsertRequest = Type.Object({
  schema_id: ObjectId,
  docs: Type.Array(Type.Record(Type.String(), Type.String()), { minItems: 1, maxItems: MAPPING_LIMITS.docs }),
});
export const DataUpsertResponse = Type.Object({ keys: Type.Array(Type.String()) });
export const DataDeleteRequest = Type.Object({
  schema_id: ObjectId,
  keys: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 100 }),
});
/** The document's JSON form; a multipart or text/csv upload is read into it (mapping-files.routes.ts). */
export const DataUploadRequest = Type.Object({
  schema_id: ObjectId,
  /** The CSV text. */
  file: Type.String(),
  /** Append (replacing rows of equal source values) instead of emptying the table first. */
  do_not_truncate_first: Type.Optional(Type.Boolean()),
});
export const DataListRequest = Type.Object({
  schema_id: ObjectId,
  query: Type.Optional(Type.Record(Type.String(), Type.String())),
  orderby: Type.Optional(Type.Enum(['created_at', 'updated_at'])),
  asc: Type.Optional(Type.Boolean()),
  p: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  search_after_ctx: Type.Optional(Type.String({ maxLength: 200 })),
});
export const DataListResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      key: Type.String(),
      fields: Type.Record(Type.String(), Type.String()),
      created_at: Type.Integer(),
      updated_at: Type.Integer(),
    }),
  ),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
});

const ApiFields = {
  description: Type.Optional(Type.String({ maxLength: 500 })),
  insecure_skip_verify: Type.Optional(Type.Boolean()),
  headers: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 1024 }))),
  timeout: Type.Optional(Type.Integer()),
  retry_count: Type.Optional(Type.Integer()),
  team_id: Type.Optional(Id),
};
export const ApiCreateRequest = Type.Object({
  api_name: Type.String({ minLength: 1, maxLength: 199 }),
  url: Type.String({ minLength: 1, maxLength: 500 }),
  ...ApiFields,
});
export const ApiUpdateRequest = Type.Object({
  api_id: ObjectId,
  api_name: Type.Optional(Type.String({ minLength: 1, maxLength: 199 })),
  url: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  ...ApiFields,
});
export const ApiIdRequest = Type.Object({ api_id: ObjectId });
export const ApiItem = Type.Object({
  api_id: Type.String(),
  api_name: Type.String(),
  description: Type.String(),
  url: Type.String(),
  headers: Type.Record(Type.String(), Type.String()),
  timeout: Type.Integer(),
  retry_count: Type.Integer(),
  insecure_skip_verify: Type.Boolean(),
  status: Type.String(),
  team_id: Id,
  creator_id: Id,
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});
export const ApiCreateResponse = Type.Object({ api_id: Type.String(), api_name: Type.String() });
export const ApiListResponse = Type.Object({ total: Type.Integer(), items: Type.Array(ApiItem) });
export const ApiInfoResponse = Type.Union([ApiItem, Type.Null()]);
