import { invalidParameter } from '../../shared/app-error.ts';
import {
  type AlertEventInput,
  buildAlertEvent,
  type EventSeverity,
  type EventStatus,
  INGEST_LIMITS,
  type IngestContext,
  shortHash,
} from '../event.ts';
import { detailLabels } from './common.ts';

/*
 * Nightingale (n9e) alert events (docs/sources.md "Nightingale"): the JSON of n9e's AlertCurEvent
 * (ccfos/nightingale models/alert_cur_event.go). A global webhook or a rule's callback posts one
 * event (alert/sender/webhook.go); the Flashduty notify channel of n9e 8 posts an array of them
 * (alert/sender/provider/flashduty_provider.go). Fields are read one by one: n9e adds fields in
 * every release, and any not read here change nothing. Pure.
 */

/** At most this many events in one body. */
const MAX_EVENTS = 1000;

/** n9e's severities (1 serious, 2 warn, 3 remind), as Flashduty maps them. */
const SEVERITIES: Readonly<Record<number, EventSeverity>> = { 1: 'Critical', 2: 'Warning', 3: 'Info' };
/** Any other severity. */
const DEFAULT_SEVERITY: EventSeverity = 'Warning';

type Fields = Record<string, unknown>;

const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : '';

const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;

/** Labels of the event: tags_map, else its `tags` ("key=value" strings, as n9e splits them). */
function tagLabels(event: Fields): Record<string, string> {
  const map = event.tags_map;
  if (map !== null && typeof map === 'object' && !Array.isArray(map)) {
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(map)) if (typeof value === 'string') labels[key] = value;
    return labels;
  }
  const labels: Record<string, string> = {};
  for (const tag of Array.isArray(event.tags) ? event.tags : []) {
    if (typeof tag !== 'string') continue;
    const at = tag.indexOf('=');
    if (at > 0) labels[tag.slice(0, at)] = tag.slice(at + 1);
  }
  return labels;
}

function eventOf(event: Fields, at: string, ctx: IngestContext): AlertEventInput {
  const hash = event.hash;
  if (typeof hash !== 'string' || hash === '') throw invalidParameter(`${at}hash`, 'it is required');
  const ruleName = event.rule_name;
  if (typeof ruleName !== 'string' || ruleName === '') {
    throw invalidParameter(`${at}rule_name`, 'it is required');
  }
  if (typeof event.is_recovered !== 'boolean') {
    throw invalidParameter(`${at}is_recovered`, 'it is required (true or false)');
  }
  if (typeof event.severity !== 'number')
    throw invalidParameter(`${at}severity`, 'it is required (1, 2 or 3)');
  const recovered = event.is_recovered;
  const labels: Record<string, string> = {
    ...detailLabels(event.annotations, 'annotations.'),
    ...tagLabels(event),
  };
  for (const name of [
    'rule_id',
    'rule_prod',
    'cate',
    'cluster',
    'group_name',
    'target_ident',
    'target_note',
    'trigger_value',
    'runbook_url',
    'prom_ql',
  ]) {
    const value = text(event[name]);
    if (value !== '') labels[name] = value;
  }
  const status: EventStatus = recovered ? 'Ok' : (SEVERITIES[event.severity] ?? DEFAULT_SEVERITY);
  return buildAlertEvent(
    {
      alertKey:
        hash.length <= INGEST_LIMITS.alertKey
          ? { value: hash, derived: false }
          : { value: shortHash(['vigil/n9e/v1', hash]), derived: true },
      titleRule: ruleName,
      templated: false,
      description: text(event.rule_note),
      status,
      eventTime: recovered
        ? (seconds(event.last_eval_time) ?? seconds(event.trigger_time))
        : (seconds(event.first_trigger_time) ?? seconds(event.trigger_time)),
      labels,
      images: [],
    },
    ctx,
    () => {},
    at,
  );
}

const isObject = (value: unknown): value is Fields =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The events of a body: one n9e event, or an array of them (each named `[i]` in errors). */
export function normalizeN9ePayload(
  body: unknown,
  ctx: IngestContext,
): { events: AlertEventInput[]; alertKeys: string[] } {
  let events: AlertEventInput[];
  if (Array.isArray(body)) {
    if (body.length > MAX_EVENTS) throw invalidParameter('body', `at most ${MAX_EVENTS} events`);
    events = body.map((item, i) => {
      if (!isObject(item)) throw invalidParameter(`[${i}]`, 'must be an n9e alert event (an object)');
      return eventOf(item, `[${i}].`, ctx);
    });
  } else if (isObject(body)) {
    events = [eventOf(body, '', ctx)];
  } else {
    throw invalidParameter('body', 'must be an n9e alert event or an array of them');
  }
  return { events, alertKeys: events.map((e) => e.alertKey) };
}
