import Type from 'typebox';
import { Id } from '../accounts/accounts.schemas.ts';
import { pageFields } from '../http/pagination.ts';

/*
 * Request and response schemas of integrations, after Flashduty's legacy /datasource/* operations
 * (openapi.legacy.zh.json). Vigil's deviations and extensions are listed in docs/integrations.md.
 */

/** The integration types Vigil receives events for, with what the API and console show of each. */
export const PLUGIN_TYPES = {
  'alert.standard': {
    name: 'Standard Alert',
    category: 'event.alert',
    pushPath: '/event/push/alert/standard',
  },
  'alert.prometheus': {
    name: 'Prometheus Alertmanager',
    category: 'event.alert',
    pushPath: '/event/push/alert/prometheus',
  },
  'alert.pagerduty': {
    name: 'PagerDuty Events API',
    category: 'event.alert',
    pushPath: '/event/push/alert/pagerduty',
  },
  'alert.grafana': {
    name: 'Grafana Alerting',
    category: 'event.alert',
    pushPath: '/event/push/alert/grafana',
  },
  'alert.aws-cloudwatch': {
    name: 'AWS CloudWatch (SNS)',
    category: 'event.alert',
    pushPath: '/event/push/alert/aws/cloudwatch',
  },
  'alert.datadog': { name: 'Datadog', category: 'event.alert', pushPath: '/event/push/alert/datadog' },
  'alert.sentry': { name: 'Sentry', category: 'event.alert', pushPath: '/event/push/alert/sentry' },
  'alert.uptime-kuma': {
    name: 'Uptime Kuma',
    category: 'event.alert',
    pushPath: '/event/push/alert/uptime-kuma',
  },
  'alert.n9e': { name: 'Nightingale (n9e)', category: 'event.alert', pushPath: '/event/push/alert/n9e' },
  'alert.zabbix': { name: 'Zabbix', category: 'event.alert', pushPath: '/event/push/alert/zabbix' },
  // Sources with their own parser (src/ingest/sources/, docs/sources.md).
  'alert.heartbeat': { name: 'Heartbeat', category: 'event.alert', pushPath: '/event/push/heartbeat' },
  'alert.webhook': {
    name: 'Generic Webhook',
    category: 'event.alert',
    pushPath: '/event/push/alert/webhook',
  },
  // Received by e-mail at <integration_key>@<any domain> (INBOUND_SMTP_PORT); nothing is pushed.
  'alert.email': { name: 'Email', category: 'event.alert', pushPath: '' },
  'change.standard': {
    name: 'Standard Change',
    category: 'event.change',
    pushPath: '/event/push/change/standard',
  },
  // Outbound: Vigil calls them (src/webhooks/, docs/webhooks.md); nothing is pushed to them.
  'webhook.alert': { name: 'Alert Webhook', category: 'webhook', pushPath: '' },
  'webhook.incident': { name: 'Incident Webhook', category: 'webhook', pushPath: '' },
  // Called when a responder runs it on an incident (/incident/custom-action/do, docs/custom-actions.md).
  'custom.action': { name: 'Custom Action', category: 'other', pushPath: '' },
  // Hosts war rooms (/incident/war-room/*, docs/war-rooms.md) with its bot token.
  'im.slack': { name: 'Slack', category: 'im', pushPath: '' },
  // Hosts war rooms with a Feishu/Lark self-built app's id and secret.
  'im.feishu': { name: 'Feishu', category: 'im', pushPath: '' },
} as const;

export type PluginType = keyof typeof PLUGIN_TYPES;
export const PLUGIN_TYPE_KEYS = Object.keys(PLUGIN_TYPES) as PluginType[];

export const NAME_MAX = 39;
export const DESCRIPTION_MAX = 500;

const PluginTypeSchema = Type.Enum([
  'alert.standard',
  'alert.prometheus',
  'alert.pagerduty',
  'alert.grafana',
  'alert.aws-cloudwatch',
  'alert.datadog',
  'alert.sentry',
  'alert.uptime-kuma',
  'alert.n9e',
  'alert.zabbix',
  'alert.heartbeat',
  'alert.webhook',
  'alert.email',
  'change.standard',
  'webhook.alert',
  'webhook.incident',
  'custom.action',
  'im.slack',
  'im.feishu',
]);
const IntegrationStatus = Type.Enum(['enabled', 'disabled', 'deleted']);

export const IntegrationUpsertRequest = Type.Object({
  integration_id: Type.Optional(Id),
  name: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  plugin_type: PluginTypeSchema,
  description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX })),
  team_id: Type.Optional(Id),
  channel_id: Type.Optional(Id),
  /**
   * Webhook types, and the alert sources with settings (heartbeat, generic webhook, e-mail), checked
   * by the service, which names the field; ignored for the others.
   */
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

export const IntegrationUpsertResponse = Type.Object({ integration_id: Id, integration_key: Type.String() });

export const IntegrationIdRequest = Type.Object({ integration_id: Id });

export const IntegrationItem = Type.Object({
  integration_id: Id,
  team_id: Id,
  name: Type.String(),
  status: IntegrationStatus,
  plugin_id: Type.Integer(),
  plugin_type: Type.String(),
  plugin_type_name: Type.String(),
  description: Type.String(),
  integration_key: Type.String(),
  /** `[]`, or for a webhook `[settings]` (the legacy schema types it as an array of objects). */
  settings: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  creator_id: Id,
  created_at: Type.Integer(),
  updated_at: Type.Integer(),
  // Vigil extensions.
  channel_id: Id,
  is_private: Type.Boolean(),
  push_url: Type.String(),
});

export const IntegrationListRequest = Type.Object({
  ...pageFields(20),
  orderby: Type.Optional(Type.Enum(['created_at', 'updated_at', 'name'])),
  asc: Type.Optional(Type.Boolean()),
  category: Type.Optional(Type.Enum(['event.alert', 'im', 'webhook', 'event.change', 'other'])),
  plugin_type: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(Type.Enum(['enabled', 'disabled'])),
  name: Type.Optional(Type.String({ maxLength: 256 })),
  is_my_team: Type.Optional(Type.Boolean()),
  team_ids: Type.Optional(Type.Array(Id, { maxItems: 100 })),
  channel_id: Type.Optional(Id),
});

export const IntegrationListResponse = Type.Object({
  items: Type.Array(IntegrationItem),
  total: Type.Integer(),
  has_next_page: Type.Boolean(),
  p: Type.Integer(),
  limit: Type.Integer(),
});
