/*
 * The meaning of a shared integration's route: which channels an alert goes to. Pure — no I/O —
 * so the route service validates with it and the alert pipeline routes with it.
 *
 * Cases are evaluated in order. A case matches when every condition of its `if` matches (an empty
 * `if` matches every alert); a matching case adds its channels and stops the evaluation unless it
 * has `fallthrough`. When no case matched, or the matched cases yielded no channel (a name-mapping
 * label that names no channel), the alert goes to `default.channel_ids`.
 *
 * Condition keys (flashduty-api.md §3.1): `severity` (legacy `alert_severity`, `incident_severity`),
 * `title`, `description`, `alert_key`, `integration_id` (legacy `data_source_id`), `labels.<k>`,
 * and the bare label shorthands `check`, `resource`, `service`, `cluster` (= `labels.<same>`).
 *
 * Values: `/regex/` (searched, not anchored; a leading `(?i)` makes it case-insensitive),
 * `cidr:a.b.c.d/n` (IPv4), `num:gt|ge|lt|le:N`, a wildcard with `*` (any run) and `?` (one
 * character) matched against the whole value, `*` alone = the attribute exists and is not empty,
 * otherwise exact, case-sensitive equality. `IN` matches when any value matches, `NOTIN` when none
 * does. A missing attribute (an absent label) is matched by no value.
 */

type ConditionOperator = 'IN' | 'NOTIN';
type RoutingMode = 'standard' | 'name_mapping';

export type RouteCondition = { key: string; oper: ConditionOperator; vals: readonly string[] };

export type RouteCase = {
  if: readonly RouteCondition[];
  channel_ids: readonly number[];
  fallthrough: boolean;
  routing_mode?: RoutingMode | undefined;
  name_mapping_label?: string | undefined;
};

export type RouteRule = {
  cases: readonly RouteCase[];
  default: { channel_ids: readonly number[] };
};

/** What routing looks at in an alert. */
export type AlertAttributes = {
  severity: string;
  title: string;
  description: string;
  labels: Readonly<Record<string, string>>;
  alert_key?: string | undefined;
  integration_id?: number | undefined;
};

/** Severities an exact `severity` value may name (an alert is never routed with Ok). */
const ROUTE_SEVERITIES = ['Critical', 'Warning', 'Info'] as const;

export const MAX_LABEL_KEY_LENGTH = 128;

const SEVERITY_KEYS = new Set(['severity', 'alert_severity', 'incident_severity']);
const INTEGRATION_KEYS = new Set(['integration_id', 'data_source_id']);
const LABEL_SHORTHANDS = new Set(['check', 'resource', 'service', 'cluster']);
const LABEL_PREFIX = 'labels.';

type Reader = (alert: AlertAttributes) => string | undefined;
type KeyKind = 'severity' | 'attribute' | 'label';
type ParsedKey = { kind: KeyKind; read: Reader };

const ownLabel =
  (name: string): Reader =>
  (alert) =>
    Object.hasOwn(alert.labels, name) ? alert.labels[name] : undefined;

function parseKey(key: string): ParsedKey | string {
  if (SEVERITY_KEYS.has(key)) return { kind: 'severity', read: (a) => a.severity };
  if (key === 'title') return { kind: 'attribute', read: (a) => a.title };
  if (key === 'description') return { kind: 'attribute', read: (a) => a.description };
  if (key === 'alert_key') return { kind: 'attribute', read: (a) => a.alert_key };
  if (INTEGRATION_KEYS.has(key)) {
    return {
      kind: 'attribute',
      read: (a) => (a.integration_id === undefined ? undefined : String(a.integration_id)),
    };
  }
  if (LABEL_SHORTHANDS.has(key)) return { kind: 'label', read: ownLabel(key) };
  if (key.startsWith(LABEL_PREFIX)) {
    const name = key.slice(LABEL_PREFIX.length);
    if (name === '') return 'a label key must follow "labels."';
    if (name.length > MAX_LABEL_KEY_LENGTH) {
      return `a label key must not be longer than ${MAX_LABEL_KEY_LENGTH} characters`;
    }
    return { kind: 'label', read: ownLabel(name) };
  }
  return (
    'must be severity, title, description, alert_key, integration_id, labels.<name>, ' +
    'or one of check, resource, service, cluster'
  );
}

/** Why a condition key is refused, or undefined when it is valid. */
export function conditionKeyProblem(key: string): string | undefined {
  const parsed = parseKey(key);
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

/** `{n}`, `{n,}`, `{n,m}`, `*`, `+`, `?` at `at`: its length and whether it is unbounded. */
function quantifierAt(body: string, at: number): { length: number; unbounded: boolean } | undefined {
  const c = body[at];
  if (c === '*' || c === '+') return { length: 1, unbounded: true };
  if (c === '?') return { length: 1, unbounded: false };
  if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(at));
    if (m) return { length: m[0].length, unbounded: m[2] !== undefined && m[3] === '' };
  }
  return undefined;
}

/**
 * Refuses what RE2 (Flashduty's engine) does not accept — lookaround, backreferences — and nested
 * unbounded quantifiers such as `(a+)+`, which make a backtracking engine take exponential time.
 */
function regexSyntaxProblem(body: string): string | undefined {
  const frames: { unbounded: boolean }[] = [{ unbounded: false }];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '\\') {
      const next = body[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && body[i + 2] === '<')) {
        return 'backreferences are not supported (RE2 syntax)';
      }
      i += 1;
    } else if (c === '[') {
      i += 1;
      if (body[i] === '^') i += 1;
      if (body[i] === ']') i += 1;
      while (i < body.length && body[i] !== ']') i += body[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      if (/^\(\?(=|!|<=|<!)/.test(body.slice(i))) return 'lookaround is not supported (RE2 syntax)';
      frames.push({ unbounded: false });
      if (body[i + 1] === '?') i += 1;
    } else if (c === ')') {
      const group = frames.length > 1 ? frames.pop()! : { unbounded: false };
      const q = quantifierAt(body, i + 1);
      if (q?.unbounded && group.unbounded) {
        return 'nested unbounded quantifiers such as (a+)+ can take exponential time and are refused';
      }
      frames.at(-1)!.unbounded ||= group.unbounded || (q?.unbounded ?? false);
      if (q) i += q.length + (body[i + 1 + q.length] === '?' ? 1 : 0);
    } else {
      const q = quantifierAt(body, i);
      if (q) {
        frames.at(-1)!.unbounded ||= q.unbounded;
        i += q.length - 1;
      }
    }
  }
  return undefined;
}

function parseRegex(source: string): ValueMatcher | string {
  const insensitive = source.startsWith('(?i)');
  const body = insensitive ? source.slice(4) : source;
  const problem = regexSyntaxProblem(body);
  if (problem) return problem;
  let re: RegExp;
  try {
    re = new RegExp(body, insensitive ? 'i' : '');
  } catch (error) {
    return `the regular expression does not compile: ${(error as Error).message}`;
  }
  return (value) => value !== undefined && re.test(value);
}

function parseWildcard(pattern: string): ValueMatcher {
  const source = pattern
    .split('')
    .map((c) =>
      c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
  const re = new RegExp(`^${source}$`);
  return (value) => value !== undefined && re.test(value);
}

function parseValue(val: string): ValueMatcher | string {
  if (val.length >= 2 && val.startsWith('/') && val.endsWith('/')) return parseRegex(val.slice(1, -1));
  if (val.startsWith('cidr:')) return parseCidr(val.slice('cidr:'.length));
  if (val.startsWith('num:')) return parseNum(val.slice('num:'.length));
  if (val === '*') return (value) => value !== undefined && value !== '';
  if (val.includes('*') || val.includes('?')) return parseWildcard(val);
  return (value) => value === val;
}

const isExact = (val: string): boolean =>
  !(val.length >= 2 && val.startsWith('/') && val.endsWith('/')) &&
  !val.startsWith('cidr:') &&
  !val.startsWith('num:') &&
  !val.includes('*') &&
  !val.includes('?');

/** Why a condition value is refused for this key, or undefined when it is valid. */
export function conditionValueProblem(key: string, val: string): string | undefined {
  const parsedKey = parseKey(key);
  if (
    typeof parsedKey !== 'string' &&
    parsedKey.kind === 'severity' &&
    isExact(val) &&
    !(ROUTE_SEVERITIES as readonly string[]).includes(val)
  ) {
    return `a severity must be one of ${ROUTE_SEVERITIES.join(', ')}`;
  }
  const parsed = parseValue(val);
  return typeof parsed === 'string' ? parsed : undefined;
}

type CompiledCondition = (alert: AlertAttributes) => boolean;

function compileCondition(condition: RouteCondition): CompiledCondition {
  const key = parseKey(condition.key);
  if (typeof key === 'string') throw new Error(`route condition key ${condition.key}: ${key}`);
  const matchers = condition.vals.map((val) => {
    const m = parseValue(val);
    if (typeof m === 'string') throw new Error(`route condition value ${val}: ${m}`);
    return m;
  });
  const any = (value: string | undefined) => matchers.some((m) => m(value));
  return condition.oper === 'NOTIN' ? (alert) => !any(key.read(alert)) : (alert) => any(key.read(alert));
}

export type CompiledRoute = {
  /**
   * The channels the alert goes to, in order and without repeats. `channelIdByName` resolves the
   * label value of a name-mapping case to a channel of the account; without it such cases yield
   * nothing.
   */
  route(alert: AlertAttributes, channelIdByName?: ReadonlyMap<string, number>): number[];
};

/** Compiles a stored (validated) route once; throws if it holds a key or value that never validated. */
export function compileRoute(rule: RouteRule): CompiledRoute {
  const cases = rule.cases.map((c) => ({
    conditions: c.if.map(compileCondition),
    channelIds: c.channel_ids,
    fallthrough: c.fallthrough,
    mappingLabel: c.routing_mode === 'name_mapping' ? (c.name_mapping_label ?? '') : undefined,
  }));
  const defaults = rule.default.channel_ids;
  return {
    route(alert, channelIdByName) {
      const chosen = new Set<number>();
      for (const c of cases) {
        if (!c.conditions.every((matches) => matches(alert))) continue;
        if (c.mappingLabel === undefined) {
          for (const id of c.channelIds) chosen.add(id);
        } else {
          const name = Object.hasOwn(alert.labels, c.mappingLabel) ? alert.labels[c.mappingLabel] : undefined;
          const id = name === undefined ? undefined : channelIdByName?.get(name);
          if (id !== undefined) chosen.add(id);
        }
        if (!c.fallthrough) break;
      }
      return chosen.size > 0 ? [...chosen] : [...new Set(defaults)];
    },
  };
}

/** One-off routing of an alert; compile once with compileRoute when routing many. */
export function routeAlert(
  rule: RouteRule,
  alert: AlertAttributes,
  channelIdByName?: ReadonlyMap<string, number>,
): number[] {
  return compileRoute(rule).route(alert, channelIdByName);
}
