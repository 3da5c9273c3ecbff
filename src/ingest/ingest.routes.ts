import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { Registry } from 'prom-client';
import Type, { type Static, type TSchema } from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { type Api, envelope } from '../http/route.ts';
import type { IntegrationRow } from '../integrations/integrations.store.ts';
import { AppError } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { startInboundSmtp } from './email/inbound-smtp.ts';
import type { AlertEventInput, IngestContext } from './event.ts';
import { normalizeStandardEvent, StandardPushBody } from './event.ts';
import { registerHeartbeatRoute } from './heartbeat/heartbeat.routes.ts';
import { Ingest } from './ingest.service.ts';
import { ingestMetrics } from './metrics.ts';
import { AlertmanagerPayload, normalizeAlertmanagerPayload } from './prometheus.ts';
import { pushAuth } from './push-auth.ts';
import { registerCloudWatchRoutes } from './sources/aws-cloudwatch.routes.ts';
import { GrafanaPayload, normalizeGrafanaPayload } from './sources/grafana.ts';
import { registerMonitoringWebhookRoutes } from './sources/monitoring-webhooks.routes.ts';
import { normalizeN9ePayload } from './sources/n9e.ts';
import { registerPagerDutyRoutes } from './sources/pagerduty.routes.ts';
import { registerWebhookPreviewRoute } from './sources/webhook.routes.ts';
import { normalizeWebhookPayload } from './sources/webhook.ts';
import { compileMapping } from './sources/webhook-mapping.ts';
import { normalizeZabbixEvent, ZabbixPayload } from './sources/zabbix.ts';

/** The operations that change where events go, whether a key is accepted, or a channel's rules. */
const CONFIG_CHANGES =
  /^\/(datasource|route|channel|channel\/(silence|inhibit|unsubscribe)\/rule)\/(upsert|create|update|delete|enable|disable)$/;

/** Alertmanager (and Grafana, n9e) batches can be large; other pushes keep the API's 1 MiB. */
const ALERTMANAGER_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** What a push route declares beyond its path (see registerIngestRoutes). */
export type PushSpec<B> = {
  pluginType: string;
  summary: string;
  /** The body's schema; absent when `parse` reads a body Fastify cannot (SNS's text/plain JSON). */
  body?: TSchema;
  /** The envelope's `data` schema (routes that answer in Flashduty's envelope). */
  data?: TSchema;
  /** A source's own reply instead of the envelope: its schema (for 200 and 202); `accept`'s data is the body. */
  reply?: TSchema;
  /** The integration key a body carries (PagerDuty's routing_key), used when the query has none. */
  bodyKey?: (body: B) => string | undefined;
  /** Turns the raw body into the parser's input (throws InvalidParameter when it cannot). */
  parse?: (raw: unknown) => B;
  /** A source's own error shape (PagerDuty's); falls back to the app's envelope. */
  errorHandler?: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply;
  methods?: HTTPMethods | HTTPMethods[];
  /** The route takes text/plain bodies too (SNS posts JSON as text/plain); `parse` reads them. */
  textBody?: boolean;
  bodyLimit?: number;
};

/** What a source answers to one accepted request: the events to append and its reply data. */
export type Accepted = { events: AlertEventInput[]; data: unknown; status?: 200 | 202 };

export type AcceptPush<B> = (
  body: B,
  integration: IntegrationRow,
  now: number,
  request: FastifyRequest,
) => Accepted | Promise<Accepted>;

export type PushRoute = <B>(url: string, spec: PushSpec<B>, accept: AcceptPush<B>) => void;

/** The context a parser normalises an integration's events in. */
export const ingestContext = (integration: IntegrationRow, now: number): IngestContext => ({
  integrationId: integration.integration_id,
  integrationType: integration.plugin_type,
  integrationName: integration.name,
  nowSeconds: now,
});

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
    // E-mail integrations' listener (docs/sources.md "E-mail"): up with the app, down before it.
    const smtp = startInboundSmtp({ ...deps, logger: app.log, ingestor });
    smtp.then(
      (listener) => app.log.info({ port: listener.port }, 'inbound SMTP listening'),
      (error: unknown) => app.log.error({ err: error }, 'inbound SMTP could not listen'),
    );
    app.addHook('onClose', async () => (await smtp.catch(() => undefined))?.close());
  }

  const pushRoute: PushRoute = <B>(url: string, spec: PushSpec<B>, accept: AcceptPush<B>) => {
    // Untyped registration, as in http/route.ts: the response schema checks the shape at run time.
    (app as unknown as FastifyInstance).route({
      method: spec.methods ?? 'POST',
      url,
      ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
      ...(spec.errorHandler ? { errorHandler: spec.errorHandler } : {}),
      ...(spec.textBody ? { config: { textBody: true } as object } : {}),
      schema: {
        tags: ['Event push'],
        summary: spec.summary,
        security: [],
        querystring: Type.Object({
          integration_key: spec.bodyKey ? Type.Optional(Type.String()) : Type.String(),
        }),
        ...(spec.body ? { body: spec.body } : {}),
        response: spec.reply
          ? { 200: spec.reply, 202: spec.reply }
          : { 200: envelope(spec.data ?? Type.Object({})) },
      },
      handler: async (request, res) => {
        // Without `parse`, the body schema has validated the body.
        const raw = spec.parse ? spec.parse(request.body) : (request.body as B);
        const integration = await integrationFor(request, res, spec.pluginType, spec.bodyKey?.(raw));
        const { events, data, status } = await accept(raw, integration, nowSeconds(deps.clock), request);
        const refusal = events.length > 0 ? await ingestor.refusal() : undefined;
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
        if (spec.reply) return res.code(status ?? 200).send(data);
        return { request_id: request.id, data };
      },
    });
  };

  pushRoute<Static<typeof StandardPushBody>>(
    '/event/push/alert/standard',
    {
      pluginType: 'alert.standard',
      summary: 'Push one alert event (standard alert integration)',
      body: StandardPushBody,
      data: Type.Object({ alert_key: Type.String() }),
    },
    (body, integration, now) => {
      const { event } = normalizeStandardEvent(body, ingestContext(integration, now));
      return { events: [event], data: { alert_key: event.alertKey } };
    },
  );

  pushRoute<Static<typeof AlertmanagerPayload>>(
    '/event/push/alert/prometheus',
    {
      pluginType: 'alert.prometheus',
      summary: 'Push a Prometheus Alertmanager webhook (version 4)',
      body: AlertmanagerPayload,
      data: Type.Object({ alert_keys: Type.Array(Type.String()) }),
      bodyLimit: ALERTMANAGER_BODY_LIMIT_BYTES,
    },
    (body, integration, now) => {
      const { events, alertKeys } = normalizeAlertmanagerPayload(body, ingestContext(integration, now));
      return { events, data: { alert_keys: alertKeys } };
    },
  );

  pushRoute<unknown>(
    '/event/push/alert/webhook',
    {
      pluginType: 'alert.webhook',
      summary: 'Push any JSON payload, mapped by the integration (generic webhook)',
      body: Type.Unknown(),
      data: Type.Object({ alert_key: Type.String() }),
    },
    (body, integration, now) => {
      const { mapping } = compileMapping(integration.settings);
      const { event } = normalizeWebhookPayload(body, mapping, ingestContext(integration, now));
      return { events: [event], data: { alert_key: event.alertKey } };
    },
  );

  pushRoute<Static<typeof GrafanaPayload>>(
    '/event/push/alert/grafana',
    {
      pluginType: 'alert.grafana',
      summary: 'Push a Grafana alerting webhook (unified alerting or legacy dashboard alerts)',
      body: GrafanaPayload,
      data: Type.Object({ alert_keys: Type.Array(Type.String()) }),
      bodyLimit: ALERTMANAGER_BODY_LIMIT_BYTES,
    },
    (body, integration, now) => {
      const { events, alertKeys } = normalizeGrafanaPayload(body, ingestContext(integration, now));
      return { events, data: { alert_keys: alertKeys } };
    },
  );

  pushRoute<Static<typeof ZabbixPayload>>(
    '/event/push/alert/zabbix',
    {
      pluginType: 'alert.zabbix',
      summary: "Push a Zabbix event (Vigil's webhook media type, integrations/zabbix/)",
      body: ZabbixPayload,
      data: Type.Object({ alert_key: Type.String() }),
    },
    (body, integration, now) => {
      const event = normalizeZabbixEvent(body, ingestContext(integration, now));
      return { events: [event], data: { alert_key: event.alertKey } };
    },
  );

  pushRoute<unknown>(
    '/event/push/alert/n9e',
    {
      pluginType: 'alert.n9e',
      summary: 'Push Nightingale (n9e) alert events: one event or an array of them',
      body: Type.Unknown(),
      data: Type.Object({ alert_keys: Type.Array(Type.String()) }),
      bodyLimit: ALERTMANAGER_BODY_LIMIT_BYTES,
    },
    (body, integration, now) => {
      const { events, alertKeys } = normalizeN9ePayload(body, ingestContext(integration, now));
      return { events, data: { alert_keys: alertKeys } };
    },
  );

  registerPagerDutyRoutes(pushRoute);
  registerCloudWatchRoutes(pushRoute, deps.config, app.log);
  registerMonitoringWebhookRoutes(pushRoute);
}
