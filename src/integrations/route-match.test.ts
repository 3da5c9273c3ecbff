import { describe, expect, it } from 'vitest';
import {
  type AlertAttributes,
  compileRoute,
  conditionKeyProblem,
  conditionValueProblem,
  type RouteCase,
  type RouteCondition,
  routeAlert,
} from './route-match.ts';

const alert = (over: Partial<AlertAttributes> = {}): AlertAttributes => ({
  severity: 'Critical',
  title: 'CPU high on db-1',
  description: 'cpu at 97%',
  labels: { service: 'db', host: '10.1.2.3', cpu: '97.5', env: 'prod' },
  ...over,
});

const when = (key: string, vals: string[], oper: 'IN' | 'NOTIN' = 'IN'): RouteCondition => ({
  key,
  oper,
  vals,
});

/** Whether one condition matches the alert: a one-case route to channel 1, default channel 0. */
const matches = (condition: RouteCondition, a: AlertAttributes = alert()): boolean =>
  routeAlert(
    { cases: [{ if: [condition], channel_ids: [1], fallthrough: false }], default: { channel_ids: [0] } },
    a,
  )[0] === 1;

const kase = (conditions: RouteCondition[], channels: number[], fallthrough = false): RouteCase => ({
  if: conditions,
  channel_ids: channels,
  fallthrough,
});

describe('case evaluation', () => {
  it('takes the first matching case and stops there', () => {
    const route = {
      cases: [
        kase([when('severity', ['Warning'])], [1]),
        kase([when('labels.service', ['db'])], [2]),
        kase([when('labels.env', ['prod'])], [3]),
      ],
      default: { channel_ids: [9] },
    };
    expect(routeAlert(route, alert())).toEqual([2]);
  });

  it('continues past a matching case with fallthrough and collects channels without repeats', () => {
    const route = {
      cases: [
        kase([when('labels.service', ['db'])], [1, 2], true),
        kase([when('severity', ['Info'])], [7]),
        kase([when('labels.env', ['prod'])], [2, 3], true),
        kase([when('title', ['/CPU/'])], [4]),
        kase([when('title', ['*'])], [5]),
      ],
      default: { channel_ids: [9] },
    };
    expect(routeAlert(route, alert())).toEqual([1, 2, 3, 4]);
  });

  it('falls back to default when no case matches, and to nothing without a default', () => {
    const cases = [kase([when('severity', ['Info'])], [1])];
    expect(routeAlert({ cases, default: { channel_ids: [8, 9, 8] } }, alert())).toEqual([8, 9]);
    expect(routeAlert({ cases, default: { channel_ids: [] } }, alert())).toEqual([]);
    expect(routeAlert({ cases: [], default: { channel_ids: [5] } }, alert())).toEqual([5]);
  });

  it('ANDs the conditions of a case; an empty condition list matches every alert', () => {
    const both = [when('severity', ['Critical']), when('labels.service', ['web'])];
    expect(routeAlert({ cases: [kase(both, [1])], default: { channel_ids: [0] } }, alert())).toEqual([0]);
    expect(
      routeAlert({ cases: [kase([], [1])], default: { channel_ids: [0] } }, alert({ labels: {} })),
    ).toEqual([1]);
  });

  it('routes a name-mapping case to the channel the label names, else on to default', () => {
    const route = {
      cases: [
        {
          if: [when('severity', ['Critical'])],
          channel_ids: [],
          fallthrough: false,
          routing_mode: 'name_mapping' as const,
          name_mapping_label: 'team',
        },
      ],
      default: { channel_ids: [9] },
    };
    const names = new Map([
      ['payments', 11],
      ['search', 12],
    ]);
    const compiled = compileRoute(route);
    expect(compiled.route(alert({ labels: { team: 'search' } }), names)).toEqual([12]);
    expect(compiled.route(alert({ labels: { team: 'unknown' } }), names)).toEqual([9]);
    expect(compiled.route(alert({ labels: {} }), names)).toEqual([9]);
    expect(compiled.route(alert({ labels: { team: 'search' } }))).toEqual([9]);
    expect(compiled.route(alert({ severity: 'Info', labels: { team: 'search' } }), names)).toEqual([9]);
  });
});

describe('operators', () => {
  it('IN matches when any value matches, NOTIN when none does', () => {
    expect(matches(when('severity', ['Info', 'Critical']))).toBe(true);
    expect(matches(when('severity', ['Info', 'Warning']))).toBe(false);
    expect(matches(when('severity', ['Info', 'Warning'], 'NOTIN'))).toBe(true);
    expect(matches(when('severity', ['Info', 'Critical'], 'NOTIN'))).toBe(false);
  });

  it('never matches a missing label with IN, always with NOTIN', () => {
    expect(matches(when('labels.absent', ['*']))).toBe(false);
    expect(matches(when('labels.absent', ['/.*/']))).toBe(false);
    expect(matches(when('labels.absent', ['']))).toBe(false);
    expect(matches(when('labels.absent', ['x'], 'NOTIN'))).toBe(true);
    expect(matches(when('labels.absent', ['*'], 'NOTIN'))).toBe(true);
  });

  it('does not take inherited object properties for labels', () => {
    expect(matches(when('labels.constructor', ['*']))).toBe(false);
    expect(matches(when('labels.toString', ['*']))).toBe(false);
  });
});

describe('keys', () => {
  it('reads severity under its legacy names too', () => {
    for (const key of ['severity', 'alert_severity', 'incident_severity']) {
      expect(matches(when(key, ['Critical']))).toBe(true);
    }
  });

  it('reads title, description, alert_key and the integration id', () => {
    expect(matches(when('title', ['CPU high on db-1']))).toBe(true);
    expect(matches(when('description', ['cpu at 97%']))).toBe(true);
    expect(matches(when('alert_key', ['k1']), alert({ alert_key: 'k1' }))).toBe(true);
    expect(matches(when('alert_key', ['*']))).toBe(false);
    expect(matches(when('integration_id', ['42']), alert({ integration_id: 42 }))).toBe(true);
    expect(matches(when('data_source_id', ['42']), alert({ integration_id: 42 }))).toBe(true);
  });

  it('reads the bare label shorthands as labels', () => {
    expect(matches(when('service', ['db']))).toBe(true);
    expect(matches(when('cluster', ['*']))).toBe(false);
    expect(matches(when('cluster', ['c1']), alert({ labels: { cluster: 'c1' } }))).toBe(true);
  });

  it('explains unknown and malformed keys', () => {
    expect(conditionKeyProblem('labels.service')).toBeUndefined();
    expect(conditionKeyProblem('check')).toBeUndefined();
    expect(conditionKeyProblem('priority')).toMatch(/must be severity, title/);
    expect(conditionKeyProblem('labels.')).toMatch(/label key must follow/);
    expect(conditionKeyProblem(`labels.${'k'.repeat(129)}`)).toMatch(/128/);
  });
});

describe('value forms', () => {
  it('exact values are case-sensitive and whole', () => {
    expect(matches(when('labels.service', ['db']))).toBe(true);
    expect(matches(when('labels.service', ['DB']))).toBe(false);
    expect(matches(when('labels.service', ['d']))).toBe(false);
    expect(matches(when('labels.empty', ['']), alert({ labels: { empty: '' } }))).toBe(true);
  });

  it('regular expressions search the value; (?i) ignores case', () => {
    expect(matches(when('title', ['/db-\\d+/']))).toBe(true);
    expect(matches(when('title', ['/^db/']))).toBe(false);
    expect(matches(when('title', ['/cpu high/']))).toBe(false);
    expect(matches(when('title', ['/(?i)cpu high/']))).toBe(true);
    expect(matches(when('title', ['//']))).toBe(true);
    // A lone slash is an exact value, not an empty regex.
    expect(matches(when('labels.path', ['/']), alert({ labels: { path: '/' } }))).toBe(true);
  });

  it('wildcards match the whole value; * alone means the attribute exists and is not empty', () => {
    expect(matches(when('title', ['CPU*']))).toBe(true);
    expect(matches(when('title', ['*db-?']))).toBe(true);
    expect(matches(when('title', ['*db-??']))).toBe(false);
    expect(matches(when('title', ['CPU']))).toBe(false);
    expect(matches(when('labels.host', ['10.1.*']))).toBe(true);
    expect(matches(when('labels.host', ['10?1*']))).toBe(true);
    expect(matches(when('labels.x', ['a.c*']), alert({ labels: { x: 'abc' } }))).toBe(false);
    expect(matches(when('labels.x', ['a*']), alert({ labels: { x: 'a\nb' } }))).toBe(true);
    expect(matches(when('labels.service', ['*']))).toBe(true);
    expect(matches(when('labels.empty', ['*']), alert({ labels: { empty: '' } }))).toBe(false);
  });

  it('cidr: matches IPv4 addresses inside the network', () => {
    expect(matches(when('labels.host', ['cidr:10.0.0.0/8']))).toBe(true);
    expect(matches(when('labels.host', ['cidr:10.1.2.0/24']))).toBe(true);
    expect(matches(when('labels.host', ['cidr:10.1.3.0/24']))).toBe(false);
    expect(matches(when('labels.host', ['cidr:10.1.2.3/32']))).toBe(true);
    expect(matches(when('labels.host', ['cidr:0.0.0.0/0']))).toBe(true);
    expect(matches(when('labels.host', ['cidr:192.168.0.0/16']))).toBe(false);
    expect(
      matches(when('labels.host', ['cidr:255.255.255.255/1']), alert({ labels: { host: '200.1.1.1' } })),
    ).toBe(true);
    expect(matches(when('labels.service', ['cidr:0.0.0.0/0']))).toBe(false);
    expect(matches(when('labels.host', ['cidr:10.0.0.0/8']), alert({ labels: { host: '10.0.0.256' } }))).toBe(
      false,
    );
  });

  it('num: compares numeric values; a non-number never matches', () => {
    expect(matches(when('labels.cpu', ['num:gt:97']))).toBe(true);
    expect(matches(when('labels.cpu', ['num:gt:97.5']))).toBe(false);
    expect(matches(when('labels.cpu', ['num:ge:97.5']))).toBe(true);
    expect(matches(when('labels.cpu', ['num:lt:97.5']))).toBe(false);
    expect(matches(when('labels.cpu', ['num:le:97.5']))).toBe(true);
    expect(matches(when('labels.cpu', ['num:lt:1e3']))).toBe(true);
    expect(matches(when('labels.cpu', ['num:gt:-5']))).toBe(true);
    expect(matches(when('labels.service', ['num:gt:0']))).toBe(false);
    expect(matches(when('labels.blank', ['num:le:0']), alert({ labels: { blank: '' } }))).toBe(false);
    expect(matches(when('labels.cpu', ['num:le:100'], 'NOTIN'))).toBe(false);
  });
});

describe('value validation', () => {
  it('accepts every documented form', () => {
    for (const val of ['x', '', '*', 'a?b*', '/^a+$/', '/(?i)abc/', 'cidr:10.0.0.0/8', 'num:le:-1.5']) {
      expect(conditionValueProblem('labels.k', val)).toBeUndefined();
    }
  });

  it('refuses regexes that do not compile or are not RE2 syntax', () => {
    expect(conditionValueProblem('title', '/(unclosed/')).toMatch(/does not compile/);
    expect(conditionValueProblem('title', '/\\u0041/')).toMatch(/RE2 syntax/);
    expect(conditionValueProblem('title', '/a(?=b)/')).toMatch(/lookaround/);
    expect(conditionValueProblem('title', '/(?<!a)b/')).toMatch(/lookaround/);
    expect(conditionValueProblem('title', '/(a)\\1/')).toMatch(/backreferences/);
  });

  it('accepts nested quantifiers, which RE2 runs in linear time', () => {
    for (const val of ['/(a+)+$/', '/(x|(a*))*b/', '/([a-z]+){2,}/', '/(a+)?b+/', '/[(+]+/', '/\\(a+\\)+/']) {
      expect(conditionValueProblem('title', val), val).toBeUndefined();
    }
  });

  it('refuses malformed cidr: and num: values', () => {
    for (const val of ['cidr:10.0.0.0', 'cidr:10.0.0.0/33', 'cidr:300.0.0.0/8', 'cidr:fe80::/10']) {
      expect(conditionValueProblem('labels.ip', val)).toMatch(/cidr:a\.b\.c\.d\/n/);
    }
    for (const val of ['num:gt', 'num:eq:1', 'num:gt:abc', 'num:lt:', 'num:ge:Infinity']) {
      expect(conditionValueProblem('labels.n', val)).toMatch(/num:gt\|ge\|lt\|le:N/);
    }
  });

  it('refuses an exact severity Vigil does not have, but lets patterns through', () => {
    expect(conditionValueProblem('severity', 'Critical')).toBeUndefined();
    expect(conditionValueProblem('severity', 'critical')).toMatch(/Critical, Warning, Info/);
    expect(conditionValueProblem('alert_severity', 'Ok')).toMatch(/Critical, Warning, Info/);
    expect(conditionValueProblem('severity', '/^(Critical|Warning)$/')).toBeUndefined();
  });

  it('compileRoute refuses a route that never validated', () => {
    expect(() =>
      compileRoute({ cases: [kase([when('nope', ['x'])], [1])], default: { channel_ids: [] } }),
    ).toThrow(/nope/);
    expect(() =>
      compileRoute({ cases: [kase([when('title', ['num:x'])], [1])], default: { channel_ids: [] } }),
    ).toThrow(/num:x/);
  });
});
