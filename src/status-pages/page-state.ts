import type { Db } from '../db/db.ts';
import { openChanges, withUpdates } from './changes.store.ts';
import { componentsOfChange } from './status-pages.mapper.ts';
import { type ComponentStatus, currentComponentStatuses } from './timeline.ts';

type Executor = Db['q'];

/**
 * The current status of every component of these pages that is not operational: the worst status
 * among the events in effect that touch it (timeline.ts `currentComponentStatuses`).
 */
export async function currentStatuses(
  q: Executor,
  pageIds: readonly number[],
  now: number,
): Promise<Map<string, ComponentStatus>> {
  const events = await withUpdates(q, await openChanges(q, pageIds));
  return currentComponentStatuses(
    events.map((event) => ({
      status: event.status,
      startAt: event.start_at_seconds,
      components: componentsOfChange(event),
    })),
    now,
  );
}
