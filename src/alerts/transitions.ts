import type { ChannelRow } from '../channels/channels.store.ts';
import type { Severity } from '../db/schema.ts';
import type { FeedEntry } from '../incidents/feed.store.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import { newObjectId } from '../shared/ids.ts';
import type { AlertKey, AlertRow, NewAlertEvent } from './alerts.store.ts';
import { higherSeverity } from './severity.ts';

/*
 * What an event does to an alert, as pure functions of the alert and the event. The decide step of
 * applying (src/ingest/apply/decide-event.ts) is built on these.
 */

export type AlertSource = { accountId: number; integrationId: number; integrationType: string };

/** The advisory lock that serialises the creation of an alert for a key. */
export function alertLockName(key: AlertKey): string {
  return `alert:${key.integrationId}:${key.channelId}:${key.alertKey}`;
}

/**
 * Labels after an event: a firing event's labels replace the alert's; a recovery only adds the keys
 * the alert lacks (Flashduty: "Ok never overwrites").
 */
function mergeLabels(current: Record<string, string>, event: AlertEventInput): Record<string, string> {
  return event.status === 'Ok' ? { ...event.labels, ...current } : event.labels;
}

/** The alert a firing event for a key with no open alert opens (not yet in an incident). */
export function openedAlert(
  source: AlertSource,
  channel: Pick<ChannelRow, 'channel_id'>,
  event: AlertEventInput,
  nowMs: number,
): AlertRow {
  const now = Math.floor(nowMs / 1000);
  return {
    alert_id: newObjectId(nowMs),
    account_id: source.accountId,
    integration_id: source.integrationId,
    channel_id: channel.channel_id,
    incident_id: null,
    alert_key: event.alertKey,
    title: event.title,
    title_rule: event.titleRule,
    description: event.description,
    alert_severity: event.severity,
    alert_status: event.status,
    start_time: event.eventTime,
    last_time: event.eventTime,
    end_time: 0,
    labels: event.labels,
    images: event.images,
    ever_muted: false,
    event_cnt: 1,
    created_at: now,
    updated_at: now,
    deleted_at: 0,
  };
}

/** How stale an incident's last_time may get from repeats before a repeat moves it. */
export const TOUCH_GRANULARITY_SECONDS = 60;

export type IncidentTouch = { incidentId: string; eventTime: number };

/** An event with the status, title and description the open alert already has. */
export function isRepeat(
  open: Pick<AlertRow, 'alert_status' | 'title' | 'description'>,
  event: AlertEventInput,
): boolean {
  return (
    event.status === open.alert_status && event.title === open.title && event.description === open.description
  );
}

/**
 * A repeat: an event with the status, title and description the open alert already has. It is not
 * stored; it refreshes the alert's labels and last_time, and — when the alert's last_time is a
 * minute old — asks for its incident's last_time to be moved. Undefined when the event is not a
 * repeat of `open`.
 */
export function repeatedAlert(
  open: AlertRow,
  event: AlertEventInput,
  now: number,
): { alert: AlertRow; touch: IncidentTouch | undefined } | undefined {
  if (!isRepeat(open, event)) return undefined;
  const alert = {
    ...open,
    labels: mergeLabels(open.labels, event),
    last_time: Math.max(open.last_time, event.eventTime),
    updated_at: now,
  };
  const touch =
    open.incident_id && event.eventTime >= open.last_time + TOUCH_GRANULARITY_SECONDS
      ? { incidentId: open.incident_id, eventTime: event.eventTime }
      : undefined;
  return { alert, touch };
}

/**
 * An open alert after an event that changed its status, title or description, or recovered it
 * (Ok): severity is the highest seen, status the latest; a recovery closes the alert as it was —
 * its title and description stay those of the problem.
 */
export function changedAlert(open: AlertRow, event: AlertEventInput, now: number): AlertRow {
  const recovered = event.status === 'Ok';
  return {
    ...open,
    ...(recovered ? {} : { title: event.title, title_rule: event.titleRule, description: event.description }),
    alert_status: event.status,
    alert_severity: recovered
      ? open.alert_severity
      : higherSeverity(open.alert_severity, event.severity as Severity),
    labels: mergeLabels(open.labels, event),
    last_time: Math.max(open.last_time, event.eventTime),
    ...(recovered ? { end_time: Math.max(open.start_time, event.eventTime) } : {}),
    event_cnt: open.event_cnt + 1,
    updated_at: now,
  };
}

/** The stored event; `alert` is the alert as it was before the event (or the one it opened). */
export function storedEvent(
  source: AlertSource,
  alert: AlertRow,
  event: AlertEventInput,
  nowMs: number,
): NewAlertEvent {
  return {
    event_id: newObjectId(nowMs),
    alert_id: alert.alert_id,
    account_id: source.accountId,
    channel_id: alert.channel_id,
    integration_id: source.integrationId,
    integration_type: source.integrationType,
    alert_key: event.alertKey,
    title: event.title,
    title_rule: event.titleRule,
    description: event.description,
    // An Ok event carries no severity of its own; it is recorded with the alert's.
    event_severity: event.status === 'Ok' ? alert.alert_severity : event.severity,
    event_status: event.status,
    event_time: event.eventTime,
    labels: event.labels,
    images: event.images,
    created_at: Math.floor(nowMs / 1000),
  };
}

/** The alert's feed entry for a new alert, with the incident it went to and why. */
/** The notes of enrichment and pipelines, when they did anything (docs/processing.md). */
const processingOf = (event: AlertEventInput | undefined) =>
  event?.processing?.length ? { processing: event.processing } : {};

export function newAlertEntry(
  alert: AlertRow,
  placement: { incidentId: string; reason: string },
  nowMs: number,
  event?: AlertEventInput,
): FeedEntry {
  return {
    accountId: alert.account_id,
    alertId: alert.alert_id,
    type: 'a_new',
    detail: {
      severity: alert.alert_severity,
      status: alert.alert_status,
      incident_id: placement.incidentId,
      reason: placement.reason,
      ...processingOf(event),
    },
    atMs: nowMs,
  };
}

/** The alert's feed entry for a change (a_update, Vigil's) or a recovery (a_close, no fields, as Flashduty's). */
export function changedAlertEntry(alert: AlertRow, event: AlertEventInput, nowMs: number): FeedEntry {
  const recovered = event.status === 'Ok';
  return {
    accountId: alert.account_id,
    alertId: alert.alert_id,
    type: recovered ? 'a_close' : 'a_update',
    detail: recovered
      ? processingOf(event)
      : { severity: event.severity, status: event.status, title: event.title, ...processingOf(event) },
    atMs: nowMs,
  };
}
