/*
 * The rules of a status-page event's timeline, as pure functions: which statuses a type allows,
 * what an event's status and its components' statuses are after its updates, and which rule a
 * timeline breaks. The service validates a create, a new update, an edited or a deleted update by
 * replaying the whole timeline through `replay`, so one set of rules holds for every path.
 * docs/status-pages.md.
 */

export type ChangeType = 'incident' | 'maintenance';

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const MAINTENANCE_STATUSES = ['scheduled', 'ongoing', 'completed'] as const;
export const EVENT_STATUSES = [...INCIDENT_STATUSES, ...MAINTENANCE_STATUSES] as const;

/** Component statuses from best to worst: the order that decides which status wins. */
export const COMPONENT_STATUSES = [
  'operational',
  'under_maintenance',
  'degraded',
  'partial_outage',
  'full_outage',
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

const COMPONENT_STATUSES_OF: Record<ChangeType, readonly ComponentStatus[]> = {
  incident: ['operational', 'degraded', 'partial_outage', 'full_outage'],
  maintenance: ['operational', 'under_maintenance'],
};

const STATUSES_OF: Record<ChangeType, readonly string[]> = {
  incident: INCIDENT_STATUSES,
  maintenance: MAINTENANCE_STATUSES,
};

export function statusesOf(type: ChangeType): readonly string[] {
  return STATUSES_OF[type];
}

export function componentStatusesOf(type: ChangeType): readonly ComponentStatus[] {
  return COMPONENT_STATUSES_OF[type];
}

export function isTerminal(status: string): boolean {
  return status === 'resolved' || status === 'completed';
}

/** Whether an event in this status shows on its components: not ended, and not a maintenance yet to start. */
export function isInEffect(status: string): boolean {
  return !isTerminal(status) && status !== 'scheduled';
}

/** The worse of two component statuses. */
export function worse(a: ComponentStatus, b: ComponentStatus): ComponentStatus {
  return COMPONENT_STATUSES.indexOf(a) >= COMPONENT_STATUSES.indexOf(b) ? a : b;
}

export function worst(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let result: ComponentStatus = 'operational';
  for (const status of statuses) result = worse(result, status);
  return result;
}

export type ComponentChange = { component_id: string; status: string };

/** One update as the rules see it; `status` null: the update leaves the event's status as it was. */
export type TimelineUpdate = {
  atSeconds: number;
  status: string | null;
  componentChanges: readonly ComponentChange[];
};

/** A broken rule: which update (its index in time order) and which of its fields. */
export type Violation = {
  index: number;
  field: 'status' | 'component_changes' | 'at_seconds';
  reason: string;
};

export type Replayed = {
  /** The event's status after the last update. */
  status: string;
  /** Every component the timeline touched, with the status its latest change gave it. */
  components: Map<string, ComponentStatus>;
  /** When the event reached the terminal status it is in now; 0 while it is not terminal. */
  closedAt: number;
  violation?: Violation;
};

/**
 * Replays a timeline in time order (the caller sorts stored updates; a create keeps the order it
 * was sent in, see `checkOrder`) and reports the first rule it breaks:
 * - no update is before the start, except the notes of a maintenance still `scheduled`;
 * - the first update declares the affected components (non-empty `component_changes`) and has a status;
 * - statuses and component statuses belong to the event's type;
 * - while the event is terminal (resolved / completed), every component it touched is operational.
 */
export function replay(type: ChangeType, startAt: number, updates: readonly TimelineUpdate[]): Replayed {
  const components = new Map<string, ComponentStatus>();
  let status = '';
  let closedAt = 0;
  const fail = (violation: Violation): Replayed => ({ status, components, closedAt, violation });
  const allowed = componentStatusesOf(type);

  for (const [index, update] of updates.entries()) {
    const next = update.status ?? status;
    if (update.atSeconds < startAt && !(type === 'maintenance' && next === 'scheduled')) {
      return fail({ index, field: 'at_seconds', reason: 'must not be before the start of the event' });
    }
    if (index === 0) {
      if (update.componentChanges.length === 0) {
        return fail({
          index,
          field: 'component_changes',
          reason: 'the first update must declare the affected components',
        });
      }
      if (update.status === null) {
        return fail({ index, field: 'status', reason: 'the first update needs a status' });
      }
    }
    if (!statusesOf(type).includes(next)) {
      return fail({
        index,
        field: 'status',
        reason: `must be one of ${statusesOf(type).join(', ')} for ${type}`,
      });
    }
    for (const change of update.componentChanges) {
      if (!(allowed as readonly string[]).includes(change.status)) {
        return fail({
          index,
          field: 'component_changes',
          reason: `a ${type} sets components to ${allowed.join(', ')}, not ${change.status}`,
        });
      }
      components.set(change.component_id, change.status as ComponentStatus);
    }
    if (isTerminal(next)) {
      const impaired = [...components].find(([, componentStatus]) => componentStatus !== 'operational');
      if (impaired) {
        return fail({
          index,
          field: 'status',
          reason: `${next} requires every affected component to be operational; ${impaired[0]} is ${impaired[1]}`,
        });
      }
      if (!isTerminal(status)) closedAt = update.atSeconds;
    } else {
      closedAt = 0;
    }
    status = next;
  }
  return { status, components, closedAt };
}

/** The index of the first update sent before the one it follows, if any (a create must be in time order). */
export function checkOrder(updates: readonly { atSeconds: number }[]): number | undefined {
  for (let i = 1; i < updates.length; i++) {
    if (updates[i]!.atSeconds < updates[i - 1]!.atSeconds) return i;
  }
  return undefined;
}

/** The index of the first component id that appears twice in one update's changes, if any. */
export function duplicateComponent(changes: readonly ComponentChange[]): number | undefined {
  const seen = new Set<string>();
  for (const [index, change] of changes.entries()) {
    if (seen.has(change.component_id)) return index;
    seen.add(change.component_id);
  }
  return undefined;
}

/** Stored updates in time order; ties keep their creation order (ULIDs sort by creation). */
export function inTimeOrder<T extends { at_seconds: number; update_id: string }>(updates: readonly T[]): T[] {
  return [...updates].sort(
    (a, b) =>
      a.at_seconds - b.at_seconds || (a.update_id < b.update_id ? -1 : a.update_id > b.update_id ? 1 : 0),
  );
}

/**
 * The current status of each component of a page: the worst status among the events in effect
 * (see `isInEffect`) that touch it; components no event touches are operational.
 */
export function currentComponentStatuses(
  events: readonly { status: string; startAt: number; components: ReadonlyMap<string, ComponentStatus> }[],
  nowSeconds: number,
): Map<string, ComponentStatus> {
  const result = new Map<string, ComponentStatus>();
  for (const event of events) {
    if (!isInEffect(event.status) || event.startAt > nowSeconds) continue;
    for (const [componentId, status] of event.components) {
      result.set(componentId, worse(result.get(componentId) ?? 'operational', status));
    }
  }
  return result;
}
