import type { ChannelRow } from '../../channels/channels.store.ts';
import { channelsWithRules } from '../../channels/rules/rules.store.ts';
import type { Db } from '../../db/db.ts';
import type { IntegrationRow } from '../../integrations/integrations.store.ts';
import { type CompiledRoute, compileRoute, type RouteCase } from '../../integrations/route-match.ts';
import { getRoutes } from '../../integrations/routes.store.ts';
import type { OutboundAllow } from '../../notifications/providers/outbound-policy.ts';
import { ProcessingCache } from '../../processing/processing-cache.ts';
import { TtlCache } from '../../shared/ttl-cache.ts';
import type { AlertEventInput } from '../event.ts';

/*
 * Phase "route" of applying: where each event goes — its integration's own channel, or the channels
 * a shared integration's route picks — read once a second at most (or at once after a change made
 * through this process).
 */

type Executor = Db['q'];

/** Where an integration's events can go: its enabled channels, and a shared integration's route. */
export type Targets = {
  channels: ReadonlyMap<number, ChannelRow>;
  /** Channels with drop, silence or inhibit rules: their events are screened, one by one. */
  ruled: ReadonlySet<number>;
  route?: CompiledRoute;
  channelIdByName?: ReadonlyMap<string, number>;
};

/**
 * How long integrations, their channels and routes are reused before being read again, when they
 * were changed by another process (a change made through this one applies at once).
 */
const CONFIG_TTL_MS = 1_000;

/** Integrations and their targets, by integration id, cached for CONFIG_TTL_MS. */
export class RoutingCache {
  readonly #integrations = new TtlCache<number, IntegrationRow | undefined>(CONFIG_TTL_MS);
  readonly #targets = new TtlCache<number, Targets>(CONFIG_TTL_MS);
  /** Enrichment and pipeline rules of integrations (src/processing/), applied before routing. */
  readonly processing: ProcessingCache;

  constructor(outboundAllow: OutboundAllow) {
    this.processing = new ProcessingCache(outboundAllow);
  }

  /** The integration of an id; undefined once deleted (its accepted events are then dropped). */
  integration(q: Executor, integrationId: number): Promise<IntegrationRow | undefined> {
    return this.#integrations.get(integrationId, async () => {
      const row = await q
        .selectFrom('integrations')
        .selectAll()
        .where('integration_id', '=', integrationId)
        .executeTakeFirst();
      return row && row.status !== 'deleted' ? row : undefined;
    });
  }

  targets(q: Executor, integration: IntegrationRow): Promise<Targets> {
    return this.#targets.get(integration.integration_id, () => loadTargets(q, integration));
  }

  clear(): void {
    this.#integrations.clear();
    this.#targets.clear();
  }
}

async function loadTargets(q: Executor, integration: IntegrationRow): Promise<Targets> {
  const base = await loadRouting(q, integration);
  const ruled = await channelsWithRules(q, [...base.channels.keys()]);
  return { ...base, ruled };
}

async function loadRouting(q: Executor, integration: IntegrationRow): Promise<Omit<Targets, 'ruled'>> {
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
export function pickChannels(
  targets: Targets,
  integration: IntegrationRow,
  event: AlertEventInput,
): ChannelRow[] {
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
