import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { MAX_LABEL_KEY_LENGTH } from './route-match.ts';

/*
 * Routes of shared integrations (on-call.openapi.en.json: UpsertRouteRequest, RouteItem). The
 * limits are Vigil's (Flashduty publishes none); docs/integrations.md lists them.
 */

const ROUTE_LIMITS = {
  cases: 100,
  conditionsPerCase: 50,
  valsPerCondition: 100,
  valLength: 1024,
  keyLength: 'labels.'.length + MAX_LABEL_KEY_LENGTH,
  channelsPerCase: 20,
  defaultChannels: 20,
  sections: 100,
  sectionNameLength: 64,
  integrationIdsPerList: 100,
} as const;

const RouteCondition = Type.Object({
  key: Type.String({ minLength: 1, maxLength: ROUTE_LIMITS.keyLength }),
  oper: Type.Enum(['IN', 'NOTIN']),
  vals: Type.Array(Type.String({ maxLength: ROUTE_LIMITS.valLength }), {
    minItems: 1,
    maxItems: ROUTE_LIMITS.valsPerCondition,
  }),
});

const RouteCase = Type.Object({
  if: Type.Array(RouteCondition, { maxItems: ROUTE_LIMITS.conditionsPerCase }),
  channel_ids: Type.Array(Id, { maxItems: ROUTE_LIMITS.channelsPerCase }),
  fallthrough: Type.Boolean(),
  routing_mode: Type.Optional(Type.Enum(['standard', 'name_mapping'])),
  name_mapping_label: Type.Optional(Type.String({ maxLength: MAX_LABEL_KEY_LENGTH })),
});

const RouteSection = Type.Object({
  name: Type.String({ minLength: 1, maxLength: ROUTE_LIMITS.sectionNameLength }),
  position: Type.Integer({ minimum: 0 }),
});

const RouteDefault = Type.Object({
  channel_ids: Type.Optional(Type.Array(Id, { maxItems: ROUTE_LIMITS.defaultChannels })),
});

export const RouteUpsertRequest = Type.Object({
  integration_id: Id,
  cases: Type.Optional(Type.Array(RouteCase, { maxItems: ROUTE_LIMITS.cases })),
  sections: Type.Optional(Type.Array(RouteSection, { maxItems: ROUTE_LIMITS.sections })),
  default: Type.Optional(RouteDefault),
  version: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const RouteInfoRequest = Type.Object({ integration_id: Id });

export const RouteListRequest = Type.Object({
  integration_ids: Type.Array(Id, { minItems: 1, maxItems: ROUTE_LIMITS.integrationIdsPerList }),
});

export const RouteItem = Type.Object({
  integration_id: Id,
  cases: Type.Array(
    Type.Object({
      if: Type.Array(
        Type.Object({
          key: Type.String(),
          oper: Type.Enum(['IN', 'NOTIN']),
          vals: Type.Array(Type.String()),
        }),
      ),
      channel_ids: Type.Array(Id),
      fallthrough: Type.Boolean(),
      routing_mode: Type.Enum(['standard', 'name_mapping']),
      name_mapping_label: Type.String(),
    }),
  ),
  sections: Type.Array(Type.Object({ name: Type.String(), position: Type.Integer() })),
  default: Type.Object({ channel_ids: Type.Array(Id) }),
  status: Type.Enum(['enabled', 'deleted']),
  version: Type.Integer(),
  updated_by: Id,
  creator_id: Id,
  deleted_at: Type.Integer(),
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
});

export const RouteListResponse = Type.Object({ items: Type.Array(RouteItem) });
