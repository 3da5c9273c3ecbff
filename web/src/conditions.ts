/*
 * The condition editor's rows and the API's filter JSON (routes, grouping cases, silence, inhibit
 * and drop rules all share `{key, oper, vals}`). Pure: unit-tested in test/web/conditions.test.ts.
 *
 * A row keeps its values as text, one value per line: values may contain commas (regular
 * expressions, wildcards), never a line break.
 */

export type Operator = 'IN' | 'NOTIN';
export type Condition = { key: string; oper: Operator; vals: string[] };
/** OR of AND groups: `[[a, b], [c]]` is (a and b) or c. */
export type Filters = Condition[][];

export type ConditionRow = { key: string; oper: Operator; values: string };

/** The keys every alert has; `labels.<name>` reads a label. */
export const CONDITION_KEYS = [
  'severity',
  'title',
  'description',
  'alert_key',
  'integration_id',
  'labels.service',
  'labels.host',
  'labels.env',
  'labels.cluster',
  'labels.resource',
  'labels.check',
] as const;

export const emptyRow = (): ConditionRow => ({ key: '', oper: 'IN', values: '' });

export function conditionToRow(condition: Condition): ConditionRow {
  return { key: condition.key, oper: condition.oper, values: condition.vals.join('\n') };
}

/** The values of a row: one per line, surrounding blanks trimmed, empty lines left out. */
export function rowValues(row: ConditionRow): string[] {
  return row.values
    .split('\n')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

const isBlank = (row: ConditionRow) => row.key.trim() === '' && rowValues(row).length === 0;

export type Converted<T> = { value: T; errors: string[] };

/**
 * Rows → conditions. Rows left entirely blank are skipped; a row with a key and no values (or values
 * and no key) is an error naming the row, as is a value the API would refuse (`valueProblem`).
 * `label` names the list in messages, e.g. "Silence filter, group 1".
 */
export function rowsToConditions(
  rows: readonly ConditionRow[],
  label = 'Conditions',
): Converted<Condition[]> {
  const errors: string[] = [];
  const value: Condition[] = [];
  rows.forEach((row, index) => {
    if (isBlank(row)) return;
    const where = `${label}, condition ${index + 1}`;
    const key = row.key.trim();
    const vals = rowValues(row);
    if (key === '') errors.push(`${where}: choose a key (e.g. severity or labels.host).`);
    else if (!isConditionKey(key)) {
      errors.push(
        `${where}: "${key}" is not a key; use severity, title, description, alert_key, integration_id or labels.<name>.`,
      );
    }
    if (vals.length === 0) errors.push(`${where}: give at least one value.`);
    for (const v of vals) {
      const problem = valueProblem(v);
      if (problem) errors.push(`${where}: value "${v}" ${problem}.`);
    }
    value.push({ key, oper: row.oper, vals });
  });
  return { value, errors };
}

/** OR groups of rows → the API's filters; groups with no condition left are dropped. */
export function groupsToFilters(groups: readonly ConditionRow[][], label = 'Filter'): Converted<Filters> {
  const errors: string[] = [];
  const value: Filters = [];
  groups.forEach((rows, index) => {
    const converted = rowsToConditions(rows, groups.length > 1 ? `${label}, group ${index + 1}` : label);
    errors.push(...converted.errors);
    if (converted.value.length > 0) value.push(converted.value);
  });
  return { value, errors };
}

/** The API's filters → OR groups of rows; at least one group with one row, so there is a place to type. */
export function filtersToGroups(filters: Filters | undefined): ConditionRow[][] {
  const groups = (filters ?? []).map((group) => group.map(conditionToRow));
  return groups.length > 0 ? groups : [[emptyRow()]];
}

const SHORTHANDS = new Set(['check', 'resource', 'service', 'cluster']);
const ATTRIBUTES = new Set([
  'severity',
  'alert_severity',
  'incident_severity',
  'title',
  'description',
  'alert_key',
  'integration_id',
  'data_source_id',
]);

/** Whether the API accepts this key (src/alerts/conditions.ts `attributeKey`). */
export function isConditionKey(key: string): boolean {
  if (ATTRIBUTES.has(key) || SHORTHANDS.has(key)) return true;
  return key.startsWith('labels.') && key.length > 'labels.'.length && key.length <= 'labels.'.length + 128;
}

export type ValueForm = 'regex' | 'cidr' | 'number' | 'exists' | 'wildcard' | 'exact';

/** How the API reads a value (flashduty-api.md §3.1 "Filter values"). */
export function valueForm(value: string): ValueForm {
  if (value.length >= 2 && value.startsWith('/') && value.endsWith('/')) return 'regex';
  if (value.startsWith('cidr:')) return 'cidr';
  if (value.startsWith('num:')) return 'number';
  if (value === '*') return 'exists';
  if (value.includes('*') || value.includes('?')) return 'wildcard';
  return 'exact';
}

const NUMBER_OPS = new Set(['gt', 'ge', 'lt', 'le']);

/**
 * What is wrong with a value in a form the console can check before the API does (a regular
 * expression that does not compile, a malformed `cidr:` or `num:`); undefined when fine. The API
 * still has the last word (it also refuses constructs RE2 lacks).
 */
export function valueProblem(value: string): string | undefined {
  switch (valueForm(value)) {
    case 'regex': {
      let source = value.slice(1, -1);
      if (source.startsWith('(?i)')) source = source.slice(4);
      try {
        new RegExp(source);
        return undefined;
      } catch {
        return 'is not a valid regular expression';
      }
    }
    case 'cidr': {
      const match = /^cidr:(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
      if (!match) return 'must look like cidr:10.0.0.0/8';
      const octets = match.slice(1, 5).map(Number);
      if (octets.some((o) => o > 255) || Number(match[5]) > 32) return 'must look like cidr:10.0.0.0/8';
      return undefined;
    }
    case 'number': {
      const [, op, n] = value.split(':');
      if (!op || !NUMBER_OPS.has(op) || n === undefined || n.trim() === '' || !Number.isFinite(Number(n))) {
        return 'must look like num:gt:90 (gt, ge, lt or le, then a number)';
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** "labels.env IN prod, staging": one condition in words for lists and summaries. */
function describeCondition(condition: Condition): string {
  return `${condition.key} ${condition.oper === 'IN' ? 'is' : 'is not'} ${condition.vals.join(' or ')}`;
}

/** A filter in one line: AND groups joined by "or". */
export function describeFilters(filters: Filters): string {
  if (filters.length === 0) return 'every alert';
  return filters
    .map((group) => group.map(describeCondition).join(' and '))
    .map((text) => (filters.length > 1 ? `(${text})` : text))
    .join(' or ');
}

/** "labels.host, title" → ["labels.host", "title"]: comma- or line-separated keys, blanks dropped. */
export function parseKeyList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((k) => k.trim())
    .filter((k) => k !== '');
}
