/** The parts of the Open API answers the console reads (the full shapes: the *.schemas.ts files under src/). */

export type Severity = 'Critical' | 'Warning' | 'Info';
export type Progress = 'Triggered' | 'Processing' | 'Closed';

export type Member = {
  account_id: number;
  member_id: number;
  member_name: string;
  email: string;
  locale: string;
  time_zone: string;
  account_name: string;
  account_time_zone: string;
};

export type Responder = {
  person_id: number;
  person_name?: string;
  assigned_at: number;
  acknowledged_at: number;
};

export type Incident = {
  incident_id: string;
  num: string;
  title: string;
  description: string;
  incident_severity: Severity;
  incident_status: string;
  progress: Progress;
  channel_id: number;
  channel_name: string;
  start_time: number;
  ack_time: number;
  close_time: number;
  last_time: number;
  snoozed_before: number;
  root_cause: string;
  resolution: string;
  labels: Record<string, string>;
  assigned_to: { person_ids?: number[]; escalate_rule_name?: string; layer_idx?: number };
  responders: Responder[];
  alert_cnt: number;
  active_alert_cnt: number;
  detail_url: string;
  /** The post-mortem that covers the incident, '' when none does. */
  post_mortem_id: string;
  closer?: { person_id: number; person_name: string };
};

export type IncidentPage = { items: Incident[]; total: number; has_next_page: boolean };

export type FeedItem = {
  ref_id: string;
  type: string;
  detail: Record<string, unknown>;
  creator_id: number;
  created_at: number;
};

export type Alert = {
  alert_id: string;
  title: string;
  alert_severity: string;
  alert_status: string;
  integration_name: string;
  start_time: number;
  last_time: number;
  end_time: number;
  event_cnt: number;
  labels: Record<string, string>;
  /** A silence or inhibit rule muted it at some point. */
  ever_muted?: boolean;
  events?: AlertEvent[];
};

export type AlertEvent = {
  event_id: string;
  title: string;
  event_severity: string;
  event_status: string;
  event_time: number;
};

export type Channel = { channel_id: number; channel_name: string };
export type Person = { person_id: number; person_name: string };

export type RelatedChange = {
  change_id: string;
  title: string;
  link: string;
  change_status: string;
  start_time: number;
  integration_name: string;
  correlation: { matched_labels: Record<string, string>; seconds_before: number; score: number };
};
