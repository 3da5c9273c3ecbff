import { describe, expect, it } from 'vitest';
import { currentAndNext, finalShifts, type Layer, layerShifts } from './oncall.ts';
import { offsetAt, toInstant, toNaive } from './zoned.ts';

const H = 3600;
const D = 86_400;
/** Unix seconds of a local wall-clock time in a zone, e.g. local('America/New_York', '2026-03-07T09:00'). */
const local = (zone: string, text: string) => toInstant(zone, Date.parse(`${text}:00Z`) / 1000);
/** The local wall clock of an instant, "YYYY-MM-DDTHH:MM". */
const wall = (zone: string, t: number) => new Date(toNaive(zone, t) * 1000).toISOString().slice(0, 16);

const group = (name: string, ...people: number[]) => ({
  group_name: name,
  members: [{ role_id: 0, person_ids: people }],
});

function layer(over: Partial<Layer>): Layer {
  return {
    layer_name: 'primary',
    mode: 0,
    groups: [group('A', 1), group('B', 2), group('C', 3)],
    rotation_unit: 'day',
    rotation_value: 1,
    handoff_time: 0,
    layer_start: 0,
    layer_end: null,
    restrict_mode: 0,
    restrict_periods: [],
    day_mask: [],
    mask_continuous_enabled: false,
    fair_rotation: false,
    ...over,
  };
}

describe('zoned wall-clock arithmetic', () => {
  const ny = 'America/New_York';
  it('moves a time in the spring-forward gap forward by the gap', () => {
    expect(wall(ny, local(ny, '2026-03-08T02:30'))).toBe('2026-03-08T03:30');
    expect(local(ny, '2026-03-08T03:00') - local(ny, '2026-03-08T01:00')).toBe(H);
  });
  it('takes the earlier of a repeated time', () => {
    const t = local(ny, '2026-11-01T01:30');
    expect(offsetAt(ny, t)).toBe(-4 * H);
    expect(local(ny, '2026-11-01T02:00') - t).toBe(1.5 * H); // 01:30 EDT to 02:00 EST
  });
  it('handles zones whose clocks change at midnight', () => {
    const scl = 'America/Santiago';
    // 2026-09-06 00:00 does not exist in Santiago (clocks go from 24:00 to 01:00).
    expect(wall(scl, local(scl, '2026-09-06T00:00'))).toBe('2026-09-06T01:00');
  });
});

describe('layer shifts', () => {
  const ny = 'America/New_York';

  it('a daily rotation hands off at the same local time across spring-forward: that day has 23 hours', () => {
    const l = layer({ layer_start: local(ny, '2026-03-06T09:00') });
    const shifts = layerShifts(ny, l, {
      start: local(ny, '2026-03-06T09:00'),
      end: local(ny, '2026-03-10T09:00'),
    });
    expect(shifts.map((s) => [wall(ny, s.start), s.group.group_name, (s.end - s.start) / H])).toEqual([
      ['2026-03-06T09:00', 'A', 24],
      ['2026-03-07T09:00', 'B', 23],
      ['2026-03-08T09:00', 'C', 24],
      ['2026-03-09T09:00', 'A', 24],
    ]);
  });

  it('a daily rotation across fall-back: that day has 25 hours and is still one turn', () => {
    const l = layer({ layer_start: local(ny, '2026-10-31T09:00'), groups: [group('A', 1), group('B', 2)] });
    const shifts = layerShifts(ny, l, { start: l.layer_start, end: l.layer_start + 3 * D + H });
    expect(shifts.map((s) => [wall(ny, s.start), s.group.group_name, (s.end - s.start) / H])).toEqual([
      ['2026-10-31T09:00', 'A', 25],
      ['2026-11-01T09:00', 'B', 24],
      ['2026-11-02T09:00', 'A', 24],
    ]);
  });

  it('a 12-hour rotation keeps 08:00 and 20:00 local across DST; the shift holding the change is 11 or 13 hours', () => {
    const l = layer({
      rotation_unit: 'hour',
      rotation_value: 12,
      layer_start: local(ny, '2026-03-07T08:00'),
    });
    const shifts = layerShifts(ny, l, { start: l.layer_start, end: local(ny, '2026-03-09T08:00') });
    expect(shifts.map((s) => [wall(ny, s.start), (s.end - s.start) / H])).toEqual([
      ['2026-03-07T08:00', 12],
      ['2026-03-07T20:00', 11],
      ['2026-03-08T08:00', 12],
      ['2026-03-08T20:00', 12],
    ]);
  });

  it('a weekly rotation hands off at handoff_time (seconds from Monday 00:00 local); turn 0 holds layer_start', () => {
    const berlin = 'Europe/Berlin';
    const l = layer({
      rotation_unit: 'week',
      handoff_time: 10 * H, // Monday 10:00
      layer_start: local(berlin, '2026-03-18T00:00'), // a Wednesday
      groups: [group('A', 1), group('B', 2)],
    });
    const shifts = layerShifts(berlin, l, { start: l.layer_start, end: local(berlin, '2026-04-06T10:00') });
    expect(shifts.map((s) => [wall(berlin, s.start), s.group.group_name, (s.end - s.start) / H])).toEqual([
      ['2026-03-18T00:00', 'A', 5 * 24 + 10],
      ['2026-03-23T10:00', 'B', 7 * 24 - 1], // clocks go forward on 2026-03-29
      ['2026-03-30T10:00', 'A', 7 * 24],
    ]);
  });

  it('a monthly rotation follows calendar months, clamping the day', () => {
    const zone = 'Asia/Kolkata';
    const l = layer({ rotation_unit: 'month', layer_start: local(zone, '2026-01-31T10:00') });
    const shifts = layerShifts(zone, l, { start: l.layer_start, end: local(zone, '2026-04-01T00:00') });
    expect(shifts.map((s) => [wall(zone, s.start), s.group.group_name])).toEqual([
      ['2026-01-31T10:00', 'A'],
      ['2026-02-28T10:00', 'B'],
      ['2026-03-31T10:00', 'C'],
    ]);
  });

  it('rotation_value counts units: a 2-day rotation', () => {
    const l = layer({ rotation_value: 2, layer_start: local(ny, '2026-06-01T00:00') });
    const shifts = layerShifts(ny, l, {
      start: local(ny, '2026-06-02T00:00'),
      end: local(ny, '2026-06-08T00:00'),
    });
    expect(shifts.map((s) => [wall(ny, s.start), s.group.group_name])).toEqual([
      ['2026-06-02T00:00', 'A'],
      ['2026-06-03T00:00', 'B'],
      ['2026-06-05T00:00', 'C'],
      ['2026-06-07T00:00', 'A'],
    ]);
  });

  it('daily restrictions cut every day to its periods, including one across midnight', () => {
    const l = layer({
      rotation_unit: 'week',
      handoff_time: 0,
      layer_start: local(ny, '2026-06-01T00:00'),
      restrict_mode: 1,
      restrict_periods: [{ restrict_start: 18 * H, restrict_end: 9 * H }],
    });
    const shifts = layerShifts(ny, l, {
      start: local(ny, '2026-06-01T00:00'),
      end: local(ny, '2026-06-03T00:00'),
    });
    expect(shifts.map((s) => [wall(ny, s.start), wall(ny, s.end)])).toEqual([
      ['2026-06-01T00:00', '2026-06-01T09:00'],
      ['2026-06-01T18:00', '2026-06-02T09:00'],
      ['2026-06-02T18:00', '2026-06-03T00:00'],
    ]);
  });

  it('weekly restrictions count from Monday 00:00 local', () => {
    const l = layer({
      rotation_unit: 'week',
      layer_start: local(ny, '2026-06-01T00:00'),
      restrict_mode: 2,
      restrict_periods: [{ restrict_start: 9 * H, restrict_end: 4 * D + 18 * H }], // Mon 09:00 – Fri 18:00
    });
    const shifts = layerShifts(ny, l, { start: l.layer_start, end: l.layer_start + 14 * D });
    expect(shifts.map((s) => [wall(ny, s.start), wall(ny, s.end), s.group.group_name])).toEqual([
      ['2026-06-01T09:00', '2026-06-05T18:00', 'A'],
      ['2026-06-08T09:00', '2026-06-12T18:00', 'B'],
    ]);
  });

  it('a day mask keeps only the chosen weekdays; continuous masking counts days from the hand-off time', () => {
    const base = layer({
      groups: [group('A', 1)],
      layer_start: local(ny, '2026-06-05T09:00'), // Friday
      day_mask: [1, 2, 3, 4, 5],
    });
    const window = { start: base.layer_start, end: local(ny, '2026-06-09T09:00') };
    const cut = layerShifts(ny, base, window).map((s) => [wall(ny, s.start), wall(ny, s.end)]);
    expect(cut).toEqual([
      ['2026-06-05T09:00', '2026-06-06T00:00'],
      ['2026-06-08T00:00', '2026-06-08T09:00'],
      ['2026-06-08T09:00', '2026-06-09T09:00'],
    ]);
    const continuous = layerShifts(ny, { ...base, mask_continuous_enabled: true }, window);
    expect(continuous.map((s) => [wall(ny, s.start), wall(ny, s.end)])).toEqual([
      ['2026-06-05T09:00', '2026-06-06T09:00'],
      ['2026-06-08T09:00', '2026-06-09T09:00'],
    ]);
  });

  it('layer_end ends the layer, and nothing is computed before layer_start', () => {
    const l = layer({ layer_start: local(ny, '2026-06-02T00:00'), layer_end: local(ny, '2026-06-03T12:00') });
    const shifts = layerShifts(ny, l, {
      start: local(ny, '2026-06-01T00:00'),
      end: local(ny, '2026-06-05T00:00'),
    });
    expect(shifts.map((s) => [wall(ny, s.start), wall(ny, s.end)])).toEqual([
      ['2026-06-02T00:00', '2026-06-03T00:00'],
      ['2026-06-03T00:00', '2026-06-03T12:00'],
    ]);
  });

  it('fair rotation moves everyone by one turn each round when a round is whole weeks', () => {
    const seven = Array.from({ length: 7 }, (_, i) => group(String.fromCharCode(65 + i), i + 1));
    const l = layer({ groups: seven, fair_rotation: true, layer_start: local(ny, '2026-06-01T00:00') });
    const names = layerShifts(ny, l, { start: l.layer_start, end: l.layer_start + 21 * D }).map(
      (s) => s.group.group_name,
    );
    expect(names.join('')).toBe('ABCDEFG' + 'BCDEFGA' + 'CDEFGAB');
    const plain = layerShifts(
      ny,
      { ...l, fair_rotation: false },
      { start: l.layer_start, end: l.layer_start + 14 * D },
    );
    expect(plain.map((s) => s.group.group_name).join('')).toBe('ABCDEFGABCDEFG');
  });
});

describe('final schedule', () => {
  const zone = 'Europe/Berlin';
  const start = local(zone, '2026-06-01T00:00');

  it('a later rotation layer wins where it has shifts; an override wins over every rotation', () => {
    const base = layer({ layer_name: 'base', groups: [group('A', 1)], layer_start: start });
    const day = layer({
      layer_name: 'day',
      groups: [group('B', 2)],
      layer_start: start,
      restrict_mode: 1,
      restrict_periods: [{ restrict_start: 9 * H, restrict_end: 17 * H }],
    });
    const override = layer({
      layer_name: 'leave',
      mode: 1,
      groups: [group('O', 9)],
      layer_start: local(zone, '2026-06-01T12:00'),
      layer_end: local(zone, '2026-06-01T20:00'),
    });
    const final = finalShifts(zone, [override, base, day], { start, end: start + D });
    expect(
      final.map((s) => [wall(zone, s.start), wall(zone, s.end), s.group.group_name, s.layer_name]),
    ).toEqual([
      ['2026-06-01T00:00', '2026-06-01T09:00', 'A', 'base'],
      ['2026-06-01T09:00', '2026-06-01T12:00', 'B', 'day'],
      ['2026-06-01T12:00', '2026-06-01T20:00', 'O', 'leave'],
      ['2026-06-01T20:00', '2026-06-02T00:00', 'A', 'base'],
    ]);
  });

  it('cumulative layers put their people on call together with their band; other bands still replace', () => {
    const people = (s: { group: { members: { person_ids: number[] }[] } }) =>
      s.group.members.flatMap((m) => m.person_ids);
    const base = layer({ layer_name: 'base', groups: [group('A', 1)], layer_start: start });
    // Band 2: "day" (9–17) and "evening" (15–20) together.
    const day = layer({
      layer_name: 'day',
      groups: [group('B', 2)],
      layer_start: start,
      restrict_mode: 1,
      restrict_periods: [{ restrict_start: 9 * H, restrict_end: 17 * H }],
    });
    const evening = layer({
      layer_name: 'evening',
      groups: [group('C', 3)],
      layer_start: start,
      restrict_mode: 1,
      restrict_periods: [{ restrict_start: 15 * H, restrict_end: 20 * H }],
      cumulative: true,
    });
    const override = layer({
      layer_name: 'leave',
      mode: 1,
      groups: [group('O', 9)],
      layer_start: local(zone, '2026-06-01T19:00'),
      layer_end: local(zone, '2026-06-01T19:30'),
    });
    const final = finalShifts(zone, [base, day, evening, override], { start, end: start + D });
    expect(final.map((s) => [wall(zone, s.start), wall(zone, s.end), people(s), s.layer_name])).toEqual([
      ['2026-06-01T00:00', '2026-06-01T09:00', [1], 'base'],
      ['2026-06-01T09:00', '2026-06-01T15:00', [2], 'day'],
      ['2026-06-01T15:00', '2026-06-01T17:00', [2, 3], 'evening'],
      ['2026-06-01T17:00', '2026-06-01T19:00', [3], 'evening'],
      ['2026-06-01T19:00', '2026-06-01T19:30', [9], 'leave'],
      ['2026-06-01T19:30', '2026-06-01T20:00', [3], 'evening'],
      ['2026-06-01T20:00', '2026-06-02T00:00', [1], 'base'],
    ]);
    // Without the flag the later layer replaces: the band is gone.
    const plain = finalShifts(zone, [base, day, { ...evening, cumulative: false }], {
      start,
      end: start + D,
    });
    expect(plain.map((s) => people(s))).toEqual([[1], [2], [3], [1]]);
  });

  it('leaves a gap where no layer has anyone', () => {
    const day = layer({
      groups: [group('B', 2)],
      layer_start: start,
      restrict_mode: 1,
      restrict_periods: [{ restrict_start: 9 * H, restrict_end: 17 * H }],
    });
    const final = finalShifts(zone, [day], { start, end: start + 2 * D });
    expect(final.map((s) => [wall(zone, s.start), wall(zone, s.end)])).toEqual([
      ['2026-06-01T09:00', '2026-06-01T17:00'],
      ['2026-06-02T09:00', '2026-06-02T17:00'],
    ]);
  });

  it('current and next on call', () => {
    const l = layer({ layer_start: start });
    const { current, next } = currentAndNext(zone, [l], start + 5 * H);
    expect([current?.group.group_name, current?.start, current?.end]).toEqual(['A', start, start + D]);
    expect([next?.group.group_name, next?.start]).toEqual(['B', start + D]);
    const before = currentAndNext(zone, [l], start - H);
    expect(before.current).toBeUndefined();
    expect(before.next?.start).toBe(start);
  });
});
