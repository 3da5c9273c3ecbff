import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { type Api, openApi } from '../http/route.ts';
import { guardedDispatcher } from '../notifications/providers/outbound-guard.ts';
import { AppError, invalidParameter } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import * as S from './import.schemas.ts';
import { KINDS } from './model.ts';
import { runImport } from './run.ts';
import { checkSourceUrl } from './source-http.ts';
import { openSource } from './sources/index.ts';
import { type Injector, injectedVigilApi, VigilError } from './vigil-api.ts';

/*
 * The import for the console (docs/import.md, "In the console"): the same plan and apply as
 * `vigil import`, run in the request. The source URL is a member's, so it is called through the
 * outbound guard; Vigil is called back in-process with the caller's own credentials, so the import
 * can do exactly what they could. A source failure before anything was written is a 400 naming
 * `token` or `api_url`; after something was written, the report (200) says where it stopped.
 */

/** The caller's credentials, replayed on every call the import makes to Vigil. */
function credentialsOf(request: FastifyRequest) {
  const appKey = (request.query as Record<string, unknown> | undefined)?.app_key;
  const headers: Record<string, string> = {};
  for (const name of ['cookie', 'x-csrf-token']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { appKey: typeof appKey === 'string' && appKey !== '' ? appKey : undefined, headers };
}

export function registerImportRoutes(app: Api, deps: AppDeps): void {
  const dispatcher = guardedDispatcher(deps.config.outboundAllow);

  async function run(
    mode: 'plan' | 'apply',
    input: Static<typeof S.ImportRequest>,
    request: FastifyRequest,
  ): Promise<Static<typeof S.ImportReportSchema>> {
    const problem = checkSourceUrl(input.api_url);
    if (problem) throw invalidParameter('api_url', problem);
    const now = input.now ?? nowSeconds(deps.clock);
    const { source, http } = openSource({
      source: input.source,
      apiUrl: input.api_url,
      token: input.token,
      now,
      dispatcher,
    });
    const report = await runImport({
      api: injectedVigilApi(app as unknown as Injector, credentialsOf(request)),
      source,
      only: input.only ?? [...KINDS],
      mode,
      now,
      stats: () => ({ calls: http.calls, throttled: http.throttled }),
    }).catch((error: unknown) => {
      // A read Vigil refused the caller (a permission the import needs) is that refusal, not a 500.
      if (
        error instanceof VigilError &&
        (error.code === 'AccessDenied' || error.code === 'RequestTooFrequently')
      ) {
        throw new AppError(error.code, error.message);
      }
      throw error;
    });
    const wrote = report.items.some(
      (i) => i.action === 'create' || i.action === 'update' || i.action === 'failed',
    );
    if (report.error && (mode === 'plan' || !wrote)) {
      throw invalidParameter(report.error.kind === 'token' ? 'token' : 'api_url', report.error.message);
    }
    // Fields left undefined are left out.
    return JSON.parse(JSON.stringify(report)) as Static<typeof S.ImportReportSchema>;
  }

  const Import = {
    tag: 'Import',
    permission: 'members.manage' as const,
    input: S.ImportRequest,
    data: S.ImportReportSchema,
  };

  openApi(
    app,
    '/import/plan',
    { ...Import, summary: 'Read another on-call system and say what an import would do, changing nothing' },
    async ({ input, request }) => run('plan', input, request),
  );

  openApi(
    app,
    '/import/apply',
    { ...Import, summary: 'Import from another on-call system (the stages asked for, in order)' },
    async ({ input, request }) => run('apply', input, request),
  );
}
