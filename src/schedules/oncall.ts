import { addMonths, naiveParts, startOfDay, startOfWeek, toInstant, toNaive } from './zoned.ts';

/*
 * Who is on call: a pure calculator over a schedule's layers (docs/schedules.md).
 *
 * Every boundary — a hand-off, a restriction period, a masked day — is a wall-clock time in the
 * schedule's IANA zone, turned into an instant only at the end. So a daily rotation hands off at
 * the same local time every day, and a 23- or 25-hour day is still one day.
 */

export type RotationUnit = 'hour' | 'day' | 'week' | 'month';

export type OncallMember = { role_id: number; person_ids: number[] };
export type OncallGroup = { group_name: string; members: OncallMember[] };
export type RestrictPeriod = { restrict_start: number; restrict_end: number };

export type Layer = {
  layer_name: string;
  /** 0: a rotation; 1: an override, which wins over every rotation while it lasts. */
  mode: 0 | 1;
  groups: OncallGroup[];
  rotation_unit: RotationUnit;
  rotation_value: number;
  /** Weekly cycles only: seconds from Monday 00:00 local to the hand-off. */
  handoff_time: number;
  layer_start: number;
  /** null: open-ended. */
  layer_end: number | null;
  /** 0 none, 1 daily periods (seconds from 00:00), 2 weekly periods (seconds from Monday 00:00). */
  restrict_mode: 0 | 1 | 2;
  restrict_periods: RestrictPeriod[];
  /** Weekdays (0 = Sunday) the layer covers; empty: every day. */
  day_mask: number[];
  /** A masked "day" runs from the layer's hand-off time of day instead of midnight. */
  mask_continuous_enabled: boolean;
  fair_rotation: boolean;
  /**
   * Vigil's own: this layer's people are on call together with those of the layers below it in its
   * band, instead of replacing them. A band is a non-cumulative layer and the cumulative layers
   * directly above it (docs/schedules.md, "Bands").
   */
  cumulative?: boolean;
};

export type Shift = {
  start: number;
  end: number;
  /** Position of the group in the layer's `groups`. */
  index: number;
  group: OncallGroup;
};

export type FinalShift = Shift & {
  /** Position of the winning layer in precedence order (higher wins). */
  weight: number;
  layer_name: string;
};

/** The group of several shifts on call together: their members, in layer order. */
function unionGroup(parts: readonly Shift[]): OncallGroup {
  if (parts.length === 1) return parts[0]!.group;
  const names = [...new Set(parts.map((p) => p.group.group_name).filter((name) => name !== ''))];
  return { group_name: names.join(', '), members: parts.flatMap((p) => p.group.members) };
}

export type Window = { start: number; end: number };

const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;

type Interval = [number, number];

/** Layers in precedence order, lowest first: rotations in their given order, then overrides. */
function precedence(layers: readonly Layer[]): Layer[] {
  return [...layers.filter((l) => l.mode === 0), ...layers.filter((l) => l.mode === 1)];
}

/** Nominal length of one rotation turn, in seconds (months count as 30 days). */
export function rotationSeconds(unit: RotationUnit, value: number): number {
  const unitSeconds = { hour: HOUR, day: DAY, week: WEEK, month: 30 * DAY }[unit];
  return unitSeconds * value;
}

/** A cycle of whole weeks, where hand-off time names a weekday and time. */
function weeklyCycle(layer: Layer): boolean {
  if (layer.rotation_unit === 'week') return true;
  return layer.rotation_unit === 'day' && layer.rotation_value % 7 === 0;
}

/**
 * The rotation's wall-clock boundaries: boundary(k) is when turn k begins, as a naive time.
 * Turn 0 holds layer_start (for weekly cycles, the hand-off at or before it).
 */
function boundaries(zone: string, layer: Layer): (k: number) => number {
  const startNaive = toNaive(zone, layer.layer_start);
  let anchor = startNaive;
  if (weeklyCycle(layer)) {
    anchor = startOfWeek(startNaive) + layer.handoff_time;
    if (anchor > startNaive) anchor -= WEEK;
  }
  const v = layer.rotation_value;
  switch (layer.rotation_unit) {
    case 'hour':
      return (k) => anchor + k * v * HOUR;
    case 'day':
      return (k) => anchor + k * v * DAY;
    case 'week':
      return (k) => anchor + k * v * WEEK;
    case 'month':
      return (k) => addMonths(anchor, k * v);
  }
}

/**
 * Which group holds turn k. With fair rotation, and a cycle through all groups that lasts whole
 * weeks (so everyone would keep the same weekdays forever), each round starts one group later.
 */
function groupOf(layer: Layer, k: number): number {
  const n = layer.groups.length;
  const base = ((k % n) + n) % n;
  if (!layer.fair_rotation || n < 3 || layer.rotation_unit === 'week' || layer.rotation_unit === 'month') {
    return base;
  }
  const cycle = rotationSeconds(layer.rotation_unit, layer.rotation_value) * n;
  if (cycle % WEEK !== 0 || weeklyCycle(layer)) return base;
  const round = Math.floor(k / n);
  return (base + round) % n;
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const start = Math.max(a[i]![0], b[j]![0]);
    const end = Math.min(a[i]![1], b[j]![1]);
    if (start < end) out.push([start, end]);
    if (a[i]![1] < b[j]![1]) i += 1;
    else j += 1;
  }
  return out;
}

/** Sorts and merges touching or overlapping intervals; empty ones go. */
function normalize(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter(([s, e]) => s < e).sort((x, y) => x[0] - y[0]);
  const out: Interval[] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The instants within [from, to) that the layer's restrictions and day mask let it cover. */
function allowedTime(zone: string, layer: Layer, from: number, to: number, handoffOfDay: number): Interval[] {
  let allowed: Interval[] = [[from, to]];
  const firstDay = startOfDay(toNaive(zone, from)) - DAY;
  const lastDay = startOfDay(toNaive(zone, to)) + DAY;

  if (layer.restrict_mode !== 0 && layer.restrict_periods.length > 0) {
    const periods: Interval[] = [];
    const span = layer.restrict_mode === 1 ? DAY : WEEK;
    // Start a period earlier: one that wraps past its day's or week's end reaches into `from`.
    const first = layer.restrict_mode === 1 ? firstDay : startOfWeek(firstDay) - WEEK;
    for (let base = first; base <= lastDay; base += span) {
      for (const p of layer.restrict_periods) {
        const end = p.restrict_end > p.restrict_start ? p.restrict_end : p.restrict_end + span;
        periods.push([toInstant(zone, base + p.restrict_start), toInstant(zone, base + end)]);
      }
    }
    allowed = intersect(allowed, normalize(periods));
  }

  if (layer.day_mask.length > 0 && layer.day_mask.length < 7) {
    const days: Interval[] = [];
    const offset = layer.mask_continuous_enabled ? handoffOfDay : 0;
    for (let day = firstDay - DAY; day <= lastDay; day += DAY) {
      if (layer.day_mask.includes(naiveParts(day).weekday)) {
        days.push([toInstant(zone, day + offset), toInstant(zone, day + DAY + offset)]);
      }
    }
    allowed = intersect(allowed, normalize(days));
  }
  return allowed;
}

/** The layer's shifts that overlap the window, clipped to it; in time order, never overlapping. */
export function layerShifts(zone: string, layer: Layer, window: Window): Shift[] {
  const from = Math.max(window.start, layer.layer_start);
  const to = Math.min(window.end, layer.layer_end ?? Number.POSITIVE_INFINITY);
  if (from >= to || layer.groups.length === 0) return [];

  if (layer.mode === 1) {
    // An override has no rotation: its first group holds the whole of its time.
    return [{ start: from, end: to, index: 0, group: layer.groups[0]! }];
  }

  const boundary = boundaries(zone, layer);
  const handoffOfDay = naiveParts(boundary(0)).secondOfDay;
  const at = (k: number) => toInstant(zone, boundary(k));
  // Estimate the first turn that ends after `from`, then correct the estimate by stepping.
  const nominal = rotationSeconds(layer.rotation_unit, layer.rotation_value);
  let k = Math.max(0, Math.floor((from - at(0)) / nominal) - 1);
  while (k > 0 && at(k) > from) k -= 1;
  while (at(k + 1) <= from) k += 1;

  // The time the restrictions and mask allow, computed once for the window and cut per turn.
  const allowed = allowedTime(zone, layer, from, to, handoffOfDay);
  let a = 0;
  const shifts: Shift[] = [];
  for (let start = at(k); start < to; k += 1) {
    const next = at(k + 1);
    const [turnStart, turnEnd] = [Math.max(start, from), Math.min(next, to)];
    start = next;
    if (turnStart >= turnEnd) continue;
    const index = groupOf(layer, k);
    while (a < allowed.length && allowed[a]![1] <= turnStart) a += 1;
    for (let b = a; b < allowed.length && allowed[b]![0] < turnEnd; b += 1) {
      const [s, e] = [Math.max(allowed[b]![0], turnStart), Math.min(allowed[b]![1], turnEnd)];
      if (s < e) shifts.push({ start: s, end: e, index, group: layer.groups[index]! });
    }
  }
  return shifts;
}

/**
 * The final schedule: at each instant the highest-precedence layer with a shift wins. Pieces of one
 * shift cut by other layers' boundaries are joined again when nothing came between them.
 */
export function finalShifts(zone: string, layers: readonly Layer[], window: Window): FinalShift[] {
  const ordered = precedence(layers);
  const perLayer = ordered.map((layer) => layerShifts(zone, layer, window));
  const cuts = [...new Set(perLayer.flat().flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const cursors = perLayer.map(() => 0);
  const out: FinalShift[] = [];
  /** The shifts each final shift is made of (one, or a band's several). */
  const partsOf: Shift[][] = [];
  /** The shift of layer w covering [start, end), if any. */
  const covering = (w: number, start: number, end: number): Shift | undefined => {
    const shifts = perLayer[w]!;
    while (cursors[w]! < shifts.length && shifts[cursors[w]!]!.end <= start) cursors[w]! += 1;
    const shift = shifts[cursors[w]!];
    return shift && shift.start <= start && shift.end >= end ? shift : undefined;
  };
  for (let c = 0; c + 1 < cuts.length; c += 1) {
    const [start, end] = [cuts[c]!, cuts[c + 1]!];
    let top = -1;
    const parts: Shift[] = [];
    for (let w = ordered.length - 1; w >= 0; w -= 1) {
      const shift = covering(w, start, end);
      if (shift && top < 0) top = w;
      if (shift && top >= 0) parts.unshift(shift);
      // The band of the top layer ends at its first non-cumulative layer, going down.
      if (top >= 0 && !ordered[w]!.cumulative) break;
    }
    if (top < 0) continue;
    const last = out[out.length - 1];
    const lastParts = partsOf[partsOf.length - 1];
    if (
      last &&
      lastParts &&
      last.end === start &&
      last.weight === top &&
      lastParts.length === parts.length &&
      lastParts.every((p, i) => p.group === parts[i]!.group)
    ) {
      last.end = end;
      continue;
    }
    const winner = parts[parts.length - 1]!;
    out.push({
      start,
      end,
      index: winner.index,
      group: unionGroup(parts),
      weight: top,
      layer_name: ordered[top]!.layer_name,
    });
    partsOf.push(parts);
  }
  return out;
}

/** How far ahead the next on-call shift is looked for, and how far back the current one's start. */
const LOOKAHEAD_STEPS = [2 * DAY, 14 * DAY, 60 * DAY];
const LOOKBACK_STEPS = [2 * DAY, 35 * DAY];

/**
 * The final shift holding `now` (if anyone is on call) and the one after it, looking up to 60 days
 * ahead. A current shift that began more than 35 days ago reports its start as 35 days ago. Short
 * windows are tried first, so a busy rotation costs days of computation, not months.
 */
export function currentAndNext(
  zone: string,
  layers: readonly Layer[],
  now: number,
): { current: FinalShift | undefined; next: FinalShift | undefined } {
  let back = 0;
  let ahead = 0;
  for (;;) {
    const window = { start: now - LOOKBACK_STEPS[back]!, end: now + LOOKAHEAD_STEPS[ahead]! };
    const shifts = finalShifts(zone, layers, window);
    const i = shifts.findIndex((s) => s.end > now);
    const current = i >= 0 && shifts[i]!.start <= now ? shifts[i] : undefined;
    const next = i < 0 ? undefined : current ? shifts[i + 1] : shifts[i];
    // A shift touching an edge of the window may go on beyond it: widen that side and look again.
    const clippedBack = current !== undefined && current.start === window.start;
    const clippedAhead = next === undefined || next.end === window.end;
    if (clippedBack && back + 1 < LOOKBACK_STEPS.length) back += 1;
    else if (clippedAhead && ahead + 1 < LOOKAHEAD_STEPS.length) ahead += 1;
    else return { current, next };
  }
}
