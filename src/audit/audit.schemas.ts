import Type from 'typebox';

const Id = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Seconds = Type.Integer({ minimum: 0, maximum: 253_402_300_799 });

export const AuditSearchRequest = Type.Object({
  start_time: Seconds,
  end_time: Seconds,
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 99 })),
  request_id: Type.Optional(Type.String({ maxLength: 64 })),
  search_after_ctx: Type.Optional(Type.String({ maxLength: 200 })),
  operations: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 })),
  person_id: Type.Optional(Id),
  is_dangerous: Type.Optional(Type.Boolean()),
  is_write: Type.Optional(Type.Boolean()),
});

export const AuditLog = Type.Object({
  created_at: Type.Integer(),
  account_id: Id,
  member_id: Id,
  member_name: Type.String(),
  request_id: Type.String(),
  ip: Type.String(),
  operation: Type.String(),
  operation_name: Type.String(),
  body: Type.String(),
  params: Type.Array(Type.Object({ Key: Type.String(), Value: Type.String() })),
  is_dangerous: Type.Boolean(),
  is_write: Type.Boolean(),
  // Vigil's additions (docs/audit.md): how the member called, from what, on which objects.
  credential: Type.String(),
  key_id: Type.Optional(Id),
  user_agent: Type.String(),
  target: Type.String(),
});

export const AuditSearchResponse = Type.Object({
  total: Type.Integer(),
  search_after_ctx: Type.String(),
  docs: Type.Array(AuditLog),
});

export const AuditOperationList = Type.Object({
  items: Type.Array(Type.Object({ name: Type.String(), name_cn: Type.String() })),
});

export const AuditOperationListRequest = Type.Object({});
