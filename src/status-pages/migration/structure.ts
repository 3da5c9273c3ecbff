import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import { AppError } from '../../shared/app-error.ts';
import { type Clock, nowSeconds } from '../../shared/clock.ts';
import { newUlid } from '../../shared/ids.ts';
import { createChange } from '../changes.service.ts';
import { pageChanged } from '../page-cache.ts';
import { withLockedPage } from '../pages.service.ts';
import {
  componentsOf,
  findPage,
  insertComponent,
  insertPage,
  insertSection,
  sectionsOf,
} from '../pages.store.ts';
import { isMaintenance, toChangeRequest } from './history.ts';
import { type LinkKind, linksOf, saveLink } from './migration.store.ts';
import {
  readComponents,
  readGroups,
  readIncidents,
  readPage,
  type SpGroup,
  type SpPage,
  type StatuspageClient,
} from './statuspage-client.ts';

/*
 * The structure-and-history migration's steps: the page, its sections (Statuspage's component
 * groups), its components, then its incidents and its maintenances as events. Every object created
 * is linked to its Statuspage id in the same transaction (migration.store.ts), so a run after a
 * crash or a second migration of the same page creates nothing twice.
 */

export type StepDeps = { db: Db; clock: Clock; client: StatuspageClient };

/** What a step reports as it goes; `checkpoint` stops the run (throws) once the job was cancelled. */
export type Progress = {
  counters: {
    completed_steps: number;
    components_imported: number;
    sections_imported: number;
    incidents_imported: number;
    maintenances_imported: number;
    subscribers_imported: number;
    subscribers_skipped: number;
  };
  warn(message: string): void;
  checkpoint(phase: 'structure' | 'history' | 'subscribers', targetPageId?: number): Promise<void>;
};

export const STRUCTURE_STEPS = 5;

/** A reason the job cannot run, shown as its error. */
export class MigrationRefused extends Error {}

const NAME_MAX = 255;
const DESCRIPTION_MAX = 1_000;
/** Progress is saved (and the lease renewed) at least every this many objects. */
const CHECKPOINT_EVERY = 20;

type Context = {
  deps: StepDeps;
  actor: Actor;
  sourcePageId: string;
  /** The url_name the caller asked for, or '' (Statuspage's subdomain). */
  urlName: string;
  links: Map<string, string>;
};

async function link(trx: Db['q'], ctx: Context, kind: LinkKind, sourceId: string, targetId: string) {
  await saveLink(trx, {
    accountId: ctx.actor.accountId,
    sourcePageId: ctx.sourcePageId,
    kind,
    sourceId,
    targetId,
  });
  ctx.links.set(`${kind}:${sourceId}`, targetId);
}

/** A url_name for the new page: Statuspage's subdomain when it is free, else with a suffix. */
function urlNameOf(source: SpPage, asked: string, attempt: number): string {
  if (asked) return asked;
  const base =
    (source.subdomain ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[-_]+/, '')
      .slice(0, 60) || `statuspage-${source.id.toLowerCase().replace(/[^a-z0-9]+/g, '')}`;
  return attempt === 0 ? base : `${base}-${newUlid().slice(-6).toLowerCase()}`;
}

async function targetPage(ctx: Context, source: SpPage): Promise<number> {
  const { db, clock } = ctx.deps;
  const linked = Number(ctx.links.get(`page:${ctx.sourcePageId}`) ?? 0);
  if (linked && (await findPage(db.q, ctx.actor.accountId, linked))) return linked;
  for (let attempt = 0; ; attempt += 1) {
    const now = nowSeconds(clock);
    try {
      const pageId = await db.q.transaction().execute(async (trx) => {
        const id = await insertPage(trx, {
          account_id: ctx.actor.accountId,
          name: source.name.trim().slice(0, NAME_MAX) || ctx.sourcePageId,
          url_name: urlNameOf(source, ctx.urlName, attempt),
          type: 'public',
          date_view: 'list',
          display_uptime_mode: 'chart_and_percentage',
          custom_links: '[]',
          subscription: JSON.stringify({ email: true }),
          creator_id: ctx.actor.memberId,
          created_at: now,
          updated_at: now,
        });
        await link(trx, ctx, 'page', ctx.sourcePageId, String(id));
        return id;
      });
      pageChanged(pageId);
      return pageId;
    } catch (error) {
      if (!isUniqueViolation(error, 'status_pages_url_name_key')) throw error;
      if (ctx.urlName)
        throw new MigrationRefused(`url_name ${ctx.urlName} is already used by another status page`);
      if (attempt >= 4) throw error;
    }
  }
}

async function migrateSections(ctx: Context, pageId: number, groups: SpGroup[], progress: Progress) {
  const existing = new Set((await sectionsOf(ctx.deps.db.q, [pageId])).map((s) => s.section_id));
  for (const [index, group] of groups.entries()) {
    const linked = ctx.links.get(`section:${group.id}`);
    if (!linked || !existing.has(linked)) {
      await withLockedPage(ctx.deps, ctx.actor, pageId, async (trx) => {
        const now = nowSeconds(ctx.deps.clock);
        const sectionId = newUlid();
        await insertSection(trx, {
          section_id: sectionId,
          page_id: pageId,
          account_id: ctx.actor.accountId,
          name: group.name.trim().slice(0, NAME_MAX) || group.id,
          description: (group.description ?? '').slice(0, DESCRIPTION_MAX),
          order_id: index,
          created_at: now,
          updated_at: now,
        });
        await link(trx, ctx, 'section', group.id, sectionId);
      });
    }
    progress.counters.sections_imported += 1;
    if (index % CHECKPOINT_EVERY === CHECKPOINT_EVERY - 1) await progress.checkpoint('structure');
  }
}

const byPosition = <T extends { position?: number | null }>(items: T[]) =>
  [...items].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));

export async function migrateStructure(
  deps: StepDeps,
  actor: Actor,
  source: { pageId: string; urlName: string },
  progress: Progress,
): Promise<void> {
  const sourcePageId = source.pageId;
  const ctx: Context = {
    deps,
    actor,
    sourcePageId,
    urlName: source.urlName,
    links: await linksOf(deps.db.q, actor.accountId, sourcePageId),
  };
  const page = await readPage(deps.client, sourcePageId);
  const pageId = await targetPage(ctx, page);
  progress.counters.completed_steps = 1;
  await progress.checkpoint('structure', pageId);

  // Groups come from /component-groups, and as components with `group: true` in older pages.
  const [groupList, all] = await Promise.all([
    readGroups(deps.client, sourcePageId),
    readComponents(deps.client, sourcePageId),
  ]);
  const groups = new Map<string, SpGroup>(groupList.map((g) => [g.id, g]));
  for (const c of all) if (c.group && !groups.has(c.id)) groups.set(c.id, c);
  await migrateSections(ctx, pageId, byPosition([...groups.values()]), progress);
  progress.counters.completed_steps = 2;
  await progress.checkpoint('structure');

  const components = byPosition(all.filter((c) => !c.group && !groups.has(c.id)));
  const existing = new Set((await componentsOf(deps.db.q, [pageId])).map((c) => c.component_id));
  for (const [index, component] of components.entries()) {
    const linked = ctx.links.get(`component:${component.id}`);
    if (!linked || !existing.has(linked)) {
      await withLockedPage(deps, actor, pageId, async (trx) => {
        const now = nowSeconds(deps.clock);
        const componentId = newUlid();
        await insertComponent(trx, {
          component_id: componentId,
          page_id: pageId,
          account_id: actor.accountId,
          name: component.name.trim().slice(0, NAME_MAX) || component.id,
          description: (component.description ?? '').slice(0, DESCRIPTION_MAX),
          section_id: (component.group_id && ctx.links.get(`section:${component.group_id}`)) || '',
          order_id: index,
          hide_all: component.only_show_if_degraded === true,
          available_since_seconds: now,
          created_at: now,
          updated_at: now,
        });
        await link(trx, ctx, 'component', component.id, componentId);
      });
    }
    progress.counters.components_imported += 1;
    if (index % CHECKPOINT_EVERY === CHECKPOINT_EVERY - 1) await progress.checkpoint('structure');
  }
  progress.counters.completed_steps = 3;
  await progress.checkpoint('history');

  await migrateHistory(ctx, pageId, progress);
}

/** Incidents (step 4), then maintenances (step 5), each as a Vigil event with its whole timeline. */
async function migrateHistory(ctx: Context, pageId: number, progress: Progress): Promise<void> {
  const { deps, actor } = ctx;
  const incidents = await readIncidents(deps.client, ctx.sourcePageId);
  const present = new Set(
    (
      await deps.db.q
        .selectFrom('status_page_changes')
        .select('change_id')
        .where('page_id', '=', pageId)
        .execute()
    ).map((c) => String(c.change_id)),
  );
  const onPage = new Set((await componentsOf(deps.db.q, [pageId])).map((c) => c.component_id));
  const componentIds = new Map<string, string>();
  for (const [key, target] of ctx.links) {
    if (key.startsWith('component:') && onPage.has(target))
      componentIds.set(key.slice('component:'.length), target);
  }
  const oldestFirst = [...incidents].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
  for (const kind of ['incident', 'maintenance'] as const) {
    const events = oldestFirst.filter((i) => (kind === 'maintenance') === isMaintenance(i));
    for (const [index, event] of events.entries()) {
      const linked = ctx.links.get(`${kind}:${event.id}`);
      let imported = Boolean(linked && present.has(linked));
      if (!imported) {
        const mapped = toChangeRequest(pageId, event, componentIds);
        if ('skipped' in mapped)
          progress.warn(`${kind} ${event.id} (${event.name}) not migrated: ${mapped.skipped}`);
        else {
          try {
            await createChange(deps, actor, mapped.request, (trx, _page, changeId) =>
              link(trx, ctx, kind, event.id, String(changeId)),
            );
            imported = true;
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            progress.warn(`${kind} ${event.id} (${event.name}) not migrated: ${error.message}`);
          }
        }
      }
      if (imported)
        progress.counters[kind === 'incident' ? 'incidents_imported' : 'maintenances_imported'] += 1;
      if (index % CHECKPOINT_EVERY === CHECKPOINT_EVERY - 1) await progress.checkpoint('history');
    }
    progress.counters.completed_steps += 1;
    await progress.checkpoint('history');
  }
}
