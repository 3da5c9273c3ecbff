import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { FilterCondition } from './pipeline.schemas.ts';

/*
 * Label enrichment rule sets (on-call.openapi.en.json: EnrichmentUpsertRequest, EnrichmentItem).
 * Limits the document leaves open are Vigil's (docs/processing.md).
 */

export const ENRICH_LIMITS = {
  rules: 50,
  conditions: 20,
  pattern: 1024,
  template: 500,
  resultLabels: 10,
  dropLabels: 50,
  integrationIdsPerList: 100,
} as const;

const EnrichRule = Type.Object({
  kind: Type.Enum(['extraction', 'composition', 'mapping', 'drop']),
  if: Type.Optional(Type.Array(FilterCondition, { maxItems: ENRICH_LIMITS.conditions })),
  // Checked against the kind by the service, which names the field it refuses.
  settings: Type.Record(Type.String(), Type.Unknown()),
});

export const EnrichmentUpsertRequest = Type.Object({
  integration_id: Id,
  rules: Type.Array(EnrichRule, { maxItems: ENRICH_LIMITS.rules }),
});

export const EnrichmentInfoRequest = Type.Object({
  integration_id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

export const EnrichmentListRequest = Type.Object({
  integration_ids: Type.Array(Id, { maxItems: ENRICH_LIMITS.integrationIdsPerList }),
});

export const EnrichmentItem = Type.Object({
  integration_id: Id,
  rules: Type.Array(
    Type.Object({
      kind: Type.String(),
      if: Type.Array(FilterCondition),
      settings: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  status: Type.String(),
  creator_id: Id,
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const EnrichmentInfoResponse = Type.Union([EnrichmentItem, Type.Null()]);
export const EnrichmentListResponse = Type.Object({ items: Type.Array(EnrichmentItem) });
