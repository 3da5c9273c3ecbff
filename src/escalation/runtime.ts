import type { EscalationSnapshot } from './match.ts';

/*
 * The escalation runtime's decision, pure: given the frozen rule, where the escalation stands and
 * the incident as it is now, what happens at `nowMs` when its timer is due. The engine module
 * (escalation.module.ts) does the I/O around it. Rules: docs/escalation.md, "Runtime".
 */

/** Where an escalation stands (the escalations row). Times are ms. */
export type EscalationState = {
  layerIdx: number;
  /** Notifications already sent in this layer: 0 before the first, then 1 + repeats. */
  timesNotified: number;
  layerStartedAt: number;
};

/** What the decision reads of the incident. `snoozedBefore` is Unix seconds, as stored. */
export type IncidentState = {
  progress: 'Triggered' | 'Processing' | 'Closed';
  snoozedBefore: number;
  deleted: boolean;
};

export type Step =
  | { kind: 'end'; status: 'done' | 'stopped'; reason: 'closed' | 'deleted' | 'acknowledged' | 'completed' }
  | { kind: 'wait'; nextAt: number }
  | {
      kind: 'notify';
      layerIdx: number;
      /** 1 for the layer's first notification, 2.. for repeats. */
      fireNo: number;
      fireType: 'fire' | 'refire';
      /** The layer's first notification assigns the incident: layer 0 `assign`, later ones `escalate`. */
      assign: 'assign' | 'escalate' | null;
      /** The state after this notification, and when the escalation is next due. */
      state: EscalationState;
      nextAt: number;
    };

const MINUTE = 60_000;

/** When the layer ends (escalate_window after it started) and the next repeat would be due. */
export function nextDue(snapshot: EscalationSnapshot, state: EscalationState): number {
  const layer = snapshot.layers[state.layerIdx]!;
  const escalateAt = state.layerStartedAt + Math.round(layer.escalate_window * MINUTE);
  // Repeats: max_times more notifications after the first, every notify_step minutes, while the layer lasts.
  if (state.timesNotified <= layer.max_times) {
    const repeatAt = state.layerStartedAt + Math.round(state.timesNotified * layer.notify_step * MINUTE);
    if (repeatAt < escalateAt) return repeatAt;
  }
  return escalateAt;
}

function notify(snapshot: EscalationSnapshot, layerIdx: number, layerStartedAt: number, sent: number): Step {
  const state = { layerIdx, timesNotified: sent + 1, layerStartedAt };
  return {
    kind: 'notify',
    layerIdx,
    fireNo: sent + 1,
    fireType: sent === 0 ? 'fire' : 'refire',
    assign: sent === 0 ? (layerIdx === 0 ? 'assign' : 'escalate') : null,
    state,
    nextAt: nextDue(snapshot, state),
  };
}

/**
 * The escalation's step at `nowMs`, when its timer (next_at) is due:
 * closed or deleted incident → done; snoozed → wait for the snooze to end; acknowledged (and the
 * layer does not force escalation) → stopped; otherwise the layer's first notification, a repeat
 * when one is due within the layer's window, or — once the window has run out — the next layer's
 * first notification, and after the last layer, done.
 */
export function nextStep(
  snapshot: EscalationSnapshot,
  state: EscalationState,
  incident: IncidentState,
  nowMs: number,
): Step {
  if (incident.deleted) return { kind: 'end', status: 'done', reason: 'deleted' };
  if (incident.progress === 'Closed') return { kind: 'end', status: 'done', reason: 'closed' };
  if (incident.snoozedBefore * 1000 > nowMs) return { kind: 'wait', nextAt: incident.snoozedBefore * 1000 };
  const layer = snapshot.layers[state.layerIdx];
  if (!layer) return { kind: 'end', status: 'done', reason: 'completed' };
  if (incident.progress === 'Processing' && !layer.force_escalate) {
    return { kind: 'end', status: 'stopped', reason: 'acknowledged' };
  }
  if (state.timesNotified === 0) return notify(snapshot, state.layerIdx, state.layerStartedAt, 0);
  const escalateAt = state.layerStartedAt + Math.round(layer.escalate_window * MINUTE);
  if (nowMs < escalateAt) {
    if (state.timesNotified <= layer.max_times) {
      return notify(snapshot, state.layerIdx, state.layerStartedAt, state.timesNotified);
    }
    return { kind: 'wait', nextAt: escalateAt };
  }
  const next = state.layerIdx + 1;
  if (next >= snapshot.layers.length) return { kind: 'end', status: 'done', reason: 'completed' };
  return notify(snapshot, next, nowMs, 0);
}
