import type { Updateable } from 'kysely';
import type { Actor } from '../accounts/permissions.ts';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { PageSubscription, StatusPagesTable } from '../db/schema.ts';
import { isValidTimeZone } from '../schedules/zoned.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newUlid } from '../shared/ids.ts';
import { checkPageLinks } from './links.ts';
import { pageChanged } from './page-cache.ts';
import {
  componentsOf,
  deleteComponents,
  deletePage,
  deleteSections,
  findPage,
  insertComponent,
  insertPage,
  insertSection,
  lockPage,
  type PageRow,
  sectionsOf,
  updateComponent,
  updatePage,
  updateSection,
} from './pages.store.ts';
import type {
  ComponentUpsertRequest,
  PageCreateRequest,
  PageUpdateRequest,
  SectionUpsertRequest,
} from './status-pages.schemas.ts';

/* Pages and their structure (sections, components): the management API's rules. docs/status-pages.md. */

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

const URL_NAME_TAKEN = 'is already used by another status page';

/** A page of the caller's account, or ResourceNotFound (another account's page is not found either). */
export async function pageOf(q: Executor, actor: Actor, pageId: number): Promise<PageRow> {
  const page = await findPage(q, actor.accountId, pageId);
  if (!page) throw notFound(`status page ${pageId}`);
  return page;
}

/** Runs `fn` in a transaction holding the page's row lock: one writer per page at a time. */
export async function withLockedPage<T>(
  deps: Deps,
  actor: Actor,
  pageId: number,
  fn: (trx: Executor, page: PageRow) => Promise<T>,
): Promise<T> {
  const result = await deps.db.q.transaction().execute(async (trx) => {
    const page = await lockPage(trx, actor.accountId, pageId);
    if (!page) throw notFound(`status page ${pageId}`);
    return fn(trx, page);
  });
  await pageChanged(pageId);
  return result;
}

/** Which ways to subscribe a page offers when create does not say: e-mail on public pages, IM on internal ones. */
function defaultSubscription(type: 'public' | 'internal'): PageSubscription {
  return type === 'public' ? { email: true } : { im: true };
}

export async function createPage(deps: Deps, actor: Actor, input: PageCreateRequest): Promise<PageRow> {
  checkPageLinks(input);
  checkTimeZone(input.time_zone);
  const now = nowSeconds(deps.clock);
  try {
    const pageId = await insertPage(deps.db.q, {
      account_id: actor.accountId,
      name: input.name,
      url_name: input.url_name,
      type: input.type,
      date_view: input.date_view,
      display_uptime_mode: input.display_uptime_mode,
      custom_domain: input.custom_domain ?? '',
      page_title: input.page_title ?? '',
      page_header: input.page_header ?? '',
      page_footer: input.page_footer ?? '',
      contact_info: input.contact_info ?? '',
      logo: input.logo ?? '',
      dark_logo: input.dark_logo ?? '',
      favicon: input.favicon ?? '',
      logo_url: input.logo_url ?? '',
      template_preference: input.template_preference ?? '',
      custom_links: JSON.stringify(input.custom_links ?? []),
      subscription: JSON.stringify(input.subscription ?? defaultSubscription(input.type)),
      time_zone: input.time_zone ?? 'UTC',
      brand_color: input.brand_color ?? '',
      header_color: input.header_color ?? '',
      creator_id: actor.memberId,
      created_at: now,
      updated_at: now,
    });
    // A "no such page" for this url_name may be cached: drop it.
    await pageChanged(pageId);
    return (await findPage(deps.db.q, actor.accountId, pageId))!;
  } catch (error) {
    if (isUniqueViolation(error, 'status_pages_url_name_key'))
      throw invalidParameter('url_name', URL_NAME_TAKEN);
    throw error;
  }
}

const TEXT_FIELDS = [
  'name',
  'url_name',
  'date_view',
  'display_uptime_mode',
  'custom_domain',
  'page_title',
  'page_header',
  'page_footer',
  'contact_info',
  'logo',
  'dark_logo',
  'favicon',
  'logo_url',
  'template_preference',
  'time_zone',
  'brand_color',
  'header_color',
] as const;

/** The page's zone must be one Intl knows: the page formats every time in it. */
function checkTimeZone(zone: string | null | undefined): void {
  if (zone != null && !isValidTimeZone(zone))
    throw invalidParameter('time_zone', `${zone} is not an IANA time zone (e.g. Europe/Berlin)`);
}

export async function updatePageSettings(deps: Deps, actor: Actor, input: PageUpdateRequest): Promise<void> {
  checkPageLinks(input);
  checkTimeZone(input.time_zone);
  const values: Updateable<StatusPagesTable> = { updated_at: nowSeconds(deps.clock) };
  const set = values as Record<string, unknown>;
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value !== undefined && value !== null) set[field] = value;
  }
  if (input.custom_links != null) values.custom_links = JSON.stringify(input.custom_links);
  if (input.subscription != null) values.subscription = JSON.stringify(input.subscription);
  try {
    await withLockedPage(deps, actor, input.page_id, (trx) => updatePage(trx, input.page_id, values));
  } catch (error) {
    if (isUniqueViolation(error, 'status_pages_url_name_key'))
      throw invalidParameter('url_name', URL_NAME_TAKEN);
    throw error;
  }
}

/** Deletes a page with everything on it: sections, components, events, subscribers. */
export async function removePage(deps: Deps, actor: Actor, pageId: number): Promise<void> {
  await withLockedPage(deps, actor, pageId, (trx) => deletePage(trx, pageId));
}

export async function upsertSections(
  deps: Deps,
  actor: Actor,
  input: SectionUpsertRequest,
): Promise<string[]> {
  const now = nowSeconds(deps.clock);
  return withLockedPage(deps, actor, input.page_id, async (trx) => {
    const existing = new Set((await sectionsOf(trx, [input.page_id])).map((s) => s.section_id));
    const ids: string[] = [];
    for (const [index, section] of input.sections.entries()) {
      const fields = {
        name: section.name,
        ...(section.description !== undefined ? { description: section.description } : {}),
        ...(section.order_id !== undefined ? { order_id: section.order_id } : {}),
        ...(section.hide_uptime !== undefined ? { hide_uptime: section.hide_uptime } : {}),
        ...(section.hide_all !== undefined ? { hide_all: section.hide_all } : {}),
      };
      if (section.section_id !== undefined) {
        if (!existing.has(section.section_id)) {
          throw invalidParameter(`sections[${index}].section_id`, 'no such section on this status page');
        }
        await updateSection(trx, section.section_id, { ...fields, updated_at: now });
        ids.push(section.section_id);
      } else {
        const sectionId = newUlid();
        await insertSection(trx, {
          ...fields,
          section_id: sectionId,
          page_id: input.page_id,
          account_id: actor.accountId,
          created_at: now,
          updated_at: now,
        });
        ids.push(sectionId);
      }
    }
    return ids;
  });
}

export async function removeSections(
  deps: Deps,
  actor: Actor,
  pageId: number,
  sectionIds: string[],
): Promise<void> {
  await withLockedPage(deps, actor, pageId, async (trx) => {
    const existing = new Set((await sectionsOf(trx, [pageId])).map((s) => s.section_id));
    const missing = sectionIds.findIndex((id) => !existing.has(id));
    if (missing >= 0)
      throw invalidParameter(`section_ids[${missing}]`, 'no such section on this status page');
    await deleteSections(trx, pageId, sectionIds);
  });
}

export async function upsertComponents(
  deps: Deps,
  actor: Actor,
  input: ComponentUpsertRequest,
): Promise<string[]> {
  const now = nowSeconds(deps.clock);
  return withLockedPage(deps, actor, input.page_id, async (trx) => {
    const sections = new Set((await sectionsOf(trx, [input.page_id])).map((s) => s.section_id));
    const existing = new Set((await componentsOf(trx, [input.page_id])).map((c) => c.component_id));
    const ids: string[] = [];
    for (const [index, component] of input.components.entries()) {
      if (component.section_id && !sections.has(component.section_id)) {
        throw invalidParameter(`components[${index}].section_id`, 'no such section on this status page');
      }
      const fields = {
        name: component.name,
        ...(component.description !== undefined ? { description: component.description } : {}),
        ...(component.section_id !== undefined ? { section_id: component.section_id } : {}),
        ...(component.order_id !== undefined ? { order_id: component.order_id } : {}),
        ...(component.hide_uptime !== undefined ? { hide_uptime: component.hide_uptime } : {}),
        ...(component.hide_all !== undefined ? { hide_all: component.hide_all } : {}),
      };
      if (component.component_id !== undefined) {
        if (!existing.has(component.component_id)) {
          throw invalidParameter(
            `components[${index}].component_id`,
            'no such component on this status page',
          );
        }
        await updateComponent(trx, component.component_id, { ...fields, updated_at: now });
        ids.push(component.component_id);
      } else {
        const componentId = newUlid();
        await insertComponent(trx, {
          ...fields,
          component_id: componentId,
          page_id: input.page_id,
          account_id: actor.accountId,
          available_since_seconds: now,
          created_at: now,
          updated_at: now,
        });
        existing.add(componentId);
        ids.push(componentId);
      }
    }
    return ids;
  });
}

/** Deletes components; events that mentioned them keep their timelines, without the component. */
export async function removeComponents(
  deps: Deps,
  actor: Actor,
  pageId: number,
  componentIds: string[],
): Promise<void> {
  await withLockedPage(deps, actor, pageId, async (trx) => {
    const existing = new Set((await componentsOf(trx, [pageId])).map((c) => c.component_id));
    const missing = componentIds.findIndex((id) => !existing.has(id));
    if (missing >= 0)
      throw invalidParameter(`component_ids[${missing}]`, 'no such component on this status page');
    await deleteComponents(trx, pageId, componentIds);
  });
}
