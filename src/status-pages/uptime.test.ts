import { describe, expect, it } from 'vitest';
import { groupPercent, segmentsOf, UPTIME_DAYS, uptimeOf } from './uptime.ts';

const DAY = 86_400;
const today = 20_000 * DAY; // a UTC midnight
const now = today + 12 * 3600; // noon

const update = (atSeconds: number, status: string | null, changes: [string, string][] = []) => ({
  atSeconds,
  status,
  componentChanges: changes.map(([component_id, s]) => ({ component_id, status: s })),
});

describe('segmentsOf', () => {
  it('holds each component status from its update to the next one, while the event is in effect', () => {
    const segments = segmentsOf(
      {
        type: 'incident',
        updates: [
          update(100, 'investigating', [['a', 'degraded']]),
          update(200, 'identified', [
            ['a', 'full_outage'],
            ['b', 'partial_outage'],
          ]),
          update(300, 'resolved', [
            ['a', 'operational'],
            ['b', 'operational'],
          ]),
        ],
      },
      1_000,
    );
    expect(segments).toEqual([
      { componentId: 'a', from: 100, to: 200, status: 'degraded' },
      { componentId: 'a', from: 200, to: 300, status: 'full_outage' },
      { componentId: 'b', from: 200, to: 300, status: 'partial_outage' },
    ]);
  });

  it('runs an open event up to now, and ignores a maintenance until it goes on', () => {
    const segments = segmentsOf(
      {
        type: 'maintenance',
        updates: [update(10, 'scheduled', [['a', 'under_maintenance']]), update(50, 'ongoing')],
      },
      80,
    );
    expect(segments).toEqual([{ componentId: 'a', from: 50, to: 80, status: 'under_maintenance' }]);
  });
});

describe('uptimeOf (a fixture)', () => {
  it('counts partial and full outage as downtime, merges overlaps, and leaves degraded and maintenance up', () => {
    const yesterday = today - DAY;
    const segments = [
      // Yesterday: an hour of full outage, overlapping 30 minutes of partial outage (90 min down in all).
      { componentId: 'a', from: yesterday + 3600, to: yesterday + 7200, status: 'full_outage' as const },
      { componentId: 'a', from: yesterday + 5400, to: yesterday + 9000, status: 'partial_outage' as const },
      // Today: degraded and maintenance, no downtime.
      { componentId: 'a', from: today, to: today + 3600, status: 'degraded' as const },
      { componentId: 'a', from: today + 3600, to: today + 7200, status: 'under_maintenance' as const },
    ];
    const uptime = uptimeOf(segments, 0, now);
    expect(uptime.days).toHaveLength(UPTIME_DAYS);
    const [before, last] = uptime.days.slice(-2);
    expect(before).toEqual({ start: yesterday, observed: DAY, down: 5400, worst: 'full_outage' });
    expect(last).toEqual({ start: today, observed: 12 * 3600, down: 0, worst: 'degraded' });
    expect(uptime.observed).toBe(89 * DAY + 12 * 3600);
    expect(uptime.down).toBe(5400);
    expect(uptime.percent).toBeCloseTo((1 - 5400 / (89.5 * DAY)) * 100, 10);
  });

  it('counts nothing before the component existed, and splits an outage across midnight', () => {
    const since = today - DAY / 2; // yesterday noon
    const segments = [
      { componentId: 'a', from: today - 3600, to: today + 3600, status: 'full_outage' as const },
    ];
    const uptime = uptimeOf(segments, since, now);
    expect(uptime.days.slice(0, -2).every((d) => d.observed === 0)).toBe(true);
    expect(uptime.days.at(-2)).toMatchObject({ observed: DAY / 2, down: 3600 });
    expect(uptime.days.at(-1)).toMatchObject({ observed: DAY / 2, down: 3600 });
    expect(uptime.percent).toBeCloseTo((1 - 7200 / DAY) * 100, 10);
    expect(uptimeOf([], now + 1, now).percent).toBeUndefined();
  });

  it('weighs a group by observed time', () => {
    const full = uptimeOf([], 0, now);
    const half = uptimeOf([{ componentId: 'b', from: today, to: now, status: 'full_outage' }], today, now);
    expect(half.percent).toBe(0);
    const group = groupPercent([full, half])!;
    expect(group).toBeCloseTo((full.observed / (full.observed + half.observed)) * 100, 10);
  });
});
