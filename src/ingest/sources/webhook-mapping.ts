import { JSONPath } from 'jsonpath-plus';
import { invalidParameter } from '../../shared/app-error.ts';
import type { EventSeverity } from '../event.ts';

/*
 * A generic webhook's mapping (docs/sources.md "Generic webhook"): for each field of the alert an
 * expression over the pushed JSON. An expression is either a JSONPath (`$.alert.name`: its first
 * match) or a text with JSONPaths in double braces (`{{$.host}} is down`). Pure.
 *
 * Bounded time: JSONPaths run by jsonpath-plus with script evaluation off (`eval: false`, so the
 * filter and script forms `?()`, `()` are refused, and refused already when the mapping is saved);
 * at most one recursive descent `..` per path, so each path costs time linear in the payload; at
 * most 56 expressions (6 fields, 50 labels) of 512 characters, on a payload of at most 1 MiB. Only
 * the first match is used, and the walk stops at it (`$..*` on 1 MiB otherwise collects every node).
 */

export type WebhookMapping = {
  title: string;
  alert_key: string;
  description: string;
  status: string;
  severity: string;
  event_time: string;
  labels: Record<string, string>;
  /** Status values (case-insensitive) that mean recovered. */
  recovery_values: string[];
  /** The severity of a firing alert whose severity expression is empty or an unknown word. */
  default_severity: EventSeverity;
};

const FIELDS = ['title', 'alert_key', 'description', 'status', 'severity', 'event_time'] as const;
const MAX_EXPRESSION = 512;
const MAX_LABELS = 50;
const MAX_RECOVERY_VALUES = 20;
const DEFAULT_RECOVERY_VALUES = ['ok', 'resolved', 'recovered', 'closed', 'up'];
const SEVERITIES: readonly EventSeverity[] = ['Critical', 'Warning', 'Info'];
const TEMPLATE_PART = /\{\{\s*(\$[^}]*?)\s*\}\}/g;

/** Why a JSONPath is refused, or undefined when it is accepted. */
function pathProblem(path: string): string | undefined {
  if (!path.startsWith('$')) return 'a JSONPath must start with $';
  let parts: string[];
  try {
    parts = JSONPath.toPathArray(path);
  } catch (error) {
    return `the JSONPath does not parse: ${(error as Error).message}`;
  }
  if (parts.some((p) => p.startsWith('?(') || p.startsWith('('))) {
    return 'filter and script expressions (?() and ()) are not supported';
  }
  if (parts.filter((p) => p === '..').length > 1) return 'at most one recursive descent (..) per JSONPath';
  return undefined;
}

/** Checks one expression; throws InvalidParameter naming `field`. */
function checkExpression(field: string, expression: unknown): string {
  if (expression === undefined) return '';
  if (typeof expression !== 'string' || expression.length > MAX_EXPRESSION) {
    throw invalidParameter(field, `must be a string of at most ${MAX_EXPRESSION} characters`);
  }
  const paths = expression.startsWith('$')
    ? [expression]
    : [...expression.matchAll(TEMPLATE_PART)].map((m) => m[1]!);
  for (const path of paths) {
    const problem = pathProblem(path);
    if (problem) throw invalidParameter(field, `${problem} (${JSON.stringify(path)})`);
  }
  return expression;
}

/** A mapping as saved in an integration's settings (checked), or InvalidParameter naming the field. */
export function compileMapping(raw: Record<string, unknown> | undefined): { mapping: WebhookMapping } {
  const at = (name: string) => `settings.${name}`;
  const [title, alertKey, description, status, severity, eventTime] = FIELDS.map((f) =>
    checkExpression(at(f), raw?.[f]),
  ) as [string, string, string, string, string, string];
  if (title === '') throw invalidParameter(at('title'), 'is required: an expression for the alert title');
  const rawLabels = raw?.labels ?? {};
  if (typeof rawLabels !== 'object' || rawLabels === null || Array.isArray(rawLabels)) {
    throw invalidParameter(at('labels'), 'must be an object of label name → expression');
  }
  const labelEntries = Object.entries(rawLabels);
  if (labelEntries.length > MAX_LABELS) throw invalidParameter(at('labels'), `at most ${MAX_LABELS} labels`);
  const labels: Record<string, string> = {};
  for (const [name, expression] of labelEntries) {
    if (name === '' || name.length > 128)
      throw invalidParameter(at('labels'), 'a label name must be 1 to 128 characters');
    labels[name] = checkExpression(at(`labels.${name}`), expression);
  }
  const recovery = raw?.recovery_values ?? DEFAULT_RECOVERY_VALUES;
  if (
    !Array.isArray(recovery) ||
    recovery.length > MAX_RECOVERY_VALUES ||
    recovery.some((v) => typeof v !== 'string' || v.length > 64)
  ) {
    throw invalidParameter(
      at('recovery_values'),
      `must be at most ${MAX_RECOVERY_VALUES} strings of 64 characters`,
    );
  }
  const defaultSeverity = raw?.default_severity ?? 'Warning';
  if (!SEVERITIES.includes(defaultSeverity as EventSeverity)) {
    throw invalidParameter(at('default_severity'), 'must be one of "Critical", "Warning", "Info"');
  }
  return {
    mapping: {
      title,
      alert_key: alertKey,
      description,
      status,
      severity,
      event_time: eventTime,
      labels,
      recovery_values: (recovery as string[]).map((v) => v.toLowerCase()),
      default_severity: defaultSeverity as EventSeverity,
    },
  };
}

/** A matched value as text: strings as they are, other values as JSON; nothing matched is ''. */
function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Thrown from jsonpath-plus's match callback: only the first match is used, so the walk ends there.
 * Not named `value`: jsonpath-plus returns the `value` of anything thrown through it as a result.
 */
class Found {
  readonly match: unknown;
  constructor(match: unknown) {
    this.match = match;
  }
}

function firstMatch(path: string, json: unknown): unknown {
  try {
    JSONPath({
      path,
      json: json as object,
      wrap: true,
      eval: false,
      callback: (value: unknown) => {
        throw new Found(value);
      },
    });
    return undefined;
  } catch (thrown) {
    if (thrown instanceof Found) return thrown.match;
    throw thrown;
  }
}

/** The value of an expression over a payload: a JSONPath's first match, or the template's text. */
export function evaluate(expression: string, json: unknown): unknown {
  if (expression === '') return undefined;
  if (expression.startsWith('$')) return firstMatch(expression, json);
  // A template whose JSONPaths all match nothing is empty: its fixed text alone says nothing.
  let paths = 0;
  let matched = 0;
  const text = expression.replace(TEMPLATE_PART, (_all, path: string) => {
    paths += 1;
    const value = firstMatch(path, json);
    if (value !== undefined && value !== null) matched += 1;
    return asText(value);
  });
  return paths > 0 && matched === 0 ? undefined : text;
}

export const evaluateText = (expression: string, json: unknown): string => asText(evaluate(expression, json));
