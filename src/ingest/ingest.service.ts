import { sql } from 'kysely';
import { type AlertUnit, applyAlertBatch, groupingFactsOf } from '../alerts/apply-batch.ts';
import type { EventOutcome } from '../alerts/apply-event.ts';
import type { AlertSource } from '../alerts/transitions.ts';
import type { ChannelRow } from '../channels/channels.store.ts';
import { channelsWithRules } from '../channels/rules/rules.store.ts';
import type { Db } from '../db/db.ts';
import { tablesGrew } from '../db/table-maintenance.ts';
import { type GroupConfig, groupingText } from '../incidents/grouping.ts';
import { findIntegrationByKey } from '../integrations/integrations.service.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import { type CompiledRoute, compileRoute, type RouteCase } from '../integrations/route-match.ts';
import { getRoutes } from '../integrations/routes.store.ts';
import type { Clock } from '../shared/clock.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import type { AlertEventInput } from './event.ts';
import { GroupCommit } from './group-commit.ts';

type Executor = Db['q'];

/** Where an integration's events can go: its enabled channels, and a shared integration's route. */
type Targets = {
  channels: ReadonlyMap<number, ChannelRow>;
  /** Channels with drop, silence or inhibit rules: their events are screened, one by one. */
  ruled: ReadonlySet<number>;
  /** Channels whose events take the one-event path (rules, similarity grouping): lane 0 only. */
  screened: ReadonlySet<number>;
  route?: CompiledRoute;
  channelIdByName?: ReadonlyMap<string, number>;
};

async function loadTargets(q: Executor, integration: IntegrationRow): Promise<Targets> {
  const base = await loadRouting(q, integration);
  const ruled = await channelsWithRules(q, [...base.channels.keys()]);
  const screened = new Set(
    [...base.channels.values()]
      .filter((c) => ruled.has(c.channel_id) || (c.group as { method?: string }).method === 'i')
      .map((c) => c.channel_id),
  );
  return { ...base, ruled, screened };
}

async function loadRouting(
  q: Executor,
  integration: IntegrationRow,
): Promise<Omit<Targets, 'ruled' | 'screened'>> {
  const enabledChannels = (ids?: number[]) => {
    let query = q
      .selectFrom('channels')
      .selectAll()
      .where('account_id', '=', integration.account_id)
      .where('status', '=', 'enabled');
    if (ids) query = query.where('channel_id', 'in', ids.length > 0 ? ids : [0]);
    return query.execute();
  };
  const byId = (rows: ChannelRow[]) => new Map(rows.map((c) => [c.channel_id, c]));
  if (integration.channel_id > 0) return { channels: byId(await enabledChannels([integration.channel_id])) };

  const [stored] = await getRoutes(q, integration.account_id, [integration.integration_id]);
  if (!stored) return { channels: new Map() };
  const cases = stored.cases as RouteCase[];
  const route = compileRoute({ cases, default: { channel_ids: stored.default_channel_ids } });
  if (cases.some((c) => c.routing_mode === 'name_mapping')) {
    const rows = await enabledChannels();
    return {
      channels: byId(rows),
      route,
      channelIdByName: new Map(rows.map((c) => [c.channel_name, c.channel_id])),
    };
  }
  const ids = [...new Set([...cases.flatMap((c) => c.channel_ids), ...stored.default_channel_ids])];
  return { channels: byId(await enabledChannels(ids)), route };
}

/**
 * The enabled channels an event goes to, in id order: a private integration's own channel, or where
 * a shared integration's route sends it (cases in order, else its default channels).
 */
function pickChannels(targets: Targets, integration: IntegrationRow, event: AlertEventInput): ChannelRow[] {
  const ids = targets.route
    ? targets.route.route(
        {
          severity: event.severity,
          title: event.title,
          description: event.description,
          labels: event.labels,
          alert_key: event.alertKey,
          integration_id: integration.integration_id,
        },
        targets.channelIdByName,
      )
    : [...targets.channels.keys()];
  return ids
    .map((id) => targets.channels.get(id))
    .filter((c): c is ChannelRow => c !== undefined)
    .sort((a, b) => a.channel_id - b.channel_id);
}

export type IngestResult = { alertKey: string; outcomes: EventOutcome[]; dropped: boolean };

export type IngestJob = {
  integration: IntegrationRow;
  channels: ChannelRow[];
  event: AlertEventInput;
  /** The channels (of `channels`) whose events take the one-event path: they have noise rules. */
  screened: ReadonlySet<number>;
};

/**
 * A batch of events, inside the caller's transaction: each to every channel it is routed to
 * (src/alerts/apply-batch.ts), or dropped and counted on its integration when no route accepts it
 * (or its channel is disabled) — not refused.
 */
async function processAlertEvents(
  q: Executor,
  jobs: readonly IngestJob[],
  clock: Clock,
): Promise<IngestResult[]> {
  const units: AlertUnit[] = [];
  const dropped = new Map<number, number>();
  for (const { integration, channels, event, screened } of jobs) {
    if (channels.length === 0)
      dropped.set(integration.integration_id, (dropped.get(integration.integration_id) ?? 0) + 1);
    const source: AlertSource = {
      accountId: integration.account_id,
      integrationId: integration.integration_id,
      integrationType: integration.plugin_type,
    };
    for (const channel of channels) {
      units.push({ source, channel, event, screened: screened.has(channel.channel_id) });
    }
  }
  for (const [integrationId, count] of [...dropped].sort((a, b) => a[0] - b[0])) {
    await q
      .updateTable('integrations')
      .set({ dropped_event_cnt: sql`dropped_event_cnt + ${count}` })
      .where('integration_id', '=', integrationId)
      .execute();
  }
  const outcomes = await applyAlertBatch(q, units, clock.nowMs());
  tablesGrew();
  let next = 0;
  return jobs.map(({ channels, event }) => {
    const mine = outcomes.slice(next, next + channels.length);
    next += channels.length;
    return { alertKey: event.alertKey, outcomes: mine, dropped: channels.length === 0 };
  });
}

/**
 * How long an integration, its channels and its route are reused before being read again, when
 * they were changed by another process (a change made through this one applies at once).
 */
const CONFIG_TTL_MS = 1_000;

/**
 * The ingestion entry point of one process. Events are processed through group commit
 * (src/ingest/group-commit.ts) in lanes (see #laneOf). Each call resolves once its events are
 * committed.
 */
export class AlertIngestor {
  readonly #db: Db;
  readonly #lanes: GroupCommit<IngestJob, IngestResult>[];
  readonly #targets = new TtlCache<number, Targets>(CONFIG_TTL_MS);
  readonly #integrations = new TtlCache<string, IntegrationRow | undefined>(CONFIG_TTL_MS);

  constructor(deps: { db: Db; clock: Clock }) {
    this.#db = deps.db;
    // PostgreSQL runs two transactions at once: while one lane commits, the other works. PGlite has
    // one connection, which the lanes would only queue for.
    const laneCount = deps.db.kind === 'postgres' ? 2 : 1;
    this.#lanes = Array.from(
      { length: laneCount },
      () => new GroupCommit(deps.db, (q, jobs: IngestJob[]) => processAlertEvents(q, jobs, deps.clock)),
    );
  }

  async ingest(integration: IntegrationRow, events: readonly AlertEventInput[]): Promise<IngestResult[]> {
    const targets = await this.#targetsOf(integration);
    // Events of one key in one call keep their order: they all take the lane of the first.
    const laneOfKey = new Map<string, GroupCommit<IngestJob, IngestResult>>();
    return Promise.all(
      events.map((event) => {
        const channels = pickChannels(targets, integration, event);
        const screened = channels.some((c) => targets.screened.has(c.channel_id));
        let lane = laneOfKey.get(event.alertKey);
        if (!lane) {
          lane = this.#laneOf(integration, channels, event, screened);
          laneOfKey.set(event.alertKey, lane);
        }
        return lane.submit({ integration, channels, event, screened: targets.ruled });
      }),
    );
  }

  /**
   * The lane of an event: that of the incident it is likely to touch — its grouping key in its first
   * channel, else its alert key — so that two lanes rarely wait for each other's incident locks.
   * Only a heuristic: batches of two lanes take their locks in one global order
   * (src/alerts/apply-batch.ts), so they never deadlock whichever lane an event takes, and events
   * of one key in flight at once (different requests) have no order to keep. The one-event path of
   * screened channels locks in arrival order, so all their events take lane 0 (other lanes never
   * touch those channels' alerts or incidents).
   */
  #laneOf(
    integration: IntegrationRow,
    channels: readonly ChannelRow[],
    event: AlertEventInput,
    screened: boolean,
  ): GroupCommit<IngestJob, IngestResult> {
    if (screened || this.#lanes.length === 1) return this.#lanes[0]!;
    const channel = channels[0];
    const grouping =
      channel &&
      groupingText(channel.group as GroupConfig, groupingFactsOf(event, integration.integration_id));
    const key = grouping
      ? `${channel.channel_id}:${grouping}`
      : `${integration.integration_id}:${event.alertKey}`;
    let hash = 0;
    for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
    return this.#lanes[Math.abs(hash) % this.#lanes.length]!;
  }

  /** The enabled integration of a push key (undefined when unknown, disabled or deleted). */
  integrationByKey(key: string): Promise<IntegrationRow | undefined> {
    return this.#integrations.get(key, () => findIntegrationByKey(this.#db, key));
  }

  /** Integrations, routes or channels changed in this process: read them again from the next event on. */
  configChanged(): void {
    this.#targets.clear();
    this.#integrations.clear();
  }

  #targetsOf(integration: IntegrationRow): Promise<Targets> {
    return this.#targets.get(integration.integration_id, () => loadTargets(this.#db.q, integration));
  }
}
