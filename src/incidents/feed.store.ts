import { sql } from 'kysely';
import { enqueueNotifyRuleEvents } from '../channels/notify/notify-rules.fire.ts';
import type { Db } from '../db/db.ts';
import { type Write, writeTogether } from '../db/statements.ts';
import { newObjectId } from '../shared/ids.ts';
import { enqueueWebhookEvents, type FeedEvent } from '../webhooks/webhooks.enqueue.ts';

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

/**
 * Appends timeline entries, and in the same transaction the outbound webhook deliveries they are
 * events for (src/webhooks/; an entry's ref_id is its event_id).
 */
export async function addFeedEntries(q: Executor, entries: readonly FeedEntry[]): Promise<void> {
  const events = feedEvents(entries);
  await writeTogether(q, [insertFeedSql(events)]);
  await enqueueWebhookEvents(q, events);
  await enqueueNotifyRuleEvents(q, events);
}

/** Feed entries with the ids they are stored under (each an event's id for webhooks). */
export function feedEvents(entries: readonly FeedEntry[]): FeedEvent[] {
  return entries.map((entry) => ({ ...entry, refId: newObjectId(entry.atMs) }));
}

/**
 * The insert of addFeedEntries as a statement to run with others (src/db/statements.ts); the
 * caller then enqueues their webhooks (enqueueWebhookEvents) in the same transaction.
 */
export function insertFeedSql(events: readonly FeedEvent[]): Write {
  if (events.length === 0) return null;
  const col = <T>(pick: (e: FeedEvent) => T) => events.map(pick);
  // One array per column: the statement's text is the same for any number of entries.
  return sql`insert into feed_entries (ref_id, account_id, incident_id, alert_id, type, detail, creator_id, created_at)
    select * from unnest(${col((e) => e.refId)}::text[], ${col((e) => e.accountId)}::bigint[],
                         ${col((e) => e.incidentId ?? null)}::text[], ${col((e) => e.alertId ?? null)}::text[],
                         ${col((e) => e.type)}::text[], ${col((e) => JSON.stringify(e.detail ?? {}))}::jsonb[],
                         ${col((e) => e.creatorId ?? 0)}::bigint[], ${col((e) => e.atMs)}::bigint[])`;
}
