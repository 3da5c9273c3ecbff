import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { naiveParts, toNaive } from '../schedules/zoned.ts';
import {
  AGGREGATE_UNITS,
  bucketTs,
  hourClass,
  localEdges,
  naiveBucketStart,
  WEEKEND_OFF,
} from './buckets.ts';

const utc = (iso: string) => Date.parse(iso) / 1000;
const naiveIn = (zone: string, iso: string) => toNaive(zone, utc(iso));

describe('bucketTs', () => {
  it('puts a Berlin trigger on the spring-forward day in a 23-hour day bucket starting at local midnight', () => {
    // 2026-03-29: clocks go 02:00 → 03:00 CEST. Local midnight is 23:00Z the day before (CET).
    const zone = 'Europe/Berlin';
    const ts = bucketTs(zone, naiveIn(zone, '2026-03-29T10:00:00Z'), 'day');
    expect(ts).toBe(utc('2026-03-28T23:00:00Z'));
    const next = bucketTs(zone, naiveIn(zone, '2026-03-30T10:00:00Z'), 'day');
    expect(next).toBe(utc('2026-03-29T22:00:00Z'));
    expect(next - ts).toBe(23 * 3600);
  });

  it('makes the New York fall-back day 25 hours long', () => {
    // 2026-11-01: clocks go 02:00 EDT → 01:00 EST.
    const zone = 'America/New_York';
    const ts = bucketTs(zone, naiveIn(zone, '2026-11-01T12:00:00Z'), 'day');
    expect(ts).toBe(utc('2026-11-01T04:00:00Z'));
    const next = bucketTs(zone, naiveIn(zone, '2026-11-02T12:00:00Z'), 'day');
    expect(next).toBe(utc('2026-11-02T05:00:00Z'));
    expect(next - ts).toBe(25 * 3600);
  });

  it('starts weeks on Monday and months on the 1st, in local time', () => {
    const zone = 'America/New_York';
    // Sunday 2026-03-08 20:00 local (after the change) → Monday 2026-03-02 00:00 EST.
    expect(bucketTs(zone, naiveIn(zone, '2026-03-09T00:00:00Z'), 'week')).toBe(utc('2026-03-02T05:00:00Z'));
    // 2026-04-01 00:30 local EDT is 04:30Z; April starts 04:00Z.
    expect(bucketTs(zone, naiveIn(zone, '2026-04-01T04:30:00Z'), 'month')).toBe(utc('2026-04-01T04:00:00Z'));
    // 2026-04-01 03:30Z is still March 31 in New York.
    expect(bucketTs(zone, naiveIn(zone, '2026-04-01T03:30:00Z'), 'month')).toBe(utc('2026-03-01T05:00:00Z'));
    expect(bucketTs('Asia/Shanghai', naiveIn('Asia/Shanghai', '2026-01-31T20:00:00Z'), 'month')).toBe(
      utc('2026-01-31T16:00:00Z'),
    );
  });

  it('holds every instant in its bucket, which starts at a local midnight (property)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: utc('2020-01-01T00:00:00Z'), max: utc('2030-01-01T00:00:00Z') }),
        fc.constantFrom(...zones),
        fc.constantFrom(...AGGREGATE_UNITS),
        (instant, zone, unit) => {
          const naive = toNaive(zone, instant);
          const ts = bucketTs(zone, naive, unit);
          expect(ts).toBeLessThanOrEqual(instant);
          expect(naiveParts(toNaive(zone, ts)).secondOfDay).toBe(0);
          // The next bucket starts after the instant.
          const nextNaive =
            naiveBucketStart(naive, unit) + (unit === 'month' ? 32 : unit === 'week' ? 7 : 1) * 86_400;
          expect(bucketTs(zone, nextNaive, unit)).toBeGreaterThan(instant);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('hourClass', () => {
  const monday = (time: string) => Date.parse(`2026-01-05T${time}Z`) / 1000;
  const saturday = (time: string) => Date.parse(`2026-01-10T${time}Z`) / 1000;

  it('classes weekday hours as work 08–19, off 19–23 and sleep 23–08', () => {
    expect(hourClass(monday('07:59:59'), WEEKEND_OFF)).toBe('sleep');
    expect(hourClass(monday('08:00:00'), WEEKEND_OFF)).toBe('work');
    expect(hourClass(monday('18:59:59'), WEEKEND_OFF)).toBe('work');
    expect(hourClass(monday('19:00:00'), WEEKEND_OFF)).toBe('off');
    expect(hourClass(monday('22:59:59'), WEEKEND_OFF)).toBe('off');
    expect(hourClass(monday('23:00:00'), WEEKEND_OFF)).toBe('sleep');
  });

  it('classes non-workday daytime as off, and follows a calendar', () => {
    expect(hourClass(saturday('10:00:00'), WEEKEND_OFF)).toBe('off');
    expect(hourClass(saturday('02:00:00'), WEEKEND_OFF)).toBe('sleep');
    const holiday = (date: string) => date === '2026-01-05' || WEEKEND_OFF(date);
    expect(hourClass(monday('10:00:00'), holiday)).toBe('off');
    const saturdayWorks = (date: string) => date !== '2026-01-10' && WEEKEND_OFF(date);
    expect(hourClass(saturday('10:00:00'), saturdayWorks)).toBe('work');
  });

  it('reads the hour in the zone: 10:00Z Monday is work in London, off in Tokyo', () => {
    expect(hourClass(naiveIn('Europe/London', '2026-01-05T10:00:00Z'), WEEKEND_OFF)).toBe('work');
    // 10:00Z = 19:00 in Tokyo.
    expect(hourClass(naiveIn('Asia/Tokyo', '2026-01-05T10:00:00Z'), WEEKEND_OFF)).toBe('off');
    // 15:00Z = 00:00 Tuesday in Tokyo.
    expect(hourClass(naiveIn('Asia/Tokyo', '2026-01-05T15:00:00Z'), WEEKEND_OFF)).toBe('sleep');
  });
});

describe('localEdges', () => {
  it('lists the local hours of a spring-forward day in Berlin: 23 of them', () => {
    const zone = 'Europe/Berlin';
    const { instants, naives, wholeHourOffsets } = localEdges(
      zone,
      utc('2026-03-28T23:00:00Z'),
      utc('2026-03-29T22:00:00Z'),
      'hour',
    );
    expect(instants).toHaveLength(23);
    expect(wholeHourOffsets).toBe(true);
    // 01:00 CET is 00:00Z; the next local hour is 03:00 CEST, also 01:00Z (02:00 does not exist).
    expect(instants.slice(0, 3)).toEqual([
      utc('2026-03-28T23:00:00Z'),
      utc('2026-03-29T00:00:00Z'),
      utc('2026-03-29T01:00:00Z'),
    ]);
    expect(naiveParts(naives[2]!).secondOfDay).toBe(3 * 3600);
  });

  it('keeps the repeated hour of a fall-back night in New York as one two-hour entry', () => {
    const zone = 'America/New_York';
    const { instants } = localEdges(zone, utc('2026-11-01T04:00:00Z'), utc('2026-11-02T05:00:00Z'), 'hour');
    expect(instants).toHaveLength(24);
    expect(instants[2]! - instants[1]!).toBe(2 * 3600);
  });

  it('starts at the hour or day holding start, and notes half-hour zones', () => {
    const days = localEdges('Asia/Tokyo', utc('2026-01-05T10:00:00Z'), utc('2026-01-08T00:00:00Z'), 'day');
    expect(days.instants).toEqual([
      utc('2026-01-04T15:00:00Z'),
      utc('2026-01-05T15:00:00Z'),
      utc('2026-01-06T15:00:00Z'),
      utc('2026-01-07T15:00:00Z'),
    ]);
    expect(
      localEdges('Asia/Kolkata', utc('2026-01-05T00:00:00Z'), utc('2026-01-06T00:00:00Z'), 'hour')
        .wholeHourOffsets,
    ).toBe(false);
  });
});
