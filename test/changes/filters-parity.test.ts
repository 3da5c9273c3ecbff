import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/alerts/conditions.ts';
import { filtersSql } from '../../src/changes/change-filters.ts';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';

/*
 * /change/list evaluates filters in SQL; routes and channel rules evaluate the same language in
 * JavaScript (src/alerts/conditions.ts). For every value form but regular expressions (which run in
 * each engine's own flavour), both must agree on every label value, including the awkward ones.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

const LABEL_VALUES = [
  undefined,
  '',
  'web',
  'Web',
  'web-1',
  'a%b',
  'a_b',
  'a\\b',
  'line\nbreak',
  '10.0.1.5',
  ' 10.0.1.5 ',
  '\t10.0.1.5',
  '010.000.001.005',
  '256.0.1.5',
  '10.0.1',
  '10.0.1.5.6',
  '0.0.0.0',
  '255.255.255.255',
  '85',
  ' 85 ',
  '-3',
  '+5',
  '.5',
  '5.',
  '1e3',
  '2.5E-1',
  'abc',
  '1,5',
  '０',
  // One character in two UTF-16 code units: `?` and `_` both take it whole.
  'a😀b',
];

const CONDITION_VALUES = [
  'web',
  '*',
  'web*',
  '*b',
  'a%b',
  'a?b',
  'a\\b',
  '*\n*',
  'cidr:10.0.0.0/8',
  'cidr:10.0.1.5/32',
  'cidr:0.0.0.0/0',
  'cidr:255.255.255.255/31',
  'num:gt:50',
  'num:ge:85',
  'num:lt:0',
  'num:le:0.5',
  'num:gt:-10',
  'num:lt:1e3',
  '/^web/',
  '/(?i)^WEB$/',
];

async function sqlMatches(val: string, oper: 'IN' | 'NOTIN', value: string | undefined): Promise<boolean> {
  const where = filtersSql([[{ key: 'labels.v', oper, vals: [val] }]])!;
  const labels = JSON.stringify(value === undefined ? {} : { v: value });
  const { rows } = await sql<{
    m: boolean;
  }>`select ${where} as m from (select ${labels}::jsonb as labels) x`.execute(database.db.q);
  return rows[0]!.m;
}

describe('filters in SQL match as the JavaScript matcher does', () => {
  for (const val of CONDITION_VALUES) {
    it(JSON.stringify(val), async () => {
      for (const oper of ['IN', 'NOTIN'] as const) {
        const js = compileCondition({ key: 'labels.v', oper, vals: [val] });
        for (const value of LABEL_VALUES) {
          const expected = js({
            severity: 'Info',
            title: '',
            description: '',
            labels: value === undefined ? {} : { v: value },
          });
          expect(await sqlMatches(val, oper, value), `${oper} ${val} on ${JSON.stringify(value)}`).toBe(
            expected,
          );
        }
      }
    });
  }
});
