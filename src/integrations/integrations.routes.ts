import type { AppDeps } from '../http/app.ts';
import { toPage } from '../http/pagination.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { notFound } from '../shared/app-error.ts';
import * as S from './integrations.schemas.ts';
import {
  createIntegration,
  deleteIntegration,
  setIntegrationStatus,
  toIntegrationItem,
  updateIntegration,
} from './integrations.service.ts';
import { getIntegration, listIntegrations } from './integrations.store.ts';
import * as R from './routes.schemas.ts';
import { getRouteItem, listRouteItems, upsertRoute } from './routes.service.ts';

/** Integrations (legacy /datasource/*) and the routes of shared integrations (/route/*). */
export function registerIntegrationRoutes(app: Api, deps: AppDeps): void {
  const { db, config } = deps;
  const Integrations = { tag: 'Integrations' };
  const Routes = { tag: 'Routes' };

  openApi(
    app,
    '/datasource/upsert',
    {
      ...Integrations,
      summary: 'Create an integration, or update one when integration_id is sent',
      permission: 'integrations.manage',
      input: S.IntegrationUpsertRequest,
      data: S.IntegrationUpsertResponse,
    },
    async ({ actor, input }) => {
      const { integration_id: integrationId, ...fields } = input;
      return integrationId === undefined
        ? createIntegration(deps, actor, fields)
        : updateIntegration(deps, actor, { ...fields, integration_id: integrationId });
    },
  );

  openApi(
    app,
    '/datasource/list',
    {
      ...Integrations,
      summary: 'List integrations',
      permission: 'integrations.read',
      input: S.IntegrationListRequest,
      data: S.IntegrationListResponse,
    },
    async ({ actor, input }) => {
      const page = toPage(input, 20);
      const byCategory = input.category
        ? S.PLUGIN_TYPE_KEYS.filter((t) => S.PLUGIN_TYPES[t].category === input.category)
        : undefined;
      const pluginTypes =
        input.plugin_type === undefined
          ? byCategory
          : (byCategory ?? [input.plugin_type]).filter((t) => t === input.plugin_type);
      const { rows, total } = await listIntegrations(db.q, {
        accountId: actor.accountId,
        pluginTypes,
        status: input.status,
        name: input.name,
        teamIds: input.team_ids,
        memberTeamsOf: input.is_my_team ? actor.memberId : undefined,
        channelId: input.channel_id,
        orderBy: input.orderby ?? 'created_at',
        asc: input.asc ?? false,
        offset: page.offset,
        limit: page.limit,
      });
      return {
        items: rows.map((row) => toIntegrationItem(row, config.publicUrl)),
        total,
        has_next_page: page.offset + rows.length < total,
        p: page.p,
        limit: page.limit,
      };
    },
  );

  openApi(
    app,
    '/datasource/desc',
    {
      ...Integrations,
      summary: 'Get an integration',
      permission: 'integrations.read',
      input: S.IntegrationIdRequest,
      data: S.IntegrationItem,
    },
    async ({ actor, input }) => {
      const row = await getIntegration(db.q, actor.accountId, input.integration_id);
      if (!row) throw notFound(`integration ${input.integration_id}`);
      return toIntegrationItem(row, config.publicUrl);
    },
  );

  openApi(
    app,
    '/datasource/delete',
    {
      ...Integrations,
      summary: 'Delete an integration and its route',
      permission: 'integrations.manage',
      input: S.IntegrationIdRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await deleteIntegration(deps, actor, input.integration_id);
      return {};
    },
  );

  for (const [verb, status] of [
    ['enable', 'enabled'],
    ['disable', 'disabled'],
  ] as const) {
    openApi(
      app,
      `/datasource/${verb}`,
      {
        ...Integrations,
        summary: `${verb === 'enable' ? 'Enable' : 'Disable'} an integration`,
        permission: 'integrations.manage',
        input: S.IntegrationIdRequest,
        data: Empty,
      },
      async ({ actor, input }) => {
        await setIntegrationStatus(deps, actor, input.integration_id, status);
        return {};
      },
    );
  }

  openApi(
    app,
    '/route/upsert',
    {
      ...Routes,
      summary: 'Create or replace the route of a shared integration',
      permission: 'integrations.manage',
      input: R.RouteUpsertRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await upsertRoute(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/route/info',
    {
      ...Routes,
      summary: 'Get the route of an integration',
      permission: 'integrations.read',
      input: R.RouteInfoRequest,
      data: R.RouteItem,
    },
    async ({ actor, input }) => getRouteItem(deps, actor, input.integration_id),
  );

  openApi(
    app,
    '/route/list',
    {
      ...Routes,
      summary: 'Get the routes of several integrations',
      permission: 'integrations.read',
      input: R.RouteListRequest,
      data: R.RouteListResponse,
    },
    async ({ actor, input }) => ({ items: await listRouteItems(deps, actor, input.integration_ids) }),
  );
}
