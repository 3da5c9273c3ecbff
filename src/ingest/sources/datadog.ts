import Type, { type Static } from 'typebox';
import { invalidParameter } from '../../shared/app-error.ts';
import {
  type AlertEventInput,
  buildAlertEvent,
  type EventSeverity,
  type IngestContext,
  shortHash,
} from '../event.ts';

/*
 * Datadog's webhook integration (https://docs.datadoghq.com/integrations/webhooks/): Datadog posts
 * the JSON payload the user pastes, with its $VARIABLES filled in. Vigil's template
 * (./datadog-template.ts, shown by docs/sources.md and the console) is Flashduty's
 * (flashduty-docs, alert-sources/datadog.mdx) plus a few variables. Pure. Mapping: docs/sources.md
 * "Datadog".
 */

/** Template values are strings; a template written without quotes gives numbers. */
const Value = Type.Union([Type.String({ maxLength: 65_536 }), Type.Number(), Type.Null()]);
const Optional = Type.Optional(Value);

const FIELDS = [
  'alert_cycle_key',
  'aggreg_key',
  'alert_id',
  'alert_transition',
  'alert_type',
  'alert_priority',
  'title',
  'event_title',
  'message',
  'alert_status',
  'alert_metric',
  'alert_query',
  'alert_scope',
  'event_id',
  'event_type',
  'date',
  'date_posix',
  'last_updated_posix',
  'hostname',
  'link',
  'snapshot',
  'tags',
  'env',
  'service',
  'team',
  'region',
  'org_id',
  'org_name',
] as const;

export const DatadogPayload = Type.Object({
  ...(Object.fromEntries(FIELDS.map((name) => [name, Optional])) as Record<
    (typeof FIELDS)[number],
    typeof Optional
  >),
  custom_labels: Type.Optional(Type.Record(Type.String(), Value, { maxProperties: 50 })),
});

export type DatadogBody = Static<typeof DatadogPayload>;

/** `$ALERT_SCOPE` left as it is: Datadog had no value for the variable. */
const UNFILLED = /^\$[A-Z_]+(\[[^\]]*\])?$/;

/** A field's text: '' when absent, empty or a variable Datadog did not fill. */
function text(value: string | number | null | undefined): string {
  if (value === undefined || value === null) return '';
  const trimmed = String(value).trim();
  return UNFILLED.test(trimmed) ? '' : trimmed;
}

/** `$ALERT_TYPE` → severity (Flashduty's table); success, empty or anything else → Warning. */
const SEVERITIES: Readonly<Record<string, EventSeverity>> = {
  error: 'Critical',
  warning: 'Warning',
  info: 'Info',
};
const DEFAULT_SEVERITY: EventSeverity = 'Warning';

/** `[P1] [Triggered on {host:a}] CPU high` → `CPU high`: the bracketed prefixes of $EVENT_TITLE. */
const TITLE_PREFIXES = /^(\[[^\]]*\]\s*)+/;

/** Built-in label names and the fields they come from, in the order they are set. */
const LABEL_FIELDS: readonly [string, keyof DatadogBody][] = [
  ['alert_id', 'alert_id'],
  ['transition', 'alert_transition'],
  ['alert_type', 'alert_type'],
  ['priority', 'alert_priority'],
  ['alert_status', 'alert_status'],
  ['metric', 'alert_metric'],
  ['query', 'alert_query'],
  ['scope', 'alert_scope'],
  ['event_id', 'event_id'],
  ['event_type', 'event_type'],
  ['host', 'hostname'],
  ['link', 'link'],
  ['env', 'env'],
  ['service', 'service'],
  ['team', 'team'],
  ['region', 'region'],
  ['org_id', 'org_id'],
  ['org_name', 'org_name'],
];

/** `$TAGS` (`monitor, name:myService, role:node`) → {name: myService, role: node}: at most 20. */
function tagLabels(tags: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of tags.split(',').slice(0, 200)) {
    const at = tag.indexOf(':');
    if (at <= 0) continue;
    const name = tag.slice(0, at).trim();
    const value = tag.slice(at + 1).trim();
    if (name && value && !Object.hasOwn(labels, name)) labels[name] = value;
    if (Object.keys(labels).length === 20) break;
  }
  return labels;
}

/** The alert key: $ALERT_CYCLE_KEY, else $AGGREG_KEY, else a hash of the monitor and its scope. */
function alertKey(body: DatadogBody): string {
  const cycle = text(body.alert_cycle_key) || text(body.aggreg_key);
  if (cycle) return cycle.length <= 255 ? cycle : shortHash(['vigil/datadog/v1', cycle]);
  const monitor = text(body.alert_id);
  if (!monitor) {
    throw invalidParameter(
      'alert_cycle_key',
      'it is required ($ALERT_CYCLE_KEY; or aggreg_key, or alert_id)',
    );
  }
  return shortHash(['vigil/datadog/v1', monitor, text(body.alert_scope)]);
}

/** Unix seconds of $DATE_POSIX, $DATE (milliseconds) or $LAST_UPDATED_POSIX; undefined if none. */
function eventTime(body: DatadogBody): number | undefined {
  for (const field of [body.date_posix, body.date, body.last_updated_posix]) {
    const value = Number(text(field));
    if (text(field) !== '' && Number.isFinite(value) && value > 0) return value;
  }
  return undefined;
}

/** The alert event of one Datadog webhook. */
export function normalizeDatadogPayload(body: DatadogBody, ctx: IngestContext): AlertEventInput {
  const transition = text(body.alert_transition);
  if (!transition) {
    throw invalidParameter(
      'alert_transition',
      'it is required ($ALERT_TRANSITION: Triggered, Recovered, ...)',
    );
  }
  const key = alertKey(body);
  const severity = SEVERITIES[text(body.alert_type).toLowerCase()] ?? DEFAULT_SEVERITY;
  const eventTitle = text(body.event_title);
  const title =
    text(body.title) ||
    eventTitle.replace(TITLE_PREFIXES, '') ||
    eventTitle ||
    `Datadog monitor ${text(body.alert_id) || key}`;
  // Tags first, custom labels over them, built-in fields over both (as Flashduty).
  const labels: Record<string, string> = tagLabels(text(body.tags));
  for (const [name, value] of Object.entries(body.custom_labels ?? {})) {
    if (text(value)) labels[name] = text(value);
  }
  for (const [label, field] of LABEL_FIELDS) {
    const value = text(body[field] as string | number | null | undefined);
    if (value) labels[label] = value;
  }
  const snapshot = text(body.snapshot);
  return buildAlertEvent(
    {
      alertKey: { value: key, derived: false },
      titleRule: title,
      templated: false,
      description: text(body.message),
      status: transition.toLowerCase() === 'recovered' ? 'Ok' : severity,
      eventTime: eventTime(body),
      labels,
      images: snapshot ? [{ src: snapshot, alt: 'snapshot', href: text(body.link) }] : [],
    },
    ctx,
    () => {},
  );
}
