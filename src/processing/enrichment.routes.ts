import type { AppDeps } from '../http/app.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import * as S from './enrichment.schemas.ts';
import { enrichmentInfo, listEnrichments, upsertEnrichment } from './enrichment.service.ts';

/** Label enrichment rule sets: /enrichment/upsert|info|list of on-call.openapi.en.json (docs/processing.md). */
export function registerEnrichmentRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Label Enrichment';
  openApi(
    app,
    '/enrichment/upsert',
    {
      tag,
      summary: "Replace an integration's enrichment rules",
      permission: 'integrations.manage',
      input: S.EnrichmentUpsertRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await upsertEnrichment(deps, actor, input);
      return {};
    },
  );
  openApi(
    app,
    '/enrichment/info',
    {
      tag,
      summary: "An integration's enrichment rules (null when it has none)",
      permission: 'integrations.read',
      input: S.EnrichmentInfoRequest,
      data: S.EnrichmentInfoResponse,
    },
    async ({ actor, input }) => enrichmentInfo(deps, actor, input.integration_id),
  );
  openApi(
    app,
    '/enrichment/list',
    {
      tag,
      summary: 'The enrichment rules of several integrations',
      permission: 'integrations.read',
      input: S.EnrichmentListRequest,
      data: S.EnrichmentListResponse,
    },
    async ({ actor, input }) => ({ items: await listEnrichments(deps, actor, input.integration_ids) }),
  );
}
