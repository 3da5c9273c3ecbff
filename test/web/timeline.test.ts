import { describe, expect, it } from 'vitest';
import {
  clockOf,
  formFromSchedule,
  layersOf,
  newRotation,
  secondsOf,
  upsertBody,
  weeklyCycle,
} from '../../web/src/schedule-form.ts';
import {
  addDays,
  colorOf,
  dateIn,
  describeDays,
  describeRange,
  fromLocalInput,
  gridLines,
  laneCount,
  percentOf,
  startOfDate,
  timeZones,
  toBars,
  toLocalInput,
  windowOf,
  zonedTime,
} from '../../web/src/timeline.ts';

/* The schedule timeline's pure logic: wall-clock windows across DST, bars, lanes; the editor's form. */

const H = 3_600_000;
const utc = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min);

describe('wall-clock time in a zone', () => {
  it('finds the instant of a wall-clock time, on both sides of a DST change', () => {
    expect(zonedTime({ year: 2026, month: 1, day: 5, hour: 9, minute: 0 }, 'Asia/Tokyo')).toBe(
      utc(2026, 1, 5, 0),
    );
    // New York: EST (-5) before 8 March 2026 02:00, EDT (-4) after.
    expect(zonedTime({ year: 2026, month: 3, day: 7, hour: 9, minute: 0 }, 'America/New_York')).toBe(
      utc(2026, 3, 7, 14),
    );
    expect(zonedTime({ year: 2026, month: 3, day: 9, hour: 9, minute: 0 }, 'America/New_York')).toBe(
      utc(2026, 3, 9, 13),
    );
    // Half-hour and 45-minute offsets.
    expect(zonedTime({ year: 2026, month: 6, day: 1, hour: 0, minute: 0 }, 'Asia/Kolkata')).toBe(
      utc(2026, 5, 31, 18, 30),
    );
    expect(zonedTime({ year: 2026, month: 6, day: 1, hour: 0, minute: 0 }, 'Asia/Kathmandu')).toBe(
      utc(2026, 5, 31, 18, 15),
    );
  });

  it('moves a skipped time forward by the gap, and takes the earlier of a repeated one', () => {
    // 02:30 does not happen in New York on 8 March 2026: it is 03:30 EDT.
    const skipped = zonedTime({ year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, 'America/New_York');
    expect(skipped).toBe(utc(2026, 3, 8, 7, 30));
    expect(toLocalInput(skipped, 'America/New_York')).toBe('2026-03-08T03:30');
    // 01:30 happens twice on 1 November 2026: the first (EDT) one.
    expect(zonedTime({ year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, 'America/New_York')).toBe(
      utc(2026, 11, 1, 5, 30),
    );
    // Santiago changes at midnight: 6 Sept 2026 00:00 does not exist, the day starts at 01:00.
    const start = startOfDate('2026-09-06', 'America/Santiago');
    expect(toLocalInput(start, 'America/Santiago')).toBe('2026-09-06T01:00');
  });

  it('round-trips datetime-local values and reads dates on the zone’s calendar', () => {
    const at = fromLocalInput('2026-11-23T09:15', 'Europe/Berlin')!;
    expect(at).toBe(utc(2026, 11, 23, 8, 15));
    expect(toLocalInput(at, 'Europe/Berlin')).toBe('2026-11-23T09:15');
    expect(fromLocalInput('', 'UTC')).toBeUndefined();
    expect(fromLocalInput('not a time', 'UTC')).toBeUndefined();
    // 23:30 UTC on the 22nd is already the 23rd in Tokyo.
    expect(dateIn(utc(2026, 11, 22, 23, 30), 'Asia/Tokyo')).toBe('2026-11-23');
    expect(dateIn(utc(2026, 11, 22, 23, 30), 'UTC')).toBe('2026-11-22');
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('windows and grid lines', () => {
  it('a day is 23 or 25 hours when the clock changes, and weeks end at local midnight', () => {
    const spring = windowOf('2026-03-08', 'day', 'America/New_York');
    expect(spring.end - spring.start).toBe(23 * H);
    const autumn = windowOf('2026-11-01', 'day', 'America/New_York');
    expect(autumn.end - autumn.start).toBe(25 * H);
    const week = windowOf('2026-03-05', 'week', 'America/New_York');
    expect(week.end - week.start).toBe(7 * 24 * H - H);
    expect(toLocalInput(week.end, 'America/New_York')).toBe('2026-03-12T00:00');
    const twoWeeks = windowOf('2026-11-23', 'two-weeks', 'Asia/Tokyo');
    expect(twoWeeks).toEqual({ start: utc(2026, 11, 22, 15), end: utc(2026, 12, 6, 15) });
  });

  it('puts day lines at local midnight and, on one day, three-hour lines where the clock shows them', () => {
    const week = gridLines('2026-03-05', 'week', 'America/New_York');
    expect(week).toHaveLength(7);
    expect(week.map((l) => l.label)).toEqual([
      'Thu 5',
      'Fri 6',
      'Sat 7',
      'Sun 8',
      'Mon 9',
      'Tue 10',
      'Wed 11',
    ]);
    expect(week.every((l) => l.day)).toBe(true);
    expect(week.map((l) => toLocalInput(l.at, 'America/New_York').slice(11))).toEqual(Array(7).fill('00:00'));
    // After the short day, Monday begins 3/7 of the way less one hour.
    const size = 7 * 24 - 1;
    expect(week[4]!.percent).toBeCloseTo(((4 * 24 - 1) / size) * 100, 10);

    const spring = gridLines('2026-03-08', 'day', 'America/New_York');
    expect(spring.map((l) => l.label)).toEqual([
      'Sun 8',
      '03:00',
      '06:00',
      '09:00',
      '12:00',
      '15:00',
      '18:00',
      '21:00',
    ]);
    // 03:00 comes two real hours after midnight on the 23-hour day.
    expect(spring[1]!.at - spring[0]!.at).toBe(2 * H);
    expect(spring[1]!.percent).toBeCloseTo((2 / 23) * 100, 10);
  });

  it('places an instant in percent of the window', () => {
    const window = { start: 1000, end: 2000 };
    expect(percentOf(1000, window)).toBe(0);
    expect(percentOf(1250, window)).toBe(25);
    expect(percentOf(2000, window)).toBe(100);
  });
});

describe('bars', () => {
  const window = { start: 0, end: 100 };

  it('cuts shifts to the window, drops those outside, and says which ends were cut', () => {
    const bars = toBars(
      [
        { start: -50, end: 20, who: 'a' },
        { start: 20, end: 60, who: 'b' },
        { start: 60, end: 150, who: 'c' },
        { start: 150, end: 200, who: 'd' },
        { start: -20, end: 0, who: 'e' },
      ],
      window,
    );
    expect(bars.map((b) => [b.item.who, b.left, b.width, b.lane, b.cutStart, b.cutEnd])).toEqual([
      ['a', 0, 20, 0, true, false],
      ['b', 20, 40, 0, false, false],
      ['c', 60, 40, 0, false, true],
    ]);
    expect(laneCount(bars)).toBe(1);
  });

  it('stacks overlapping shifts in the lowest free lane', () => {
    const bars = toBars(
      [
        { start: 10, end: 50 },
        { start: 30, end: 70 },
        { start: 40, end: 45 },
        { start: 50, end: 60 },
        { start: 70, end: 80 },
      ],
      window,
    );
    expect(bars.map((b) => [b.start, b.lane])).toEqual([
      [10, 0],
      [30, 1],
      [40, 2],
      [50, 0],
      [70, 0],
    ]);
    expect(laneCount(bars)).toBe(3);
    expect(laneCount([])).toBe(1);
  });

  it('describes a range in the zone, naming the second day only when it differs', () => {
    expect(describeRange(utc(2026, 11, 23, 0), utc(2026, 11, 24, 0), 'Asia/Tokyo')).toBe(
      'Mon, Nov 23, 09:00 – Tue, Nov 24, 09:00',
    );
    expect(describeRange(utc(2026, 11, 23, 0), utc(2026, 11, 23, 3), 'Asia/Tokyo')).toBe(
      'Mon, Nov 23, 09:00 – 12:00',
    );
  });

  it('describes calendar days with an exclusive end, and lists the zones', () => {
    expect(describeDays('2026-12-24', '2026-12-27')).toBe('Thu, Dec 24 – Sat, Dec 26, 2026');
    expect(describeDays('2026-12-25', '2026-12-26')).toBe('Fri, Dec 25, 2026');
    expect(describeDays('2026-12-31', '2027-01-02')).toBe('Thu, Dec 31, 2026 – Fri, Jan 1, 2027');
    expect(timeZones('UTC')[0]).toBe('UTC');
    expect(timeZones('Asia/Tokyo')).toContain('Asia/Tokyo');
    expect(timeZones('Etc/Unknown')[0]).toBe('Etc/Unknown');
  });

  it('gives the same people the same colour', () => {
    expect(colorOf([3, 4])).toBe(colorOf([3, 4]));
    expect(typeof colorOf([])).toBe('string');
  });
});

describe('the schedule form', () => {
  const stored = {
    schedule_name: 'Primary',
    description: '',
    team_id: 0,
    time_zone: 'Europe/Berlin',
    layers: [
      {
        layer_name: 'Week',
        mode: 0 as const,
        hidden: 0,
        groups: [
          {
            group_name: 'A',
            members: [
              { role_id: 0, person_ids: [1] },
              { role_id: 1, person_ids: [9] },
            ],
          },
          { group_name: '', members: [{ role_id: 0, person_ids: [2, 3] }] },
        ],
        rotation_unit: 'week' as const,
        rotation_value: 1,
        handoff_time: 9 * 3600,
        layer_start: 1_767_600_000,
        layer_end: null,
        restrict_mode: 1 as const,
        restrict_periods: [{ restrict_start: 32_400, restrict_end: 64_800 }],
        day_mask: { repeat: [1, 2, 3, 4, 5] },
        fair_rotation: false,
        mask_continuous_enabled: true,
      },
      {
        layer_name: '',
        mode: 1 as const,
        hidden: 0,
        groups: [{ group_name: '', members: [{ role_id: 0, person_ids: [2] }] }],
        rotation_unit: 'day' as const,
        rotation_value: 1,
        handoff_time: 0,
        layer_start: 1_767_700_000 - 40,
        layer_end: 1_767_710_000 - 20,
        restrict_mode: 0 as const,
        restrict_periods: [],
        day_mask: { repeat: [] },
        fair_rotation: false,
        mask_continuous_enabled: false,
      },
    ],
  };

  it('reads a stored schedule and writes back the same layers, keeping backup members', () => {
    const form = formFromSchedule(stored);
    expect(form.rotations).toHaveLength(1);
    expect(form.overrides).toEqual([
      expect.objectContaining({
        people: [2],
        start: (1_767_700_000 - 40) * 1000,
        end: (1_767_710_000 - 20) * 1000,
      }),
    ]);
    expect(form.rotations[0]!.turns.map((t) => t.people)).toEqual([[1], [2, 3]]);
    const [rotation, override] = layersOf(form);
    expect(rotation).toMatchObject({
      layer_name: 'Week',
      groups: [
        {
          group_name: 'A',
          members: [
            { role_id: 0, person_ids: [1] },
            { role_id: 1, person_ids: [9] },
          ],
        },
        { group_name: '', members: [{ role_id: 0, person_ids: [2, 3] }] },
      ],
      rotation_unit: 'week',
      handoff_time: 9 * 3600,
      layer_start: 1_767_600_000,
      layer_end: null,
      restrict_mode: 1,
      restrict_periods: [{ restrict_start: 32_400, restrict_end: 64_800 }],
      day_mask: { repeat: [1, 2, 3, 4, 5] },
      mask_continuous_enabled: true,
    });
    // Instants go out on whole minutes, as the API requires.
    expect(override).toMatchObject({ mode: 1, layer_start: 1_767_699_960, layer_end: 1_767_709_980 });
    expect(upsertBody(form)).toMatchObject({
      schedule_name: 'Primary',
      time_zone: 'Europe/Berlin',
      team_id: 0,
    });
  });

  it('starts a new layer rotating daily, with one empty turn, and drops unused periods', () => {
    const rotation = newRotation(1, utc(2026, 11, 23));
    expect(rotation).toMatchObject({ name: 'Layer 2', unit: 'day', value: 1, end: null, restrictMode: 0 });
    const [layer] = layersOf({
      name: ' x ',
      description: '',
      teamId: 0,
      timeZone: 'UTC',
      rotations: [{ ...rotation, periods: [{ restrict_start: 0, restrict_end: 60 }] }],
      overrides: [],
    });
    expect(layer).toMatchObject({ groups: [{ group_name: '', members: [] }], restrict_periods: [] });
  });

  it('reads hand-off clocks and knows weekly cycles', () => {
    expect(clockOf(9 * 3600 + 30 * 60)).toBe('09:30');
    expect(clockOf(86_400 * 4 + 18 * 3600)).toBe('18:00');
    expect(secondsOf('09:30')).toBe(34_200);
    expect(secondsOf('24:00')).toBeUndefined();
    expect(weeklyCycle({ unit: 'week', value: 2 })).toBe(true);
    expect(weeklyCycle({ unit: 'day', value: 14 })).toBe(true);
    expect(weeklyCycle({ unit: 'day', value: 3 })).toBe(false);
  });
});
