import { type Insertable, sql } from 'kysely';
import { getMembers } from '../accounts/members.store.ts';
import type { Db } from '../db/db.ts';
import type { StatusPageNotificationsTable } from '../db/schema.ts';

/*
 * Enqueueing subscriber notifications, inside the transaction of the event or update they announce,
 * so a notification exists exactly when its update committed. Delivery (delivery.ts) runs on the
 * outbox of src/notifications/, as webhooks do. docs/status-pages.md.
 */

type Executor = Db['q'];

/** Rows per insert: statements have a parameter limit. */
const CHUNK = 1_000;

const listeners = new Set<() => void>();

/** Calls `listener` when notifications were enqueued in this process (the delivery worker wakes on it). */
export function onNotificationsEnqueued(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function wake(): void {
  for (const listener of listeners) listener();
}

async function insertNotifications(
  q: Executor,
  rows: Insertable<StatusPageNotificationsTable>[],
): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q
      .insertInto('status_page_notifications')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['subscriber_id', 'update_id']).where('kind', '=', 'update').doNothing())
      .execute();
  }
  if (rows.length > 0) wake();
}

/**
 * Enqueues an update of an event for every confirmed subscriber of the page whose scope covers it:
 * subscribed to everything, to one of the event's components, or to the event itself. IM
 * subscribers (members, on internal pages) are written to by e-mail until Vigil has IM providers.
 */
export async function enqueueUpdateNotifications(
  q: Executor,
  event: {
    accountId: number;
    pageId: number;
    changeId: number;
    updateId: string;
    componentIds: readonly string[];
    nowMs: number;
  },
): Promise<number> {
  const subscribers = await q
    .selectFrom('status_page_subscribers')
    .select(['subscriber_id', 'method', 'recipient'])
    .where('page_id', '=', event.pageId)
    .where('status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb('subscribe_all', '=', true),
        sql<boolean>`jsonb_exists_any(component_ids, ${sql.val([...event.componentIds])}::text[])`,
        sql<boolean>`change_ids @> ${JSON.stringify([event.changeId])}::jsonb`,
      ]),
    )
    .execute();
  const memberIds = subscribers.filter((s) => s.method === 'im').map((s) => Number(s.recipient));
  const emails = new Map(
    (await getMembers(q, event.accountId, memberIds)).map((m) => [String(m.member_id), m.email]),
  );
  const rows: Insertable<StatusPageNotificationsTable>[] = [];
  for (const subscriber of subscribers) {
    const recipient = subscriber.method === 'im' ? emails.get(subscriber.recipient) : subscriber.recipient;
    if (!recipient) continue; // a member who left, or has no e-mail
    rows.push({
      account_id: event.accountId,
      page_id: event.pageId,
      subscriber_id: subscriber.subscriber_id,
      kind: 'update',
      change_id: event.changeId,
      update_id: event.updateId,
      channel: subscriber.method === 'webhook' ? 'webhook' : 'email',
      recipient,
      next_attempt_at: event.nowMs,
      created_at: event.nowMs,
    });
  }
  await insertNotifications(q, rows);
  return rows.length;
}

/** Enqueues the double opt-in mail of a new e-mail subscriber, its content made now (it holds the link). */
export async function enqueueConfirmation(
  q: Executor,
  confirmation: {
    accountId: number;
    pageId: number;
    subscriberId: number;
    recipient: string;
    payload: string;
    nowMs: number;
  },
): Promise<void> {
  await insertNotifications(q, [
    {
      account_id: confirmation.accountId,
      page_id: confirmation.pageId,
      subscriber_id: confirmation.subscriberId,
      kind: 'confirm',
      channel: 'email',
      recipient: confirmation.recipient,
      payload: confirmation.payload,
      next_attempt_at: confirmation.nowMs,
      created_at: confirmation.nowMs,
    },
  ]);
}
