import type { AlertRow, NewAlertEvent } from '../../alerts/alerts.store.ts';
import type { DiscardedEvent } from '../../alerts/noise-control.ts';
import {
  type AlertSource,
  changedAlert,
  changedAlertEntry,
  type IncidentTouch,
  isRepeat,
  openedAlert,
  repeatedAlert,
  storedEvent,
} from '../../alerts/transitions.ts';
import type { ChannelRow } from '../../channels/channels.store.ts';
import type { FeedEntry } from '../../incidents/feed.store.ts';
import type { AlertEventInput } from '../event.ts';

/*
 * Decide, for one event: what it does to the alert of its key. Pure (no I/O): both the set-based
 * batch (./decide.ts) and the one-event path of screened channels (./apply-screened.ts) take every
 * alert-level decision here, so they cannot disagree on dedup, recovery or what an alert becomes.
 */

export type EventOutcome =
  /** A new alert; it opened or joined `incidentId`. */
  | { kind: 'new'; alertId: string; incidentId: string }
  /** The event changed an open alert (status, title or description), or recovered it. */
  | { kind: 'updated' | 'recovered'; alertId: string; incidentId: string | null }
  /** Same status, title and description as the alert already has: not stored, the alert refreshed. */
  | { kind: 'duplicate'; alertId: string }
  /** An Ok event for a key with no open alert: nothing to recover. */
  | { kind: 'ignored' }
  /** Discarded by a drop, silence or inhibit rule of the channel (src/alerts/noise-control.ts). */
  | DiscardedEvent;

/**
 * What an event is to the open alert of its key (null: none): a recovery of nothing (ignored), a new
 * alert, a repeat (same status, title and description) or a change (including a recovery).
 */
export type EventKind = 'ignored' | 'new' | 'repeat' | 'change';

export function kindOf(
  open: Pick<AlertRow, 'alert_status' | 'title' | 'description'> | null,
  event: AlertEventInput,
): EventKind {
  if (!open) return event.status === 'Ok' ? 'ignored' : 'new';
  return isRepeat(open, event) ? 'repeat' : 'change';
}

/** What an event does to its alert; the incident side is decided by the caller. */
export type EventStep =
  | { kind: 'ignored'; outcome: EventOutcome }
  /** Not stored: the alert's labels and last_time refreshed, maybe its incident's last_time. */
  | { kind: 'repeat'; alert: AlertRow; touch: IncidentTouch | undefined; outcome: EventOutcome }
  /** A new alert (in no incident yet) and its first stored event. */
  | { kind: 'new'; alert: AlertRow; stored: NewAlertEvent }
  /** The open alert `before` becomes `alert`; the event is stored, with its feed entry. */
  | {
      kind: 'change';
      before: AlertRow;
      alert: AlertRow;
      recovered: boolean;
      stored: NewAlertEvent;
      entry: FeedEntry;
      outcome: EventOutcome;
    };

export function decideEvent(
  source: AlertSource,
  channel: Pick<ChannelRow, 'channel_id'>,
  open: AlertRow | null,
  event: AlertEventInput,
  nowMs: number,
): EventStep {
  const now = Math.floor(nowMs / 1000);
  switch (kindOf(open, event)) {
    case 'ignored':
      return { kind: 'ignored', outcome: { kind: 'ignored' } };
    case 'new': {
      const alert = openedAlert(source, channel, event, nowMs);
      return { kind: 'new', alert, stored: storedEvent(source, alert, event, nowMs) };
    }
    case 'repeat': {
      const { alert, touch } = repeatedAlert(open!, event, now)!;
      return { kind: 'repeat', alert, touch, outcome: { kind: 'duplicate', alertId: open!.alert_id } };
    }
    case 'change': {
      const before = open!;
      const recovered = event.status === 'Ok';
      const stored = storedEvent(source, before, event, nowMs);
      return {
        kind: 'change',
        before,
        alert: changedAlert(before, event, now),
        recovered,
        stored,
        entry: changedAlertEntry(before, event, nowMs),
        outcome: {
          kind: recovered ? 'recovered' : 'updated',
          alertId: before.alert_id,
          incidentId: before.incident_id,
        },
      };
    }
  }
}
