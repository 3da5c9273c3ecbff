import Type, { type Static } from 'typebox';
import {
  type AlertEventInput,
  buildAlertEvent,
  type EventImage,
  type EventSeverity,
  eventTimeSeconds,
  INGEST_LIMITS,
  type IngestContext,
  normalizeLabels,
  shortHash,
  sortedLabelPairs,
} from './event.ts';

/*
 * Prometheus Alertmanager's webhook (payload version 4,
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config) → one alert event per
 * alert key (see normalizeAlertmanagerPayload), then the same limits as the standard push
 * (event.ts). Pure. The mapping is documented in
 * docs/ingest.md "Prometheus Alertmanager".
 */

const StringMap = Type.Record(Type.String(), Type.String());

export const AlertmanagerAlert = Type.Object({
  status: Type.Enum(['firing', 'resolved']),
  labels: StringMap,
  annotations: Type.Optional(StringMap),
  startsAt: Type.Optional(Type.String()),
  endsAt: Type.Optional(Type.String()),
  generatorURL: Type.Optional(Type.String()),
  fingerprint: Type.Optional(Type.String()),
});

export const AlertmanagerPayload = Type.Object({
  version: Type.Optional(Type.String()),
  groupKey: Type.Optional(Type.String()),
  truncatedAlerts: Type.Optional(Type.Integer({ minimum: 0 })),
  status: Type.Optional(Type.String()),
  receiver: Type.Optional(Type.String()),
  groupLabels: Type.Optional(StringMap),
  commonLabels: Type.Optional(StringMap),
  commonAnnotations: Type.Optional(StringMap),
  externalURL: Type.Optional(Type.String()),
  alerts: Type.Array(AlertmanagerAlert, { minItems: 0, maxItems: 10_000 }),
});

type Payload = Static<typeof AlertmanagerPayload>;
type Alert = Static<typeof AlertmanagerAlert>;

/** The labels read for a firing alert's severity, in this order. */
const SEVERITY_LABELS = ['severity', 'priority', 'level'] as const;

/** Label values (trimmed, case-insensitive) and the severity they mean. */
const SEVERITY_WORDS: Readonly<Record<string, EventSeverity>> = {
  ...Object.fromEntries(
    ['critical', 'crit', 'fatal', 'error', 'p0', 'p1', 'disaster', 'high'].map((w) => [w, 'Critical']),
  ),
  ...Object.fromEntries(['warning', 'warn', 'p2', 'p3', 'average', 'medium'].map((w) => [w, 'Warning'])),
  ...Object.fromEntries(
    ['info', 'information', 'acknowledged', 'unknown', 'unk', 'p4', 'p5', 'low', 'none', 'ok', 'debug'].map(
      (w) => [w, 'Info'],
    ),
  ),
};

const DEFAULT_SEVERITY: EventSeverity = 'Warning';
const DEFAULT_TITLE = 'Prometheus alert';

/** Annotations that become the title, the description or the event time rather than labels. */
const CONSUMED_ANNOTATIONS = new Set(['summary', 'description', 'timestamp']);
const ANNOTATION_PREFIX = 'annotations.';
const GENERATOR_URL_LABEL = 'generator_url';

const own = <T>(map: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  map && Object.hasOwn(map, key) ? map[key] : undefined;

/** A firing alert's severity: the first of severity, priority, level whose value is known; else Warning. */
export function alertmanagerSeverity(labels: Readonly<Record<string, string>>): EventSeverity {
  for (const name of SEVERITY_LABELS) {
    const value = own(labels, name)?.trim().toLowerCase();
    const severity = value === undefined ? undefined : own(SEVERITY_WORDS, value);
    if (severity) return severity;
  }
  return DEFAULT_SEVERITY;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * Unix seconds of an RFC 3339 time, or undefined when it is malformed or unset: Alertmanager's zero
 * time `0001-01-01T00:00:00Z`, and any time before 1970, mean "no time".
 */
export function rfc3339Seconds(text: string): number | undefined {
  const m = RFC3339.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return undefined;
  }
  if (year < 1970) return undefined;
  const offsetMinutes = m[7] ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const seconds =
    Math.floor(Date.UTC(year, month - 1, day, hour, minute, second) / 1000) - offsetMinutes * 60;
  return seconds > 0 ? seconds : undefined;
}

/** `annotations.timestamp`: Unix seconds (milliseconds are scaled down) or RFC 3339. */
function annotationTime(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    const n = Number(trimmed);
    return n > 0 ? eventTimeSeconds(n, 0) : undefined;
  }
  return rfc3339Seconds(trimmed);
}

function eventTime(alert: Alert, at: string, warn: (message: string) => void): number | undefined {
  const stamp = own(alert.annotations, 'timestamp');
  if (stamp !== undefined && stamp.trim() !== '') {
    const seconds = annotationTime(stamp);
    if (seconds !== undefined) return seconds;
    warn(`${at}annotations.timestamp was ignored: it is neither Unix seconds nor an RFC 3339 time`);
  }
  const field = alert.status === 'resolved' ? 'endsAt' : 'startsAt';
  const text = alert[field];
  if (text === undefined || text === '') return undefined;
  const seconds = rfc3339Seconds(text);
  if (seconds === undefined && !text.startsWith('0001-01-01')) {
    warn(`${at}${field} was ignored: it is not an RFC 3339 time`);
  }
  return seconds;
}

/** `alertname: summary` (just the summary when it already starts with the alert name). */
function titleOf(alert: Alert): string {
  const name = own(alert.labels, 'alertname')?.trim() ?? '';
  const summary = own(alert.annotations, 'summary')?.trim() ?? '';
  if (name && summary) return summary.startsWith(name) ? summary : `${name}: ${summary}`;
  return summary || name || DEFAULT_TITLE;
}

/**
 * The alert's labels, then — while fewer than 50 — its other annotations as `annotations.<name>`
 * and its generatorURL as `generator_url`; these never replace a label of the alert.
 */
function withExtras(
  labels: Record<string, string>,
  alert: Alert,
  descriptionFrom: string | undefined,
  at: string,
  warn: (message: string) => void,
  more: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const extras: Record<string, string> = { ...more };
  for (const [name, value] of Object.entries(alert.annotations ?? {})) {
    if (CONSUMED_ANNOTATIONS.has(name) || name === descriptionFrom || value === '') continue;
    extras[ANNOTATION_PREFIX + name] = value;
  }
  if (alert.generatorURL) extras[GENERATOR_URL_LABEL] = alert.generatorURL;
  for (const key of Object.keys(extras)) if (Object.hasOwn(labels, key)) delete extras[key];
  const room = INGEST_LIMITS.labels - Object.keys(labels).length;
  const kept = normalizeLabels(extras, warn, `${at}annotations`, room);
  return { ...labels, ...kept };
}

/** An alert's key: its fingerprint (≤ 255 characters), else a hash of its labels. */
function alertKeyOf(alert: Alert, labels: Record<string, string>): { value: string; derived: boolean } {
  const fingerprint = alert.fingerprint?.trim() ?? '';
  return fingerprint !== '' && fingerprint.length <= INGEST_LIMITS.alertKey
    ? { value: fingerprint, derived: false }
    : { value: shortHash(['vigil/alertmanager/v1', sortedLabelPairs(labels)]), derived: true };
}

const ignore = () => {};

/**
 * The events of an Alertmanager webhook, validated by AlertmanagerPayload: one per alert key, in
 * payload order. Alertmanager sends each alert of a group once, so a key that comes again in the
 * same push is a client's repetition: only the **last** alert of each key counts (the latest word
 * about that alert, as a later push would be), in its own place. That bounds the work of a push
 * by its distinct alerts — 10,000 copies of one alert used to cost 10,000 events and hold up other
 * pushes of it for seconds. `alertKeys` has one key per alert of the payload, repeats included.
 */
export function normalizeAlertmanagerPayload(
  payload: Payload,
  ctx: IngestContext,
  /** What a source in Alertmanager's format adds to an alert (Grafana): labels after its own, images. */
  extend?: (index: number) => { labels: Record<string, string>; images: EventImage[] },
): { events: AlertEventInput[]; alertKeys: string[]; warnings: string[] } {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  if (payload.truncatedAlerts) {
    warn(`Alertmanager left out ${payload.truncatedAlerts} alerts of this group (max_alerts)`);
  }
  const alertKeys = payload.alerts.map(
    (alert) => alertKeyOf(alert, normalizeLabels(alert.labels, ignore)).value,
  );
  const lastOfKey = new Map(alertKeys.map((key, i) => [key, i]));
  if (lastOfKey.size < alertKeys.length) {
    warn(
      `${alertKeys.length - lastOfKey.size} alerts repeat the alert key (fingerprint) of a later alert ` +
        'of this push and were left out: the last alert of each key counts',
    );
  }
  const events: AlertEventInput[] = [];
  payload.alerts.forEach((alert, i) => {
    if (lastOfKey.get(alertKeys[i]!) !== i) return;
    const at = `alerts[${i}].`;
    const descriptionFrom = ['description', 'message'].find((name) => own(alert.annotations, name));
    const labels = normalizeLabels(alert.labels, warn, `${at}labels`);
    const extra = extend?.(i);
    const fingerprint = alert.fingerprint?.trim() ?? '';
    if (fingerprint.length > INGEST_LIMITS.alertKey) {
      warn(`${at}fingerprint was ignored: it is longer than ${INGEST_LIMITS.alertKey} characters`);
    }
    events.push(
      buildAlertEvent(
        {
          alertKey: alertKeyOf(alert, labels),
          titleRule: titleOf(alert),
          templated: false,
          description: descriptionFrom ? own(alert.annotations, descriptionFrom)! : '',
          status: alert.status === 'resolved' ? 'Ok' : alertmanagerSeverity(alert.labels),
          eventTime: eventTime(alert, at, warn),
          labels: withExtras(labels, alert, descriptionFrom, at, warn, extra?.labels),
          images: extra?.images ?? [],
        },
        ctx,
        warn,
        at,
      ),
    );
  });
  return { events, alertKeys, warnings };
}
