/*
 * What the integration page shows a person connecting a monitoring system: a curl command that
 * sends one test event, and for Prometheus the Alertmanager receiver to paste. Pure functions of
 * the integration's push URL (built by the server from PUBLIC_URL) and its type.
 */

import { DATADOG_PAYLOAD_TEMPLATE } from '../../src/ingest/sources/datadog-template.ts';

export type IntegrationType =
  | 'alert.standard'
  | 'alert.prometheus'
  | 'alert.grafana'
  | 'alert.pagerduty'
  | 'alert.aws-cloudwatch'
  | 'alert.datadog'
  | 'alert.sentry'
  | 'alert.uptime-kuma'
  | 'alert.n9e'
  | 'alert.zabbix'
  | 'alert.heartbeat'
  | 'alert.webhook'
  | 'alert.email'
  | 'change.standard';

export const INTEGRATION_TYPES: { value: IntegrationType; label: string; description: string }[] = [
  {
    value: 'alert.prometheus',
    label: 'Prometheus Alertmanager',
    description: 'Alertmanager posts its webhook here; resolved alerts close incidents.',
  },
  {
    value: 'alert.grafana',
    label: 'Grafana alerting',
    description: 'A Grafana contact point of type Webhook posts here (unified or legacy alerting).',
  },
  {
    value: 'alert.pagerduty',
    label: 'PagerDuty Events API',
    description:
      'Anything that sends PagerDuty events (v1 or v2): point it at this URL, or keep its integration key as routing_key and change only the host.',
  },
  {
    value: 'alert.aws-cloudwatch',
    label: 'AWS CloudWatch (SNS)',
    description:
      'An SNS topic the alarms publish to, with an HTTPS subscription to this URL (signed, confirmed automatically).',
  },
  {
    value: 'alert.datadog',
    label: 'Datadog',
    description: 'A Datadog webhook with the payload below; mention @webhook-<name> in the monitors to page.',
  },
  {
    value: 'alert.sentry',
    label: 'Sentry',
    description: 'A Sentry internal integration posts issue and metric alerts here; resolved issues recover.',
  },
  {
    value: 'alert.uptime-kuma',
    label: 'Uptime Kuma',
    description: 'An Uptime Kuma notification (type Flashduty or Webhook) posts monitors going down and up.',
  },
  {
    value: 'alert.n9e',
    label: 'Nightingale (n9e)',
    description: 'A Nightingale callback (global or per rule) posts its alert events here.',
  },
  {
    value: 'alert.zabbix',
    label: 'Zabbix',
    description: 'Vigil’s Zabbix media type (6.0+) posts problems, recoveries and acknowledgements here.',
  },
  {
    value: 'alert.standard',
    label: 'Standard alert',
    description: 'Any script or tool posts JSON alert events (event_status, title_rule, alert_key).',
  },
  {
    value: 'alert.heartbeat',
    label: 'Heartbeat',
    description: 'A dead-man switch: a job pings its URL every few minutes; a missed ping opens an alert.',
  },
  {
    value: 'alert.webhook',
    label: 'Generic webhook',
    description: 'Any tool posts its own JSON; a mapping you write picks the title, key, status and labels.',
  },
  {
    value: 'alert.email',
    label: 'Email',
    description: 'Mail to the integration key at this server opens alerts (needs INBOUND_SMTP_PORT).',
  },
  {
    value: 'change.standard',
    label: 'Standard change',
    description: 'Deploys and configuration changes, shown next to the incidents they may have caused.',
  },
];

/** A string as one shell word: single-quoted, with embedded quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The JSON body of a test event of this type. */
export function testEventBody(type: string, now: Date = new Date()): unknown {
  if (type === 'alert.prometheus') {
    return {
      version: '4',
      status: 'firing',
      receiver: 'vigil',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'VigilTestAlert', severity: 'warning', instance: 'test' },
          annotations: { summary: 'A test alert sent with curl' },
          startsAt: now.toISOString(),
        },
      ],
    };
  }
  if (type === 'alert.webhook') {
    return {
      title: 'Test alert sent with curl',
      alert_key: 'vigil-test-alert',
      status: 'firing',
      severity: 'warning',
      description: 'Resend it with "status": "resolved" to resolve it.',
    };
  }
  if (type === 'alert.grafana') {
    return {
      receiver: 'vigil',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'VigilTestAlert', severity: 'warning' },
          annotations: { summary: 'A test alert sent with curl' },
          startsAt: now.toISOString(),
          fingerprint: 'vigil-test-alert',
        },
      ],
    };
  }
  if (type === 'alert.pagerduty') {
    return {
      event_action: 'trigger',
      dedup_key: 'vigil-test-alert',
      payload: { summary: 'Test alert sent with curl', source: 'curl', severity: 'warning' },
    };
  }
  if (type === 'alert.datadog') {
    return {
      alert_cycle_key: 'vigil-test-alert',
      alert_id: '1234',
      alert_transition: 'Triggered',
      alert_type: 'warning',
      title: 'Test alert sent with curl',
      message: 'Resend it with "alert_transition": "Recovered" to resolve it.',
    };
  }
  if (type === 'alert.sentry') {
    return {
      action: 'critical',
      data: {
        metric_alert: { id: 'vigil-test-alert', alert_rule: { name: 'Test alert sent with curl' } },
        description_text: 'Resend it with "action": "resolved" to resolve it.',
      },
    };
  }
  if (type === 'alert.uptime-kuma') {
    return {
      heartbeat: { status: 0, msg: 'Test alert sent with curl' },
      monitor: { id: 'vigil-test-alert', name: 'Test monitor' },
      msg: 'Resend it with "status": 1 to resolve it.',
    };
  }
  if (type === 'alert.n9e') {
    return {
      hash: 'vigil-test-alert',
      rule_name: 'Test alert sent with curl',
      severity: 2,
      is_recovered: false,
      tags: ['ident=test'],
      trigger_time: Math.floor(now.getTime() / 1000),
    };
  }
  if (type === 'alert.zabbix') {
    return {
      event_id: 'vigil-test-alert',
      event_value: '1',
      event_name: 'Test alert sent with curl',
      event_nseverity: '2',
      host_name: 'test',
    };
  }
  if (type === 'change.standard') {
    return {
      change_status: 'Done',
      change_key: 'vigil-test-change',
      title: 'Test change sent with curl',
      labels: { service: 'test' },
    };
  }
  return {
    event_status: 'Warning',
    title_rule: 'Test alert sent with curl',
    alert_key: 'vigil-test-alert',
    description: 'Resend it with "event_status": "Ok" to resolve it.',
    labels: { service: 'test' },
  };
}

/** A copyable curl command that posts one test event to the push URL (a heartbeat: one ping). */
export function curlCommand(pushUrl: string, type: string, now?: Date): string {
  if (type === 'alert.heartbeat') return `curl -fsS -m 10 --retry 3 ${shellQuote(pushUrl)}`;
  return [
    `curl -sS -X POST ${shellQuote(pushUrl)}`,
    `  -H 'Content-Type: application/json'`,
    `  -d ${shellQuote(JSON.stringify(testEventBody(type, now)))}`,
  ].join(' \\\n');
}

/** A YAML scalar in single quotes (the only escape is a doubled quote). */
function yamlQuote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The Alertmanager configuration that sends every alert to this integration: a route to a
 * receiver whose webhook is the push URL, with resolved notifications so incidents close.
 */
export function alertmanagerSnippet(pushUrl: string, receiver = 'vigil'): string {
  return [
    'route:',
    `  receiver: ${yamlQuote(receiver)}`,
    '',
    'receivers:',
    `  - name: ${yamlQuote(receiver)}`,
    '    webhook_configs:',
    `      - url: ${yamlQuote(pushUrl)}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

/** The crontab line that pings a heartbeat after each successful run of a job. */
export function heartbeatCron(pushUrl: string): string {
  return `*/5 * * * * /usr/local/bin/my-job && curl -fsS -m 10 --retry 3 ${shellQuote(pushUrl)} > /dev/null`;
}

/** An e-mail integration's address: its key at this server's host name (any domain routed here works). */
export function emailAddress(integrationKey: string, host: string): string {
  return `${integrationKey}@${host}`;
}
/**
 * What else a type's page shows to paste, beside the push URL: the SNS subscription for CloudWatch
 * (whose messages must be signed by SNS, so curl cannot test it), PagerDuty's own endpoint, Datadog's
 * payload template, where Sentry and Uptime Kuma take the URL, the n9e callback, the Zabbix media
 * type's parameters.
 */
export function sourceSnippet(
  type: string,
  pushUrl: string,
): { label: string; hint: string; code: string } | undefined {
  if (type === 'alert.aws-cloudwatch') {
    return {
      label: 'Subscribe the alarms’ SNS topic',
      hint: 'Vigil confirms the subscription itself; then set the topic as the alarm’s ALARM, OK and INSUFFICIENT_DATA actions.',
      code: `aws sns subscribe --topic-arn arn:aws:sns:REGION:ACCOUNT:TOPIC \\
  --protocol https --notification-endpoint ${shellQuote(pushUrl)}`,
    };
  }
  if (type === 'alert.datadog') {
    return {
      label: 'Datadog webhook payload',
      hint: 'Integrations → Webhooks → New: this URL, "Encode as form" off, custom payload on with this JSON; then add @webhook-<name> to the monitors’ messages.',
      code: DATADOG_PAYLOAD_TEMPLATE,
    };
  }
  if (type === 'alert.sentry') {
    return {
      label: 'Sentry internal integration',
      hint: 'Settings → Custom Integrations → Create New Integration → Internal Integration: Webhook URL as below, Alert Rule Action on, Issue & Event read, webhook “issue” checked; then pick it as an action of your issue and metric alert rules.',
      code: pushUrl,
    };
  }
  if (type === 'alert.uptime-kuma') {
    return {
      label: 'Uptime Kuma notification',
      hint: 'Settings → Notifications → Setup: type “Flashduty” with this whole URL as its Integration Key (a URL is posted to as is), or type “Webhook” with this URL and body “application/json”.',
      code: pushUrl,
    };
  }
  if (type === 'alert.n9e') return n9eSnippet(pushUrl);
  if (type === 'alert.zabbix') return zabbixSnippet(pushUrl);
  if (type === 'alert.pagerduty') {
    const url = new URL(pushUrl);
    const key = url.searchParams.get('integration_key') ?? '';
    return {
      label: 'Or keep PagerDuty’s path',
      hint: 'Senders that only let you change the host: use this base URL with the key as routing_key (v2) or service_key (v1).',
      code: `${url.origin}/v2/enqueue  (routing_key: ${key})\n${url.origin}/generic/2010-04-15/create_event.json  (service_key: ${key})`,
    };
  }
  return undefined;
}

/** The n9e 5.4–5.15 server.conf webhook (n9e 6+ takes the URL in its console). */
function n9eSnippet(pushUrl: string) {
  return {
    label: 'Nightingale callback',
    hint: 'n9e 6+: paste the URL as a callback (System settings → Notification → Callbacks, or an alert rule’s callback). n9e 5.4–5.15: in etc/server.conf:',
    code: [
      '[Alerting.Webhook]',
      'Enable = true',
      `Url = ${JSON.stringify(pushUrl)}`,
      'Timeout = "5s"',
      'Headers = ["Content-Type", "application/json"]',
    ].join('\n'),
  };
}

/** The Zabbix media type's parameters to fill after importing it. */
function zabbixSnippet(pushUrl: string) {
  return {
    label: 'Zabbix media type',
    hint: 'Import integrations/zabbix/vigil_media_type.yaml (Alerts → Media types → Import), then set its parameters; add it to a user and to an action’s problem, recovery and update operations (docs/sources.md “Zabbix”).',
    code: `URL: ${pushUrl}\nzabbix_url: https://zabbix.example.com\nHTTPProxy:`,
  };
}

/** Whether a type can be tested with curl (SNS messages must be signed). */
export const curlTestable = (type: string): boolean => type !== 'alert.aws-cloudwatch';

/** Whether a type takes pushed events (webhooks are outbound and have no push URL). */
export function isPushType(type: string): type is IntegrationType {
  return INTEGRATION_TYPES.some((t) => t.value === type);
}
