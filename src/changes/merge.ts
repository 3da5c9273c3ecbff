import type { ChangeStatus } from '../db/schema.ts';
import { CHANGE_LIMITS, type ChangeEventInput, TERMINAL_STATUSES } from './change-event.ts';

/*
 * How the events of one change_key merge into one change (flashduty-api.md §3.4; docs/changes.md).
 * Pure. The events are taken in order — event_time, ties by arrival (`seq`) — and folded:
 *
 * - change_status and title: the latest event's;
 * - description and link: the latest non-empty one (an event that leaves them out erases nothing);
 * - labels: every event's, a later value replacing an earlier one; above 50 labels the latest
 *   event's are kept first, then earlier ones in key order;
 * - start_time: the earliest event_time; last_time: the latest event_time;
 * - end_time: the latest event's time when that event is Canceled or Done, else 0 (a change that
 *   was Done and receives a later Processing event is running again).
 *
 * The fold is a left fold, so an event that sorts after every stored one is applied to the stored
 * state alone (`applyEvent`); one that arrives out of order makes the caller fold them all again.
 */

/** A stored event: its arrival number within the change breaks event_time ties. */
export type SequencedEvent = ChangeEventInput & { seq: number };

export type ChangeState = {
  status: ChangeStatus;
  title: string;
  description: string;
  link: string;
  labels: Record<string, string>;
  startTime: number;
  lastTime: number;
  endTime: number;
};

/** Event order: event_time, then arrival. */
function compareEvents(a: SequencedEvent, b: SequencedEvent): number {
  return a.eventTime - b.eventTime || a.seq - b.seq;
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The labels after an event: its own, then earlier ones it does not name while fewer than 50. */
function mergeLabels(
  earlier: Readonly<Record<string, string>>,
  latest: Readonly<Record<string, string>>,
): Record<string, string> {
  const merged = new Map(Object.entries(latest));
  for (const [key, value] of Object.entries(earlier).sort(byKey)) {
    if (merged.size >= CHANGE_LIMITS.labels) break;
    if (!merged.has(key)) merged.set(key, value);
  }
  return Object.fromEntries([...merged].sort(byKey));
}

/** The state after `event`, which sorts after every event folded into `state` (none when undefined). */
export function applyEvent(state: ChangeState | undefined, event: ChangeEventInput): ChangeState {
  return {
    status: event.status,
    title: event.title,
    description: event.description !== '' ? event.description : (state?.description ?? ''),
    link: event.link !== '' ? event.link : (state?.link ?? ''),
    labels: mergeLabels(state?.labels ?? {}, event.labels),
    startTime: Math.min(state?.startTime ?? event.eventTime, event.eventTime),
    lastTime: event.eventTime,
    endTime: TERMINAL_STATUSES.has(event.status) ? event.eventTime : 0,
  };
}

/** Whether a newly arrived event sorts after every stored one (then `applyEvent` is enough). */
export function arrivesInOrder(state: ChangeState, event: ChangeEventInput): boolean {
  // A new arrival has the highest seq, so it is last whenever no stored event is later.
  return event.eventTime >= state.lastTime;
}

/** The state of a change from all of its events, in any order. */
export function foldChange(events: readonly SequencedEvent[]): ChangeState {
  if (events.length === 0) throw new Error('a change has at least one event');
  return [...events].sort(compareEvents).reduce<ChangeState | undefined>(applyEvent, undefined)!;
}
