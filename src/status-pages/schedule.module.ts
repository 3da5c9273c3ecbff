import type { Db } from '../db/db.ts';
import type { EngineModule } from '../jobs/engine.ts';
import { newUlid } from '../shared/ids.ts';
import { storeReplay } from './changes.service.ts';
import {
  type ChangeRow,
  claimDueSchedules,
  insertUpdates,
  type UpdateRow,
  withUpdates,
} from './changes.store.ts';
import { enqueueUpdateNotifications } from './notify.ts';
import { pageChanged } from './page-cache.ts';
import { timelineOf } from './page-view.ts';
import { replay } from './timeline.ts';

/*
 * Maintenance that follows its schedule (auto_update_by_schedule): at the planned start a scheduled
 * maintenance goes on (scheduled → ongoing), at the planned end it completes (ongoing → completed,
 * its components back to operational), each step an update written by the system. The pending
 * steps are flags on the event's row — timers as rows, read by this engine module at the injected
 * clock's time; a manual status change clears the step it makes moot (changes.service.ts
 * `storeReplay`), deleting the event removes them. Rows are claimed FOR UPDATE SKIP LOCKED, so any
 * number of instances may run it. docs/status-pages.md.
 */

/** Events advanced per run; the next cycle takes the rest. */
const BATCH = 100;

const STARTED = 'The scheduled maintenance has started.';
const COMPLETED = 'The scheduled maintenance has been completed.';

/** The system's updates that are due for one event, in order (both when its whole window has passed). */
function dueSteps(change: ChangeRow, updates: readonly UpdateRow[], now: number): UpdateRow[] {
  const steps: UpdateRow[] = [];
  let status = change.status;
  let lastAt = updates.at(-1)?.at_seconds ?? change.start_at_seconds;
  const step = (
    at: number,
    next: string,
    description: string,
    componentChanges: UpdateRow['component_changes'],
  ) => {
    lastAt = Math.max(at, lastAt);
    status = next;
    steps.push({
      update_id: newUlid(),
      change_id: change.change_id,
      account_id: change.account_id,
      at_seconds: lastAt,
      status: next,
      description,
      component_changes: componentChanges,
      creator_id: 0,
      created_at: now,
    });
  };
  if (change.auto_start_pending && status === 'scheduled' && change.start_at_seconds <= now) {
    step(change.start_at_seconds, 'ongoing', STARTED, []);
  }
  if (
    change.auto_end_pending &&
    status === 'ongoing' &&
    change.planned_close_at > 0 &&
    change.planned_close_at <= now
  ) {
    // Completing requires every affected component to be operational again.
    const impaired = [
      ...replay('maintenance', change.start_at_seconds, timelineOf({ ...change, updates: [...updates] }))
        .components,
    ]
      .filter(([, componentStatus]) => componentStatus !== 'operational')
      .map(([component_id]) => ({ component_id, status: 'operational' }));
    step(change.planned_close_at, 'completed', COMPLETED, impaired);
  }
  return steps;
}

/** Takes every schedule step due at `nowMs`; answers how many events it advanced. */
async function advanceSchedules(db: Db, nowMs: number): Promise<number> {
  const now = Math.floor(nowMs / 1000);
  const changed = await db.q.transaction().execute(async (trx) => {
    const due = await withUpdates(trx, await claimDueSchedules(trx, now, BATCH));
    const pages: number[] = [];
    for (const change of due) {
      const steps = dueSteps(change, change.updates, now);
      const updates = [...change.updates, ...steps];
      const replayed = replay('maintenance', change.start_at_seconds, timelineOf({ ...change, updates }));
      // Whatever happens, the steps that were due are taken: none is tried again.
      const flags = {
        auto_start_pending: change.auto_start_pending && change.start_at_seconds > now,
        auto_end_pending: change.auto_end_pending && !(change.planned_close_at <= now),
      };
      if (steps.length === 0 || replayed.violation) {
        await storeReplay(
          trx,
          change,
          replay('maintenance', change.start_at_seconds, timelineOf(change)),
          now,
          flags,
        );
        continue;
      }
      await insertUpdates(
        trx,
        steps.map((s) => ({ ...s, component_changes: JSON.stringify(s.component_changes) })),
      );
      await storeReplay(trx, change, replayed, now, flags);
      if (change.notify_subscribers) {
        for (const s of steps) {
          await enqueueUpdateNotifications(trx, {
            accountId: change.account_id,
            pageId: change.page_id,
            changeId: change.change_id,
            updateId: s.update_id,
            componentIds: [...replayed.components.keys()],
            nowMs,
          });
        }
      }
      pages.push(change.page_id);
    }
    return pages;
  });
  for (const pageId of new Set(changed)) await pageChanged(pageId);
  return changed.length;
}

export const maintenanceScheduleModule: EngineModule = {
  name: 'status-page-schedule',
  run: ({ db }, nowMs) => advanceSchedules(db, nowMs),
};
