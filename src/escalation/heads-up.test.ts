import { describe, expect, it } from 'vitest';
import type { FinalShift } from '../schedules/oncall.ts';
import { coverageGaps } from './heads-up.ts';

const shift = (
  start: number,
  end: number,
  members: { role_id: number; person_ids: number[] }[],
): FinalShift => ({
  start,
  end,
  index: 0,
  weight: 0,
  layer_name: 'l',
  group: { group_name: 'g', members },
});

describe('coverageGaps', () => {
  const window = { start: 100, end: 200 };

  it('is the whole window when nobody is ever on call', () => {
    expect(coverageGaps([], [], window)).toEqual([{ start: 100, end: 200 }]);
  });

  it('finds the holes between shifts, clipped to the window, and merges overlaps', () => {
    const shifts = [
      shift(50, 120, [{ role_id: 0, person_ids: [1] }]),
      shift(110, 130, [{ role_id: 0, person_ids: [2] }]),
      shift(150, 180, [{ role_id: 0, person_ids: [1] }]),
    ];
    expect(coverageGaps(shifts, [], window)).toEqual([
      { start: 130, end: 150 },
      { start: 180, end: 200 },
    ]);
  });

  it('counts only shifts with someone in the wanted roles', () => {
    const shifts = [
      shift(100, 150, [{ role_id: 1, person_ids: [1] }]),
      shift(150, 200, [
        { role_id: 0, person_ids: [] },
        { role_id: 2, person_ids: [3] },
      ]),
    ];
    expect(coverageGaps(shifts, [1], window)).toEqual([{ start: 150, end: 200 }]);
    expect(coverageGaps(shifts, [], window)).toEqual([]);
    expect(coverageGaps(shifts, [0], window)).toEqual([{ start: 100, end: 200 }]);
  });
});
