import { type OutboundAllow, outboundUrlProblem } from '../notifications/providers/outbound-policy.ts';
import { invalidParameter } from '../shared/app-error.ts';

/*
 * The settings of a webhook integration (`webhook.alert`, `webhook.incident`) and the rules they
 * obey, pure: the integration service adds the checks that need the database (channels and
 * integrations that exist). docs/webhooks.md.
 */

/** Alert webhook events (Flashduty's alert webhook documentation). */
export const ALERT_EVENT_TYPES = ['a_new', 'a_update', 'a_merge', 'a_close'] as const;

/** Incident webhook events (Flashduty's incident webhook documentation); Vigil writes a subset so far. */
export const INCIDENT_EVENT_TYPES = [
  'i_new',
  'i_assign',
  'i_a_rspd',
  'i_snooze',
  'i_wake',
  'i_ack',
  'i_unack',
  'i_storm',
  'i_custom',
  'i_rslv',
  'i_reopen',
  'i_merge',
  'i_comm',
  'i_r_title',
  'i_r_desc',
  'i_r_impact',
  'i_r_rc',
  'i_r_rsltn',
  'i_r_severity',
  'i_r_field',
] as const;

/**
 * `action`: a custom action (`custom.action`, docs/custom-actions.md), called when a responder runs
 * it on an incident rather than on events; its settings are a webhook's, bound to channels.
 */
export type WebhookKind = 'alert' | 'incident' | 'action';

/** The webhook kind of an integration type; undefined for every other type. */
export function webhookKindOf(pluginType: string): WebhookKind | undefined {
  if (pluginType === 'webhook.alert') return 'alert';
  if (pluginType === 'webhook.incident') return 'incident';
  if (pluginType === 'custom.action') return 'action';
  return undefined;
}

/** The event types a webhook of this kind can receive. */
function eventTypesOf(kind: WebhookKind): readonly string[] {
  if (kind === 'action') return [];
  return kind === 'alert' ? ALERT_EVENT_TYPES : INCIDENT_EVENT_TYPES;
}

export type WebhookSettings = {
  url: string;
  headers: Record<string, string>;
  /** Empty: every channel of the account. */
  channel_ids: number[];
  /** Alert webhooks only: the alert integrations whose alerts count; empty: all of them. */
  integration_ids: number[];
  /** Empty: every event type of the kind. */
  event_types: string[];
};

const URL_MAX = 2048;
const HEADERS_MAX = 20;
const HEADER_NAME_MAX = 256;
const HEADER_VALUE_MAX = 4096;
const IDS_MAX = 100;

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Headers a webhook may not set: hop-by-hop headers (RFC 9110 §7.6.1) and those the HTTP client
 * owns (the body is always JSON, its length and the host follow from the request).
 */
const FORBIDDEN_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'content-type',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

function checkUrl(raw: Record<string, unknown>, allow: OutboundAllow): string {
  // `endpoint` is the legacy /datasource/upsert name of the same setting.
  const { url, endpoint } = raw;
  if (url !== undefined && endpoint !== undefined && url !== endpoint) {
    throw invalidParameter('settings.endpoint', 'names the same setting as settings.url; send one of them');
  }
  const field = url === undefined && endpoint !== undefined ? 'settings.endpoint' : 'settings.url';
  const value = url ?? endpoint;
  if (typeof value !== 'string' || value.trim() === '') throw invalidParameter(field, 'is required');
  if (value.length > URL_MAX) throw invalidParameter(field, `must be at most ${URL_MAX} characters`);
  const problem = outboundUrlProblem(value, allow);
  if (problem) throw invalidParameter(field, problem);
  const parsed = new URL(value.trim());
  if (parsed.username || parsed.password) {
    throw invalidParameter(field, 'must not hold credentials; send them in settings.headers');
  }
  return value.trim();
}

function checkHeaders(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value))
    throw invalidParameter('settings.headers', 'must be an object of header names to values');
  const entries = Object.entries(value);
  if (entries.length > HEADERS_MAX) {
    throw invalidParameter('settings.headers', `must hold at most ${HEADERS_MAX} headers`);
  }
  const seen = new Set<string>();
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of entries) {
    const field = `settings.headers.${name}`;
    if (name.length > HEADER_NAME_MAX || !HEADER_NAME.test(name)) {
      throw invalidParameter(field, `a header name is 1 to ${HEADER_NAME_MAX} token characters`);
    }
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower)) throw invalidParameter(field, 'Vigil sets this header itself');
    if (seen.has(lower)) throw invalidParameter(field, 'is set twice (header names ignore case)');
    seen.add(lower);
    if (typeof headerValue !== 'string' || headerValue.length > HEADER_VALUE_MAX) {
      throw invalidParameter(field, `must be a string of at most ${HEADER_VALUE_MAX} characters`);
    }
    if (/[\r\n\0]/.test(headerValue)) throw invalidParameter(field, 'must not contain line breaks');
    headers[name] = headerValue;
  }
  return headers;
}

function checkIds(field: string, value: unknown): number[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidParameter(field, 'must be an array of ids');
  if (value.length > IDS_MAX) throw invalidParameter(field, `must hold at most ${IDS_MAX} ids`);
  value.forEach((id, i) => {
    if (!isId(id)) throw invalidParameter(`${field}[${i}]`, 'must be an integer id > 0');
  });
  return [...new Set(value as number[])];
}

function checkEventTypes(kind: WebhookKind, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const allowed = eventTypesOf(kind);
  if (!Array.isArray(value))
    throw invalidParameter('settings.event_types', 'must be an array of event types');
  value.forEach((type, i) => {
    if (typeof type !== 'string' || !allowed.includes(type)) {
      throw invalidParameter(
        `settings.event_types[${i}]`,
        `must be one of ${allowed.map((t) => JSON.stringify(t)).join(', ')}`,
      );
    }
  });
  return [...new Set(value as string[])];
}

/**
 * The settings of a webhook of this kind, checked and normalised: ids and event types each once,
 * the URL trimmed, and an http(s) URL Vigil may call (`allow`: OUTBOUND_ALLOW). Throws
 * InvalidParameter naming the field (`settings.url`, `settings.headers.X`, `settings.channel_ids[2]`, ...).
 */
export function parseWebhookSettings(kind: WebhookKind, raw: unknown, allow: OutboundAllow): WebhookSettings {
  if (!isRecord(raw)) throw invalidParameter('settings', `a ${kind} webhook needs settings with a url`);
  const integrationIds = checkIds('settings.integration_ids', raw.integration_ids);
  if (kind !== 'alert' && integrationIds.length > 0) {
    throw invalidParameter('settings.integration_ids', 'only alert webhooks are scoped by integration');
  }
  const channelIds = checkIds('settings.channel_ids', raw.channel_ids);
  if (kind === 'action') {
    if (channelIds.length === 0) {
      throw invalidParameter(
        'settings.channel_ids',
        'a custom action is offered on the channels it names: name one or more',
      );
    }
    if (Array.isArray(raw.event_types) && raw.event_types.length > 0) {
      throw invalidParameter(
        'settings.event_types',
        'a custom action runs when a person runs it, on no events',
      );
    }
  }
  return {
    url: checkUrl(raw, allow),
    headers: checkHeaders(raw.headers),
    channel_ids: channelIds,
    integration_ids: integrationIds,
    event_types: kind === 'action' ? [] : checkEventTypes(kind, raw.event_types),
  };
}

/** Stored settings (jsonb) as WebhookSettings; what the service stored, so only shapes are defaulted. */
export function storedWebhookSettings(stored: Record<string, unknown>): WebhookSettings {
  const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
  return {
    url: typeof stored.url === 'string' ? stored.url : '',
    headers: isRecord(stored.headers) ? (stored.headers as Record<string, string>) : {},
    channel_ids: list<number>(stored.channel_ids),
    integration_ids: list<number>(stored.integration_ids),
    event_types: list<string>(stored.event_types),
  };
}
