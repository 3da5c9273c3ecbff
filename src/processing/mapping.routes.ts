import type { Permission } from '../accounts/permissions.ts';
import type { AppDeps } from '../http/app.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import * as S from './mapping.schemas.ts';
import * as M from './mapping.service.ts';

/** Mapping tables and APIs of label enrichment: /enrichment/mapping/* of on-call.openapi.en.json (docs/processing.md). */
export function registerMappingRoutes(app: Api, deps: AppDeps): void {
  const tag = 'Label Enrichment';
  const manage: Permission = 'mappings.manage';
  const read: Permission = 'mappings.read';
  const done = async (work: Promise<unknown>) => {
    await work;
    return {};
  };

  openApi(
    app,
    '/enrichment/mapping/schema/create',
    {
      tag,
      summary: 'Create a mapping schema',
      permission: manage,
      input: S.SchemaCreateRequest,
      data: S.SchemaCreateResponse,
    },
    ({ actor, input }) => M.createSchema(deps, actor, input),
  );
  openApi(
    app,
    '/enrichment/mapping/schema/update',
    {
      tag,
      summary: 'Rename or re-describe a mapping schema',
      permission: manage,
      input: S.SchemaUpdateRequest,
      data: Empty,
    },
    ({ actor, input }) => done(M.updateSchema(deps, actor, input)),
  );
  openApi(
    app,
    '/enrichment/mapping/schema/delete',
    {
      tag,
      summary: 'Delete a mapping schema and its rows',
      permission: manage,
      input: S.SchemaIdRequest,
      data: Empty,
    },
    ({ actor, input }) => done(M.deleteSchema(deps, actor, input.schema_id)),
  );
  openApi(
    app,
    '/enrichment/mapping/schema/list',
    {
      tag,
      summary: "The account's mapping schemas",
      permission: read,
      input: Empty,
      data: S.SchemaListResponse,
    },
    ({ actor }) => M.listSchemas(deps, actor),
  );
  openApi(
    app,
    '/enrichment/mapping/schema/info',
    {
      tag,
      summary: 'A mapping schema (null when none)',
      permission: read,
      input: S.SchemaIdRequest,
      data: S.SchemaInfoResponse,
    },
    ({ actor, input }) => M.schemaInfo(deps, actor, input.schema_id),
  );

  openApi(
    app,
    '/enrichment/mapping/data/upsert',
    {
      tag,
      summary: 'Insert or update mapping rows',
      permission: manage,
      input: S.DataUpsertRequest,
      data: S.DataUpsertResponse,
    },
    ({ actor, input }) => M.upsertRows(deps, actor, input),
  );
  openApi(
    app,
    '/enrichment/mapping/data/delete',
    {
      tag,
      summary: 'Delete mapping rows by key',
      permission: manage,
      input: S.DataDeleteRequest,
      data: Empty,
    },
    ({ actor, input }) => done(M.deleteRows(deps, actor, input)),
  );
  openApi(
    app,
    '/enrichment/mapping/data/truncate',
    {
      tag,
      summary: 'Delete every row of a mapping schema',
      permission: manage,
      input: S.SchemaIdRequest,
      data: Empty,
    },
    ({ actor, input }) => done(M.truncateRows(deps, actor, input.schema_id)),
  );
  openApi(
    app,
    '/enrichment/mapping/data/list',
    {
      tag,
      summary: 'Rows of a mapping schema',
      permission: read,
      input: S.DataListRequest,
      data: S.DataListResponse,
    },
    ({ actor, input }) => M.listRows(deps, actor, input),
  );

  openApi(
    app,
    '/enrichment/mapping/api/create',
    {
      tag,
      summary: 'Create a mapping API',
      permission: manage,
      input: S.ApiCreateRequest,
      data: S.ApiCreateResponse,
    },
    ({ actor, input }) => M.createApi(deps, actor, input),
  );
  openApi(
    app,
    '/enrichment/mapping/api/update',
    {
      tag,
      summary: 'Update a mapping API (only the fields sent)',
      permission: manage,
      input: S.ApiUpdateRequest,
      data: Empty,
    },
    ({ actor, input }) => done(M.updateApi(deps, actor, input)),
  );
  openApi(
    app,
    '/enrichment/mapping/api/delete',
    { tag, summary: 'Delete a mapping API', permission: manage, input: S.ApiIdRequest, data: Empty },
    ({ actor, input }) => done(M.deleteApi(deps, actor, input.api_id)),
  );
  openApi(
    app,
    '/enrichment/mapping/api/list',
    { tag, summary: "The account's mapping APIs", permission: read, input: Empty, data: S.ApiListResponse },
    ({ actor }) => M.listApis(deps, actor),
  );
  openApi(
    app,
    '/enrichment/mapping/api/info',
    {
      tag,
      summary: 'A mapping API (null when none)',
      permission: null,
      input: S.ApiIdRequest,
      data: S.ApiInfoResponse,
    },
    ({ actor, input }) => M.apiInfo(deps, actor, input.api_id),
  );
}
