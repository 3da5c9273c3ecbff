import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { StatusPageComponentsTable, StatusPageSectionsTable, StatusPagesTable } from '../db/schema.ts';

/* SQL of pages, sections and components. Every query is scoped by account (or reached through a page that is). */

type Executor = Db['q'];

export type PageRow = Selectable<StatusPagesTable>;
export type SectionRow = Selectable<StatusPageSectionsTable>;
export type ComponentRow = Selectable<StatusPageComponentsTable>;

export async function insertPage(q: Executor, row: Insertable<StatusPagesTable>): Promise<number> {
  const inserted = await q
    .insertInto('status_pages')
    .values(row)
    .returning('page_id')
    .executeTakeFirstOrThrow();
  return inserted.page_id;
}

export async function updatePage(
  q: Executor,
  pageId: number,
  values: Updateable<StatusPagesTable>,
): Promise<void> {
  await q.updateTable('status_pages').set(values).where('page_id', '=', pageId).execute();
}

export async function deletePage(q: Executor, pageId: number): Promise<void> {
  await q.deleteFrom('status_pages').where('page_id', '=', pageId).execute();
}

export async function findPage(q: Executor, accountId: number, pageId: number): Promise<PageRow | undefined> {
  return q
    .selectFrom('status_pages')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('page_id', '=', pageId)
    .executeTakeFirst();
}

/** A page by its slug, whatever the account: the public page's lookup. */
export async function findPageByUrlName(q: Executor, urlName: string): Promise<PageRow | undefined> {
  return q
    .selectFrom('status_pages')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['url_name']), '=', urlName.toLowerCase()))
    .executeTakeFirst();
}

export async function listPages(q: Executor, accountId: number): Promise<PageRow[]> {
  return q
    .selectFrom('status_pages')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('page_id')
    .execute();
}

export async function sectionsOf(q: Executor, pageIds: readonly number[]): Promise<SectionRow[]> {
  if (pageIds.length === 0) return [];
  return q
    .selectFrom('status_page_sections')
    .selectAll()
    .where('page_id', 'in', [...pageIds])
    .orderBy('order_id')
    .orderBy('section_id')
    .execute();
}

export async function componentsOf(q: Executor, pageIds: readonly number[]): Promise<ComponentRow[]> {
  if (pageIds.length === 0) return [];
  return q
    .selectFrom('status_page_components')
    .selectAll()
    .where('page_id', 'in', [...pageIds])
    .orderBy('order_id')
    .orderBy('component_id')
    .execute();
}

export async function insertSection(q: Executor, row: Insertable<StatusPageSectionsTable>): Promise<void> {
  await q.insertInto('status_page_sections').values(row).execute();
}

export async function updateSection(
  q: Executor,
  sectionId: string,
  values: Updateable<StatusPageSectionsTable>,
): Promise<void> {
  await q.updateTable('status_page_sections').set(values).where('section_id', '=', sectionId).execute();
}

/** Deletes sections of a page; their components stay, outside any section. */
export async function deleteSections(
  q: Executor,
  pageId: number,
  sectionIds: readonly string[],
): Promise<void> {
  await q
    .updateTable('status_page_components')
    .set({ section_id: '' })
    .where('page_id', '=', pageId)
    .where('section_id', 'in', [...sectionIds])
    .execute();
  await q
    .deleteFrom('status_page_sections')
    .where('page_id', '=', pageId)
    .where('section_id', 'in', [...sectionIds])
    .execute();
}

export async function insertComponent(
  q: Executor,
  row: Insertable<StatusPageComponentsTable>,
): Promise<void> {
  await q.insertInto('status_page_components').values(row).execute();
}

export async function updateComponent(
  q: Executor,
  componentId: string,
  values: Updateable<StatusPageComponentsTable>,
): Promise<void> {
  await q.updateTable('status_page_components').set(values).where('component_id', '=', componentId).execute();
}

export async function deleteComponents(
  q: Executor,
  pageId: number,
  componentIds: readonly string[],
): Promise<void> {
  await q
    .deleteFrom('status_page_components')
    .where('page_id', '=', pageId)
    .where('component_id', 'in', [...componentIds])
    .execute();
}

/** Locks a page row for the rest of the transaction: edits of one page's structure and events run one at a time. */
export async function lockPage(q: Executor, accountId: number, pageId: number): Promise<PageRow | undefined> {
  return q
    .selectFrom('status_pages')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('page_id', '=', pageId)
    .forUpdate()
    .executeTakeFirst();
}
