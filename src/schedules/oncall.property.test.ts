import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finalShifts, type Layer, layerShifts, type RotationUnit } from './oncall.ts';
import { naiveParts, offsetAt, startOfDay, toInstant, toNaive } from './zoned.ts';

/*
 * Property tests of the calculator over daylight-saving changes in zones that change at 02:00
 * (New York, Berlin), at 02:00/03:00 in the southern hemisphere (Sydney), at midnight (Santiago),
 * and never (Kolkata, +05:30).
 */

const H = 3600;
const D = 86_400;
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Kolkata', 'America/Santiago'];

/** Instants where the zone's offset changes, found by scanning days and bisecting. */
function transitions(zone: string, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += D) {
    if (offsetAt(zone, t) === offsetAt(zone, t + D)) continue;
    let [lo, hi] = [t, t + D];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetAt(zone, mid) === offsetAt(zone, t)) lo = mid;
      else hi = mid;
    }
    out.push(hi);
  }
  return out;
}

const FROM = Date.UTC(2024, 0, 1) / 1000;
const TO = Date.UTC(2028, 0, 1) / 1000;
const TRANSITIONS = new Map(ZONES.map((z) => [z, transitions(z, FROM, TO)]));
/** Points to build scenarios around: the transitions, and for Kolkata plain dates. */
const pivots = (zone: string) => {
  const list = TRANSITIONS.get(zone)!;
  return list.length > 0 ? list : [FROM + 100 * D, FROM + 400 * D, FROM + 800 * D];
};
const nearTransition = (zone: string, t: number, margin: number) =>
  (TRANSITIONS.get(zone) ?? []).some((x) => Math.abs(x - t) < margin);

const group = (i: number) => ({ group_name: `g${i}`, members: [{ role_id: 0, person_ids: [i + 1] }] });

type Scenario = {
  zone: string;
  layer: Layer;
  window: { start: number; end: number };
};

/** A layer starting within 10 days of a DST change, on a whole minute, and a window around it. */
const scenario = (over: (zone: string) => fc.Arbitrary<Partial<Layer>> = () => fc.constant({})) =>
  fc
    .constantFrom(...ZONES)
    .chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        pivot: fc.constantFrom(...pivots(zone)),
        startShift: fc.integer({ min: -10 * 24 * 60, max: 10 * 24 * 60 }),
        windowShift: fc.integer({ min: -3 * 24 * 60, max: 20 * 24 * 60 }),
        windowLength: fc.integer({ min: 1, max: 45 * 24 * 60 }),
        unit: fc.constantFrom<RotationUnit>('hour', 'day', 'week', 'month'),
        value: fc.integer({ min: 1, max: 30 }),
        groups: fc.integer({ min: 1, max: 5 }),
        handoff: fc.integer({ min: 0, max: 7 * 24 * 4 - 1 }),
        fair: fc.boolean(),
        extra: over(zone),
      }),
    )
    .map(
      ({ zone, pivot, startShift, windowShift, windowLength, unit, value, groups, handoff, fair, extra }) => {
        const layerStart = pivot + startShift * 60 - ((pivot + startShift * 60) % 60);
        const layer: Layer = {
          layer_name: 'l',
          mode: 0,
          groups: Array.from({ length: groups }, (_, i) => group(i)),
          rotation_unit: unit,
          rotation_value: unit === 'hour' ? value : Math.min(value, unit === 'day' ? 30 : 4),
          handoff_time: handoff * 15 * 60,
          layer_start: layerStart,
          layer_end: null,
          restrict_mode: 0,
          restrict_periods: [],
          day_mask: [],
          mask_continuous_enabled: false,
          fair_rotation: fair,
          ...extra,
        };
        const start = layerStart + windowShift * 60;
        return { zone, layer, window: { start, end: start + windowLength * 60 } } satisfies Scenario;
      },
    );

const RUNS = { numRuns: 300 };

describe('shifts of a layer without restrictions', () => {
  it('tile the part of the window the layer covers: no gap, no overlap, nothing outside', () => {
    fc.assert(
      fc.property(scenario(), ({ zone, layer, window }) => {
        const shifts = layerShifts(zone, layer, window);
        const from = Math.max(window.start, layer.layer_start);
        if (from >= window.end) return shifts.length === 0;
        expect(shifts.length).toBeGreaterThan(0);
        expect(shifts[0]!.start).toBe(from);
        expect(shifts.at(-1)!.end).toBe(window.end);
        for (let i = 0; i < shifts.length; i += 1) {
          expect(shifts[i]!.end).toBeGreaterThan(shifts[i]!.start);
          if (i > 0) expect(shifts[i]!.start).toBe(shifts[i - 1]!.end);
        }
        return true;
      }),
      RUNS,
    );
  });

  it('hand off at the configured local time: day, week and month turns keep the wall clock', () => {
    fc.assert(
      fc.property(
        scenario().filter(({ layer }) => layer.rotation_unit !== 'hour'),
        ({ zone, layer, window }) => {
          const shifts = layerShifts(zone, layer, window);
          const first = toNaive(zone, layer.layer_start);
          // Weekly cycles hand off at handoff_time after Monday 00:00; others at layer_start's time of day.
          const weekly =
            layer.rotation_unit === 'week' ||
            (layer.rotation_unit === 'day' && layer.rotation_value % 7 === 0);
          const timeOfDay = weekly ? layer.handoff_time % D : naiveParts(first).secondOfDay;
          for (const s of shifts.slice(1)) {
            // Every internal boundary is that wall-clock time on its day (moved forward if it fell in a gap).
            const day = startOfDay(toNaive(zone, s.start));
            const candidates = [day, day - D].map((d) => toInstant(zone, d + timeOfDay));
            expect(candidates).toContain(s.start);
            if (weekly) {
              const weekday = naiveParts(
                toNaive(zone, s.start) - (toNaive(zone, s.start) - day >= timeOfDay ? 0 : D),
              ).weekday;
              expect(weekday).toBe((Math.floor(layer.handoff_time / D) + 1) % 7);
            }
          }
          return true;
        },
      ),
      RUNS,
    );
  });

  it('a turn of n days spans n calendar days, however many hours they hold', () => {
    fc.assert(
      fc.property(
        scenario().filter(({ layer }) => layer.rotation_unit === 'day'),
        ({ zone, layer, window }) => {
          const shifts = layerShifts(zone, layer, window);
          for (const s of shifts.slice(1, -1)) {
            if (s.start === window.start || s.end === window.end) continue;
            const days = (startOfDay(toNaive(zone, s.end)) - startOfDay(toNaive(zone, s.start))) / D;
            const gapMoved = nearTransition(zone, s.start, 2 * H) || nearTransition(zone, s.end, 2 * H);
            if (!gapMoved) expect(days).toBe(layer.rotation_value);
            const hours = (s.end - s.start) / H;
            expect(Math.abs(hours - 24 * layer.rotation_value)).toBeLessThanOrEqual(1);
          }
          return true;
        },
      ),
      RUNS,
    );
  });

  it('groups take turns in order, the same one never twice in a row (three or more groups)', () => {
    fc.assert(
      fc.property(
        scenario().filter(({ layer }) => layer.groups.length >= 3),
        ({ zone, layer, window }) => {
          const shifts = layerShifts(zone, layer, window);
          for (let i = 1; i < shifts.length; i += 1) expect(shifts[i]!.index).not.toBe(shifts[i - 1]!.index);
          if (!layer.fair_rotation) {
            for (let i = 1; i < shifts.length; i += 1) {
              // A wall-clock turn lying wholly in a spring-forward gap never happens: its group's
              // turn is lost (docs/schedules.md), so the order may skip one there.
              if (nearTransition(zone, shifts[i]!.start, 2 * H)) continue;
              expect(shifts[i]!.index).toBe((shifts[i - 1]!.index + 1) % layer.groups.length);
            }
          }
          return true;
        },
      ),
      RUNS,
    );
  });
});

describe('restrictions and masks', () => {
  /** Daily periods on whole quarter hours between 04:00 and 23:45, clear of every zone's DST change. */
  const dailyPeriod = fc
    .tuple(fc.integer({ min: 16, max: 95 }), fc.integer({ min: 16, max: 95 }))
    .filter(([a, b]) => a !== b)
    .map(([a, b]) => ({ restrict_start: a * 900, restrict_end: b * 900 }));
  const restricted = scenario(() =>
    fc.record({
      restrict_mode: fc.constant<1>(1),
      restrict_periods: fc.array(dailyPeriod, { minLength: 1, maxLength: 3 }),
      day_mask: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 7 }),
    }),
  );

  const insideDaily = (zone: string, layer: Layer, t: number) => {
    const naive = toNaive(zone, t);
    const tod = naiveParts(naive).secondOfDay;
    const weekdayOf = (n: number) => naiveParts(n).weekday;
    return layer.restrict_periods.some(({ restrict_start: s, restrict_end: e }) => {
      const masked = (dayNaive: number) =>
        layer.day_mask.length === 0 || layer.day_mask.includes(weekdayOf(dayNaive));
      if (s < e) return tod >= s && tod < e && masked(naive);
      // Across midnight: the evening part, or the morning part; the mask applies to the day the instant is on.
      return (tod >= s || tod < e) && masked(naive);
    });
  };

  it('an instant is covered exactly when its local time of day is in a period on a masked-in weekday', () => {
    fc.assert(
      fc.property(
        restricted,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (sc, samples) => {
          const { zone, layer, window } = sc;
          const shifts = layerShifts(zone, layer, window);
          const from = Math.max(window.start, layer.layer_start);
          if (from >= window.end) return true;
          for (const x of samples) {
            const t = Math.floor(from + x * (window.end - from - 1));
            if (nearTransition(zone, t, 2 * H)) continue;
            const covered = shifts.some((s) => s.start <= t && t < s.end);
            expect(covered, `${zone} t=${t}`).toBe(insideDaily(zone, layer, t));
          }
          return true;
        },
      ),
      RUNS,
    );
  });

  it('weekly periods: an instant is covered exactly when its local time of week is in a period', () => {
    const weekOffset = fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 16, max: 95 }))
      .map(([day, q]) => day * D + q * 900);
    const weekly = scenario(() =>
      fc.record({
        restrict_mode: fc.constant<2>(2),
        restrict_periods: fc.array(
          fc
            .tuple(weekOffset, weekOffset)
            .filter(([a, b]) => a !== b)
            .map(([a, b]) => ({ restrict_start: a, restrict_end: b })),
          { minLength: 1, maxLength: 2 },
        ),
      }),
    );
    fc.assert(
      fc.property(
        weekly,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (sc, samples) => {
          const { zone, layer, window } = sc;
          const shifts = layerShifts(zone, layer, window);
          const from = Math.max(window.start, layer.layer_start);
          if (from >= window.end) return true;
          for (const x of samples) {
            const t = Math.floor(from + x * (window.end - from - 1));
            if (nearTransition(zone, t, 2 * H)) continue;
            const p = naiveParts(toNaive(zone, t));
            const ofWeek = ((p.weekday + 6) % 7) * D + p.secondOfDay;
            const inside = layer.restrict_periods.some(({ restrict_start: a, restrict_end: b }) =>
              a < b ? ofWeek >= a && ofWeek < b : ofWeek >= a || ofWeek < b,
            );
            expect(shifts.some((s) => s.start <= t && t < s.end)).toBe(inside);
          }
          return true;
        },
      ),
      RUNS,
    );
  });

  it('a continuous day mask covers whole days counted from the hand-off time of day', () => {
    const masked = scenario(() =>
      fc.record({
        day_mask: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }),
        mask_continuous_enabled: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(
        masked,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        (sc, samples) => {
          const { zone, layer, window } = sc;
          const shifts = layerShifts(zone, layer, window);
          const from = Math.max(window.start, layer.layer_start);
          if (from >= window.end) return true;
          const weekly =
            layer.rotation_unit === 'week' ||
            (layer.rotation_unit === 'day' && layer.rotation_value % 7 === 0);
          const handoff = weekly
            ? layer.handoff_time % D
            : naiveParts(toNaive(zone, layer.layer_start)).secondOfDay;
          const offset = layer.mask_continuous_enabled ? handoff : 0;
          for (const x of samples) {
            const t = Math.floor(from + x * (window.end - from - 1));
            if (nearTransition(zone, t, 26 * H)) continue;
            const weekday = naiveParts(toNaive(zone, t) - offset).weekday;
            expect(shifts.some((s) => s.start <= t && t < s.end)).toBe(layer.day_mask.includes(weekday));
          }
          return true;
        },
      ),
      RUNS,
    );
  });

  it('pieces never overlap and each keeps the group of the turn it was cut from', () => {
    fc.assert(
      fc.property(restricted, ({ zone, layer, window }) => {
        const shifts = layerShifts(zone, layer, window);
        const plain = layerShifts(zone, { ...layer, restrict_mode: 0, day_mask: [] }, window);
        for (let i = 1; i < shifts.length; i += 1)
          expect(shifts[i]!.start).toBeGreaterThanOrEqual(shifts[i - 1]!.end);
        for (const s of shifts) {
          const turn = plain.find((p) => p.start <= s.start && s.end <= p.end);
          expect(turn?.index).toBe(s.index);
        }
        return true;
      }),
      RUNS,
    );
  });
});

describe('final schedule', () => {
  it('at every instant the highest layer with a shift there decides; overrides beat rotations', () => {
    const twoLayers = fc.tuple(
      scenario(),
      fc.integer({ min: 0, max: 20 * 24 }),
      fc.integer({ min: 1, max: 72 }),
    );
    fc.assert(
      fc.property(
        twoLayers,
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
        ([sc, offsetHours, hours], samples) => {
          const { zone, layer, window } = sc;
          const second: Layer = {
            ...layer,
            layer_name: 'second',
            groups: [group(7)],
            restrict_mode: 1,
            restrict_periods: [{ restrict_start: 9 * H, restrict_end: 17 * H }],
          };
          const override: Layer = {
            ...layer,
            layer_name: 'override',
            mode: 1,
            groups: [group(9)],
            layer_start: window.start + offsetHours * H,
            layer_end: window.start + (offsetHours + hours) * H,
          };
          const layers = [override, layer, second];
          const final = finalShifts(zone, layers, window);
          for (let i = 1; i < final.length; i += 1)
            expect(final[i]!.start).toBeGreaterThanOrEqual(final[i - 1]!.end);
          const shiftsOf = new Map(layers.map((l) => [l, layerShifts(zone, l, window)]));
          const at = (l: Layer, t: number) => shiftsOf.get(l)!.find((s) => s.start <= t && t < s.end);
          for (const x of samples) {
            const t = Math.floor(window.start + x * (window.end - window.start - 1));
            const winner = final.find((s) => s.start <= t && t < s.end);
            const expected = at(override, t) ?? at(second, t) ?? at(layer, t);
            expect(winner?.group).toBe(expected?.group);
          }
          return true;
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('wall-clock conversion', () => {
  it('an instant read as a wall clock and converted back keeps its wall clock; overlaps give the earlier instant', () => {
    const instant = fc.constantFrom(...ZONES).chain((zone) =>
      fc.record({
        zone: fc.constant(zone),
        t: fc.constantFrom(...pivots(zone)).chain((p) => fc.integer({ min: p - 2 * D, max: p + 2 * D })),
      }),
    );
    fc.assert(
      fc.property(instant, ({ zone, t }) => {
        const back = toInstant(zone, toNaive(zone, t));
        expect(toNaive(zone, back)).toBe(toNaive(zone, t));
        expect(back).toBeLessThanOrEqual(t);
        // Only a repeated wall clock (clocks went back) maps to an earlier instant, at most the change apart.
        if (back !== t) expect(offsetAt(zone, back)).toBeGreaterThan(offsetAt(zone, t));
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('hour rotations', () => {
  it('hand off every rotation_value hours of wall-clock time from layer_start', () => {
    fc.assert(
      fc.property(
        scenario().filter(({ layer }) => layer.rotation_unit === 'hour'),
        ({ zone, layer, window }) => {
          const shifts = layerShifts(zone, layer, window);
          const anchor = toNaive(zone, layer.layer_start);
          for (const s of shifts.slice(1)) {
            // A boundary moved forward by a spring-forward gap is the one exception.
            if (nearTransition(zone, s.start, 2 * H)) continue;
            expect((toNaive(zone, s.start) - anchor) % (layer.rotation_value * H)).toBe(0);
          }
          return true;
        },
      ),
      RUNS,
    );
  });
});
