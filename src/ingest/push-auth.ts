import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app.ts';
import { enforceRateLimit, RateLimit } from '../http/rate-limit.ts';
import { PLUGIN_TYPES, type PluginType } from '../integrations/integrations.schemas.ts';
import { findIntegrationByKey } from '../integrations/integrations.service.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import { AppError } from '../shared/app-error.ts';

/** Resolves the `integration_key` of a push request to its integration, or refuses the request. */
export type PushAuth = (
  request: FastifyRequest,
  reply: FastifyReply,
  pluginType: string,
  bodyKey?: string,
) => Promise<IntegrationRow>;

/**
 * Event push authentication, shared by every push endpoint (alerts and changes): the
 * `integration_key` in the query (else the key a source's body carries, as PagerDuty's routing_key:
 * `bodyKey`) must name an enabled integration of the endpoint's type
 * (InvalidParameter otherwise, as Flashduty answers a bad key), then the integration's rate limit
 * applies (per integration, whatever endpoint it pushes to). `lookup` finds the enabled integration
 * of a key (the alert ingestor's is cached).
 */
export function pushAuth(
  deps: AppDeps,
  lookup: (key: string) => Promise<IntegrationRow | undefined> = (key) => findIntegrationByKey(deps.db, key),
): PushAuth {
  const limit = new RateLimit(
    'integration',
    [
      { points: deps.config.rateLimitIntegrationPerSecond, seconds: 1 },
      { points: deps.config.rateLimitIntegrationPerMinute, seconds: 60 },
    ],
    deps.redis,
  );
  return async (request, reply, pluginType, bodyKey) => {
    const query = (request.query as { integration_key?: unknown }).integration_key;
    const key = typeof query === 'string' && query !== '' ? query : bodyKey;
    const integration = typeof key === 'string' && key !== '' ? await lookup(key) : undefined;
    if (!integration) {
      throw new AppError('InvalidParameter', 'The specified parameter integration_key is not a valid one.');
    }
    if (integration.plugin_type !== pluginType) {
      const pushPath = Object.hasOwn(PLUGIN_TYPES, integration.plugin_type)
        ? PLUGIN_TYPES[integration.plugin_type as PluginType].pushPath
        : '';
      throw new AppError(
        'InvalidParameter',
        `The specified parameter integration_key is not valid for this endpoint: it belongs to an ` +
          `integration of type ${integration.plugin_type}` +
          (pushPath ? `, whose events must be pushed to ${pushPath}.` : ', which takes no pushes.'),
      );
    }
    await enforceRateLimit(limit, String(integration.integration_id), reply);
    return integration;
  };
}
