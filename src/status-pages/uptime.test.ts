import { describe, expect, it } from 'vitest';
import { groupPercent, segmentsOf, shownPercent, UPTIME_DAYS, uptimeOf } from './uptime.ts';

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
  it('weighs a major outage fully, a partial one at 30 %, degraded and maintenance not at all', () => {
    const yesterday = today - DAY;
    const segments = [
      // Yesterday: an hour of full outage, overlapping 90 minutes of partial outage: 60 min at
      // weight 1, then the 60 minutes of partial outage left at 0.3.
      { componentId: 'a', from: yesterday + 3600, to: yesterday + 7200, status: 'full_outage' as const },
      { componentId: 'a', from: yesterday + 5400, to: yesterday + 10800, status: 'partial_outage' as const },
      // Today: degraded and maintenance, no downtime.
      { componentId: 'a', from: today, to: today + 3600, status: 'degraded' as const },
      { componentId: 'a', from: today + 3600, to: today + 7200, status: 'under_maintenance' as const },
    ];
    const uptime = uptimeOf(segments, 0, now);
    expect(uptime.days).toHaveLength(UPTIME_DAYS);
    const [before, last] = uptime.days.slice(-2);
    expect(before).toEqual({ start: yesterday, observed: DAY, down: 3600 + 1080, worst: 'full_outage' });
    expect(last).toEqual({ start: today, observed: DAY, down: 0, worst: 'degraded' });
    expect(uptime.observed).toBe(UPTIME_DAYS * DAY);
    expect(uptime.down).toBe(4680);
    expect(uptime.percent).toBeCloseTo((1 - 4680 / (UPTIME_DAYS * DAY)) * 100, 10);
  });

  it('starts on the day the component was created, and splits an outage across midnight', () => {
    const since = today - DAY / 2; // yesterday noon
    const segments = [
      { componentId: 'a', from: today - 3600, to: today + 3600, status: 'full_outage' as const },
    ];
    const uptime = uptimeOf(segments, since, now);
    expect(uptime.days.slice(0, -2).every((d) => d.observed === 0)).toBe(true);
    expect(uptime.days.at(-2)).toMatchObject({ observed: DAY, down: 3600 });
    expect(uptime.days.at(-1)).toMatchObject({ observed: DAY, down: 3600 });
    expect(uptime.percent).toBeCloseTo((1 - 7200 / (2 * DAY)) * 100, 10);
    expect(uptimeOf([], now + DAY, now).percent).toBeUndefined();
  });

  it('gives a component created today with a 5-minute partial outage 99.89 %, not 5 %', () => {
    const created = now - 320;
    const segments = [
      { componentId: 'a', from: created + 10, to: created + 310, status: 'partial_outage' as const },
    ];
    const uptime = uptimeOf(segments, created, now);
    expect(shownPercent(uptime.percent!)).toBe(99.89);
  });

  it('weighs a group by observed days', () => {
    const full = uptimeOf([], 0, now);
    const one = uptimeOf([{ componentId: 'b', from: today, to: now, status: 'full_outage' }], today, now);
    expect(one.percent).toBe(50);
    const group = groupPercent([full, one])!;
    expect(group).toBeCloseTo((1 - (12 * 3600) / (91 * DAY)) * 100, 10);
  });
});
