import type { Insertable } from 'kysely';
import type { Db } from '../db/db.ts';
import type { WebhookDeliveriesTable } from '../db/schema.ts';
import type { FeedEntry } from '../incidents/feed.store.ts';
import {
  ALERT_EVENT_TYPES,
  INCIDENT_EVENT_TYPES,
  storedWebhookSettings,
  type WebhookKind,
  type WebhookSettings,
  webhookKindOf,
} from './webhook-settings.ts';

/*
 * Turning feed entries into webhook deliveries, inside the transaction that writes the entries, so
 * a delivery exists exactly when its event committed. The enabled webhooks of an account are cached
 * for a second, so an account without webhooks costs a map lookup per entry. docs/webhooks.md.
 */

type Executor = Db['q'];

/** A feed entry with the ref_id it was stored under: the event's id. */
export type FeedEvent = FeedEntry & { refId: string };

export type WebhookConfig = { integrationId: number; kind: WebhookKind; settings: WebhookSettings };

/** How long an account's webhooks are reused before being read again. */
const CONFIG_TTL_MS = 1_000;
/** Beyond this many cached accounts the cache starts over (it only saves reads). */
const CONFIG_CACHE_MAX = 10_000;
/** Rows per insert: statements have a parameter limit. */
const CHUNK = 1000;

const configCache = new Map<number, { at: number; configs: Promise<WebhookConfig[]> }>();

/**
 * Forgets the cached webhooks of an account; the integration service calls it after a webhook is
 * created, changed, enabled, disabled or deleted in this process (other processes see it within
 * CONFIG_TTL_MS).
 */
export function forgetWebhookConfigs(accountId: number): void {
  configCache.delete(accountId);
}

const enqueuedListeners = new Set<() => void>();

/**
 * Calls `listener` whenever deliveries were enqueued in this process (the delivery worker wakes on
 * it); returns the function that stops it. The call comes before the enqueuing transaction commits,
 * which is why the worker waits a moment before looking (src/notifications/worker.ts).
 */
export function onWebhooksEnqueued(listener: () => void): () => void {
  enqueuedListeners.add(listener);
  return () => enqueuedListeners.delete(listener);
}

async function loadConfigs(
  q: Executor,
  accountIds: readonly number[],
): Promise<Map<number, WebhookConfig[]>> {
  const rows = await q
    .selectFrom('integrations')
    .select(['integration_id', 'account_id', 'plugin_type', 'settings'])
    .where('account_id', 'in', [...accountIds])
    .where('plugin_type', 'in', ['webhook.alert', 'webhook.incident'])
    .where('status', '=', 'enabled')
    .execute();
  const byAccount = new Map<number, WebhookConfig[]>(accountIds.map((id) => [id, []]));
  for (const row of rows) {
    byAccount.get(row.account_id)!.push({
      integrationId: row.integration_id,
      kind: webhookKindOf(row.plugin_type)!,
      settings: storedWebhookSettings(row.settings),
    });
  }
  return byAccount;
}

/** The enabled webhooks of these accounts: cached ones, the others read in one query. */
async function configsOf(q: Executor, accountIds: readonly number[]): Promise<Map<number, WebhookConfig[]>> {
  const now = Date.now();
  if (configCache.size + accountIds.length > CONFIG_CACHE_MAX) configCache.clear();
  const missing = accountIds.filter((id) => {
    const cached = configCache.get(id);
    return !cached || now - cached.at >= CONFIG_TTL_MS;
  });
  if (missing.length > 0) {
    const loading = loadConfigs(q, missing);
    for (const id of missing) {
      const configs = loading.then((byAccount) => byAccount.get(id) ?? []);
      configCache.set(id, { at: now, configs });
      configs.catch(() => {
        if (configCache.get(id)?.configs === configs) configCache.delete(id);
      });
    }
  }
  const pending = accountIds.map(async (id) => [id, await configCache.get(id)!.configs] as const);
  try {
    return new Map(await Promise.all(pending));
  } catch {
    // A read started by another transaction failed with it; this one reads for itself.
    return loadConfigs(q, accountIds);
  }
}

const ALERT_TYPES: ReadonlySet<string> = new Set(ALERT_EVENT_TYPES);
const INCIDENT_TYPES: ReadonlySet<string> = new Set(INCIDENT_EVENT_TYPES);

type Candidate = { entry: FeedEvent; kind: 'alert' | 'incident'; refId: string };

/**
 * The webhook events among feed entries: alert events name their alert, incident events their
 * incident. An alert joining an incident is written on the incident's feed (`a_merge` with
 * `detail.alert_id`), on the alert's, or on both (/alert/merge): it is one event, the first entry.
 */
function candidatesOf(entries: readonly FeedEvent[]): Candidate[] {
  const out: Candidate[] = [];
  const merged = new Set<string>();
  for (const entry of entries) {
    if (INCIDENT_TYPES.has(entry.type) && entry.incidentId) {
      out.push({ entry, kind: 'incident', refId: entry.incidentId });
    } else if (ALERT_TYPES.has(entry.type)) {
      const detailAlert = entry.detail?.alert_id;
      const alertId = entry.alertId ?? (typeof detailAlert === 'string' ? detailAlert : undefined);
      if (!alertId) continue;
      if (entry.type === 'a_merge') {
        if (merged.has(alertId)) continue;
        merged.add(alertId);
      }
      out.push({ entry, kind: 'alert', refId: alertId });
    }
  }
  return out;
}

/** What scoping needs to know of the alert or incident an event is about. */
type EventRef = { channelId: number; integrationId: number; title: string };

/** Whether a webhook wants an event: its kind, and each scope that is set (empty = everything). */
function wants(config: WebhookConfig, kind: WebhookKind, type: string, ref: EventRef): boolean {
  const { event_types, channel_ids, integration_ids } = config.settings;
  return (
    config.kind === kind &&
    (event_types.length === 0 || event_types.includes(type)) &&
    (channel_ids.length === 0 || channel_ids.includes(ref.channelId)) &&
    (kind !== 'alert' || integration_ids.length === 0 || integration_ids.includes(ref.integrationId))
  );
}

async function loadRefs(
  q: Executor,
  alertIds: readonly string[],
  incidentIds: readonly string[],
): Promise<Map<string, EventRef>> {
  const [alerts, incidents] = await Promise.all([
    alertIds.length === 0
      ? []
      : q
          .selectFrom('alerts')
          .select(['alert_id as id', 'channel_id', 'integration_id', 'title'])
          .where('alert_id', 'in', [...new Set(alertIds)])
          .execute(),
    incidentIds.length === 0
      ? []
      : q
          .selectFrom('incidents')
          .select(['incident_id as id', 'channel_id', 'integration_id', 'title'])
          .where('incident_id', 'in', [...new Set(incidentIds)])
          .execute(),
  ]);
  return new Map(
    [...alerts, ...incidents].map((r) => [
      r.id,
      { channelId: r.channel_id, integrationId: r.integration_id, title: r.title },
    ]),
  );
}

/**
 * Enqueues a delivery for every enabled webhook that wants one of these events (feed entries of
 * any accounts), in one insert per thousand rows. An event already enqueued for a webhook is left
 * as it is (unique per webhook and event id). Returns how many deliveries it added.
 */
export async function enqueueWebhookEvents(q: Executor, events: readonly FeedEvent[]): Promise<number> {
  const candidates = candidatesOf(events);
  if (candidates.length === 0) return 0;
  const configs = await configsOf(q, [...new Set(candidates.map((c) => c.entry.accountId))]);
  const relevant = candidates.filter(({ entry, kind }) =>
    configs.get(entry.accountId)!.some((config) => config.kind === kind),
  );
  if (relevant.length === 0) return 0;

  const refs = await loadRefs(
    q,
    relevant.flatMap(({ kind, refId }) => (kind === 'alert' ? [refId] : [])),
    relevant.flatMap(({ kind, refId }) => (kind === 'incident' ? [refId] : [])),
  );
  const rows: Insertable<WebhookDeliveriesTable>[] = [];
  for (const { entry, kind, refId } of relevant) {
    const ref = refs.get(refId) ?? { channelId: 0, integrationId: 0, title: '' };
    for (const config of configs.get(entry.accountId)!) {
      if (!wants(config, kind, entry.type, ref)) continue;
      rows.push({
        account_id: entry.accountId,
        integration_id: config.integrationId,
        event_id: entry.refId,
        event_type: entry.type,
        webhook_type: kind,
        event_time: entry.atMs,
        channel_id: ref.channelId,
        ref_id: refId,
        ref_title: ref.title,
        person_id: entry.creatorId ?? 0,
        endpoint: config.settings.url,
        request_headers: JSON.stringify(
          withIdempotencyKey(
            requestHeaders(config.settings.headers),
            webhookKey(config.integrationId, entry.refId),
          ),
        ),
        next_attempt_at: entry.atMs,
        created_at: entry.atMs,
      });
    }
  }
  for (let i = 0; i < rows.length; i += CHUNK) {
    await q
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.columns(['integration_id', 'event_id']).doNothing())
      .execute();
  }
  if (rows.length > 0) for (const listener of enqueuedListeners) listener();
  return rows.length;
}

/** The headers every delivery carries, then the webhook's own. */
function requestHeaders(custom: Record<string, string>): Record<string, string> {
  return { 'Content-Type': 'application/json', 'User-Agent': 'Vigil-Webhook/1.0', ...custom };
}

/**
 * A delivery's identity, the same at every attempt: its unique (webhook, event) pair. Sent as the
 * `Idempotency-Key` header; receivers may equally deduplicate on the body's `event_id`.
 */
export function webhookKey(integrationId: number, eventId: string): string {
  return `vigil-webhook-${integrationId}-${eventId}`;
}

/** The headers with `Idempotency-Key: key` added, unless the webhook's own headers set one. */
export function withIdempotencyKey(headers: Record<string, string>, key: string): Record<string, string> {
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key')) return headers;
  return { ...headers, 'Idempotency-Key': key };
}
