import Type, { type Static } from 'typebox';
import { invalidParameter } from '../../shared/app-error.ts';
import {
  type AlertEventInput,
  buildAlertEvent,
  type EventImage,
  type EventStatus,
  type IngestContext,
  shortHash,
} from '../event.ts';
import { AlertmanagerAlert, alertmanagerSeverity, normalizeAlertmanagerPayload } from '../prometheus.ts';
import { detailLabels } from './common.ts';

/*
 * Grafana's alerting webhook, both formats (docs/sources.md "Grafana"):
 * - unified alerting (Grafana 8+): Alertmanager's payload with, per alert, silenceURL, dashboardURL,
 *   panelURL, imageURL, values and valueString
 *   (https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/);
 * - legacy dashboard alerting (Grafana ≤ 7): one rule's state, ruleId, ruleName, evalMatches
 *   (https://grafana.com/docs/grafana/v7.5/alerting/old-alerting/notifications/#webhook).
 * Pure.
 */

const StringMap = Type.Record(Type.String(), Type.String());
const Url = Type.String({ maxLength: 4096 });

const GrafanaAlert = Type.Object({
  ...AlertmanagerAlert.properties,
  silenceURL: Type.Optional(Url),
  dashboardURL: Type.Optional(Url),
  panelURL: Type.Optional(Url),
  imageURL: Type.Optional(Url),
  values: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.Union([Type.Number(), Type.Null()])), Type.Null()]),
  ),
  valueString: Type.Optional(Type.String()),
});

export const GrafanaPayload = Type.Object({
  // Unified alerting.
  alerts: Type.Optional(Type.Array(GrafanaAlert, { maxItems: 10_000 })),
  receiver: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  groupKey: Type.Optional(Type.String()),
  groupLabels: Type.Optional(StringMap),
  commonLabels: Type.Optional(StringMap),
  commonAnnotations: Type.Optional(StringMap),
  externalURL: Type.Optional(Type.String()),
  version: Type.Optional(Type.String()),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  orgId: Type.Optional(Type.Integer()),
  title: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  // Unified: `alerting` / `ok`; legacy: ok, paused, alerting, pending, no_data.
  state: Type.Optional(Type.String()),
  // Legacy.
  ruleId: Type.Optional(Type.Integer()),
  ruleName: Type.Optional(Type.String()),
  ruleUrl: Type.Optional(Url),
  dashboardId: Type.Optional(Type.Integer()),
  panelId: Type.Optional(Type.Integer()),
  imageUrl: Type.Optional(Url),
  tags: Type.Optional(Type.Union([StringMap, Type.Null()])),
  evalMatches: Type.Optional(
    Type.Union([
      Type.Array(
        Type.Object({
          value: Type.Union([Type.Number(), Type.Null()]),
          metric: Type.String(),
          tags: Type.Optional(Type.Union([StringMap, Type.Null()])),
        }),
        { maxItems: 1000 },
      ),
      Type.Null(),
    ]),
  ),
});

type Payload = Static<typeof GrafanaPayload>;
type Alert = Static<typeof GrafanaAlert>;

/** The links and values of a unified alert: labels after its own, and its image. */
function unifiedExtras(alert: Alert): { labels: Record<string, string>; images: EventImage[] } {
  const labels: Record<string, string> = {};
  if (alert.silenceURL) labels.silence_url = alert.silenceURL;
  if (alert.dashboardURL) labels.dashboard_url = alert.dashboardURL;
  if (alert.panelURL) labels.panel_url = alert.panelURL;
  if (alert.valueString) labels.value_string = alert.valueString;
  Object.assign(labels, detailLabels(alert.values ?? undefined, 'values.'));
  const images = alert.imageURL ? [{ src: alert.imageURL, alt: 'panel', href: alert.panelURL ?? '' }] : [];
  return { labels, images };
}

/** Legacy states; `paused` and `pending` are not problems yet (or any more): no event. */
const LEGACY_STATUS: Readonly<Record<string, 'alerting' | EventStatus | null>> = {
  alerting: 'alerting',
  no_data: 'Info',
  ok: 'Ok',
  paused: null,
  pending: null,
};

const LEGACY_TITLE_PREFIX = /^\[(Alerting|OK|No Data|Pending|Paused)\]\s*/i;

function legacyEvent(payload: Payload, ctx: IngestContext): AlertEventInput[] {
  const state = payload.state ?? '';
  if (!Object.hasOwn(LEGACY_STATUS, state)) {
    throw invalidParameter('state', 'must be one of "alerting", "ok", "no_data", "paused", "pending"');
  }
  const mapped = LEGACY_STATUS[state];
  if (mapped === null || mapped === undefined) return [];
  const tags = payload.tags ?? {};
  const labels: Record<string, string> = { ...tags };
  for (const [name, value] of [
    ['rule_id', payload.ruleId],
    ['rule_url', payload.ruleUrl],
    ['dashboard_id', payload.dashboardId],
    ['panel_id', payload.panelId],
  ] as const) {
    if (value !== undefined && value !== '') labels[name] = String(value);
  }
  for (const match of payload.evalMatches ?? []) labels[`metric.${match.metric}`] = String(match.value);
  const title = payload.ruleName || (payload.title ?? '').replace(LEGACY_TITLE_PREFIX, '') || 'Grafana alert';
  return [
    buildAlertEvent(
      {
        alertKey: {
          value: shortHash([
            'vigil/grafana-legacy/v1',
            payload.orgId ?? 0,
            payload.ruleId ?? payload.ruleName,
          ]),
          derived: true,
        },
        titleRule: title,
        templated: false,
        description: payload.message ?? '',
        status: mapped === 'alerting' ? alertmanagerSeverity(tags) : mapped,
        eventTime: undefined,
        labels,
        images: payload.imageUrl ? [{ src: payload.imageUrl, alt: 'panel', href: payload.ruleUrl }] : [],
      },
      ctx,
      () => {},
    ),
  ];
}

/**
 * The events of a Grafana webhook: unified alerting (with `alerts`) as Alertmanager's, one per
 * alert key, with Grafana's links and values added; legacy (with `ruleId` or `ruleName`) one
 * event per rule.
 */
export function normalizeGrafanaPayload(
  payload: Payload,
  ctx: IngestContext,
): { events: AlertEventInput[]; alertKeys: string[] } {
  if (payload.alerts) {
    const alerts = payload.alerts;
    const { events, alertKeys } = normalizeAlertmanagerPayload({ ...payload, alerts }, ctx, (i) =>
      unifiedExtras(alerts[i]!),
    );
    return { events, alertKeys };
  }
  if (payload.ruleId !== undefined || payload.ruleName !== undefined) {
    const events = legacyEvent(payload, ctx);
    return { events, alertKeys: events.map((e) => e.alertKey) };
  }
  throw invalidParameter('alerts', 'it is required (ruleId or ruleName for legacy Grafana alerting)');
}
