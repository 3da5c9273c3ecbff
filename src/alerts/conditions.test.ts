import { describe, expect, it } from 'vitest';
import {
  type AlertAttributes,
  attributeKey,
  type Condition,
  compileCondition,
  compileConditions,
  conditionKeyProblem,
  conditionValueProblem,
} from './conditions.ts';

const alert = (over: Partial<AlertAttributes> = {}): AlertAttributes => ({
  severity: 'Critical',
  title: 'CPU high on db-1',
  description: 'cpu at 97%',
  labels: { service: 'db', host: '10.1.2.3', cpu: '97.5', env: 'prod' },
  ...over,
});

const when = (key: string, vals: string[], oper: 'IN' | 'NOTIN' = 'IN'): Condition => ({ key, oper, vals });

const matches = (condition: Condition, a: AlertAttributes = alert()): boolean =>
  compileCondition(condition)(a);

describe('attributeKey', () => {
  it('gives every key its canonical name', () => {
    const names = (key: string) => {
      const parsed = attributeKey(key);
      return typeof parsed === 'string' ? parsed : parsed.name;
    };
    expect(names('severity')).toBe('severity');
    expect(names('alert_severity')).toBe('severity');
    expect(names('incident_severity')).toBe('severity');
    expect(names('data_source_id')).toBe('integration_id');
    expect(names('integration_id')).toBe('integration_id');
    expect(names('service')).toBe('labels.service');
    expect(names('check')).toBe('labels.check');
    expect(names('labels.a.b')).toBe('labels.a.b');
    expect(names('title')).toBe('title');
    expect(names('alert_key')).toBe('alert_key');
  });

  it('reads values, undefined when absent', () => {
    const a = alert({ alert_key: 'k', integration_id: 7 });
    const read = (key: string) => {
      const parsed = attributeKey(key);
      if (typeof parsed === 'string') throw new Error(parsed);
      return parsed.read(a);
    };
    expect(read('severity')).toBe('Critical');
    expect(read('integration_id')).toBe('7');
    expect(read('alert_key')).toBe('k');
    expect(read('labels.service')).toBe('db');
    expect(read('labels.nope')).toBeUndefined();
    expect(read('labels.hasOwnProperty')).toBeUndefined();
    const bare = attributeKey('integration_id');
    expect(typeof bare !== 'string' && bare.read(alert())).toBeUndefined();
  });
});

describe('compileCondition', () => {
  it('IN matches when any value matches, NOTIN when none does', () => {
    expect(matches(when('severity', ['Info', 'Critical']))).toBe(true);
    expect(matches(when('severity', ['Info', 'Warning']))).toBe(false);
    expect(matches(when('severity', ['Info', 'Warning'], 'NOTIN'))).toBe(true);
    expect(matches(when('severity', ['Info', 'Critical'], 'NOTIN'))).toBe(false);
  });

  it('never matches a missing label with IN, always with NOTIN', () => {
    expect(matches(when('labels.absent', ['*']))).toBe(false);
    expect(matches(when('labels.absent', ['']))).toBe(false);
    expect(matches(when('labels.absent', ['*'], 'NOTIN'))).toBe(true);
    expect(matches(when('labels.constructor', ['*']))).toBe(false);
  });

  it('supports every value form', () => {
    expect(matches(when('title', ['/db-\\d+/']))).toBe(true);
    expect(matches(when('title', ['/(?i)cpu HIGH/']))).toBe(true);
    expect(matches(when('title', ['CPU*db-?']))).toBe(true);
    expect(matches(when('labels.host', ['cidr:10.1.0.0/16']))).toBe(true);
    expect(matches(when('labels.cpu', ['num:ge:97.5']))).toBe(true);
    expect(matches(when('labels.service', ['db']))).toBe(true);
    expect(matches(when('labels.service', ['DB']))).toBe(false);
  });

  it('reads the alert_key and integration id', () => {
    expect(matches(when('alert_key', ['k*']), alert({ alert_key: 'k1' }))).toBe(true);
    expect(matches(when('data_source_id', ['42']), alert({ integration_id: 42 }))).toBe(true);
  });

  it('throws, naming the key or value, for what never validated', () => {
    expect(() => compileCondition(when('priority', ['x']))).toThrow(/condition key priority/);
    expect(() => compileCondition(when('title', ['/a(?=b)/']))).toThrow(/condition value \/a\(\?=b\)\//);
  });
});

describe('compileConditions', () => {
  it('ANDs the conditions; an empty list matches every alert', () => {
    const both = compileConditions([when('severity', ['Critical']), when('labels.service', ['db'])]);
    expect(both(alert())).toBe(true);
    expect(both(alert({ severity: 'Info' }))).toBe(false);
    expect(compileConditions([])(alert({ labels: {} }))).toBe(true);
  });
});

describe('validation', () => {
  it('explains bad keys', () => {
    expect(conditionKeyProblem('resource')).toBeUndefined();
    expect(conditionKeyProblem('priority')).toMatch(/must be severity, title/);
    expect(conditionKeyProblem('labels.')).toMatch(/must follow/);
    expect(conditionKeyProblem(`labels.${'k'.repeat(128)}`)).toBeUndefined();
    expect(conditionKeyProblem(`labels.${'k'.repeat(129)}`)).toMatch(/128/);
  });

  it('explains bad values', () => {
    expect(conditionValueProblem('title', '/a(?=b)/')).toMatch(/lookaround/);
    expect(conditionValueProblem('title', '/(a)\\1/')).toMatch(/backreferences/);
    expect(conditionValueProblem('title', '/(unclosed/')).toMatch(/does not compile \(RE2 syntax\)/);
    expect(conditionValueProblem('title', '/(a+)+$/')).toBeUndefined();
    expect(conditionValueProblem('labels.ip', 'cidr:1.2.3.4/33')).toMatch(/cidr:/);
    expect(conditionValueProblem('labels.n', 'num:eq:1')).toMatch(/num:/);
    expect(conditionValueProblem('severity', 'Ok')).toMatch(/Critical, Warning, Info/);
    expect(conditionValueProblem('severity', 'Crit*')).toBeUndefined();
  });
});
