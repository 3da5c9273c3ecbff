import type { Actor } from '../../accounts/permissions.ts';
import type { OutboundAllow } from '../../notifications/providers/outbound-policy.ts';
import { componentsOf, findPage } from '../pages.store.ts';
import { importSubscribers, isEmail } from '../subscribers.service.ts';
import { linksOf } from './migration.store.ts';
import { readEmailSubscribers, readPage } from './statuspage-client.ts';
import { MigrationRefused, type Progress, type StepDeps } from './structure.ts';

/*
 * The e-mail subscriber migration's steps: check both pages, then import Statuspage's active e-mail
 * subscribers into the target page, active at once (as /status-page/subscriber/import does). A
 * subscriber scoped to components keeps the components an earlier structure migration of the same
 * Statuspage page created on the target page; one the page already has, or whose address is not
 * one, is skipped and counted.
 */

export const SUBSCRIBER_STEPS = 2;

/** Subscribers imported per call (the import operation's own limit). */
const BATCH = 1_000;

export async function migrateSubscribers(
  deps: StepDeps & { outboundAllow: OutboundAllow },
  actor: Actor,
  sourcePageId: string,
  targetPageId: number,
  progress: Progress,
): Promise<void> {
  const page = await findPage(deps.db.q, actor.accountId, targetPageId);
  if (!page) throw new MigrationRefused(`status page ${targetPageId} no longer exists`);
  if (page.type !== 'public') {
    throw new MigrationRefused(
      `status page ${targetPageId} is internal; e-mail subscribers belong to public pages`,
    );
  }
  await readPage(deps.client, sourcePageId);
  progress.counters.completed_steps = 1;
  await progress.checkpoint('subscribers');

  const subscribers = await readEmailSubscribers(deps.client, sourcePageId);
  const onPage = new Set((await componentsOf(deps.db.q, [targetPageId])).map((c) => c.component_id));
  const links = await linksOf(deps.db.q, actor.accountId, sourcePageId);
  const taken = new Set(
    (
      await deps.db.q
        .selectFrom('status_page_subscribers')
        .select('recipient')
        .where('page_id', '=', targetPageId)
        .where('method', '=', 'email')
        .execute()
    ).map((s) => s.recipient.toLowerCase()),
  );
  const batch: { recipient: string; component_ids: string[]; all: boolean }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await importSubscribers({ ...deps, config: { outboundAllow: deps.outboundAllow } }, actor, {
      page_id: targetPageId,
      method: 'email',
      subscribers: batch,
    });
    progress.counters.subscribers_imported += batch.length;
    batch.length = 0;
    await progress.checkpoint('subscribers');
  };
  for (const subscriber of subscribers) {
    const email = (subscriber.email ?? '').trim();
    if (!isEmail(email) || taken.has(email.toLowerCase())) {
      progress.counters.subscribers_skipped += 1;
      continue;
    }
    taken.add(email.toLowerCase());
    const componentIds = (subscriber.components ?? [])
      .map((c) => links.get(`component:${typeof c === 'string' ? c : c.id}`))
      .filter((id): id is string => id !== undefined && onPage.has(id));
    batch.push({ recipient: email, component_ids: componentIds, all: componentIds.length === 0 });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  progress.counters.completed_steps = 2;
}
