import type { AppDeps } from '../http/app.ts';
import type { Api } from '../http/route.ts';
import { registerEnrichmentRoutes } from './enrichment.routes.ts';
import { registerMappingRoutes } from './mapping.routes.ts';
import { registerMappingFileRoutes } from './mapping-files.routes.ts';
import { registerPipelineRoutes } from './pipeline.routes.ts';

/** Alert processing of integrations: label enrichment and alert pipelines (docs/processing.md). */
export function registerProcessingRoutes(app: Api, deps: AppDeps): void {
  registerEnrichmentRoutes(app, deps);
  registerMappingRoutes(app, deps);
  registerMappingFileRoutes(app, deps);
  registerPipelineRoutes(app, deps);
}
