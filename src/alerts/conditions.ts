/*
 * Conditions on an alert's attributes: the filter language shared by routes, grouping cases,
 * silence, inhibit and drop rules (flashduty-api.md §3.1 "Filter values"). Pure — no I/O.
 *
 * A condition is `{key, oper, vals}`. Keys: `severity` (legacy `alert_severity`,
 * `incident_severity`), `title`, `description`, `alert_key`, `integration_id` (legacy
 * `data_source_id`), `labels.<k>`, and the bare label shorthands `check`, `resource`, `service`,
 * `cluster` (= `labels.<same>`).
 *
 * Values: `/regex/` (RE2 syntax, searched, not anchored; a leading `(?i)` makes it
 * case-insensitive), `cidr:a.b.c.d/n` (IPv4), `num:gt|ge|lt|le:N`, a wildcard with `*` (any run)
 * and `?` (one character) matched against the whole value, `*` alone = the attribute exists and is
 * not empty, otherwise exact, case-sensitive equality. Regexes and wildcards run in linear time
 * (./patterns.ts). `IN` matches when any value matches, `NOTIN` when none
 * does. A missing attribute (an absent label) is matched by no value.
 */

import { compileRegex, compileWildcard } from './patterns.ts';

export type ConditionOperator = 'IN' | 'NOTIN';

export type Condition = { key: string; oper: ConditionOperator; vals: readonly string[] };

/** What a condition looks at in an alert. */
export type AlertAttributes = {
  severity: string;
  title: string;
  description: string;
  labels: Readonly<Record<string, string>>;
  alert_key?: string | undefined;
  integration_id?: number | undefined;
};

/** Severities an exact `severity` value may name (an alert never carries Ok as its severity). */
const SEVERITIES = ['Critical', 'Warning', 'Info'] as const;

export const MAX_LABEL_KEY_LENGTH = 128;

const SEVERITY_KEYS = new Set(['severity', 'alert_severity', 'incident_severity']);
const INTEGRATION_KEYS = new Set(['integration_id', 'data_source_id']);
const LABEL_SHORTHANDS = new Set(['check', 'resource', 'service', 'cluster']);
const LABEL_PREFIX = 'labels.';

type Reader = (alert: AlertAttributes) => string | undefined;
type KeyKind = 'severity' | 'attribute' | 'label';

/**
 * A key resolved: its canonical name (`alert_severity` → `severity`, `data_source_id` →
 * `integration_id`, `service` → `labels.service`) and how to read it from an alert. `read` answers
 * undefined for an absent label or an unknown alert_key / integration id.
 */
export type AttributeKey = { name: string; kind: KeyKind; read: Reader };

const ownLabel =
  (name: string): Reader =>
  (alert) =>
    Object.hasOwn(alert.labels, name) ? alert.labels[name] : undefined;

/** Resolves a condition or grouping key, or explains why it is not one. */
export function attributeKey(key: string): AttributeKey | string {
  if (SEVERITY_KEYS.has(key)) return { name: 'severity', kind: 'severity', read: (a) => a.severity };
  if (key === 'title') return { name: 'title', kind: 'attribute', read: (a) => a.title };
  if (key === 'description') return { name: 'description', kind: 'attribute', read: (a) => a.description };
  if (key === 'alert_key') return { name: 'alert_key', kind: 'attribute', read: (a) => a.alert_key };
  if (INTEGRATION_KEYS.has(key)) {
    return {
      name: 'integration_id',
      kind: 'attribute',
      read: (a) => (a.integration_id === undefined ? undefined : String(a.integration_id)),
    };
  }
  if (LABEL_SHORTHANDS.has(key)) return { name: LABEL_PREFIX + key, kind: 'label', read: ownLabel(key) };
  if (key.startsWith(LABEL_PREFIX)) {
    const name = key.slice(LABEL_PREFIX.length);
    if (name === '') return 'a label key must follow "labels."';
    if (name.length > MAX_LABEL_KEY_LENGTH) {
      return `a label key must not be longer than ${MAX_LABEL_KEY_LENGTH} characters`;
    }
    return { name: key, kind: 'label', read: ownLabel(name) };
  }
  return (
    'must be severity, title, description, alert_key, integration_id, labels.<name>, ' +
    'or one of check, resource, service, cluster'
  );
}

/** Why a condition key is refused, or undefined when it is valid. */
export function conditionKeyProblem(key: string): string | undefined {
  const parsed = attributeKey(key);
  return typeof parsed === 'string' ? parsed : undefined;
}

type ValueMatcher = (value: string | undefined) => boolean;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

function parseCidr(spec: string): ValueMatcher | string {
  const reason = 'must be cidr:a.b.c.d/n, an IPv4 network with a prefix length from 0 to 32';
  const slash = spec.indexOf('/');
  if (slash < 0) return reason;
  const network = parseIpv4(spec.slice(0, slash));
  const bitsText = spec.slice(slash + 1);
  if (network === undefined || !/^\d{1,2}$/.test(bitsText) || Number(bitsText) > 32) return reason;
  const bits = Number(bitsText);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const base = (network & mask) >>> 0;
  return (value) => {
    if (value === undefined) return false;
    const ip = parseIpv4(value);
    return ip !== undefined && (ip & mask) >>> 0 === base;
  };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

function parseNum(spec: string): ValueMatcher | string {
  const m = /^(gt|ge|lt|le):(.*)$/.exec(spec);
  const limit = m ? parseNumber(m[2]!) : undefined;
  if (!m || limit === undefined) return 'must be num:gt|ge|lt|le:N with a number N, e.g. num:ge:90';
  const compare = {
    gt: (n: number) => n > limit,
    ge: (n: number) => n >= limit,
    lt: (n: number) => n < limit,
    le: (n: number) => n <= limit,
  }[m[1] as 'gt' | 'ge' | 'lt' | 'le'];
  return (value) => {
    if (value === undefined) return false;
    const n = parseNumber(value);
    return n !== undefined && compare(n);
  };
}

function parseRegex(body: string): ValueMatcher | string {
  const matcher = compileRegex(body);
  if (typeof matcher === 'string') return matcher;
  return (value) => value !== undefined && matcher(value);
}

function parseWildcard(pattern: string): ValueMatcher {
  const matcher = compileWildcard(pattern);
  return (value) => value !== undefined && matcher(value);
}

const isRegex = (val: string): boolean => val.length >= 2 && val.startsWith('/') && val.endsWith('/');

function parseValue(val: string): ValueMatcher | string {
  if (isRegex(val)) return parseRegex(val.slice(1, -1));
  if (val.startsWith('cidr:')) return parseCidr(val.slice('cidr:'.length));
  if (val.startsWith('num:')) return parseNum(val.slice('num:'.length));
  if (val === '*') return (value) => value !== undefined && value !== '';
  if (val.includes('*') || val.includes('?')) return parseWildcard(val);
  return (value) => value === val;
}

const isExact = (val: string): boolean =>
  !isRegex(val) &&
  !val.startsWith('cidr:') &&
  !val.startsWith('num:') &&
  !val.includes('*') &&
  !val.includes('?');

/** Why a condition value is refused for this key, or undefined when it is valid. */
export function conditionValueProblem(key: string, val: string): string | undefined {
  const parsedKey = attributeKey(key);
  if (
    typeof parsedKey !== 'string' &&
    parsedKey.kind === 'severity' &&
    isExact(val) &&
    !(SEVERITIES as readonly string[]).includes(val)
  ) {
    return `a severity must be one of ${SEVERITIES.join(', ')}`;
  }
  const parsed = parseValue(val);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** A compiled condition (or conjunction of conditions): whether the alert matches. */
export type AlertPredicate = (alert: AlertAttributes) => boolean;

/** Compiles one stored (validated) condition; throws, naming it, if its key or a value never validated. */
export function compileCondition(condition: Condition): AlertPredicate {
  const key = attributeKey(condition.key);
  if (typeof key === 'string') throw new Error(`condition key ${condition.key}: ${key}`);
  const matchers = condition.vals.map((val) => {
    const m = parseValue(val);
    if (typeof m === 'string') throw new Error(`condition value ${val}: ${m}`);
    return m;
  });
  const any = (value: string | undefined) => matchers.some((m) => m(value));
  return condition.oper === 'NOTIN' ? (alert) => !any(key.read(alert)) : (alert) => any(key.read(alert));
}

/** Compiles conditions that must all match (AND); an empty list matches every alert. Throws like compileCondition. */
export function compileConditions(conditions: readonly Condition[]): AlertPredicate {
  const compiled = conditions.map(compileCondition);
  return (alert) => compiled.every((matches) => matches(alert));
}
