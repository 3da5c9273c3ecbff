/*
 * Insight metrics from summed facts (docs/insights.md, "Metrics"). Pure: the database sums the
 * facts of each group of incidents (or incident × responder rows); these functions add groups that
 * fall in one bucket and derive the means and percentages.
 */

/** Sums over a set of incidents (insight_incident_facts). */
export type IncidentTotals = {
  incidents: number;
  acknowledged: number;
  closed: number;
  autoClosed: number;
  manuallyClosed: number;
  timeoutClosed: number;
  escalated: number;
  manuallyEscalated: number;
  timeoutEscalated: number;
  reassigned: number;
  interruptions: number;
  notifications: number;
  engagedSeconds: number;
  secondsToAck: number;
  secondsToClose: number;
  alerts: number;
  alertEvents: number;
};

/** Sums over a set of incident × responder rows (insight_responder_facts). */
export type ResponderTotals = {
  incidents: number;
  acknowledged: number;
  reassigned: number;
  escalated: number;
  timeoutEscalated: number;
  manuallyEscalated: number;
  interruptions: number;
  notifications: number;
  engagedSeconds: number;
  secondsToAck: number;
};

export function emptyIncidentTotals(): IncidentTotals {
  return {
    incidents: 0,
    acknowledged: 0,
    closed: 0,
    autoClosed: 0,
    manuallyClosed: 0,
    timeoutClosed: 0,
    escalated: 0,
    manuallyEscalated: 0,
    timeoutEscalated: 0,
    reassigned: 0,
    interruptions: 0,
    notifications: 0,
    engagedSeconds: 0,
    secondsToAck: 0,
    secondsToClose: 0,
    alerts: 0,
    alertEvents: 0,
  };
}

export function emptyResponderTotals(): ResponderTotals {
  return {
    incidents: 0,
    acknowledged: 0,
    reassigned: 0,
    escalated: 0,
    timeoutEscalated: 0,
    manuallyEscalated: 0,
    interruptions: 0,
    notifications: 0,
    engagedSeconds: 0,
    secondsToAck: 0,
  };
}

/** Adds `b` into `a` field by field (both have the same keys). */
export function addInto<T extends Record<string, number>>(a: T, b: T): T {
  for (const key of Object.keys(b) as (keyof T)[]) (a[key] as number) += b[key] as number;
  return a;
}

/** Two decimals: means and percentages are reported like Flashduty's (e.g. 66.67). */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : round2(part / whole));
const pct = (part: number, whole: number) => (whole === 0 ? 0 : round2((part / whole) * 100));

export type IncidentMetrics = ReturnType<typeof incidentMetrics>;

/** The account/team/channel metric set of §2.8. */
export function incidentMetrics(t: IncidentTotals) {
  return {
    total_incident_cnt: t.incidents,
    total_incidents_acknowledged: t.acknowledged,
    total_incidents_closed: t.closed,
    total_incidents_auto_closed: t.autoClosed,
    total_incidents_manually_closed: t.manuallyClosed,
    total_incidents_timeout_closed: t.timeoutClosed,
    total_incidents_escalated: t.escalated,
    total_incidents_manually_escalated: t.manuallyEscalated,
    total_incidents_timeout_escalated: t.timeoutEscalated,
    total_incidents_reassigned: t.reassigned,
    total_interruptions: t.interruptions,
    total_notifications: t.notifications,
    total_engaged_seconds: t.engagedSeconds,
    total_seconds_to_ack: t.secondsToAck,
    total_seconds_to_close: t.secondsToClose,
    mean_seconds_to_ack: ratio(t.secondsToAck, t.acknowledged),
    mean_seconds_to_close: ratio(t.secondsToClose, t.closed),
    // Share of alert events that did not become an incident of their own.
    noise_reduction_pct: t.alertEvents === 0 ? 0 : round2(100 - (t.incidents / t.alertEvents) * 100),
    acknowledgement_pct: pct(t.acknowledged, t.incidents),
    total_alert_cnt: t.alerts,
    total_alert_event_cnt: t.alertEvents,
  };
}

export type ResponderMetrics = ReturnType<typeof responderMetrics>;

/** The per-responder metric set of the seed (no close metrics). */
export function responderMetrics(t: ResponderTotals) {
  return {
    total_incident_cnt: t.incidents,
    total_incidents_acknowledged: t.acknowledged,
    total_incidents_reassigned: t.reassigned,
    total_incidents_escalated: t.escalated,
    total_incidents_timeout_escalated: t.timeoutEscalated,
    total_incidents_manually_escalated: t.manuallyEscalated,
    total_interruptions: t.interruptions,
    total_notifications: t.notifications,
    total_engaged_seconds: t.engagedSeconds,
    total_seconds_to_ack: t.secondsToAck,
    mean_seconds_to_ack: ratio(t.secondsToAck, t.acknowledged),
    acknowledgement_pct: pct(t.acknowledged, t.incidents),
  };
}

/**
 * Interruptions of one person by one incident: interrupting notifications (SMS, voice, app push)
 * sent at these times (ms), where one sent less than a minute after the previous one is not new.
 * The SQL of facts.store.ts computes the same; this is its reference.
 */
export function countInterruptions(timesMs: readonly number[]): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  return sorted.filter((t, i) => i === 0 || t - sorted[i - 1]! >= 60_000).length;
}

/** Closed-by kind from the `from` of the incident's last i_rslv timeline entry. */
export function closedByOf(from: string | null | undefined): 'auto' | 'timeout' | 'manually' {
  if (from === 'event') return 'auto';
  if (from === 'autorslv') return 'timeout';
  return 'manually';
}
