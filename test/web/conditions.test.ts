import { describe, expect, it } from 'vitest';
import {
  describeFilters,
  filtersToGroups,
  groupsToFilters,
  isConditionKey,
  parseKeyList,
  rowsToConditions,
  valueForm,
  valueProblem,
} from '../../web/src/conditions.ts';

/* The condition editor's rows ⇄ the API's filter JSON (web/src/conditions.ts). */

describe('condition rows and filters', () => {
  it('turns rows into conditions: one value per line, trimmed, blank rows skipped', () => {
    const { value, errors } = rowsToConditions([
      { key: ' labels.env ', oper: 'IN', values: 'prod\n  staging  \n\n' },
      { key: '', oper: 'IN', values: '' },
      { key: 'title', oper: 'NOTIN', values: '/disk, full/' },
    ]);
    expect(errors).toEqual([]);
    expect(value).toEqual([
      { key: 'labels.env', oper: 'IN', vals: ['prod', 'staging'] },
      { key: 'title', oper: 'NOTIN', vals: ['/disk, full/'] },
    ]);
  });

  it('names the row and the field of what is missing or malformed', () => {
    const { errors } = rowsToConditions(
      [
        { key: 'labels.host', oper: 'IN', values: '' },
        { key: '', oper: 'IN', values: 'x' },
        { key: 'host', oper: 'IN', values: 'cidr:10.0.0.0/40\nnum:over:3\n/a(/' },
      ],
      'Matching alerts',
    );
    expect(errors).toEqual([
      'Matching alerts, condition 1: give at least one value.',
      'Matching alerts, condition 2: choose a key (e.g. severity or labels.host).',
      'Matching alerts, condition 3: "host" is not a key; use severity, title, description, alert_key, integration_id or labels.<name>.',
      'Matching alerts, condition 3: value "cidr:10.0.0.0/40" must look like cidr:10.0.0.0/8.',
      'Matching alerts, condition 3: value "num:over:3" must look like num:gt:90 (gt, ge, lt or le, then a number).',
      'Matching alerts, condition 3: value "/a(/" is not a valid regular expression.',
    ]);
  });

  it('round-trips OR groups, dropping empty groups, and gives an empty filter one row to type in', () => {
    const filters = [
      [
        { key: 'severity', oper: 'IN' as const, vals: ['Critical'] },
        { key: 'labels.host', oper: 'IN' as const, vals: ['db-*', 'cidr:10.1.0.0/16'] },
      ],
      [{ key: 'title', oper: 'NOTIN' as const, vals: ['/(?i)test/'] }],
    ];
    const groups = filtersToGroups(filters);
    expect(groups[0]![1]).toEqual({ key: 'labels.host', oper: 'IN', values: 'db-*\ncidr:10.1.0.0/16' });
    expect(groupsToFilters([...groups, [{ key: '', oper: 'IN', values: '' }]])).toEqual({
      value: filters,
      errors: [],
    });
    expect(filtersToGroups([])).toEqual([[{ key: '', oper: 'IN', values: '' }]]);
    expect(groupsToFilters(filtersToGroups([])).value).toEqual([]);
    // With several groups the message names the group.
    expect(
      groupsToFilters([
        [{ key: 'title', oper: 'IN', values: 'a' }],
        [{ key: 'title', oper: 'IN', values: '' }],
      ]).errors,
    ).toEqual(['Filter, group 2, condition 1: give at least one value.']);
  });

  it('knows the value forms and keys the API reads', () => {
    expect(['/x/', 'cidr:1.2.3.0/24', 'num:ge:5', '*', 'db-?', 'db-1'].map(valueForm)).toEqual([
      'regex',
      'cidr',
      'number',
      'exists',
      'wildcard',
      'exact',
    ]);
    expect(valueProblem('/(?i)disk/')).toBeUndefined();
    expect(valueProblem('num:lt:-2.5')).toBeUndefined();
    expect(valueProblem('cidr:300.0.0.0/8')).toBeDefined();
    expect(
      ['severity', 'alert_severity', 'service', 'labels.x', 'labels.', 'host'].map(isConditionKey),
    ).toEqual([true, true, true, true, false, false]);
  });

  it('describes filters in words and parses key lists', () => {
    expect(
      describeFilters([
        [
          { key: 'severity', oper: 'IN', vals: ['Critical', 'Warning'] },
          { key: 'labels.env', oper: 'NOTIN', vals: ['dev'] },
        ],
        [{ key: 'title', oper: 'IN', vals: ['/disk/'] }],
      ]),
    ).toBe('(severity is Critical or Warning and labels.env is not dev) or (title is /disk/)');
    expect(describeFilters([])).toBe('every alert');
    expect(parseKeyList(' labels.host, title,,\nseverity ')).toEqual(['labels.host', 'title', 'severity']);
  });
});
