import { describe, expect, it } from 'vitest';
import {
  type DropRule,
  decideNoise,
  type InhibitRule,
  judgeFlapping,
  needsInhibitSources,
  type SilenceRule,
  silenceWindowOpen,
  statusChanges,
  wallClock,
  weeklyWindowOpen,
} from './noise.ts';

const at = (iso: string) => Date.parse(iso) / 1000;
const dbAlert = {
  severity: 'Critical',
  title: 'db down',
  description: '',
  labels: { host: 'db1', env: 'prod' },
};
const cond = (key: string, ...vals: string[]) => [[{ key, oper: 'IN' as const, vals }]];

const drop = (over: Partial<DropRule> = {}): DropRule => ({
  kind: 'drop',
  rule_id: '000000000000000000000001',
  rule_name: 'drop test',
  priority: 0,
  filters: cond('labels.env', 'test'),
  ...over,
});
const silence = (over: Partial<SilenceRule> = {}): SilenceRule => ({
  kind: 'silence',
  rule_id: '000000000000000000000002',
  rule_name: 'maintenance',
  priority: 0,
  filters: cond('labels.host', 'db*'),
  time_filter: { start_time: at('2026-01-05T08:00:00Z'), end_time: at('2026-01-05T10:00:00Z') },
  time_filters: [],
  is_directly_discard: false,
  ...over,
});
const inhibit = (over: Partial<InhibitRule> = {}): InhibitRule => ({
  kind: 'inhibit',
  rule_id: '000000000000000000000003',
  rule_name: 'host down hides the rest',
  priority: 0,
  source_filters: cond('title', 'host down'),
  target_filters: cond('severity', 'Warning', 'Critical'),
  equals: ['host'],
  is_directly_discard: false,
  ...over,
});

describe('time windows', () => {
  it('reads the wall clock of the time zone, DST included', () => {
    expect(wallClock('UTC', at('2026-01-05T09:30:00Z'))).toEqual({ weekday: 1, minute: 570 });
    // Monday 09:30 UTC is Monday 17:30 in Shanghai and Monday 04:30 in New York (EST).
    expect(wallClock('Asia/Shanghai', at('2026-01-05T09:30:00Z'))).toEqual({ weekday: 1, minute: 1050 });
    expect(wallClock('America/New_York', at('2026-01-05T09:30:00Z'))).toEqual({ weekday: 1, minute: 270 });
    // In July New York is on EDT (UTC-4).
    expect(wallClock('America/New_York', at('2026-07-06T09:30:00Z'))).toEqual({ weekday: 1, minute: 330 });
    // Sunday 23:30 UTC is already Monday 07:30 in Shanghai.
    expect(wallClock('Asia/Shanghai', at('2026-01-04T23:30:00Z'))).toEqual({ weekday: 1, minute: 450 });
  });

  it('opens a same-day window on its weekdays only, end excluded', () => {
    const w = { start: '09:00', end: '17:00', repeat: [1, 2, 3, 4, 5] };
    expect(weeklyWindowOpen(w, { weekday: 1, minute: 540 })).toBe(true);
    expect(weeklyWindowOpen(w, { weekday: 1, minute: 1019 })).toBe(true);
    expect(weeklyWindowOpen(w, { weekday: 1, minute: 1020 })).toBe(false);
    expect(weeklyWindowOpen(w, { weekday: 1, minute: 539 })).toBe(false);
    expect(weeklyWindowOpen(w, { weekday: 0, minute: 600 })).toBe(false);
  });

  it('runs a window whose end is not after its start into the next day', () => {
    const friday = { start: '22:00', end: '06:00', repeat: [5] };
    expect(weeklyWindowOpen(friday, { weekday: 5, minute: 23 * 60 })).toBe(true);
    expect(weeklyWindowOpen(friday, { weekday: 6, minute: 5 * 60 })).toBe(true);
    expect(weeklyWindowOpen(friday, { weekday: 6, minute: 6 * 60 })).toBe(false);
    expect(weeklyWindowOpen(friday, { weekday: 5, minute: 5 * 60 })).toBe(false);
    const allDay = { start: '00:00', end: '00:00', repeat: [0] };
    expect(weeklyWindowOpen(allDay, { weekday: 0, minute: 0 })).toBe(true);
    expect(weeklyWindowOpen(allDay, { weekday: 0, minute: 1439 })).toBe(true);
    expect(weeklyWindowOpen(allDay, { weekday: 1, minute: 0 })).toBe(false);
  });

  it('takes an empty repeat as every day and 24:00 as the end of the day', () => {
    const evening = { start: '18:00', end: '24:00', repeat: [] };
    for (let day = 0; day < 7; day++)
      expect(weeklyWindowOpen(evening, { weekday: day, minute: 1439 })).toBe(true);
    expect(weeklyWindowOpen(evening, { weekday: 3, minute: 0 })).toBe(false);
  });

  it('opens a one-off window from start_time up to (not including) end_time', () => {
    const rule = silence();
    expect(silenceWindowOpen(rule, 'UTC', at('2026-01-05T08:00:00Z'))).toBe(true);
    expect(silenceWindowOpen(rule, 'UTC', at('2026-01-05T09:59:59Z'))).toBe(true);
    expect(silenceWindowOpen(rule, 'UTC', at('2026-01-05T10:00:00Z'))).toBe(false);
    expect(silenceWindowOpen(rule, 'UTC', at('2026-01-05T07:59:59Z'))).toBe(false);
  });

  it('reads weekly windows in the account time zone', () => {
    const rule = silence({
      time_filter: null,
      time_filters: [{ start: '17:00', end: '18:00', repeat: [1] }],
    });
    expect(silenceWindowOpen(rule, 'Asia/Shanghai', at('2026-01-05T09:30:00Z'))).toBe(true);
    expect(silenceWindowOpen(rule, 'UTC', at('2026-01-05T09:30:00Z'))).toBe(false);
    expect(silenceWindowOpen(rule, 'Not/AZone', at('2026-01-05T17:30:00Z'))).toBe(true);
  });
});

describe('decideNoise', () => {
  const now = at('2026-01-05T09:00:00Z');
  const base = { timeZone: 'UTC', nowSeconds: now, isNew: true };

  it('passes an event no rule matches', () => {
    expect(
      decideNoise({
        ...base,
        rules: [drop(), silence({ filters: cond('labels.host', 'web*') })],
        event: dbAlert,
      }),
    ).toEqual({
      action: 'pass',
    });
  });

  it('applies drop rules before silence rules', () => {
    const event = { ...dbAlert, labels: { host: 'db1', env: 'test' } };
    const decision = decideNoise({ ...base, rules: [silence(), drop()], event });
    expect(decision).toEqual({
      action: 'discard',
      cause: { reason: 'drop', rule_id: '000000000000000000000001', rule_name: 'drop test' },
    });
  });

  it('mutes or discards with a silence rule whose window is open', () => {
    expect(decideNoise({ ...base, rules: [silence()], event: dbAlert })).toMatchObject({
      action: 'mute',
      cause: { reason: 'silence', rule_name: 'maintenance' },
    });
    expect(
      decideNoise({ ...base, rules: [silence({ is_directly_discard: true })], event: dbAlert }),
    ).toMatchObject({
      action: 'discard',
      cause: { reason: 'silence' },
    });
    expect(
      decideNoise({ ...base, nowSeconds: at('2026-01-05T11:00:00Z'), rules: [silence()], event: dbAlert }),
    ).toEqual({
      action: 'pass',
    });
  });

  it('lets the lowest priority win, then the older rule', () => {
    const first = silence({ rule_id: '00000000000000000000000b', rule_name: 'first', priority: 1 });
    const second = silence({ rule_id: '00000000000000000000000a', rule_name: 'second', priority: 5 });
    const older = silence({ rule_id: '000000000000000000000009', rule_name: 'older', priority: 1 });
    expect(decideNoise({ ...base, rules: [second, first], event: dbAlert })).toMatchObject({
      cause: { rule_name: 'first' },
    });
    expect(decideNoise({ ...base, rules: [second, first, older], event: dbAlert })).toMatchObject({
      cause: { rule_name: 'older' },
    });
  });

  it('inhibits a new target alert paired with an active source on every equals key', () => {
    const source = {
      alert_id: 'a'.repeat(24),
      severity: 'Critical',
      title: 'host down',
      description: '',
      labels: { host: 'db1' },
    };
    const rules = [inhibit()];
    expect(needsInhibitSources(rules, dbAlert, true)).toBe(true);
    expect(needsInhibitSources(rules, dbAlert, false)).toBe(false);
    expect(decideNoise({ ...base, rules, event: dbAlert, sources: [source] })).toEqual({
      action: 'mute',
      cause: {
        reason: 'inhibit',
        rule_id: '000000000000000000000003',
        rule_name: 'host down hides the rest',
        source_alert_id: 'a'.repeat(24),
      },
    });
    // Another host, a source without the key, an update of an open alert: no inhibition.
    const other = { ...source, labels: { host: 'db2' } };
    const unlabelled = { ...source, labels: {} };
    expect(decideNoise({ ...base, rules, event: dbAlert, sources: [other, unlabelled] })).toEqual({
      action: 'pass',
    });
    expect(decideNoise({ ...base, isNew: false, rules, event: dbAlert, sources: [source] })).toEqual({
      action: 'pass',
    });
    // A source that does not match source_filters does not count.
    expect(decideNoise({ ...base, rules, event: dbAlert, sources: [{ ...source, title: 'disk' }] })).toEqual({
      action: 'pass',
    });
    // Keys in condition form (labels.host) pair the same way; discard when the rule says so.
    expect(
      decideNoise({
        ...base,
        rules: [inhibit({ equals: ['labels.host', 'env'], is_directly_discard: true })],
        event: dbAlert,
        sources: [{ ...source, labels: { host: 'db1', env: 'prod' } }],
      }),
    ).toMatchObject({ action: 'discard', cause: { reason: 'inhibit' } });
  });
});

describe('flapping', () => {
  const p = (status: string, time: number) => ({ status, time });

  it('counts status changes in event-time order, from the last status before the window', () => {
    expect(statusChanges([p('Critical', 100), p('Ok', 200), p('Critical', 300)], 0)).toBe(2);
    // The change from the event before the window into it counts; changes before it do not.
    expect(statusChanges([p('Ok', 10), p('Critical', 50), p('Ok', 150), p('Critical', 160)], 100)).toBe(2);
    // Out-of-order arrival is sorted by event time; equal statuses are no change.
    expect(statusChanges([p('Ok', 300), p('Critical', 100), p('Critical', 200)], 0)).toBe(1);
    expect(statusChanges([], 0)).toBe(0);
  });

  it('judges flapping at max_changes within in_mins, and never when disabled', () => {
    const config = { is_disabled: false, max_changes: 4, in_mins: 10, mute_mins: 30 };
    const now = 10_000;
    const points = ['Critical', 'Ok', 'Critical', 'Ok'].map((s, i) => p(s, now - 300 + i * 60));
    expect(judgeFlapping(config, points, now)).toBeUndefined();
    const more = [...points, p('Critical', now)];
    expect(judgeFlapping(config, more, now)).toEqual({
      changes: 4,
      max_changes: 4,
      in_mins: 10,
      mute_mins: 30,
    });
    expect(judgeFlapping({ ...config, is_disabled: true }, more, now)).toBeUndefined();
    // The same changes spread over more than in_mins are not flapping.
    const slow = ['Critical', 'Ok', 'Critical', 'Ok', 'Critical'].map((s, i) => p(s, now - i * 400));
    expect(judgeFlapping(config, slow, now)).toBeUndefined();
  });
});
