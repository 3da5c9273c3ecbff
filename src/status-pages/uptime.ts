import { type ChangeType, type ComponentStatus, isInEffect, type TimelineUpdate, worse } from './timeline.ts';

/*
 * Uptime of components over the last 90 days, from the timelines of their events (pure). Partial and
 * full outage count as downtime; degraded performance and maintenance do not. Time before a
 * component existed counts neither way. Days are UTC days. docs/status-pages.md.
 */

export const UPTIME_DAYS = 90;
const DAY = 86_400;

const DOWN: ReadonlySet<ComponentStatus> = new Set(['partial_outage', 'full_outage']);

/** A stretch of time during which an event held a component in a status other than operational. */
export type Segment = { componentId: string; from: number; to: number; status: ComponentStatus };

export type UptimeEvent = { type: ChangeType; updates: readonly TimelineUpdate[] };

/** The segments an event's timeline (in time order) puts on its components, up to `now`. */
export function segmentsOf(event: UptimeEvent, now: number): Segment[] {
  const segments: Segment[] = [];
  const components = new Map<string, ComponentStatus>();
  let status = '';
  const { updates } = event;
  for (const [index, update] of updates.entries()) {
    status = update.status ?? status;
    for (const change of update.componentChanges) {
      components.set(change.component_id, change.status as ComponentStatus);
    }
    if (!isInEffect(status)) continue;
    const from = update.atSeconds;
    const to = Math.min(updates[index + 1]?.atSeconds ?? now, now);
    if (to <= from) continue;
    for (const [componentId, componentStatus] of components) {
      if (componentStatus !== 'operational')
        segments.push({ componentId, from, to, status: componentStatus });
    }
  }
  return segments;
}

export type Day = {
  /** Start of the UTC day, Unix seconds. */
  start: number;
  /** Seconds of the day the component existed and that have passed (0: no data). */
  observed: number;
  down: number;
  /** The worst status the component had that day. */
  worst: ComponentStatus;
};

export type Uptime = {
  days: Day[];
  observed: number;
  down: number;
  /** Percentage up over the window, undefined when nothing was observed. */
  percent: number | undefined;
};

/** Total length of a set of intervals once overlaps are merged. */
function unionLength(intervals: [number, number][]): number {
  intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const [from, to] of intervals) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}

/** Daily uptime of one component over the UPTIME_DAYS UTC days ending today. */
export function uptimeOf(segments: readonly Segment[], availableSince: number, now: number): Uptime {
  const today = Math.floor(now / DAY) * DAY;
  const days: Day[] = [];
  let observed = 0;
  let down = 0;
  for (let i = UPTIME_DAYS - 1; i >= 0; i--) {
    const start = today - i * DAY;
    const from = Math.max(start, availableSince);
    const to = Math.min(start + DAY, now);
    const day: Day = { start, observed: Math.max(0, to - from), down: 0, worst: 'operational' };
    if (day.observed > 0) {
      const downs: [number, number][] = [];
      for (const segment of segments) {
        const a = Math.max(segment.from, from);
        const b = Math.min(segment.to, to);
        if (b <= a) continue;
        day.worst = worse(day.worst, segment.status);
        if (DOWN.has(segment.status)) downs.push([a, b]);
      }
      day.down = unionLength(downs);
    }
    observed += day.observed;
    down += day.down;
    days.push(day);
  }
  return { days, observed, down, percent: observed > 0 ? ((observed - down) / observed) * 100 : undefined };
}

/** Uptime of a group: the sum of its components' up time over the sum of their observed time. */
export function groupPercent(uptimes: readonly Uptime[]): number | undefined {
  const observed = uptimes.reduce((sum, u) => sum + u.observed, 0);
  const down = uptimes.reduce((sum, u) => sum + u.down, 0);
  return observed > 0 ? ((observed - down) / observed) * 100 : undefined;
}
