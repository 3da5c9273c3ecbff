import { sql } from 'kysely';
import { type AlertSource, applyAlertEvent, type EventOutcome } from '../alerts/apply-event.ts';
import type { ChannelRow } from '../channels/channels.store.ts';
import type { Db } from '../db/db.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import { compileRoute, type RouteCase } from '../integrations/route-match.ts';
import { getRoutes } from '../integrations/routes.store.ts';
import type { Clock } from '../shared/clock.ts';
import type { AlertEventInput } from './event.ts';
import { GroupCommit } from './group-commit.ts';

type Executor = Db['q'];

/**
 * The enabled channels an event goes to: a private integration's own channel, or where a shared
 * integration's route sends it (cases in order, else its default channels).
 */
async function targetChannels(
  q: Executor,
  integration: IntegrationRow,
  event: AlertEventInput,
): Promise<ChannelRow[]> {
  let channelIds: number[];
  if (integration.channel_id > 0) {
    channelIds = [integration.channel_id];
  } else {
    const [route] = await getRoutes(q, integration.account_id, [integration.integration_id]);
    if (!route) return [];
    const cases = route.cases as RouteCase[];
    const byName = cases.some((c) => c.routing_mode === 'name_mapping')
      ? new Map(
          (
            await q
              .selectFrom('channels')
              .select(['channel_id', 'channel_name'])
              .where('account_id', '=', integration.account_id)
              .where('status', '=', 'enabled')
              .execute()
          ).map((c) => [c.channel_name, c.channel_id]),
        )
      : undefined;
    channelIds = compileRoute({ cases, default: { channel_ids: route.default_channel_ids } }).route(
      {
        severity: event.severity,
        title: event.title,
        description: event.description,
        labels: event.labels,
        alert_key: event.alertKey,
        integration_id: integration.integration_id,
      },
      byName,
    );
  }
  if (channelIds.length === 0) return [];
  const channels = await q
    .selectFrom('channels')
    .selectAll()
    .where('account_id', '=', integration.account_id)
    .where('channel_id', 'in', channelIds)
    .where('status', '=', 'enabled')
    .orderBy('channel_id')
    .execute();
  return channels;
}

export type IngestResult = { alertKey: string; outcomes: EventOutcome[]; dropped: boolean };

export type IngestJob = { integration: IntegrationRow; event: AlertEventInput };

/**
 * One event, inside the caller's transaction: to each channel it is routed to, or dropped and
 * counted on the integration when no route accepts it (or its channel is disabled) — not refused.
 */
async function processAlertEvent(q: Executor, job: IngestJob, clock: Clock): Promise<IngestResult> {
  const { integration, event } = job;
  const nowMs = clock.nowMs();
  const channels = await targetChannels(q, integration, event);
  if (channels.length === 0) {
    await q
      .updateTable('integrations')
      .set({ dropped_event_cnt: sql`dropped_event_cnt + 1` })
      .where('integration_id', '=', integration.integration_id)
      .execute();
    return { alertKey: event.alertKey, outcomes: [], dropped: true };
  }
  const source: AlertSource = {
    accountId: integration.account_id,
    integrationId: integration.integration_id,
    integrationType: integration.plugin_type,
  };
  const outcomes: EventOutcome[] = [];
  for (const channel of channels) outcomes.push(await applyAlertEvent(q, source, channel, event, nowMs));
  return { alertKey: event.alertKey, outcomes, dropped: false };
}

/**
 * The ingestion entry point of one process: events are processed in arrival order through group
 * commit (src/ingest/group-commit.ts), and each submit resolves once its events are committed.
 */
export class AlertIngestor {
  readonly #queue: GroupCommit<IngestJob, IngestResult>;

  constructor(deps: { db: Db; clock: Clock }) {
    this.#queue = new GroupCommit(deps.db, (q, job) => processAlertEvent(q, job, deps.clock));
  }

  ingest(integration: IntegrationRow, events: readonly AlertEventInput[]): Promise<IngestResult[]> {
    return Promise.all(events.map((event) => this.#queue.submit({ integration, event })));
  }
}
