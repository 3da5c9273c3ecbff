import { createHash } from 'node:crypto';
import {
  type AlertAttributes,
  type AlertPredicate,
  attributeKey,
  type Condition,
  compileConditions,
} from '../alerts/conditions.ts';

/*
 * Which incident a new alert joins, per its channel's `group` config (flashduty-api.md §3.1
 * "Grouping into incidents", §5 q10; docs/ingest.md "Grouping"). Pure: the processor looks up the
 * incident by the key computed here, or compares with open incidents through pickSimilar.
 *
 * - `n`: no grouping, every alert opens its own incident.
 * - `p`: the alert's values for a set of dimensions (title, description, severity, alert_key,
 *   integration_id, labels.<x>, bare check/resource/service/cluster) form the grouping key; alerts
 *   with the same key (in the same channel) share the open incident. The first case whose `if`
 *   conditions all match chooses the dimensions; otherwise the top-level `equals` sets do.
 * - `i`: a token-set similarity heuristic (no machine learning) against open incidents.
 */

/** The channel's `group` config as stored by src/channels; absent fields take its defaults. */
export type GroupConfig = {
  method: 'n' | 'p' | 'i';
  equals?: readonly (readonly string[])[] | undefined;
  cases?: readonly { if: readonly Condition[]; equals: readonly string[] }[] | undefined;
  all_equals_required?: boolean | undefined;
  /** Minutes; 0 = no window: the incident takes alerts until it closes. */
  time_window?: number | undefined;
  window_type?: 'tumbling' | 'sliding' | undefined;
  i_keys?: readonly string[] | undefined;
  i_score_threshold?: number | undefined;
};

export type GroupingAlert = {
  title: string;
  description: string;
  severity: string;
  labels: Readonly<Record<string, string>>;
  alertKey: string;
  integrationId: number;
};

export type Grouping = {
  /** `equals_md5`: md5 hex of the canonical JSON of the sorted [dimension, value] pairs. */
  key: string;
  /** Canonical dimension name (`labels.service`, `severity`, ...) → the alert's value ('' when missing). */
  dimensions: Record<string, string>;
  /** Why the alert joins this group, for the incident's timeline. */
  reason: string;
};

/** Flashduty's default fields for intelligent grouping (the channel service stores the same). */
export const DEFAULT_I_KEYS: readonly string[] = [
  'title',
  'description',
  'labels.service',
  'labels.resource',
];
const DEFAULT_I_SCORE_THRESHOLD = 0.9;
/** Scores are means of ratios; a hair of tolerance keeps e.g. 0.9 from missing a 0.9 threshold. */
const SCORE_EPSILON = 1e-9;

const toAttributes = (
  alert: Partial<GroupingAlert> & Pick<GroupingAlert, 'title' | 'description' | 'labels'>,
) =>
  ({
    severity: alert.severity ?? '',
    title: alert.title,
    description: alert.description,
    labels: alert.labels,
    alert_key: alert.alertKey,
    integration_id: alert.integrationId,
  }) satisfies AlertAttributes;

/** A case's conditions compiled once per stored case object; a case that does not compile never matches. */
const compiledCases = new WeakMap<object, AlertPredicate>();

function caseMatches(c: { if: readonly Condition[] }, alert: AlertAttributes): boolean {
  let matches = compiledCases.get(c);
  if (!matches) {
    try {
      matches = compileConditions(c.if);
    } catch {
      matches = () => false;
    }
    compiledCases.set(c, matches);
  }
  return matches(alert);
}

type Dimension = { name: string; value: string | undefined };

/** The alert's value for each key, by canonical name, without repeats; an unknown key reads as missing. */
function readDimensions(keys: readonly string[], alert: AlertAttributes): Dimension[] {
  const seen = new Set<string>();
  const dims: Dimension[] = [];
  for (const key of keys) {
    const parsed = attributeKey(key);
    const name = typeof parsed === 'string' ? key : parsed.name;
    if (seen.has(name)) continue;
    seen.add(name);
    dims.push({ name, value: typeof parsed === 'string' ? undefined : parsed.read(alert) });
  }
  return dims;
}

const isMissing = (d: Dimension): boolean => d.value === undefined || d.value === '';

/** A value in a reason: bare when plain, else quoted; at most 60 characters. */
function shown(value: string): string {
  const points = [...value];
  const cut = points.length > 60 ? `${points.slice(0, 60).join('')}…` : value;
  return cut !== '' && /^[^\s,="]+$/.test(cut) ? cut : JSON.stringify(cut);
}

/** The chosen dimensions as [name, value] pairs in name order, as JSON: what the key is the md5 of. */
function canonicalText(dims: readonly Dimension[]): string {
  const pairs = dims.map((d): [string, string] => [d.name, d.value ?? '']);
  return JSON.stringify(pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

function grouping(dims: readonly Dimension[], source: string): Grouping {
  const text = canonicalText(dims);
  return {
    key: createHash('md5').update(text).digest('hex'),
    dimensions: Object.fromEntries(JSON.parse(text) as [string, string][]),
    reason: `grouped by ${dims.map((d) => `${d.name}=${shown(d.value ?? '')}`).join(', ')} (${source})`,
  };
}

/**
 * The grouping key of an alert under pattern grouping (`p`); null when the alert opens its own
 * incident: methods `n` and `i`, no dimension set applies, or — with `all_equals_required` — the
 * chosen dimensions lack a value.
 *
 * A matching case decides alone: with `all_equals_required` and a missing value the alert is not
 * grouped (the top-level sets are not tried). Among the top-level `equals` sets, with
 * `all_equals_required` the first set whose every value is present (non-empty) is used; without
 * it, missing values compare equal as '' and the first set with at least one value is used (the
 * first set when none has any).
 */
export function groupingKey(group: GroupConfig, alert: GroupingAlert): Grouping | null {
  const chosen = chooseDimensions(group, alert);
  return chosen && grouping(chosen.dims, chosen.source);
}

function chooseDimensions(
  group: GroupConfig,
  alert: GroupingAlert,
): { dims: Dimension[]; source: string } | null {
  if (group.method !== 'p') return null;
  const attributes = toAttributes(alert);
  const strict = group.all_equals_required ?? false;
  const cases = group.cases ?? [];
  for (const [i, c] of cases.entries()) {
    if (!caseMatches(c, attributes)) continue;
    const dims = readDimensions(c.equals, attributes);
    if (dims.length === 0 || (strict && dims.some(isMissing))) return null;
    return { dims, source: `case ${i + 1}` };
  }
  const sets = (group.equals ?? [])
    .map((keys) => readDimensions(keys, attributes))
    .map((dims, i) => ({ dims, i }))
    .filter(({ dims }) => dims.length > 0);
  const chosen = strict
    ? sets.find(({ dims }) => !dims.some(isMissing))
    : (sets.find(({ dims }) => !dims.every(isMissing)) ?? sets[0]);
  if (!chosen) return null;
  const source =
    (group.equals?.length ?? 0) > 1 ? `default dimension set ${chosen.i + 1}` : 'default dimensions';
  return { dims: chosen.dims, source };
}

const TOKEN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|(?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{M}\p{N}])+/gu;

/**
 * The token set of a text: NFKC, lower-cased, runs of letters and digits; each Han, Hiragana or
 * Katakana character is a token of its own (those scripts do not separate words with spaces).
 */
export function tokenSet(text: string): Set<string> {
  const normal = text.normalize('NFKC').toLowerCase();
  return new Set(normal.match(TOKEN) ?? []);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const t of a) if (b.has(t)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 1 : shared / union;
}

/** What similarity compares: an alert, or an open incident (its first alert's title, description, labels). */
export type Comparable = Partial<GroupingAlert> & Pick<GroupingAlert, 'title' | 'description' | 'labels'>;

/**
 * How alike two alerts are, from 0 to 1: for each `i_keys` field (title, description,
 * labels.service, labels.resource by default) the Jaccard similarity of the two token sets
 * (shared tokens / all tokens); the score is the mean over the fields that are non-empty on at least
 * one side. 0 when every field is empty on both sides (nothing to compare).
 */
export function similarity(a: Comparable, b: Comparable, iKeys: readonly string[] = DEFAULT_I_KEYS): number {
  const left = toAttributes(a);
  const right = toAttributes(b);
  const seen = new Set<string>();
  let total = 0;
  let fields = 0;
  for (const key of iKeys) {
    const parsed = attributeKey(key);
    if (typeof parsed === 'string' || seen.has(parsed.name)) continue;
    seen.add(parsed.name);
    const ta = tokenSet(parsed.read(left) ?? '');
    const tb = tokenSet(parsed.read(right) ?? '');
    if (ta.size === 0 && tb.size === 0) continue;
    total += jaccard(ta, tb);
    fields += 1;
  }
  return fields === 0 ? 0 : total / fields;
}

/**
 * The open incident an alert joins under intelligent grouping (`i`): the candidate with the highest
 * similarity at or above `i_score_threshold` (default 0.9); on a tie the earlier candidate. Null
 * when none is similar enough.
 */
export function pickSimilar(
  candidates: readonly {
    id: string;
    title: string;
    description: string;
    labels: Readonly<Record<string, string>>;
  }[],
  alert: Comparable,
  group: GroupConfig,
): { id: string; score: number } | null {
  const iKeys = group.i_keys?.length ? group.i_keys : DEFAULT_I_KEYS;
  const threshold = group.i_score_threshold ?? DEFAULT_I_SCORE_THRESHOLD;
  let best: { id: string; score: number } | null = null;
  for (const candidate of candidates) {
    const score = similarity(candidate, alert, iKeys);
    if (score + SCORE_EPSILON >= threshold && (best === null || score > best.score + SCORE_EPSILON)) {
      best = { id: candidate.id, score };
    }
  }
  return best;
}

/**
 * Whether an open incident still takes alerts under the channel's aggregation window (minutes):
 * no window (0) → always; tumbling → until `time_window` after the incident was created; sliding →
 * until `time_window` after the last alert merged into it (its creation if none has). The end is
 * exclusive: at exactly created + window the incident takes no more.
 */
export function acceptsMerge(
  incident: { createdAtSeconds: number; lastMergeSeconds: number },
  group: GroupConfig,
  nowSeconds: number,
): boolean {
  const windowSeconds = (group.time_window ?? 0) * 60;
  if (windowSeconds <= 0) return true;
  const from =
    group.window_type === 'sliding'
      ? Math.max(incident.createdAtSeconds, incident.lastMergeSeconds)
      : incident.createdAtSeconds;
  return nowSeconds < from + windowSeconds;
}
