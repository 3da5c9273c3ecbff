import Type from 'typebox';
import { ingestContext, type PushRoute } from '../ingest.routes.ts';
import { type DatadogBody, DatadogPayload, normalizeDatadogPayload } from './datadog.ts';
import { normalizeSentryPayload, type SentryBody, SentryPayload } from './sentry.ts';
import { normalizeUptimeKumaPayload, type UptimeKumaBody, UptimeKumaPayload } from './uptime-kuma.ts';

/*
 * The push paths of Datadog, Sentry and Uptime Kuma (docs/sources.md), at Flashduty's paths. Each
 * answers Flashduty's envelope with the alert keys of its events.
 */

const AlertKeys = Type.Object({ alert_keys: Type.Array(Type.String()) });

export function registerMonitoringWebhookRoutes(pushRoute: PushRoute): void {
  pushRoute<DatadogBody>(
    '/event/push/alert/datadog',
    {
      pluginType: 'alert.datadog',
      summary: "Push a Datadog monitor notification (webhook with Vigil's payload template)",
      body: DatadogPayload,
      data: AlertKeys,
    },
    (body, integration, now) => {
      const event = normalizeDatadogPayload(body, ingestContext(integration, now));
      return { events: [event], data: { alert_keys: [event.alertKey] } };
    },
  );

  pushRoute<SentryBody>(
    '/event/push/alert/sentry',
    {
      pluginType: 'alert.sentry',
      summary: 'Push a Sentry webhook (issue alert, metric alert, issue resolved, or the WebHooks plugin)',
      body: SentryPayload,
      data: AlertKeys,
    },
    (body, integration, now, request) => {
      const header = request.headers['sentry-hook-resource'];
      const resource = (Array.isArray(header) ? header[0] : header)?.trim().toLowerCase() || undefined;
      const events = normalizeSentryPayload(body, resource, ingestContext(integration, now));
      return { events, data: { alert_keys: events.map((e) => e.alertKey) } };
    },
  );

  pushRoute<UptimeKumaBody>(
    '/event/push/alert/uptime-kuma',
    {
      pluginType: 'alert.uptime-kuma',
      summary: 'Push an Uptime Kuma notification (its Flashduty or its Webhook notification)',
      body: UptimeKumaPayload,
      data: AlertKeys,
    },
    (body, integration, now) => {
      const events = normalizeUptimeKumaPayload(body, ingestContext(integration, now));
      return { events, data: { alert_keys: events.map((e) => e.alertKey) } };
    },
  );
}
