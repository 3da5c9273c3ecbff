import Type, { type Static } from 'typebox';
import { invalidParameter } from '../../shared/app-error.ts';
import { type AlertEventInput, buildAlertEvent, type EventStatus, type IngestContext } from '../event.ts';
import { severityOfWord } from './severity.ts';

/*
 * Uptime Kuma's two notifications that can reach Vigil (docs/sources.md "Uptime Kuma"):
 * - its Flashduty provider (server/notification-providers/flashduty.js): the standard format, but
 *   with `title` where Flashduty's standard push has `title_rule`;
 * - its generic Webhook provider (server/notification-providers/webhook.js), "application/json":
 *   `{heartbeat, monitor, msg}`, heartbeat.status 0 down, 1 up (2 pending, 3 maintenance).
 * Only the fields read are declared. Pure.
 */

const Text = Type.String({ maxLength: 65_536 });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Optional(Type.Union([schema, Type.Null()]));

const Monitor = Type.Object({
  id: Nullable(Type.Union([Type.Integer(), Text])),
  name: Nullable(Text),
  description: Nullable(Text),
  pathName: Nullable(Text),
  type: Nullable(Text),
  url: Nullable(Text),
  hostname: Nullable(Text),
  port: Nullable(Type.Union([Type.Integer(), Text])),
  tags: Nullable(
    Type.Array(Type.Object({ name: Nullable(Text), value: Nullable(Type.Union([Text, Type.Number()])) }), {
      maxItems: 200,
    }),
  ),
});

const Heartbeat = Type.Object({
  monitorID: Nullable(Type.Union([Type.Integer(), Text])),
  status: Nullable(Type.Integer()),
  time: Nullable(Text),
  msg: Nullable(Text),
  ping: Nullable(Type.Number()),
});

export const UptimeKumaPayload = Type.Object({
  // Flashduty provider (standard format).
  event_status: Type.Optional(Text),
  title: Type.Optional(Text),
  title_rule: Type.Optional(Text),
  description: Type.Optional(Text),
  alert_key: Type.Optional(Type.String({ maxLength: 255 })),
  labels: Type.Optional(Type.Record(Type.String(), Type.Union([Text, Type.Number(), Type.Null()]))),
  // Webhook provider.
  heartbeat: Nullable(Heartbeat),
  monitor: Nullable(Monitor),
  msg: Nullable(Text),
});

export type UptimeKumaBody = Static<typeof UptimeKumaPayload>;
type MonitorBody = Static<typeof Monitor>;

/** A Flashduty-provider event_status that is no status word (its severity setting unset gives Info). */
const DEFAULT_SEVERITY = 'Warning';
/** A monitor down, from the webhook provider (which has no severity): Critical, unless a `severity` tag says. */
const DOWN_SEVERITY = 'Critical';
const DOWN = 0;
const UP = 1;

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value).trim());

/** What the Flashduty provider sends as `resource`: host:port, host, or URL. */
function resource(monitor: MonitorBody): string {
  if (monitor.type === 'port' && str(monitor.port)) return `${str(monitor.hostname)}:${str(monitor.port)}`;
  return str(monitor.hostname) || str(monitor.url);
}

/** Heartbeat time `2024-09-24 23:51:35.527` (UTC, as Uptime Kuma stores it) → Unix seconds. */
function heartbeatSeconds(time: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?Z?$/.exec(time.trim());
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

function standardEvent(body: UptimeKumaBody, ctx: IngestContext): AlertEventInput {
  const title = str(body.title_rule) || str(body.title);
  if (!title) throw invalidParameter('title', 'it is required');
  const word = str(body.event_status);
  const status: EventStatus = word.toLowerCase() === 'ok' ? 'Ok' : severityOfWord(word, DEFAULT_SEVERITY);
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(body.labels ?? {})) if (str(value)) labels[name] = str(value);
  return buildAlertEvent(
    {
      alertKey: body.alert_key ? { value: body.alert_key, derived: false } : undefined,
      titleRule: title,
      templated: false,
      description: body.description ?? '',
      status,
      eventTime: undefined,
      labels,
      images: [],
    },
    ctx,
    () => {},
  );
}

function webhookEvent(body: UptimeKumaBody, ctx: IngestContext): AlertEventInput[] {
  const heartbeat = body.heartbeat;
  const msg = str(body.msg);
  if (!heartbeat) {
    // A test, or a certificate or domain expiry notice: an Info alert of its message.
    if (!msg) throw invalidParameter('msg', 'it is required when there is no heartbeat');
    return [
      buildAlertEvent(
        {
          titleRule: msg,
          templated: false,
          description: msg,
          status: 'Info',
          eventTime: undefined,
          labels: body.monitor ? { check: str(body.monitor.name) } : {},
          images: [],
        },
        ctx,
        () => {},
      ),
    ];
  }
  const monitor = body.monitor;
  if (!monitor) throw invalidParameter('monitor', 'it is required with a heartbeat');
  const id = str(monitor.id) || str(heartbeat.monitorID);
  if (!id) throw invalidParameter('monitor.id', 'it is required');
  if (heartbeat.status === undefined || heartbeat.status === null) {
    throw invalidParameter('heartbeat.status', 'it is required (0 down, 1 up)');
  }
  // Pending and maintenance are no change to page about (Uptime Kuma notifies neither).
  if (heartbeat.status !== DOWN && heartbeat.status !== UP) return [];
  const labels: Record<string, string> = {};
  for (const tag of monitor.tags ?? [])
    if (str(tag.name) && str(tag.value)) labels[str(tag.name)] = str(tag.value);
  Object.assign(labels, {
    ...(resource(monitor) ? { resource: resource(monitor) } : {}),
    ...(str(monitor.name) ? { check: str(monitor.name) } : {}),
    ...(str(monitor.type) ? { monitor_type: str(monitor.type) } : {}),
    monitor_id: id,
  });
  const name = str(monitor.pathName) || str(monitor.name) || `monitor ${id}`;
  const down = heartbeat.status === DOWN;
  return [
    buildAlertEvent(
      {
        alertKey: { value: id, derived: false },
        titleRule: `${name} is ${down ? 'down' : 'up'}`,
        templated: false,
        description: msg || str(heartbeat.msg),
        status: down ? severityOfWord(labels.severity, DOWN_SEVERITY) : 'Ok',
        eventTime: heartbeat.time ? heartbeatSeconds(heartbeat.time) : undefined,
        labels,
        images: [],
      },
      ctx,
      () => {},
    ),
  ];
}

/** The events of one Uptime Kuma notification: the Flashduty provider's or the webhook provider's. */
export function normalizeUptimeKumaPayload(body: UptimeKumaBody, ctx: IngestContext): AlertEventInput[] {
  if (body.event_status !== undefined) return [standardEvent(body, ctx)];
  if (body.heartbeat !== undefined || body.monitor !== undefined || body.msg !== undefined) {
    return webhookEvent(body, ctx);
  }
  throw invalidParameter(
    'event_status',
    "it is required (Uptime Kuma's Flashduty notification), or heartbeat, monitor and msg (its webhook)",
  );
}
