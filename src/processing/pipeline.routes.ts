import type { AppDeps } from '../http/app.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import * as S from './pipeline.schemas.ts';
import { listPipelines, pipelineInfo, upsertPipeline } from './pipeline.service.ts';

/** Alert pipelines of integrations: /alert/pipeline/* of on-call.openapi.en.json (docs/processing.md). */
export function registerPipelineRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Alert Pipelines';
  openApi(
    app,
    '/alert/pipeline/upsert',
    {
      tag,
      summary: "Replace an integration's alert pipeline",
      permission: 'integrations.manage',
      input: S.PipelineUpsertRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await upsertPipeline(deps, actor, input);
      return {};
    },
  );
  openApi(
    app,
    '/alert/pipeline/info',
    {
      tag,
      summary: "An integration's alert pipeline (null when it has none)",
      permission: 'integrations.read',
      input: S.PipelineInfoRequest,
      data: S.PipelineInfoResponse,
    },
    async ({ actor, input }) => pipelineInfo(deps, actor, input.integration_id),
  );
  openApi(
    app,
    '/alert/pipeline/list',
    {
      tag,
      summary: 'The alert pipelines of several integrations',
      permission: 'integrations.read',
      input: S.PipelineListRequest,
      data: S.PipelineListResponse,
    },
    async ({ actor, input }) => ({ items: await listPipelines(deps, actor, input.integration_ids) }),
  );
}
