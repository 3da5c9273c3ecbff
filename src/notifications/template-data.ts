import type { IncidentInfo } from '../incidents/incidents.schemas.ts';

/*
 * What a notification template sees: the incident as /incident/info shows it, with Go-style names
 * (`incident_severity` → `.IncidentSeverity`, `detail_url` → `.DetailUrl`, responders'
 * `person_name` → `.PersonName`), label and field maps keeping their own keys (`.Labels.host`), and
 * a few shortcuts. docs/notifications.md lists them.
 */

const KEEP_KEYS = new Set(['labels', 'fields']);

function pascal(name: string): string {
  return name
    .split('_')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : ''))
    .join('');
}

function goStyle(value: unknown, keepKeys: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => goStyle(v, false));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (keepKeys) out[key] = v;
    else out[pascal(key)] = goStyle(v, KEEP_KEYS.has(key));
  }
  return out;
}

export type NotificationFacts = {
  /** `fire` for the first notification of a step, `refire` for a repeat (Flashduty's fire_type). */
  fireType?: 'fire' | 'refire';
  /** The escalation layer being notified, when known. */
  layerIdx?: number;
  /** When the message is rendered, Unix seconds. */
  now: number;
  /** The change most related to the incident (docs/changes.md), when there is one. */
  relatedChange?: { title: string; status: string; link: string; change_key: string; start_time: number };
};

/** The data a template is rendered over. */
export function templateData(incident: IncidentInfo, facts: NotificationFacts): Record<string, unknown> {
  const data = goStyle(incident, false) as Record<string, unknown>;
  return {
    ...data,
    Severity: incident.incident_severity,
    Status: incident.incident_status,
    TimeZone: incident.account_time_zone || 'UTC',
    FireType: facts.fireType ?? 'fire',
    LayerIdx: facts.layerIdx ?? 0,
    Now: facts.now,
    ResponderNames: incident.responders.map((r) => r.person_name).filter(Boolean),
    // Absent (falsy in `if`) when no change is related.
    RelatedChange: facts.relatedChange ? goStyle(facts.relatedChange, false) : undefined,
  };
}

/** A made-up incident for /template/preview without an incident, and to check templates' fields. */
export function sampleIncident(publicUrl: string, nowSeconds: number): IncidentInfo {
  const id = '65a1b2c3d4e5f60718293a4b';
  return {
    incident_id: id,
    account_id: 1,
    channel_id: 1,
    integration_id: 1,
    integration_ids: [1],
    integration_types: ['alert.prometheus'],
    integration_type: 'alert.prometheus',
    dedup_key: '',
    equals_md5: '',
    start_time: nowSeconds - 300,
    end_time: 0,
    last_time: nowSeconds - 60,
    ack_time: 0,
    close_time: 0,
    creator_id: 0,
    closer_id: 0,
    owner_id: 0,
    incident_status: 'Critical',
    incident_severity: 'Critical',
    progress: 'Triggered',
    title: 'CPU usage above 90% on web-1',
    description: 'cpu_usage_active is 97.3 on web-1 (threshold 90)',
    ai_summary: '',
    impact: '',
    root_cause: '',
    resolution: '',
    num: id.slice(-6).toUpperCase(),
    created_at: nowSeconds - 300,
    updated_at: nowSeconds - 60,
    deleted_at: 0,
    snoozed_before: 0,
    group_method: 'n',
    ever_muted: false,
    labels: { host: 'web-1', service: 'web', cluster: 'nj', severity: 'critical' },
    fields: {},
    assigned_to: {},
    alert_cnt: 1,
    active_alert_cnt: 1,
    alert_event_cnt: 3,
    responders: [
      {
        person_id: 1,
        person_name: 'Alice',
        email: 'alice@example.com',
        assigned_at: nowSeconds - 240,
        acknowledged_at: 0,
      },
    ],
    account_name: 'Example',
    account_locale: 'en-US',
    account_time_zone: 'UTC',
    channel_name: 'Web',
    channel_status: 'enabled',
    detail_url: `${publicUrl}/incident/detail/${id}`,
    silence_url: `${publicUrl}/channel/detail/1?tab=alertSuppression&fromIncidentId=${id}`,
    links: [],
    post_mortem_id: '',
    images: [],
    manual_overrides: [],
    data_source_id: 1,
    data_source_ids: [1],
    data_source_type: 'alert.prometheus',
    data_source_types: ['alert.prometheus'],
  } as IncidentInfo;
}

/** The top-level names a template may use (checked when a template is saved). */
export const TEMPLATE_FIELDS: ReadonlySet<string> = new Set(
  Object.keys(templateData(sampleIncident('', 0), { now: 0 })).concat([
    'Creator',
    'Closer',
    'Owner',
    'Frequency',
  ]),
);
