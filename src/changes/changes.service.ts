import type { Db } from '../db/db.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newObjectId } from '../shared/ids.ts';
import type { ChangeEventInput } from './change-event.ts';
import {
  insertChangeEvent,
  insertChangeIfAbsent,
  lockChange,
  sequencedEvents,
  stateOf,
  updateChange,
} from './changes.store.ts';
import { applyEvent, arrivesInOrder, foldChange } from './merge.ts';

type Executor = Db['q'];

/** SQLSTATEs after which the same transaction may simply be tried again. */
const RETRYABLE = new Set(['40P01', '40001']); // deadlock detected, serialization failure
const MAX_ATTEMPTS = 3;

export type RecordedChangeEvent = { changeId: string; eventId: string };

/**
 * Records one change event in the caller's transaction: the first event of a key creates its
 * change; a later one is appended under the change's row lock (so concurrent events of one key, on
 * one instance or many, are applied one after the other) and the change's state is merged again —
 * from the stored state when the event is the latest, from every event when it arrived out of order.
 */
async function applyChangeEvent(
  q: Executor,
  integration: IntegrationRow,
  event: ChangeEventInput,
  clock: Clock,
): Promise<RecordedChangeEvent> {
  const now = nowSeconds(clock);
  const eventId = newObjectId(clock.nowMs());
  const row = { accountId: integration.account_id, integrationId: integration.integration_id };
  const changeId = newObjectId(clock.nowMs());
  const created = await insertChangeIfAbsent(q, {
    ...row,
    changeId,
    changeKey: event.changeKey,
    state: applyEvent(undefined, event),
    now,
  });
  if (created) {
    await insertChangeEvent(q, { ...row, eventId, changeId, seq: 1, event, now });
    return { changeId, eventId };
  }
  const change = await lockChange(q, integration.integration_id, event.changeKey);
  if (!change) throw new Error(`the change of key ${event.changeKey} vanished while being merged`);
  const seq = change.event_cnt + 1;
  await insertChangeEvent(q, { ...row, eventId, changeId: change.change_id, seq, event, now });
  const current = stateOf(change);
  const next = arrivesInOrder(current, event)
    ? applyEvent(current, event)
    : foldChange(await sequencedEvents(q, change.change_id));
  await updateChange(q, change.change_id, next, seq, now);
  return { changeId: change.change_id, eventId };
}

/**
 * Stores a change event and merges it into its change, in one transaction: the promise settles
 * after the commit, so a 200 answer means the event is durable. Deadlocks and serialization
 * failures (possible only against other writers of the same rows) are retried.
 */
export async function recordChangeEvent(
  deps: { db: Db; clock: Clock },
  integration: IntegrationRow,
  event: ChangeEventInput,
): Promise<RecordedChangeEvent> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.q
        .transaction()
        .execute((trx) => applyChangeEvent(trx, integration, event, deps.clock));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
    }
  }
}
