import Type from 'typebox';
import { KINDS, SOURCES } from './model.ts';

/* The console's import operations (Vigil's own; docs/import.md, "In the console"). */

export const ImportRequest = Type.Object({
  source: Type.Enum([...SOURCES]),
  api_url: Type.String({ minLength: 1, maxLength: 2048 }),
  token: Type.String({ minLength: 1, maxLength: 1024 }),
  only: Type.Optional(
    Type.Array(Type.Enum([...KINDS]), { minItems: 1, maxItems: KINDS.length, uniqueItems: true }),
  ),
  /** Unix seconds taken as now (default: the server's clock); years 2000–2100. */
  now: Type.Optional(Type.Integer({ minimum: 946_684_800, maximum: 4_102_444_800 })),
});

const Item = Type.Object({
  stage: Type.String(),
  kind: Type.String(),
  source_id: Type.String(),
  name: Type.String(),
  action: Type.String(),
  reason: Type.String(),
  notes: Type.Array(Type.String()),
  vigil_id: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  push_url: Type.Optional(Type.String()),
});

const Check = Type.Object({
  source_id: Type.String(),
  name: Type.String(),
  schedule_id: Type.Optional(Type.Integer()),
  checked: Type.String(),
  window: Type.Object({ start: Type.Integer(), end: Type.Integer() }),
  handoffs: Type.Integer(),
  differences: Type.Array(
    Type.Object({
      at: Type.Integer(),
      until: Type.Integer(),
      source: Type.Array(Type.String()),
      vigil: Type.Array(Type.String()),
    }),
  ),
});

export const ImportReportSchema = Type.Object({
  source: Type.String(),
  mode: Type.String(),
  stages: Type.Array(Type.String()),
  items: Type.Array(Item),
  skipped: Type.Array(
    Type.Object({
      kind: Type.String(),
      source_id: Type.String(),
      name: Type.String(),
      reason: Type.String(),
    }),
  ),
  checks: Type.Array(Check),
  error: Type.Optional(Type.Object({ stage: Type.String(), message: Type.String(), kind: Type.String() })),
  source_calls: Type.Integer(),
  throttled: Type.Integer(),
});
