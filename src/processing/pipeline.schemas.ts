import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { MAX_LABEL_KEY_LENGTH } from '../alerts/conditions.ts';

/*
 * Alert pipelines (on-call.openapi.en.json: AlertPipelineUpsertRequest, AlertPipelineItem). The
 * document caps a pipeline at 50 rules; the other limits are Vigil's (docs/processing.md).
 */

export const PIPELINE_LIMITS = {
  rules: 50,
  filterGroups: 20,
  conditionsPerGroup: 20,
  valsPerCondition: 100,
  valLength: 1024,
  conditionKey: 'labels.'.length + MAX_LABEL_KEY_LENGTH,
  template: 2048,
  equals: 20,
  integrationIdsPerList: 100,
} as const;

export const FilterCondition = Type.Object({
  key: Type.String({ minLength: 1, maxLength: PIPELINE_LIMITS.conditionKey }),
  oper: Type.Enum(['IN', 'NOTIN']),
  vals: Type.Array(Type.String({ maxLength: PIPELINE_LIMITS.valLength }), {
    minItems: 1,
    maxItems: PIPELINE_LIMITS.valsPerCondition,
  }),
});

const OrFilterGroup = Type.Array(
  Type.Array(FilterCondition, { minItems: 1, maxItems: PIPELINE_LIMITS.conditionsPerGroup }),
  { maxItems: PIPELINE_LIMITS.filterGroups },
);

const PipelineRule = Type.Object({
  kind: Type.Enum(['title_reset', 'description_reset', 'severity_reset', 'alert_drop', 'alert_inhibit']),
  if: Type.Optional(OrFilterGroup),
  // Checked against the kind by the service, which names the field it refuses.
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const PipelineUpsertRequest = Type.Object({
  integration_id: Id,
  rules: Type.Array(PipelineRule, { maxItems: PIPELINE_LIMITS.rules }),
});

export const PipelineInfoRequest = Type.Object({ integration_id: Id });

export const PipelineListRequest = Type.Object({
  integration_ids: Type.Array(Id, { maxItems: PIPELINE_LIMITS.integrationIdsPerList }),
});

export const PipelineItem = Type.Object({
  integration_id: Id,
  rules: Type.Array(
    Type.Object({
      kind: Type.String(),
      if: Type.Array(Type.Array(FilterCondition)),
      settings: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  status: Type.String(),
  creator_id: Id,
  updated_by: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const PipelineInfoResponse = Type.Union([PipelineItem, Type.Null()]);
export const PipelineListResponse = Type.Object({ items: Type.Array(PipelineItem) });
