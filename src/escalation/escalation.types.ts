/*
 * Escalation rules as Vigil stores them (table escalation_rules, migration 0013) and as the
 * matcher and the escalation engine read them. Every field is present once stored: the service
 * fills in the defaults (docs/escalation.md).
 */

/** Personal notification channels: each person's own preference, or fixed lists per severity. */
export type EscalateBy = {
  follow_preference: boolean;
  critical: string[];
  warning: string[];
  info: string[];
};

/** A group chat or bot: its type (`feishu`, `slack_app`, `custom`, ...) and type-specific settings. */
export type EscalateWebhook = { type: string; settings: Record<string, unknown> };

export type EscalateTarget = {
  person_ids: number[];
  team_ids: number[];
  /** Schedule id (as a string: a JSON object key) → the schedule's role ids whose on-call are notified. */
  schedule_to_role_ids: Record<string, number[]>;
  emails: string[];
  /** Present when people are notified personally. */
  by?: EscalateBy;
  /** Present when group chats are notified. */
  webhooks?: EscalateWebhook[];
};

export type EscalateLayer = {
  /** Repeat notifications within the layer, 0–6. */
  max_times: number;
  /** Minutes between repeats, 0.5–120. */
  notify_step: number;
  /** Minutes before moving to the next layer, 0–720. */
  escalate_window: number;
  /** Escalate even when the incident was acknowledged (but not closed). */
  force_escalate: boolean;
  target: EscalateTarget;
};

/** A recurring window on the wall clock of the account's time zone (see pickEscalationRule). */
export type EscalateTimeFilter = {
  start: string;
  end: string;
  /** Weekdays 0 (Sunday)–6 on which the window starts; empty = every day. */
  repeat: number[];
  /** A calendar; '' = none. With one, the window applies on its workdays, or on its days off when is_off. */
  cal_id: string;
  is_off: boolean;
};

export type Condition = { key: string; oper: 'IN' | 'NOTIN'; vals: string[] };

/** OR of AND groups; [] matches every incident. */
export type EscalateFilters = Condition[][];

export type EscalationRule = {
  rule_id: string;
  account_id: number;
  channel_id: number;
  rule_name: string;
  description: string;
  priority: number;
  /** Seconds to wait before the first notification, 0–3600. */
  aggr_window: number;
  template_id: string;
  status: 'enabled' | 'disabled';
  layers: EscalateLayer[];
  time_filters: EscalateTimeFilter[];
  filters: EscalateFilters;
  created_at: number;
  updated_at: number;
};
