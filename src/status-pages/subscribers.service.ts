import { sql } from 'kysely';
import type { Static } from 'typebox';
import { getMembers } from '../accounts/members.store.ts';
import type { Actor } from '../accounts/permissions.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import type { SubscriberMethod } from '../db/schema.ts';
import { toPage } from '../http/pagination.ts';
import { outboundUrlProblem } from '../notifications/providers/outbound-policy.ts';
import { AppError, invalidParameter } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newSecret } from '../shared/ids.ts';
import { confirmationMail } from './messages.ts';
import { enqueueConfirmation } from './notify.ts';
import { pageOf } from './pages.service.ts';
import { componentsOf, type PageRow } from './pages.store.ts';
import { toComponentItem } from './status-pages.mapper.ts';
import type {
  SubscriberDeleteRequest,
  SubscriberImportRequest,
  SubscriberListRequest,
  SubscriberListResponse,
} from './status-pages.schemas.ts';

/*
 * Subscribers: the management API (list, import, export as CSV) and the public self-service
 * subscription with double opt-in. docs/status-pages.md.
 */

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

const EMAIL = /^[^\s@"<>,;]+@[^\s@"<>,;]+\.[^\s@"<>,;]+$/;
const CSV_HEADER = ['Method', 'Recipient', 'Components', 'Subscribe All', 'Locale'];

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** A new subscriber's link secret: 128 random bits. */
const newToken = () => newSecret(16);

/** Subscribers whose scope covers any of these components (everything-subscribers included). */
function coversAny(componentIds: readonly string[]) {
  return sql<boolean>`(subscribe_all or jsonb_exists_any(component_ids, ${sql.val([...componentIds])}::text[]))`;
}

export async function listSubscribers(
  q: Executor,
  page: PageRow,
  input: Static<typeof SubscriberListRequest>,
): Promise<Static<typeof SubscriberListResponse>> {
  const paging = toPage(input, 10);
  const componentIds = (input.component_ids ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  let query = q
    .selectFrom('status_page_subscribers')
    .where('page_id', '=', page.page_id)
    .where('method', 'in', input.method ? [input.method] : ['email', 'im']);
  if (componentIds.length > 0) query = query.where(coversAny(componentIds));
  const [{ total }, rows, components] = await Promise.all([
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    query.selectAll().orderBy('subscriber_id').limit(paging.limit).offset(paging.offset).execute(),
    componentsOf(q, [page.page_id]),
  ]);
  const byId = new Map(components.map((c) => [c.component_id, c]));
  return {
    total: Number(total),
    has_next_page: paging.offset + rows.length < Number(total),
    items: rows.map((row) => ({
      recipient: row.recipient,
      method: row.method,
      components: row.component_ids.flatMap((id) => {
        const component = byId.get(id);
        return component ? [toComponentItem(component)] : [];
      }),
      all: row.subscribe_all,
      locale: row.locale,
      status: row.status,
      created_at: row.created_at,
    })),
  };
}

/**
 * Imports subscribers, active at once (whoever imports vouches for them: a list moved from another
 * system). A recipient already subscribed by the same method gets the imported scope. E-mail is for
 * public pages, IM (a member id) for internal ones, webhooks (an http(s) URL) for either.
 */
export async function importSubscribers(
  deps: Deps & { config: Pick<Config, 'outboundAllow'> },
  actor: Actor,
  input: SubscriberImportRequest,
): Promise<void> {
  const page = await pageOf(deps.db.q, actor, input.page_id);
  const method = input.method as SubscriberMethod;
  if (method === 'email' && page.type !== 'public') {
    throw invalidParameter(
      'method',
      'e-mail subscribers belong to public pages; an internal page has im subscribers',
    );
  }
  if (method === 'im' && page.type !== 'internal') {
    throw invalidParameter(
      'method',
      'im subscribers belong to internal pages; a public page has email subscribers',
    );
  }
  const subscribers = input.subscribers ?? [];
  const components = new Set((await componentsOf(deps.db.q, [page.page_id])).map((c) => c.component_id));
  const changeIds = new Set(
    (
      await deps.db.q
        .selectFrom('status_page_changes')
        .select('change_id')
        .where('page_id', '=', page.page_id)
        .execute()
    ).map((c) => c.change_id),
  );
  const members =
    method === 'im'
      ? new Set(
          (
            await getMembers(
              deps.db.q,
              actor.accountId,
              subscribers.map((s) => Number(s.recipient)).filter(Number.isSafeInteger),
            )
          ).map((m) => String(m.member_id)),
        )
      : new Set<string>();

  const now = nowSeconds(deps.clock);
  const rows = subscribers.map((subscriber, index) => {
    const field = `subscribers[${index}]`;
    const recipient = subscriber.recipient.trim();
    if (method === 'email' && !isEmail(recipient))
      throw invalidParameter(`${field}.recipient`, 'must be an e-mail address');
    if (method === 'im' && !members.has(recipient)) {
      throw invalidParameter(`${field}.recipient`, 'must be the id of a member of this account');
    }
    const urlProblem = method === 'webhook' && outboundUrlProblem(recipient, deps.config.outboundAllow);
    if (urlProblem) throw invalidParameter(`${field}.recipient`, urlProblem);
    const componentIds = subscriber.component_ids ?? [];
    const unknownComponent = componentIds.findIndex((id) => !components.has(id));
    if (unknownComponent >= 0) {
      throw invalidParameter(
        `${field}.component_ids[${unknownComponent}]`,
        'no such component on this status page',
      );
    }
    const events = subscriber.change_ids ?? [];
    const unknownEvent = events.findIndex((id) => !changeIds.has(id));
    if (unknownEvent >= 0)
      throw invalidParameter(`${field}.change_ids[${unknownEvent}]`, 'no such event on this status page');
    const scoped = componentIds.length > 0 || events.length > 0;
    if (subscriber.all === false && !scoped) {
      throw invalidParameter(`${field}.all`, 'must be true when component_ids and change_ids are both empty');
    }
    return {
      page_id: page.page_id,
      account_id: actor.accountId,
      method,
      recipient,
      subscribe_all: subscriber.all ?? !scoped,
      component_ids: JSON.stringify(componentIds),
      change_ids: JSON.stringify(events),
      locale: subscriber.locale ?? 'en-US',
      status: 'active' as const,
      token: newToken(),
      created_at: now,
      confirmed_at: now,
    };
  });
  if (rows.length === 0) return;
  // One row per recipient (the last one sent wins): an upsert may not touch a row twice.
  const unique = [...new Map(rows.map((row) => [row.recipient.toLowerCase(), row])).values()];
  await deps.db.q
    .insertInto('status_page_subscribers')
    .values(unique)
    .onConflict((oc) =>
      oc.expression(sql`page_id, method, lower(recipient)`).doUpdateSet((eb) => ({
        subscribe_all: eb.ref('excluded.subscribe_all'),
        component_ids: eb.ref('excluded.component_ids'),
        change_ids: eb.ref('excluded.change_ids'),
        locale: eb.ref('excluded.locale'),
        status: 'active',
        confirmed_at: eb.ref('excluded.confirmed_at'),
      })),
    )
    .execute();
}

/**
 * Removes subscribers of a page by method and recipient (case-insensitively, as they are unique),
 * pending or active; answers how many there were. A recipient the page does not have is no error:
 * it is not subscribed afterwards either way.
 */
export async function deleteSubscribers(
  deps: Deps,
  actor: Actor,
  input: SubscriberDeleteRequest,
): Promise<number> {
  const page = await pageOf(deps.db.q, actor, input.page_id);
  const recipients = [...new Set(input.recipients.map((r) => r.trim().toLowerCase()))];
  const result = await deps.db.q
    .deleteFrom('status_page_subscribers')
    .where('page_id', '=', page.page_id)
    .where('method', '=', input.method as SubscriberMethod)
    .where(sql<boolean>`lower(recipient) in (${sql.join(recipients.map((r) => sql.val(r)))})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The confirmed subscribers of a page as CSV (Method, Recipient, Components, Subscribe All, Locale);
 * Components holds component ids separated by ';'. Unconfirmed e-mail addresses are left out: they
 * never agreed to be written to.
 */
export async function exportSubscribers(
  q: Executor,
  page: PageRow,
  componentIds?: readonly string[],
): Promise<string> {
  let query = q
    .selectFrom('status_page_subscribers')
    .selectAll()
    .where('page_id', '=', page.page_id)
    .where('status', '=', 'active');
  if (componentIds && componentIds.length > 0) query = query.where(coversAny(componentIds));
  const rows = await query.orderBy('subscriber_id').execute();
  const lines = [CSV_HEADER.join(',')];
  for (const row of rows) {
    lines.push(
      [row.method, row.recipient, row.component_ids.join(';'), String(row.subscribe_all), row.locale]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export type SubscribeResult = 'confirmation-sent' | 'already-subscribed' | 'too-many-confirmations';

/**
 * Confirmation mails an address gets from one page in a day. The form is public: without a cap,
 * anyone could have Vigil mail a stranger again and again (and spoil the sender's reputation).
 */
export const CONFIRMATIONS_PER_DAY = 3;
const DAY_MS = 86_400_000;

/** Confirmation mails enqueued for this address on this page since `sinceMs`. */
async function confirmationsSince(q: Executor, pageId: number, email: string, sinceMs: number) {
  const { sent } = await q
    .selectFrom('status_page_notifications')
    .select((eb) => eb.fn.countAll<number>().as('sent'))
    .where('page_id', '=', pageId)
    .where('kind', '=', 'confirm')
    .where(sql<boolean>`lower(recipient) = ${email.toLowerCase()}`)
    .where('created_at', '>', sinceMs)
    .executeTakeFirstOrThrow();
  return Number(sent);
}

/**
 * A visitor subscribes an e-mail address on a public page: a pending subscriber and a mail with the
 * confirmation link; nothing is sent to the address until it is followed. Subscribing again while
 * pending sends a new link (and replaces the scope), up to CONFIRMATIONS_PER_DAY mails a day; past
 * that nothing changes (the earlier links stay valid).
 */
export async function subscribeByEmail(
  deps: Deps & { publicUrl: string },
  page: PageRow,
  request: { email: string; componentIds: readonly string[] },
): Promise<SubscribeResult> {
  const email = request.email.trim();
  if (!isEmail(email)) throw invalidParameter('email', 'must be an e-mail address');
  if (page.type !== 'public' || page.subscription.email === false) {
    throw new AppError('BadRequest', 'This page does not offer e-mail subscriptions.');
  }
  const known = new Set((await componentsOf(deps.db.q, [page.page_id])).map((c) => c.component_id));
  const componentIds = [...new Set(request.componentIds)].filter((id) => known.has(id));
  const now = nowSeconds(deps.clock);
  return deps.db.q.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('status_page_subscribers')
      .selectAll()
      .where('page_id', '=', page.page_id)
      .where('method', '=', 'email')
      .where(sql<boolean>`lower(recipient) = ${email.toLowerCase()}`)
      .forUpdate()
      .executeTakeFirst();
    if (existing?.status === 'active') return 'already-subscribed';
    // The row lock above serialises concurrent submissions for an address already pending; a first
    // submission has nothing sent yet to count.
    const nowMs = deps.clock.nowMs();
    if ((await confirmationsSince(trx, page.page_id, email, nowMs - DAY_MS)) >= CONFIRMATIONS_PER_DAY)
      return 'too-many-confirmations';
    const token = newToken();
    const scope = {
      subscribe_all: componentIds.length === 0,
      component_ids: JSON.stringify(componentIds),
      token,
    };
    let subscriberId: number;
    if (existing) {
      await trx
        .updateTable('status_page_subscribers')
        .set(scope)
        .where('subscriber_id', '=', existing.subscriber_id)
        .execute();
      subscriberId = existing.subscriber_id;
    } else {
      const inserted = await trx
        .insertInto('status_page_subscribers')
        .values({
          ...scope,
          page_id: page.page_id,
          account_id: page.account_id,
          method: 'email',
          recipient: email,
          change_ids: '[]',
          status: 'pending',
          created_at: now,
        })
        .returning('subscriber_id')
        .executeTakeFirstOrThrow();
      subscriberId = inserted.subscriber_id;
    }
    await enqueueConfirmation(trx, {
      accountId: page.account_id,
      pageId: page.page_id,
      subscriberId,
      recipient: email,
      payload: JSON.stringify(confirmationMail(page, deps.publicUrl, token)),
      nowMs,
    });
    return 'confirmation-sent';
  });
}

/** Follows a confirmation link: the subscriber of this page with this token becomes active. */
export async function confirmSubscription(deps: Deps, page: PageRow, token: string): Promise<boolean> {
  const result = await deps.db.q
    .updateTable('status_page_subscribers')
    .set({ status: 'active', confirmed_at: nowSeconds(deps.clock) })
    .where('page_id', '=', page.page_id)
    .where('token', '=', token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Ends the subscription with this token (whatever its method); false when there was none. */
export async function unsubscribe(deps: Deps, page: PageRow, token: string): Promise<boolean> {
  const result = await deps.db.q
    .deleteFrom('status_page_subscribers')
    .where('page_id', '=', page.page_id)
    .where('token', '=', token)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
