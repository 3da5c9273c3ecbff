import type { AppDeps } from '../../http/app.ts';
import { type Api, openApi } from '../../http/route.ts';
import { guardedDispatcher } from '../../notifications/providers/outbound-guard.ts';
import * as S from './custom-actions.schemas.ts';
import { type CustomActionDeps, listCustomActions, runCustomAction } from './run-custom-action.ts';

export function registerCustomActionRoutes(app: Api, deps: AppDeps): void {
  const actions: CustomActionDeps = {
    db: deps.db,
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
    dispatcher: guardedDispatcher(deps.config.outboundAllow),
    timeoutMs: deps.config.customActionTimeoutMs,
  };
  openApi(
    app,
    '/incident/custom-action/do',
    {
      tag: 'Incidents',
      permission: 'incidents.manage',
      summary: 'Run a custom action on an incident',
      input: S.CustomActionDoRequest,
      data: S.CustomActionDoResponse,
    },
    ({ actor, input }) => runCustomAction(actions, actor, input),
  );
  openApi(
    app,
    '/incident/custom-action/list',
    {
      tag: 'Incidents',
      permission: 'incidents.read',
      summary: "The custom actions offered on an incident's channel",
      input: S.CustomActionListRequest,
      data: S.CustomActionListResponse,
    },
    ({ actor, input }) => listCustomActions(actions, actor, input.incident_id),
  );
}
