import { type ChangeType, type ComponentStatus, isInEffect, type TimelineUpdate, worse } from './timeline.ts';

/*
 * Uptime of components over the last 90 days, from the timelines of their events (pure). As on
 * Statuspage: a major outage counts fully as downtime, a partial outage at 30 % of its length,
 * degraded performance and maintenance not at all; a component's days start on the UTC day it was
 * created and each counts whole (days before it are "no data"), so a day's bar, the 90-day
 * percentage, summary.json and a section's header are all the same sums. docs/status-pages.md.
 */

export const UPTIME_DAYS = 90;
const DAY = 86_400;

/** Share of a status's time that counts as downtime (Statuspage's weights). */
const DOWNTIME_WEIGHT: Readonly<Record<ComponentStatus, number>> = {
  operational: 0,
  under_maintenance: 0,
  degraded: 0,
  partial_outage: 0.3,
  full_outage: 1,
};

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
  /** The day's length when the component existed on it, else 0 ("no data"). */
  observed: number;
  /** Weighted seconds of downtime (DOWNTIME_WEIGHT). */
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

/** Weighted downtime of overlapping intervals: at each moment the heaviest one counts. */
function weightedLength(intervals: readonly [number, number, number][]): number {
  const points = [...new Set([...intervals.map((i) => i[0]), ...intervals.map((i) => i[1])])].sort(
    (a, b) => a - b,
  );
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    let weight = 0;
    for (const [from, to, w] of intervals) if (from <= a && to >= b && w > weight) weight = w;
    total += (b - a) * weight;
  }
  return total;
}

/** Daily uptime of one component over the UPTIME_DAYS UTC days ending today. */
export function uptimeOf(segments: readonly Segment[], availableSince: number, now: number): Uptime {
  const today = Math.floor(now / DAY) * DAY;
  const firstDay = Math.floor(availableSince / DAY) * DAY;
  const days: Day[] = [];
  let observed = 0;
  let down = 0;
  for (let i = UPTIME_DAYS - 1; i >= 0; i--) {
    const start = today - i * DAY;
    const day: Day = { start, observed: start >= firstDay ? DAY : 0, down: 0, worst: 'operational' };
    if (day.observed > 0) {
      const downs: [number, number, number][] = [];
      for (const segment of segments) {
        const a = Math.max(segment.from, start);
        const b = Math.min(segment.to, start + DAY, now);
        if (b <= a) continue;
        day.worst = worse(day.worst, segment.status);
        const weight = DOWNTIME_WEIGHT[segment.status];
        if (weight > 0) downs.push([a, b, weight]);
      }
      day.down = weightedLength(downs);
    }
    observed += day.observed;
    down += day.down;
    days.push(day);
  }
  return { days, observed, down, percent: percentOf(observed, down) };
}

const percentOf = (observed: number, down: number) =>
  observed > 0 ? ((observed - down) / observed) * 100 : undefined;

/**
 * A percentage as the page prints it: cut (never rounded up) to two decimals, so 99.999 % is not
 * shown as 100 %; summary.json gives the same number.
 */
export function shownPercent(percent: number): number {
  return Math.floor(percent * 100 + 1e-9) / 100;
}

/** Uptime of a group: the sum of its components' up time over the sum of their observed time. */
export function groupPercent(uptimes: readonly Uptime[]): number | undefined {
  const observed = uptimes.reduce((sum, u) => sum + u.observed, 0);
  const down = uptimes.reduce((sum, u) => sum + u.down, 0);
  return percentOf(observed, down);
}
