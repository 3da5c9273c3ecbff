import { describe, expect, it } from 'vitest';
import { type Calendar, isDayOff, isDayOffAt } from './calendar.ts';

const weekdaysOnly: Calendar = { timezone: 'Asia/Shanghai', workdays: [1, 2, 3, 4, 5], events: [] };

describe('isDayOff', () => {
  it('weekdays outside workdays are days off', () => {
    expect(isDayOff(weekdaysOnly, '2026-01-05')).toBe(false); // Monday
    expect(isDayOff(weekdaysOnly, '2026-01-10')).toBe(true); // Saturday
    expect(isDayOff(weekdaysOnly, '2026-01-11')).toBe(true); // Sunday
  });

  it('an event decides over the weekday; end_at is exclusive; the latest change wins', () => {
    const cal: Calendar = {
      ...weekdaysOnly,
      events: [
        { start_at: '2026-10-01', end_at: '2026-10-08', is_off: true, updated_at: 1 },
        { start_at: '2026-10-10', end_at: '2026-10-11', is_off: false, updated_at: 1 }, // a working Saturday
        { start_at: '2026-10-07', end_at: '2026-10-08', is_off: false, updated_at: 2 },
      ],
    };
    expect(isDayOff(cal, '2026-10-01')).toBe(true); // Thursday, holiday
    expect(isDayOff(cal, '2026-10-06')).toBe(true);
    expect(isDayOff(cal, '2026-10-07')).toBe(false); // the later event makes it a working day
    expect(isDayOff(cal, '2026-10-08')).toBe(false); // end_at is exclusive
    expect(isDayOff(cal, '2026-10-10')).toBe(false);
    expect(isDayOff(cal, '2026-10-11')).toBe(true);
  });

  it("inherits other calendars' events after its own", () => {
    const holidays: Calendar = {
      ...weekdaysOnly,
      events: [{ start_at: '2026-12-25', end_at: '2026-12-27', is_off: true, updated_at: 1 }],
    };
    const cal: Calendar = {
      ...weekdaysOnly,
      events: [{ start_at: '2026-12-26', end_at: '2026-12-27', is_off: false, updated_at: 0 }],
      inherited: [holidays],
    };
    expect(isDayOff(cal, '2026-12-25')).toBe(true);
    expect(isDayOff(cal, '2026-12-26')).toBe(false);
  });

  it('reads instants in the calendar zone', () => {
    // 2026-01-09 20:00 UTC is Saturday 04:00 in Shanghai.
    expect(isDayOffAt(weekdaysOnly, Date.UTC(2026, 0, 9, 20) / 1000)).toBe(true);
    expect(isDayOffAt({ ...weekdaysOnly, timezone: 'UTC' }, Date.UTC(2026, 0, 9, 20) / 1000)).toBe(false);
  });

  it('refuses what is not a date', () => {
    expect(() => isDayOff(weekdaysOnly, '2026-02-30')).toThrow(RangeError);
  });
});
