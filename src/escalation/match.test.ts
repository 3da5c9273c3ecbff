import { describe, expect, it } from 'vitest';
import { localTime } from '../shared/wall-clock.ts';
import type { EscalateTimeFilter, EscalationRule } from './escalation.types.ts';
import { type IsDayOff, pickEscalationRule, snapshotRule } from './match.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;

let counter = 0;
function rule(fields: Partial<EscalationRule> = {}): EscalationRule {
  counter += 1;
  return {
    rule_id: counter.toString(16).padStart(24, '0'),
    account_id: 1,
    channel_id: 2,
    rule_name: `rule ${counter}`,
    description: '',
    priority: 0,
    aggr_window: 0,
    template_id: 'a'.repeat(24),
    status: 'enabled',
    layers: [
      {
        max_times: 1,
        notify_step: 10,
        escalate_window: 30,
        force_escalate: false,
        target: {
          person_ids: [7],
          team_ids: [],
          schedule_to_role_ids: {},
          emails: [],
          by: { follow_preference: true, critical: [], warning: [], info: [] },
        },
      },
    ],
    time_filters: [],
    filters: [],
    created_at: 1_000 + counter,
    updated_at: 1_000 + counter,
    ...fields,
  };
}

const window = (start: string, end: string, extra: Partial<EscalateTimeFilter> = {}): EscalateTimeFilter => ({
  start,
  end,
  repeat: [],
  cal_id: '',
  is_off: false,
  ...extra,
});

const incident = {
  incident_severity: 'Critical',
  title: 'CPU high on web-1',
  description: 'load 12',
  labels: { service: 'web', host: '10.1.2.3', cpu: '97', env: 'prod' },
  integration_id: 55,
};

const NOW = at('2026-01-05T09:00:00Z'); // a Monday

describe('pickEscalationRule: order', () => {
  it('takes the enabled rule of lowest priority, then the older one', () => {
    const late = rule({ priority: 5 });
    const olderTie = rule({ priority: 1, created_at: 10 });
    const newerTie = rule({ priority: 1, created_at: 20 });
    const disabled = rule({ priority: 0, status: 'disabled' });
    expect(pickEscalationRule([late, newerTie, disabled, olderTie], incident, NOW, 'UTC')).toBe(olderTie);
  });

  it('falls through to the next rule when the first does not match, and answers undefined when none does', () => {
    const warningsOnly = rule({
      priority: 0,
      filters: [[{ key: 'severity', oper: 'IN', vals: ['Warning'] }]],
    });
    const catchAll = rule({ priority: 9 });
    expect(pickEscalationRule([warningsOnly, catchAll], incident, NOW, 'UTC')).toBe(catchAll);
    expect(pickEscalationRule([warningsOnly], incident, NOW, 'UTC')).toBeUndefined();
    expect(pickEscalationRule([], incident, NOW, 'UTC')).toBeUndefined();
  });

  it('does not reorder the array it was given', () => {
    const rules = [rule({ priority: 3 }), rule({ priority: 1 })];
    const ids = rules.map((r) => r.rule_id);
    pickEscalationRule(rules, incident, NOW, 'UTC');
    expect(rules.map((r) => r.rule_id)).toEqual(ids);
  });
});

describe('pickEscalationRule: filters', () => {
  const matches = (filters: EscalationRule['filters']) =>
    pickEscalationRule([rule({ filters })], incident, NOW, 'UTC') !== undefined;

  it('matches every incident without filters', () => {
    expect(matches([])).toBe(true);
  });

  it.each([
    ['severity IN', [[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]], true],
    ['incident_severity alias', [[{ key: 'incident_severity', oper: 'IN', vals: ['Info'] }]], false],
    ['severity NOTIN', [[{ key: 'severity', oper: 'NOTIN', vals: ['Critical'] }]], false],
    ['title regex', [[{ key: 'title', oper: 'IN', vals: ['/cpu HIGH/'] }]], false],
    ['title regex, case-insensitive', [[{ key: 'title', oper: 'IN', vals: ['/(?i)cpu HIGH/'] }]], true],
    ['label wildcard', [[{ key: 'labels.service', oper: 'IN', vals: ['w*'] }]], true],
    ['bare label shorthand', [[{ key: 'service', oper: 'IN', vals: ['db'] }]], false],
    ['cidr', [[{ key: 'labels.host', oper: 'IN', vals: ['cidr:10.1.0.0/16'] }]], true],
    ['cidr outside', [[{ key: 'labels.host', oper: 'IN', vals: ['cidr:10.2.0.0/16'] }]], false],
    ['num', [[{ key: 'labels.cpu', oper: 'IN', vals: ['num:ge:95'] }]], true],
    ['absent label', [[{ key: 'labels.region', oper: 'IN', vals: ['*'] }]], false],
    ['absent label, NOTIN', [[{ key: 'labels.region', oper: 'NOTIN', vals: ['eu'] }]], true],
    ['integration id', [[{ key: 'integration_id', oper: 'IN', vals: ['55'] }]], true],
    [
      'AND: one condition fails',
      [
        [
          { key: 'severity', oper: 'IN', vals: ['Critical'] },
          { key: 'labels.env', oper: 'IN', vals: ['staging'] },
        ],
      ],
      false,
    ],
    [
      'OR: the second group matches',
      [
        [{ key: 'labels.env', oper: 'IN', vals: ['staging'] }],
        [{ key: 'description', oper: 'IN', vals: ['load *'] }],
      ],
      true,
    ],
  ] as const)('%s', (_what, filters, expected) => {
    expect(matches(filters as unknown as EscalationRule['filters'])).toBe(expected);
  });
});

describe('pickEscalationRule: time windows', () => {
  const admitted = (
    windows: EscalateTimeFilter[],
    iso: string,
    timeZone: string,
    isDayOff?: IsDayOff,
  ): boolean =>
    pickEscalationRule([rule({ time_filters: windows })], incident, at(iso), timeZone, isDayOff) !==
    undefined;

  it('reads HH:MM ranges on the account time zone wall clock, end excluded', () => {
    const office = [window('09:00', '18:00', { repeat: [1, 2, 3, 4, 5] })];
    expect(admitted(office, '2026-01-05T01:00:00Z', 'Asia/Shanghai')).toBe(true); // Mon 09:00
    expect(admitted(office, '2026-01-05T00:59:00Z', 'Asia/Shanghai')).toBe(false); // Mon 08:59
    expect(admitted(office, '2026-01-05T10:00:00Z', 'Asia/Shanghai')).toBe(false); // Mon 18:00
    expect(admitted(office, '2026-01-05T09:59:00Z', 'Asia/Shanghai')).toBe(true); // Mon 17:59
    expect(admitted(office, '2026-01-04T01:00:00Z', 'Asia/Shanghai')).toBe(false); // Sun 09:00
    // The same instant in UTC is 01:00 on Monday: outside.
    expect(admitted(office, '2026-01-05T01:00:00Z', 'UTC')).toBe(false);
  });

  it('runs a window whose end is not after its start past midnight, on the day it starts', () => {
    const fridayNight = [window('22:00', '06:00', { repeat: [5] })];
    expect(admitted(fridayNight, '2026-01-09T22:00:00Z', 'UTC')).toBe(true); // Fri 22:00
    expect(admitted(fridayNight, '2026-01-10T05:59:00Z', 'UTC')).toBe(true); // Sat 05:59
    expect(admitted(fridayNight, '2026-01-10T06:00:00Z', 'UTC')).toBe(false); // Sat 06:00
    expect(admitted(fridayNight, '2026-01-10T23:00:00Z', 'UTC')).toBe(false); // Sat 23:00
    expect(admitted(fridayNight, '2026-01-09T02:00:00Z', 'UTC')).toBe(false); // Fri 02:00 (Thursday's night)
    expect(admitted([window('00:00', '00:00')], '2026-01-07T13:37:00Z', 'UTC')).toBe(true);
    expect(admitted([window('18:00', '24:00')], '2026-01-07T23:59:00Z', 'UTC')).toBe(true);
  });

  it('admits when any window is open and always when there is none', () => {
    const two = [window('01:00', '02:00'), window('09:00', '10:00')];
    expect(admitted(two, '2026-01-05T09:30:00Z', 'UTC')).toBe(true);
    expect(admitted(two, '2026-01-05T03:00:00Z', 'UTC')).toBe(false);
    expect(admitted([], '2026-01-05T03:00:00Z', 'UTC')).toBe(true);
  });

  it('follows daylight saving time: spring forward in New York', () => {
    const office = [window('09:00', '17:00')];
    // Saturday 2026-03-07, EST (UTC-5): 09:00 local is 14:00 UTC.
    expect(admitted(office, '2026-03-07T13:30:00Z', 'America/New_York')).toBe(false);
    expect(admitted(office, '2026-03-07T14:00:00Z', 'America/New_York')).toBe(true);
    // Sunday 2026-03-08, the clocks went forward at 02:00, EDT (UTC-4): 09:00 local is 13:00 UTC.
    expect(admitted(office, '2026-03-08T12:59:00Z', 'America/New_York')).toBe(false);
    expect(admitted(office, '2026-03-08T13:00:00Z', 'America/New_York')).toBe(true);
    expect(admitted(office, '2026-03-08T20:59:00Z', 'America/New_York')).toBe(true);
    expect(admitted(office, '2026-03-08T21:00:00Z', 'America/New_York')).toBe(false);
    // 02:00–03:00 does not exist that day.
    const skipped = [window('02:00', '03:00')];
    expect(admitted(skipped, '2026-03-08T06:59:00Z', 'America/New_York')).toBe(false); // 01:59 EST
    expect(admitted(skipped, '2026-03-08T07:00:00Z', 'America/New_York')).toBe(false); // 03:00 EDT
  });

  it('follows daylight saving time: fall back in Berlin, where 02:30 happens twice', () => {
    const small = [window('02:00', '03:00', { repeat: [0] })];
    expect(admitted(small, '2026-10-25T00:30:00Z', 'Europe/Berlin')).toBe(true); // 02:30 CEST
    expect(admitted(small, '2026-10-25T01:30:00Z', 'Europe/Berlin')).toBe(true); // 02:30 CET
    expect(admitted(small, '2026-10-25T02:00:00Z', 'Europe/Berlin')).toBe(false); // 03:00 CET
    expect(admitted(small, '2026-10-24T23:59:00Z', 'Europe/Berlin')).toBe(false); // 01:59 CEST
  });

  it('reads an unknown time zone as UTC', () => {
    expect(admitted([window('09:00', '10:00')], '2026-01-05T09:30:00Z', 'Mars/Olympus')).toBe(true);
  });

  it('restricts a window with a calendar to its workdays, or to its days off with is_off', () => {
    const asked: string[] = [];
    const holidays: IsDayOff = (calId, day) => {
      asked.push(`${calId} ${day.year}-${day.month}-${day.day} ${day.weekday}`);
      return calId === 'cn' && day.month === 1 && day.day === 1;
    };
    const workdays = [window('00:00', '00:00', { cal_id: 'cn' })];
    const daysOff = [window('00:00', '00:00', { cal_id: 'cn', is_off: true })];
    expect(admitted(workdays, '2026-01-01T12:00:00Z', 'UTC', holidays)).toBe(false);
    expect(admitted(workdays, '2026-01-02T12:00:00Z', 'UTC', holidays)).toBe(true);
    expect(admitted(daysOff, '2026-01-01T12:00:00Z', 'UTC', holidays)).toBe(true);
    expect(admitted(daysOff, '2026-01-02T12:00:00Z', 'UTC', holidays)).toBe(false);
    expect(asked).toContain('cn 2026-1-1 4');
    // Without a callback every day is a workday.
    expect(admitted(workdays, '2026-01-01T12:00:00Z', 'UTC')).toBe(true);
    expect(admitted(daysOff, '2026-01-01T12:00:00Z', 'UTC')).toBe(false);
  });

  it('judges the calendar of a night window on the day it starts, in the account time zone', () => {
    const holidayNights = [window('20:00', '08:00', { cal_id: 'cn', is_off: true })];
    const newYear: IsDayOff = (_calId, day) => day.month === 1 && day.day === 1;
    // 2026-01-02 02:00 in Shanghai is 2026-01-01 18:00 UTC: the night of January 1st.
    expect(admitted(holidayNights, '2026-01-01T18:00:00Z', 'Asia/Shanghai', newYear)).toBe(true);
    // 2026-01-03 02:00 in Shanghai: the night of January 2nd, a workday.
    expect(admitted(holidayNights, '2026-01-02T18:00:00Z', 'Asia/Shanghai', newYear)).toBe(false);
    // The night that starts on 2025-12-31 and ends on New Year's morning started on a workday.
    expect(admitted(holidayNights, '2025-12-31T22:00:00Z', 'Asia/Shanghai', newYear)).toBe(false);
  });

  it('needs both the filters and a window', () => {
    const both = rule({
      filters: [[{ key: 'severity', oper: 'IN', vals: ['Critical'] }]],
      time_filters: [window('09:00', '10:00')],
    });
    expect(pickEscalationRule([both], incident, at('2026-01-05T09:30:00Z'), 'UTC')).toBe(both);
    expect(pickEscalationRule([both], incident, at('2026-01-05T10:30:00Z'), 'UTC')).toBeUndefined();
    expect(
      pickEscalationRule(
        [both],
        { ...incident, incident_severity: 'Info' },
        at('2026-01-05T09:30:00Z'),
        'UTC',
      ),
    ).toBeUndefined();
  });
});

describe('localTime', () => {
  it('gives the local date, weekday and minute', () => {
    expect(localTime('Asia/Tokyo', at('2026-12-31T15:30:00Z'))).toEqual({
      day: { year: 2027, month: 1, day: 1, weekday: 5 },
      minute: 30,
    });
  });
});

describe('snapshotRule', () => {
  it('is a deep, frozen copy that later edits of the rule do not reach', () => {
    const original = rule({ aggr_window: 120, updated_at: 5_000 });
    const snapshot = snapshotRule(original);
    expect(snapshot).toEqual({
      rule_id: original.rule_id,
      rule_name: original.rule_name,
      channel_id: 2,
      template_id: original.template_id,
      aggr_window: 120,
      layers: original.layers,
      rule_version: 5_000,
    });

    original.rule_name = 'renamed';
    original.aggr_window = 0;
    original.layers[0]!.escalate_window = 1;
    original.layers[0]!.target.person_ids.push(8);
    original.layers.push(original.layers[0]!);
    expect(snapshot.rule_name).not.toBe('renamed');
    expect(snapshot.aggr_window).toBe(120);
    expect(snapshot.layers).toHaveLength(1);
    expect(snapshot.layers[0]!.escalate_window).toBe(30);
    expect(snapshot.layers[0]!.target.person_ids).toEqual([7]);

    expect(Object.isFrozen(snapshot)).toBe(true);
    expect(Object.isFrozen(snapshot.layers[0]!.target.person_ids)).toBe(true);
    expect(() => {
      (snapshot.layers[0]!.target.person_ids as number[]).push(9);
    }).toThrow(TypeError);
  });

  it('is plain JSON, to be stored with the escalation', () => {
    const snapshot = snapshotRule(rule());
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});
