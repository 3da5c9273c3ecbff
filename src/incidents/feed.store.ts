import type { Db } from '../db/db.ts';
import { newObjectId } from '../shared/ids.ts';
import { enqueueWebhookEvents } from '../webhooks/webhooks.enqueue.ts';

type Executor = Db['q'];

/** One timeline entry of an incident and/or an alert (times in milliseconds, as Flashduty's feeds). */
export type FeedEntry = {
  accountId: number;
  incidentId?: string | null | undefined;
  alertId?: string | null | undefined;
  type: string;
  detail?: Record<string, unknown>;
  creatorId?: number;
  atMs: number;
};

/** Rows per insert: a merge of many alerts writes one entry per alert, and statements have a size limit. */
const CHUNK = 1000;

/**
 * Appends timeline entries, and in the same transaction the outbound webhook deliveries they are
 * events for (src/webhooks/; an entry's ref_id is its event_id).
 */
export async function addFeedEntries(q: Executor, entries: readonly FeedEntry[]): Promise<void> {
  const events = entries.map((entry) => ({ ...entry, refId: newObjectId(entry.atMs) }));
  for (let i = 0; i < events.length; i += CHUNK) await insertChunk(q, events.slice(i, i + CHUNK));
  await enqueueWebhookEvents(q, events);
}

async function insertChunk(q: Executor, entries: readonly (FeedEntry & { refId: string })[]): Promise<void> {
  if (entries.length === 0) return;
  await q
    .insertInto('feed_entries')
    .values(
      entries.map((e) => ({
        ref_id: e.refId,
        account_id: e.accountId,
        incident_id: e.incidentId ?? null,
        alert_id: e.alertId ?? null,
        type: e.type,
        detail: JSON.stringify(e.detail ?? {}),
        creator_id: e.creatorId ?? 0,
        created_at: e.atMs,
      })),
    )
    .execute();
}
