import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import Type, { type Static, type TSchema } from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { type Api, envelope } from '../http/route.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import { AppError } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { startInboundSmtp } from './email/inbound-smtp.ts';
import type { AlertEventInput } from './event.ts';
import { normalizeStandardEvent, StandardPushBody } from './event.ts';
import { registerHeartbeatRoute } from './heartbeat/heartbeat.routes.ts';
import { Ingest } from './ingest.service.ts';
import { ingestMetrics } from './metrics.ts';
import { AlertmanagerPayload, normalizeAlertmanagerPayload } from './prometheus.ts';
import { pushAuth } from './push-auth.ts';
import { registerWebhookPreviewRoute } from './sources/webhook.routes.ts';
import { normalizeWebhookPayload } from './sources/webhook.ts';
import { compileMapping } from './sources/webhook-mapping.ts';

/** The operations that change where events go, whether a key is accepted, or a channel's rules. */
const CONFIG_CHANGES =
  /^\/(datasource|route|channel|channel\/(silence|inhibit|unsubscribe)\/rule)\/(upsert|create|update|delete|enable|disable)$/;

/** Alertmanager batches can be large; other pushes keep the API's 1 MiB. */
const ALERTMANAGER_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Event push: `integration_key` in the query instead of an app_key. An unknown, disabled or
 * mismatched key is InvalidParameter (as Flashduty answers), then the integration's rate limit
 * applies (./push-auth.ts), then the backlog's bound (429 past it). The reply is sent once every
 * event of the request is committed to the ingest log; they are applied in the background.
 */
export function registerIngestRoutes(app: Api, deps: AppDeps, registry: Registry): void {
  const metrics = ingestMetrics(registry, deps);
  const ingestor = new Ingest({
    ...deps,
    logger: app.log,
    ready: () => deps.startup?.finished ?? true,
    observe: metrics.applied,
  });
  ingestor.start();
  app.addHook('onClose', () => ingestor.stop());
  // The ingestor keeps integrations, routes and channels for a second; a change through this
  // process's API applies to the very next event.
  app.addHook('onSend', async (request, reply) => {
    if (reply.statusCode === 200 && CONFIG_CHANGES.test(request.routeOptions.url ?? ''))
      ingestor.configChanged();
  });
  const integrationFor = pushAuth(deps, (key) => ingestor.integrationByKey(key));
  registerHeartbeatRoute(app, deps, integrationFor, ingestor);
  registerWebhookPreviewRoute(app, () => nowSeconds(deps.clock));
  if (deps.config.inboundSmtpPort !== undefined) {
    // E-mail integrations' listener (docs/sources-2.md "E-mail"): up with the app, down before it.
    const smtp = startInboundSmtp({ ...deps, logger: app.log, ingestor });
    smtp.then(
      (listener) => app.log.info({ port: listener.port }, 'inbound SMTP listening'),
      (error: unknown) => app.log.error({ err: error }, 'inbound SMTP could not listen'),
    );
    app.addHook('onClose', async () => (await smtp.catch(() => undefined))?.close());
  }

  function pushRoute<B extends TSchema, D extends TSchema>(
    url: string,
    spec: { pluginType: string; summary: string; body: B; data: D; bodyLimit?: number },
    accept: (
      body: Static<B>,
      integration: IntegrationRow,
      now: number,
    ) => { events: AlertEventInput[]; data: Static<D> },
  ): void {
    // Untyped registration, as in http/route.ts: the response schema checks the shape at run time.
    (app as unknown as FastifyInstance).route({
      method: 'POST',
      url,
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      schema: {
        tags: ['Event push'],
        summary: spec.summary,
        security: [],
        querystring: Type.Object({ integration_key: Type.String() }),
        body: spec.body,
        response: { 200: envelope(spec.data) },
      },
      handler: async (request, res) => {
        const integration = await integrationFor(request, res, spec.pluginType);
        const { events, data } = accept(request.body as Static<B>, integration, nowSeconds(deps.clock));
        const refusal = await ingestor.refusal();
        if (refusal) {
          metrics.refused(integration.plugin_type);
          res.header('Retry-After', refusal.retryAfterSeconds);
          throw new AppError(
            'RequestTooFrequently',
            'Too many events are waiting to be applied; retry later.',
          );
        }
        await ingestor.accept(integration, events);
        metrics.accepted(integration.plugin_type, events.length);
        return { request_id: request.id, data };
      },
    });
  }

  const context = (integration: IntegrationRow, now: number) => ({
    integrationId: integration.integration_id,
    integrationType: integration.plugin_type,
    integrationName: integration.name,
    nowSeconds: now,
  });

  pushRoute(
    '/event/push/alert/standard',
    {
      pluginType: 'alert.standard',
      summary: 'Push one alert event (standard alert integration)',
      body: StandardPushBody,
      data: Type.Object({ alert_key: Type.String() }),
    },
    (body, integration, now) => {
      const { event } = normalizeStandardEvent(body, context(integration, now));
      return { events: [event], data: { alert_key: event.alertKey } };
    },
  );

  pushRoute(
    '/event/push/alert/prometheus',
    {
      pluginType: 'alert.prometheus',
      summary: 'Push a Prometheus Alertmanager webhook (version 4)',
      body: AlertmanagerPayload,
      data: Type.Object({ alert_keys: Type.Array(Type.String()) }),
      bodyLimit: ALERTMANAGER_BODY_LIMIT_BYTES,
    },
    (body, integration, now) => {
      const { events, alertKeys } = normalizeAlertmanagerPayload(body, context(integration, now));
      return { events, data: { alert_keys: alertKeys } };
    },
  );

  pushRoute(
    '/event/push/alert/webhook',
    {
      pluginType: 'alert.webhook',
      summary: 'Push any JSON payload, mapped by the integration (generic webhook)',
      body: Type.Unknown(),
      data: Type.Object({ alert_key: Type.String() }),
    },
    (body, integration, now) => {
      const { mapping } = compileMapping(integration.settings);
      const { event } = normalizeWebhookPayload(body, mapping, context(integration, now));
      return { events: [event], data: { alert_key: event.alertKey } };
    },
  );
}
