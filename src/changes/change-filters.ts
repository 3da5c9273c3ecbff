import { type RawBuilder, type SqlBool, sql } from 'kysely';
import { conditionValueProblem, MAX_LABEL_KEY_LENGTH } from '../alerts/conditions.ts';
import { invalidParameter } from '../shared/app-error.ts';
import { CHANGE_STATUSES } from './change-event.ts';

/*
 * The `filters` and `query` of /change/list, in SQL so that paging and counting stay in the
 * database. The filter language is the one of routes and channel rules (src/alerts/conditions.ts):
 * `{key, oper: IN|NOTIN, vals}` with exact, wildcard (`*`, `?`), `/regex/` (`(?i)` for any case),
 * `*` (present and not empty), `cidr:` and `num:` values; groups are ORed, conditions in a group
 * ANDed. Values are validated by that module; here each form becomes the SQL that matches what its
 * JavaScript matcher matches (regular expressions excepted: they run in PostgreSQL's flavour, see
 * docs/changes.md). A missing label is matched by no value: IN is false, NOTIN true.
 */

export type ChangeCondition = { key: string; oper: 'IN' | 'NOTIN'; vals: readonly string[] };

export const FILTER_LIMITS = { groups: 50, conditions: 50, vals: 100, valLength: 1024 } as const;

const LABEL_PREFIX = 'labels.';
const LABEL_SHORTHANDS = new Set(['check', 'resource', 'service', 'cluster']);
const ATTRIBUTES = new Set(['title', 'description', 'change_key', 'change_status']);
const INTEGRATION_KEYS = new Set(['integration_id', 'data_source_id']);

type Attribute = RawBuilder<string | null>;

/** The SQL of what a key reads, or why the key is refused. */
function attributeOf(key: string): Attribute | string {
  if (ATTRIBUTES.has(key)) return sql<string>`${sql.ref(key)}`;
  if (INTEGRATION_KEYS.has(key)) return sql<string>`(integration_id::text)`;
  const label = LABEL_SHORTHANDS.has(key)
    ? key
    : key.startsWith(LABEL_PREFIX)
      ? key.slice(LABEL_PREFIX.length)
      : undefined;
  if (label === undefined) {
    return (
      'must be title, description, change_key, change_status, integration_id, labels.<name>, ' +
      'or one of check, resource, service, cluster (a change has no severity)'
    );
  }
  if (label === '') return 'a label key must follow "labels."';
  if (label.length > MAX_LABEL_KEY_LENGTH) {
    return `a label key must not be longer than ${MAX_LABEL_KEY_LENGTH} characters`;
  }
  return sql<string | null>`(labels ->> ${label})`;
}

const isRegex = (val: string): boolean => val.length >= 2 && val.startsWith('/') && val.endsWith('/');

/** A `/regex/` value's pattern and case sensitivity. */
function regexOf(val: string): { pattern: string; insensitive: boolean } {
  const body = val.slice(1, -1);
  return body.startsWith('(?i)')
    ? { pattern: body.slice(4), insensitive: true }
    : { pattern: body, insensitive: false };
}

function regexSql(attribute: Attribute, val: string): RawBuilder<SqlBool> {
  const { pattern, insensitive } = regexOf(val);
  return insensitive ? sql<SqlBool>`${attribute} ~* ${pattern}` : sql<SqlBool>`${attribute} ~ ${pattern}`;
}

/** `*` any run, `?` one character, anything else itself (LIKE's `%`, `_` and `\` escaped). */
function likePattern(wildcard: string): string {
  return wildcard
    .replace(/[\\%_]/g, '\\$&')
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

const IPV4_SQL = String.raw`^\s*[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\s*$`;
const NUMBER_SQL = String.raw`^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,4})?\s*$`;

function cidrSql(attribute: Attribute, spec: string): RawBuilder<SqlBool> {
  const [address, bitsText] = spec.split('/') as [string, string];
  const octets = address.trim().split('.').map(Number);
  const network = ((octets[0]! * 256 + octets[1]!) * 256 + octets[2]!) * 256 + octets[3]!;
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
  const base = bits === 0 ? 0 : Math.floor(network / 2 ** (32 - bits)) * 2 ** (32 - bits);
  const octet = (n: number) => sql`split_part(${attribute}, '.', ${sql.lit(n)})::bigint`;
  return sql<SqlBool>`case when ${attribute} ~ ${IPV4_SQL} then (
    ${octet(1)} <= 255 and ${octet(2)} <= 255 and ${octet(3)} <= 255 and ${octet(4)} <= 255 and
    ((${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)}) & ${sql.lit(mask)}::bigint)
      = ${sql.lit(base)}::bigint
  ) else false end`;
}

const NUM_OPERATORS = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

function numSql(attribute: Attribute, spec: string): RawBuilder<SqlBool> {
  const [op, limit] = [spec.slice(0, 2) as keyof typeof NUM_OPERATORS, spec.slice(3).trim()];
  return sql<SqlBool>`case when ${attribute} ~ ${NUMBER_SQL}
    then ${attribute}::numeric ${sql.raw(NUM_OPERATORS[op])} ${limit}::numeric else false end`;
}

function valueSql(attribute: Attribute, val: string): RawBuilder<SqlBool> {
  if (isRegex(val)) return regexSql(attribute, val);
  if (val.startsWith('cidr:')) return cidrSql(attribute, val.slice('cidr:'.length));
  if (val.startsWith('num:')) return numSql(attribute, val.slice('num:'.length));
  if (val === '*') return sql<SqlBool>`${attribute} <> ''`;
  if (val.includes('*') || val.includes('?')) {
    return sql<SqlBool>`${attribute} like ${likePattern(val)} escape '\\'`;
  }
  return sql<SqlBool>`${attribute} = ${val}`;
}

const or = (parts: readonly RawBuilder<SqlBool>[]) => sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
const and = (parts: readonly RawBuilder<SqlBool>[]) => sql<SqlBool>`(${sql.join(parts, sql` and `)})`;

/**
 * Refuses filters that are not valid, naming the offending part (`filters[0][1].vals[2]`).
 * Returns the regular expressions they hold, for the caller to try on the database.
 */
export function checkFilters(groups: readonly (readonly ChangeCondition[])[]): RegexUse[] {
  const regexes: RegexUse[] = [];
  if (groups.length > FILTER_LIMITS.groups) {
    throw invalidParameter('filters', `must not have more than ${FILTER_LIMITS.groups} groups`);
  }
  groups.forEach((group, i) => {
    if (group.length > FILTER_LIMITS.conditions) {
      throw invalidParameter(
        `filters[${i}]`,
        `must not have more than ${FILTER_LIMITS.conditions} conditions`,
      );
    }
    group.forEach((condition, j) => {
      const at = `filters[${i}][${j}]`;
      const attribute = attributeOf(condition.key);
      if (typeof attribute === 'string') throw invalidParameter(`${at}.key`, attribute);
      if (condition.vals.length === 0 || condition.vals.length > FILTER_LIMITS.vals) {
        throw invalidParameter(`${at}.vals`, `must hold 1 to ${FILTER_LIMITS.vals} values`);
      }
      condition.vals.forEach((val, k) => {
        const field = `${at}.vals[${k}]`;
        if (val.length > FILTER_LIMITS.valLength) {
          throw invalidParameter(field, `must not be longer than ${FILTER_LIMITS.valLength} characters`);
        }
        const problem = conditionValueProblem('title', val);
        if (problem) throw invalidParameter(field, problem);
        const isExact =
          !isRegex(val) && !val.startsWith('cidr:') && !val.startsWith('num:') && !/[*?]/.test(val);
        if (
          condition.key === 'change_status' &&
          isExact &&
          !(CHANGE_STATUSES as readonly string[]).includes(val)
        ) {
          throw invalidParameter(field, `a change status must be one of ${CHANGE_STATUSES.join(', ')}`);
        }
        if (isRegex(val)) regexes.push({ field, pattern: regexOf(val).pattern });
      });
    });
  });
  return regexes;
}

/** The SQL of checked filters; undefined when they do not filter (no group). */
export function filtersSql(groups: readonly (readonly ChangeCondition[])[]): RawBuilder<SqlBool> | undefined {
  if (groups.length === 0) return undefined;
  return or(
    groups.map((group) => {
      if (group.length === 0) return sql<SqlBool>`true`;
      return and(
        group.map((condition) => {
          const attribute = attributeOf(condition.key) as Attribute;
          const any = sql<SqlBool>`coalesce(${or(condition.vals.map((val) => valueSql(attribute, val)))}, false)`;
          return condition.oper === 'NOTIN' ? sql<SqlBool>`not ${any}` : any;
        }),
      );
    }),
  );
}

/** A regular expression of the request and where it was given. */
export type RegexUse = { field: string; pattern: string };

/**
 * `query`: a `/regex/` (`(?i)` for any case) searched in the title, description and change_key;
 * any other text is a case-insensitive substring of one of them. Returns the SQL and the regular
 * expression to try, if any. Throws InvalidParameter naming `query` for a refused regex.
 */
export function querySql(query: string): { where: RawBuilder<SqlBool>; regex?: RegexUse } {
  const columns = ['title', 'description', 'change_key'].map((c) => sql<string>`${sql.ref(c)}`);
  if (isRegex(query)) {
    const problem = conditionValueProblem('title', query);
    if (problem) throw invalidParameter('query', problem);
    return {
      where: or(columns.map((column) => regexSql(column, query))),
      regex: { field: 'query', pattern: regexOf(query).pattern },
    };
  }
  const pattern = `%${query.replace(/[\\%_]/g, '\\$&')}%`;
  return { where: or(columns.map((column) => sql<SqlBool>`${column} ilike ${pattern} escape '\\'`)) };
}
