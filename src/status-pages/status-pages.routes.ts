import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import type { AppDeps } from '../http/app.ts';
import { enforceRateLimit, RateLimit } from '../http/rate-limit.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import {
  addTimelineUpdate,
  createChange,
  createChangeFromIncident,
  deleteChange,
  deleteTimelineUpdate,
  editTimelineUpdate,
  updateChange,
} from './changes.service.ts';
import { type ChangeRow, findChange, listChanges, withUpdates } from './changes.store.ts';
import { currentStatuses } from './page-state.ts';
import {
  createPage,
  pageOf,
  removeComponents,
  removePage,
  removeSections,
  updatePageSettings,
  upsertComponents,
  upsertSections,
} from './pages.service.ts';
import { componentsOf, listPages, sectionsOf } from './pages.store.ts';
import { toChangeItem, toPageItem } from './status-pages.mapper.ts';
import * as S from './status-pages.schemas.ts';
import {
  deleteSubscribers,
  exportSubscribers,
  importSubscribers,
  listSubscribers,
} from './subscribers.service.ts';
import { deleteTemplate, listTemplates, upsertTemplate } from './templates.service.ts';
import { type ChangeType, INCIDENT_STATUSES, MAINTENANCE_STATUSES, statusesOf } from './timeline.ts';

/**
 * The status-page Open API: pages, sections and components (Status Pages Manage), events and their
 * timelines (Status Pages Events Manage), subscribers; reads need any valid key, as documented. The
 * reads are GET with a query string, as Flashduty has them. docs/status-pages.md.
 */
export function registerStatusPageRoutes(app: Api, deps: AppDeps): void {
  const { db } = deps;
  const Pages = { tag: 'Status pages', permission: 'status_pages.manage' } as const;
  const Events = { tag: 'Status pages', permission: 'status_pages.events.manage' } as const;
  const Read = { tag: 'Status pages', permission: null, method: 'GET' } as const;

  const pageItems = async (pages: Awaited<ReturnType<typeof listPages>>) => {
    const ids = pages.map((p) => p.page_id);
    const [sections, components, statuses] = await Promise.all([
      sectionsOf(db.q, ids),
      componentsOf(db.q, ids),
      currentStatuses(db.q, ids, nowSeconds(deps.clock)),
    ]);
    return pages.map((page) => toPageItem(page, sections, components, statuses, deps.config.publicUrl));
  };

  const changeItems = async (pageId: number, changes: ChangeRow[]) => {
    const components = new Map((await componentsOf(db.q, [pageId])).map((c) => [c.component_id, c]));
    return (await withUpdates(db.q, changes)).map((change) => toChangeItem(change, components));
  };

  // ----- pages -----

  openApi(
    app,
    '/status-page/create',
    { ...Pages, summary: 'Create a status page', input: S.PageCreateRequest, data: S.PageCreateResponse },
    async ({ actor, input }) => {
      const page = await createPage(deps, actor, input);
      return { page_id: page.page_id, page_name: page.name, page_url_name: page.url_name };
    },
  );

  openApi(
    app,
    '/status-page/update',
    { ...Pages, summary: 'Update a status page', input: S.PageUpdateRequest, data: Empty },
    async ({ actor, input }) => {
      await updatePageSettings(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/status-page/delete',
    { ...Pages, summary: 'Delete a status page and everything on it', input: S.PageSelector, data: Empty },
    async ({ actor, input }) => {
      await removePage(deps, actor, input.page_id);
      return {};
    },
  );

  openApi(
    app,
    '/status-page/list',
    {
      ...Read,
      summary: 'List status pages with their sections and components',
      input: Empty,
      data: S.PageListResponse,
    },
    async ({ actor }) => ({ items: await pageItems(await listPages(db.q, actor.accountId)) }),
  );

  openApi(
    app,
    '/status-page/info',
    { ...Read, summary: 'Get a status page', input: S.PageSelector, data: S.PageItem },
    async ({ actor, input }) => (await pageItems([await pageOf(db.q, actor, input.page_id)]))[0]!,
  );

  openApi(
    app,
    '/status-page/section/upsert',
    {
      ...Pages,
      summary: 'Create or update sections; ids in request order',
      input: S.SectionUpsertRequest,
      data: S.SectionUpsertResponse,
    },
    async ({ actor, input }) => ({ section_ids: await upsertSections(deps, actor, input) }),
  );

  openApi(
    app,
    '/status-page/section/delete',
    {
      ...Pages,
      summary: 'Delete sections (their components stay)',
      input: S.SectionDeleteRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await removeSections(deps, actor, input.page_id, input.section_ids);
      return {};
    },
  );

  openApi(
    app,
    '/status-page/component/upsert',
    {
      ...Pages,
      summary: 'Create or update components; ids in request order',
      input: S.ComponentUpsertRequest,
      data: S.ComponentUpsertResponse,
    },
    async ({ actor, input }) => ({ component_ids: await upsertComponents(deps, actor, input) }),
  );

  openApi(
    app,
    '/status-page/component/delete',
    { ...Pages, summary: 'Delete components', input: S.ComponentDeleteRequest, data: Empty },
    async ({ actor, input }) => {
      await removeComponents(deps, actor, input.page_id, input.component_ids);
      return {};
    },
  );

  // ----- events -----

  openApi(
    app,
    '/status-page/change/create',
    {
      ...Events,
      summary: 'Create an incident or maintenance event',
      input: S.ChangeCreateRequest,
      data: S.ChangeCreateResponse,
    },
    async ({ actor, input }) => createChange(deps, actor, input),
  );

  openApi(
    app,
    '/status-page/change/create-from-incident',
    {
      ...Events,
      summary: 'Publish an incident as a status-page incident, linked to it (Vigil)',
      input: S.ChangeFromIncidentRequest,
      data: S.ChangeCreateResponse,
    },
    async ({ actor, input }) => createChangeFromIncident(deps, actor, input),
  );

  openApi(
    app,
    '/status-page/change/update',
    {
      ...Events,
      summary: 'Edit the title, responders or links of an event',
      input: S.ChangeUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      await updateChange(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/status-page/change/delete',
    { ...Events, summary: 'Delete an event', input: S.ChangeSelector, data: Empty },
    async ({ actor, input }) => {
      await deleteChange(deps, actor, input.page_id, input.change_id);
      return {};
    },
  );

  openApi(
    app,
    '/status-page/change/info',
    { ...Read, summary: 'Get an event with its timeline', input: S.ChangeSelector, data: S.ChangeItem },
    async ({ actor, input }) => {
      await pageOf(db.q, actor, input.page_id);
      const change = await findChange(
        db.q,
        { accountId: actor.accountId, pageId: input.page_id },
        input.change_id,
      );
      if (!change) throw notFound(`status page event ${input.change_id}`);
      return (await changeItems(input.page_id, [change]))[0]!;
    },
  );

  openApi(
    app,
    '/status-page/change/list',
    { ...Read, summary: 'List the events of a page', input: S.ChangeListRequest, data: S.ChangeListResponse },
    async ({ actor, input }) => {
      await pageOf(db.q, actor, input.page_id);
      if (!statusesOf(input.type as ChangeType).includes(input.status)) {
        throw invalidParameter(
          'status',
          `must be one of ${statusesOf(input.type as ChangeType).join(', ')} for ${input.type}`,
        );
      }
      const changes = await listChanges(db.q, input.page_id, {
        type: input.type,
        statuses: [input.status],
        ...(input.start_at_seconds ? { startFrom: input.start_at_seconds } : {}),
        ...(input.end_at_seconds ? { startTo: input.end_at_seconds } : {}),
      });
      const items = await changeItems(input.page_id, changes);
      return { items, total: items.length };
    },
  );

  openApi(
    app,
    '/status-page/change/active/list',
    {
      ...Read,
      summary: 'List the events of a page that have not ended',
      input: S.ActiveChangeListRequest,
      data: S.ChangeListResponse,
    },
    async ({ actor, input }) => {
      await pageOf(db.q, actor, input.page_id);
      const open = (input.type === 'incident' ? INCIDENT_STATUSES : MAINTENANCE_STATUSES).slice(0, -1);
      const changes = await listChanges(db.q, input.page_id, { type: input.type, statuses: open });
      const items = await changeItems(input.page_id, changes);
      return { items, total: items.length };
    },
  );

  openApi(
    app,
    '/status-page/change/timeline/create',
    {
      ...Events,
      summary: 'Add an update to an event',
      input: S.TimelineCreateRequest,
      data: S.TimelineCreateResponse,
    },
    async ({ actor, input }) => addTimelineUpdate(deps, actor, input),
  );

  openApi(
    app,
    '/status-page/change/timeline/update',
    { ...Events, summary: 'Edit the time or text of an update', input: S.TimelineUpdateRequest, data: Empty },
    async ({ actor, input }) => {
      await editTimelineUpdate(deps, actor, input);
      return {};
    },
  );

  openApi(
    app,
    '/status-page/change/timeline/delete',
    { ...Events, summary: 'Delete an update', input: S.TimelineDeleteRequest, data: Empty },
    async ({ actor, input }) => {
      await deleteTimelineUpdate(deps, actor, input);
      return {};
    },
  );

  // ----- event templates -----

  openApi(
    app,
    '/status-page/template/list',
    { ...Read, summary: 'List event templates', input: S.TemplateListRequest, data: S.TemplateListResponse },
    async ({ actor, input }) => listTemplates(db.q, actor, input),
  );

  openApi(
    app,
    '/status-page/template/upsert',
    {
      ...Pages,
      summary: 'Create or update an event template',
      input: S.TemplateUpsertRequest,
      data: S.TemplateUpsertResponse,
    },
    async ({ actor, input }) => ({ template_id: await upsertTemplate(deps, actor, input) }),
  );

  openApi(
    app,
    '/status-page/template/delete',
    { ...Pages, summary: 'Delete an event template', input: S.TemplateDeleteRequest, data: Empty },
    async ({ actor, input }) => {
      await deleteTemplate(deps, actor, input);
      return {};
    },
  );

  // ----- subscribers -----

  openApi(
    app,
    '/status-page/subscriber/list',
    { ...Read, summary: 'List subscribers', input: S.SubscriberListRequest, data: S.SubscriberListResponse },
    async ({ actor, input }) => listSubscribers(db.q, await pageOf(db.q, actor, input.page_id), input),
  );

  openApi(
    app,
    '/status-page/subscriber/delete',
    {
      ...Pages,
      summary: 'Remove subscribers by method and recipient (Vigil)',
      input: S.SubscriberDeleteRequest,
      data: S.SubscriberDeleteResponse,
    },
    async ({ actor, input }) => ({ deleted: await deleteSubscribers(deps, actor, input) }),
  );

  // Import and export have their own limits per account (Flashduty's: import 20 a minute and 2 a
  // second, export 10 and 1) on top of the account's — where account limits are on at all.
  const limitsOn = deps.config.rateLimitAccountPerSecond > 0 || deps.config.rateLimitAccountPerMinute > 0;
  const limited = (name: string, perSecond: number, perMinute: number, register: (scope: Api) => void) => {
    const windows = [
      { points: perSecond, seconds: 1 },
      { points: perMinute, seconds: 60 },
    ];
    const limit = new RateLimit(`status-page-${name}`, limitsOn ? windows : [], deps.redis);
    (app as unknown as FastifyInstance).register(async (scope) => {
      scope.addHook('preHandler', (request, reply) =>
        enforceRateLimit(limit, String(request.actor!.accountId), reply),
      );
      register(scope as unknown as Api);
    });
  };

  limited('subscriber-import', 2, 20, (scope) =>
    openApi(
      scope,
      '/status-page/subscriber/import',
      { ...Pages, summary: 'Import subscribers', input: S.SubscriberImportRequest, data: Empty },
      async ({ actor, input }) => {
        await importSubscribers(deps, actor as Actor, input);
        return {};
      },
    ),
  );

  limited('subscriber-export', 1, 10, (scope) =>
    openApi(
      scope,
      '/status-page/subscriber/export',
      {
        ...Pages,
        summary: 'Export subscribers as CSV (Method, Recipient, Components, Subscribe All, Locale)',
        input: S.SubscriberExportRequest,
        data: Type.String(),
      },
      async ({ actor, input }) =>
        exportSubscribers(db.q, await pageOf(db.q, actor, input.page_id), input.component_ids),
    ),
  );
}
