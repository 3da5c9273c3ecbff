import { describe, expect, it } from 'vitest';
import { parseTime, timeWindow } from './time-args.ts';

const NOW = Date.UTC(2026, 11, 7, 18, 0, 0) / 1000;

describe('parseTime', () => {
  it('reads durations, now, Unix seconds and UTC dates', () => {
    expect(parseTime('since', '24h', NOW)).toBe(NOW - 86_400);
    expect(parseTime('since', '30m', NOW)).toBe(NOW - 1800);
    expect(parseTime('until', '+2h', NOW)).toBe(NOW + 7200);
    expect(parseTime('since', 'now', NOW)).toBe(NOW);
    expect(parseTime('since', '1712000000', NOW)).toBe(1_712_000_000);
    expect(parseTime('since', '2026-04-01', NOW)).toBe(Date.UTC(2026, 3, 1) / 1000);
    expect(parseTime('since', '2026-04-01 10:00:00', NOW)).toBe(Date.UTC(2026, 3, 1, 10) / 1000);
  });

  it('refuses anything else, naming the argument', () => {
    for (const bad of ['yesterday', '2026-02-30', '24 h', '', '12']) {
      expect(() => parseTime('since', bad, NOW)).toThrow(/^since: /);
    }
  });
});

describe('timeWindow', () => {
  it('defaults to a window ending now, and refuses inverted or over-long ones', () => {
    expect(timeWindow({}, NOW, 3600)).toEqual({ start: NOW - 3600, end: NOW });
    expect(() => timeWindow({ until: '1h' }, NOW, 3600)).toThrow(/since: required/);
    expect(() => timeWindow({ since: '1h', until: '2h' }, NOW, 3600)).toThrow(/until: must be later/);
    expect(() => timeWindow({ since: '32d' }, NOW, 3600)).toThrow(/31 days/);
  });
});
