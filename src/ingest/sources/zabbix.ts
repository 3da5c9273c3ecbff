import Type, { type Static } from 'typebox';
import { invalidParameter } from '../../shared/app-error.ts';
import {
  type AlertEventInput,
  buildAlertEvent,
  type EventSeverity,
  type EventStatus,
  type IngestContext,
} from '../event.ts';

/*
 * Zabbix 6.x/7.x through Vigil's webhook media type (integrations/zabbix/, docs/sources.md
 * "Zabbix"): the body is what its script posts, one Zabbix event per request, fields named after
 * the macros they carry (https://www.zabbix.com/documentation/current/en/manual/appendix/macros/supported_by_location).
 * Pure.
 */

const Text = Type.String({ maxLength: 65_536 });
/** Ids and flags: the script sends macros' text; a hand-written sender may send numbers. */
const Scalar = Type.Union([Type.String({ maxLength: 255 }), Type.Integer()]);

export const ZabbixPayload = Type.Object({
  event_id: Scalar,
  /** {EVENT.VALUE}: 1 problem, 0 recovered. */
  event_value: Scalar,
  event_name: Type.Optional(Text),
  /** {EVENT.NSEVERITY}: 0 Not classified … 5 Disaster. */
  event_nseverity: Type.Optional(Scalar),
  event_severity: Type.Optional(Text),
  event_tags: Type.Optional(
    Type.Array(Type.Object({ tag: Text, value: Type.Optional(Text) }), { maxItems: 1000 }),
  ),
  event_opdata: Type.Optional(Text),
  event_url: Type.Optional(Text),
  /** {EVENT.UPDATE.STATUS}: 1 when an update operation (acknowledge, comment, …) sent it. */
  event_update_status: Type.Optional(Scalar),
  event_update_action: Type.Optional(Text),
  event_update_message: Type.Optional(Text),
  event_update_user: Type.Optional(Text),
  event_ack_status: Type.Optional(Text),
  trigger_id: Type.Optional(Scalar),
  trigger_description: Type.Optional(Text),
  host_name: Type.Optional(Text),
  host_host: Type.Optional(Text),
  host_ip: Type.Optional(Text),
  alert_subject: Type.Optional(Text),
  alert_message: Type.Optional(Text),
});

export type ZabbixEvent = Static<typeof ZabbixPayload>;

/** {EVENT.NSEVERITY} 0–5, as Flashduty maps Zabbix's levels. */
const BY_NUMBER: readonly EventSeverity[] = ['Info', 'Info', 'Warning', 'Warning', 'Critical', 'Critical'];
/** Zabbix's default severity names (an administrator may rename them: the number comes first). */
const BY_NAME: Readonly<Record<string, EventSeverity>> = {
  'not classified': 'Info',
  information: 'Info',
  warning: 'Warning',
  average: 'Warning',
  high: 'Critical',
  disaster: 'Critical',
};
/** Neither a known number nor a known name. */
const DEFAULT_SEVERITY: EventSeverity = 'Warning';

function zabbixSeverity(event: ZabbixEvent): EventSeverity {
  const n = String(event.event_nseverity ?? '').trim();
  if (/^[0-5]$/.test(n)) return BY_NUMBER[Number(n)]!;
  const name = (event.event_severity ?? '').trim().toLowerCase();
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name]! : DEFAULT_SEVERITY;
}

/** What an update operation did ({EVENT.UPDATE.ACTION}: "acknowledged, commented", "closed", …). */
function updateActions(event: ZabbixEvent): Set<string> {
  if (String(event.event_update_status ?? '').trim() !== '1') return new Set();
  return new Set(
    (event.event_update_action ?? '')
      .split(',')
      .map((a) => a.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Tags as labels; a tag repeated with several values keeps them all, comma-separated. */
function tagLabels(event: ZabbixEvent): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const { tag, value } of event.event_tags ?? []) {
    const v = value ?? '';
    labels[tag] = Object.hasOwn(labels, tag) && labels[tag] !== v ? `${labels[tag]}, ${v}` : v;
  }
  return labels;
}

/**
 * The alert event of one Zabbix notification: a problem (value 1) opens or updates the alert of
 * its event id, a recovery (value 0) closes it; an update that acknowledged the problem
 * acknowledges its incident instead, one that closed it recovers it.
 */
export function normalizeZabbixEvent(event: ZabbixEvent, ctx: IngestContext): AlertEventInput {
  const eventId = String(event.event_id).trim();
  if (eventId === '') throw invalidParameter('event_id', 'it is required ({EVENT.ID})');
  const value = String(event.event_value).trim();
  if (value !== '0' && value !== '1') {
    throw invalidParameter('event_value', 'must be 1 (problem) or 0 (recovered) ({EVENT.VALUE})');
  }
  const actions = updateActions(event);
  const acknowledged = actions.has('acknowledged');
  const recovered = value === '0' || actions.has('closed');
  const name = event.event_name?.trim() ?? '';
  if (!name && !recovered && !acknowledged) {
    throw invalidParameter('event_name', 'it is required for a problem ({EVENT.NAME})');
  }
  const labels: Record<string, string> = { ...tagLabels(event) };
  for (const [label, field] of [
    ['host', event.host_name],
    ['host_host', event.host_host],
    ['host_ip', event.host_ip],
    ['trigger_id', event.trigger_id],
    ['event_id', eventId],
    ['event_url', event.event_url],
    ['opdata', event.event_opdata],
    ['zabbix_severity', event.event_severity],
    ['update_action', actions.size > 0 ? event.event_update_action : undefined],
    ['update_message', actions.size > 0 ? event.event_update_message : undefined],
    ['update_user', actions.size > 0 ? event.event_update_user : undefined],
  ] as const) {
    const text = field === undefined ? '' : String(field).trim();
    if (text !== '') labels[label] = text;
  }
  const status: EventStatus = recovered ? 'Ok' : zabbixSeverity(event);
  const built = buildAlertEvent(
    {
      alertKey: { value: eventId, derived: false },
      titleRule: name || event.alert_subject || `Zabbix event ${eventId}`,
      templated: false,
      description: event.trigger_description || event.alert_message || '',
      status,
      eventTime: undefined,
      labels,
      images: [],
    },
    ctx,
    () => {},
  );
  return acknowledged && !recovered ? { ...built, action: 'acknowledge' } : built;
}
