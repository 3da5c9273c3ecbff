import type { RestrictPeriod, RotationUnit } from '../schedules/oncall.ts';
import { addMonths, naiveParts, startOfWeek, toInstant, toNaive } from '../schedules/zoned.ts';
import type { LayerDraft } from './model.ts';

/*
 * Any source rotation — turns of n units counted from an anchor, groups in order, wall-clock
 * windows, an effective start and end — as Vigil layers with exactly the same shifts
 * (docs/import.md, "Schedules"). Vigil counts turns from a layer's own start, so a rotation whose
 * effective start falls inside a turn becomes a short first layer holding that turn's group, then
 * a layer starting at the next hand-off with the groups rotated to match. Pure.
 */

const HOUR = 3600;
const DAY = 86_400;
const WEEK = 7 * DAY;
const UNIT_SECONDS = { hour: HOUR, day: DAY, week: WEEK } as const;

export class Unmappable extends Error {}

export type RotationSpec = {
  name: string;
  zone: string;
  /** An instant at which a turn begins: turn 0, held by groups[0]. */
  anchor: number;
  unit: RotationUnit;
  value: number;
  groups: string[][];
  restrict_mode: 0 | 1 | 2;
  restrict_periods: RestrictPeriod[];
  /** The rotation covers [from, until). */
  from: number;
  until: number | null;
  /** Whether the first layer adds its people to the layers below (docs/schedules.md, "Bands"). */
  cumulative: boolean;
};

/** hour/day/week × 1–30 for a turn of so many seconds, as Vigil can hold it; undefined if none. */
export function turnUnit(seconds: number): { unit: RotationUnit; value: number } | undefined {
  for (const unit of ['week', 'day', 'hour'] as const) {
    const size = UNIT_SECONDS[unit];
    if (seconds % size === 0 && seconds / size >= 1 && seconds / size <= 30) {
      return { unit, value: seconds / size };
    }
  }
  return undefined;
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

function weeklyCycle(unit: RotationUnit, value: number): boolean {
  return unit === 'week' || (unit === 'day' && value % 7 === 0);
}

/** Spec turn boundaries on the zone's wall clock. */
function boundaries(spec: RotationSpec) {
  const anchorNaive = toNaive(spec.zone, spec.anchor);
  const naiveAt = (k: number): number =>
    spec.unit === 'month'
      ? addMonths(anchorNaive, k * spec.value)
      : anchorNaive + k * spec.value * UNIT_SECONDS[spec.unit];
  const at = (k: number) => toInstant(spec.zone, naiveAt(k));
  const nominal =
    spec.unit === 'month' ? 30 * DAY * spec.value : spec.value * UNIT_SECONDS[spec.unit as 'hour'];
  /** The turn holding instant t. */
  const indexAt = (t: number): number => {
    let k = Math.floor((t - spec.anchor) / nominal);
    while (at(k) > t) k -= 1;
    while (at(k + 1) <= t) k += 1;
    return k;
  };
  return { naiveAt, at, indexAt, anchorNaive };
}

function layer(
  spec: RotationSpec,
  start: number,
  end: number | null,
  groups: string[][],
  cumulative: boolean,
) {
  if (start % 60 !== 0 || (end !== null && end % 60 !== 0)) {
    throw new Unmappable(`${spec.name}: a turn starts or ends off a whole minute`);
  }
  const startNaive = toNaive(spec.zone, start);
  return {
    layer_name: spec.name,
    mode: 0 as const,
    groups,
    rotation_unit: spec.unit,
    rotation_value: spec.value,
    handoff_time: weeklyCycle(spec.unit, spec.value) ? startNaive - startOfWeek(startNaive) : 0,
    layer_start: start,
    layer_end: end,
    restrict_mode: spec.restrict_mode,
    restrict_periods: spec.restrict_periods,
    cumulative,
  } satisfies LayerDraft;
}

/** The Vigil layers of one rotation, in precedence order (all adjacent, never overlapping in time). */
export function rotationLayers(spec: RotationSpec): LayerDraft[] {
  const until = spec.until;
  if (spec.groups.length === 0) throw new Unmappable(`${spec.name}: nobody takes turns`);
  if (until !== null && until <= spec.from) return [];
  const b = boundaries(spec);
  const n = spec.groups.length;
  const out: LayerDraft[] = [];
  const push = (start: number, end: number | null, groups: string[][]) =>
    out.push(layer(spec, start, end, groups, out.length === 0 ? spec.cumulative : true));

  let k = b.indexAt(spec.from);
  let start = spec.from;
  // A layer can begin only on a hand-off whose wall-clock time exists (not in a DST gap): turns
  // before the first such hand-off become single-group layers of their own.
  for (let guard = 0; guard < 4; guard++) {
    const clean = b.at(k) === start && toNaive(spec.zone, start) === b.naiveAt(k);
    if (clean) {
      if (spec.unit === 'month' && k !== 0 && naiveParts(b.anchorNaive).day > 28) {
        throw new Unmappable(`${spec.name}: a monthly rotation on day ${naiveParts(b.anchorNaive).day}`);
      }
      const rotated = spec.groups.map((_, i) => spec.groups[mod(k + i, n)]!);
      push(start, until, rotated);
      return out;
    }
    const next = b.at(k + 1);
    const end = until !== null && until <= next ? until : next;
    push(start, end, [spec.groups[mod(k, n)]!]);
    if (end === until) return out;
    start = next;
    k += 1;
  }
  throw new Unmappable(`${spec.name}: no hand-off to start the rotation from`);
}
