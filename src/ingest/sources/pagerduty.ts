import { randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { invalidParameter } from '../../shared/app-error.ts';
import { type AlertEventInput, buildAlertEvent, type EventSeverity, type IngestContext } from '../event.ts';
import { detailLabels, detailText, isoSeconds } from './common.ts';

/*
 * PagerDuty's Events API, v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/) and
 * v1 (https://developer.pagerduty.com/docs/events-api-v1/trigger-events/), one body schema for both:
 * `event_action` makes a v2 event, `event_type` a v1 event. Pure. Mapping: docs/sources.md
 * "PagerDuty". Fields PagerDuty requires are checked here so the error names them.
 */

const Action = Type.Enum(['trigger', 'acknowledge', 'resolve']);
const Text = Type.String({ maxLength: 65_536 });

export const PagerDutyBody = Type.Object({
  // v2
  routing_key: Type.Optional(Text),
  event_action: Type.Optional(Action),
  dedup_key: Type.Optional(Type.String({ maxLength: 255 })),
  payload: Type.Optional(
    Type.Object({
      summary: Type.Optional(Text),
      source: Type.Optional(Text),
      severity: Type.Optional(Text),
      timestamp: Type.Optional(Text),
      component: Type.Optional(Text),
      group: Type.Optional(Text),
      class: Type.Optional(Text),
      custom_details: Type.Optional(Type.Unknown()),
    }),
  ),
  images: Type.Optional(
    Type.Array(Type.Object({ src: Text, href: Type.Optional(Text), alt: Type.Optional(Text) }), {
      maxItems: 100,
    }),
  ),
  links: Type.Optional(Type.Array(Type.Object({ href: Text, text: Type.Optional(Text) }), { maxItems: 100 })),
  client: Type.Optional(Text),
  client_url: Type.Optional(Text),
  // v1
  service_key: Type.Optional(Text),
  event_type: Type.Optional(Action),
  incident_key: Type.Optional(Type.String({ maxLength: 255 })),
  description: Type.Optional(Text),
  details: Type.Optional(Type.Unknown()),
  contexts: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.Enum(['link', 'image']),
        href: Type.Optional(Text),
        text: Type.Optional(Text),
        src: Type.Optional(Text),
        alt: Type.Optional(Text),
      }),
      { maxItems: 100 },
    ),
  ),
});

export type PagerDutyEvent = Static<typeof PagerDutyBody>;

/** PagerDuty's severities; `critical` and `error` are PagerDuty's high-urgency ones. */
const SEVERITIES: Readonly<Record<string, EventSeverity>> = {
  critical: 'Critical',
  error: 'Critical',
  warning: 'Warning',
  info: 'Info',
};
/** An unknown payload.severity (PagerDuty would refuse it): Warning, as for Alertmanager. */
const DEFAULT_SEVERITY: EventSeverity = 'Warning';
/** v1 events carry no severity; PagerDuty opens them as high-urgency incidents. */
const V1_SEVERITY: EventSeverity = 'Critical';

/** The key of the integration a body names: `routing_key` (v2) or `service_key` (v1). */
export function pagerDutyBodyKey(body: PagerDutyEvent): string | undefined {
  return body.routing_key || body.service_key || undefined;
}

/** A dedup key as PagerDuty generates one (32 hex digits) for a trigger that sent none. */
const generatedKey = (): string => randomUUID().replaceAll('-', '');

export type PagerDutyResult = { event: AlertEventInput; dedupKey: string; version: 1 | 2 };

/** The alert event of one PagerDuty event (v2 when event_action is set, v1 when event_type is). */
export function normalizePagerDutyEvent(body: PagerDutyEvent, ctx: IngestContext): PagerDutyResult {
  if (body.event_action) return { ...v2Event(body, body.event_action, ctx), version: 2 };
  if (body.event_type) return { ...v1Event(body, body.event_type, ctx), version: 1 };
  throw invalidParameter('event_action', 'it is required (event_type for Events API v1)');
}

const ignore = () => {};

function v2Event(
  body: PagerDutyEvent,
  action: 'trigger' | 'acknowledge' | 'resolve',
  ctx: IngestContext,
): { event: AlertEventInput; dedupKey: string } {
  const payload = body.payload;
  if (action !== 'trigger') {
    if (!body.dedup_key) throw invalidParameter('dedup_key', `it is required to ${action}`);
  } else {
    if (!payload) throw invalidParameter('payload', 'it is required to trigger');
    for (const field of ['summary', 'source', 'severity'] as const) {
      if (!payload[field]) throw invalidParameter(`payload.${field}`, 'it is required to trigger');
    }
  }
  const dedupKey = body.dedup_key || generatedKey();
  const labels: Record<string, string> = {};
  for (const field of ['source', 'component', 'group', 'class', 'severity'] as const) {
    const value = payload?.[field];
    if (value) labels[field] = value;
  }
  if (body.client) labels.client = body.client;
  if (body.client_url) labels.client_url = body.client_url;
  (body.links ?? []).forEach((link, i) => {
    labels[`link.${link.text || i}`] = link.href;
  });
  const severity = SEVERITIES[payload?.severity?.trim().toLowerCase() ?? ''] ?? DEFAULT_SEVERITY;
  const event = buildAlertEvent(
    {
      alertKey: { value: dedupKey, derived: !body.dedup_key },
      titleRule: payload?.summary || dedupKey,
      templated: false,
      description: detailText(payload?.custom_details),
      status: action === 'resolve' ? 'Ok' : severity,
      eventTime: payload?.timestamp ? isoSeconds(payload.timestamp) : undefined,
      labels: { ...detailLabels(payload?.custom_details, 'details.'), ...labels },
      images: (body.images ?? []).map((image) => ({ src: image.src, alt: image.alt, href: image.href })),
    },
    ctx,
    ignore,
  );
  return { event: withAction(event, action), dedupKey };
}

function v1Event(
  body: PagerDutyEvent,
  action: 'trigger' | 'acknowledge' | 'resolve',
  ctx: IngestContext,
): { event: AlertEventInput; dedupKey: string } {
  if (action !== 'trigger' && !body.incident_key) {
    throw invalidParameter('incident_key', `it is required to ${action}`);
  }
  if (action === 'trigger' && !body.description) {
    throw invalidParameter('description', 'it is required to trigger');
  }
  const dedupKey = body.incident_key || generatedKey();
  const labels: Record<string, string> = {};
  if (body.client) labels.client = body.client;
  if (body.client_url) labels.client_url = body.client_url;
  const contexts = body.contexts ?? [];
  contexts.forEach((context, i) => {
    if (context.type === 'link' && context.href) labels[`link.${context.text || i}`] = context.href;
  });
  const event = buildAlertEvent(
    {
      alertKey: { value: dedupKey, derived: !body.incident_key },
      titleRule: body.description || dedupKey,
      templated: false,
      description: detailText(body.details),
      status: action === 'resolve' ? 'Ok' : V1_SEVERITY,
      eventTime: undefined,
      labels: { ...detailLabels(body.details, 'details.'), ...labels },
      images: contexts.flatMap((context) =>
        context.type === 'image' && context.src
          ? [{ src: context.src, alt: context.alt, href: context.href }]
          : [],
      ),
    },
    ctx,
    ignore,
  );
  return { event: withAction(event, action), dedupKey };
}

/** An acknowledge changes no alert: the applier acknowledges the incident of the key's alert. */
function withAction(event: AlertEventInput, action: 'trigger' | 'acknowledge' | 'resolve'): AlertEventInput {
  return action === 'acknowledge' ? { ...event, action: 'acknowledge' } : event;
}
