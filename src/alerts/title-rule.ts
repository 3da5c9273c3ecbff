import { truncateCodePoints } from './truncate.ts';

/*
 * An alert's title from its `title_rule` (flashduty-api.md §3.1 "title_rule templating", §5 q1;
 * docs/ingest.md "Titles"). Pure, and total: a malformed rule still yields a title, never an error.
 *
 * - `[TPL]…` is a template (the prefix is removed):
 *   - `${name}` is label `name`; a missing label renders as `<no value>`.
 *   - `{{ … }}` is a subset of Go text/template over the event: `.Labels.x` (missing: empty),
 *     `.Labels` (Go's `map[k:v …]`), `.Title` and `.TitleRule` (the rule without `[TPL]`),
 *     `.Description`, `.EventSeverity`, `.EventStatus`, `.AlertKey`, `.IntegrationType`,
 *     `.IntegrationName`, `index .Labels "key"` (keys with dots or dashes), a string literal, and
 *     comments `{{/* … *\/}}`; `{{- ` and ` -}}` trim the whitespace of the neighbouring text as
 *     in Go. Any other action (pipes, if, range, variables, unknown fields) stays literal text.
 *   - A bare `$name` is literal text in a template.
 * - Any other rule is the legacy form of the seed example, `$cluster::$resource::$check`: `$name`
 *   (`[A-Za-z_][A-Za-z0-9_]*`, longest match) is replaced by label `name` when the alert has that
 *   label, and stays literal otherwise ("$5 charge", "$HOME"). `${…}` and `{{…}}` are literal.
 *
 * Substituted values are never scanned again. The result is cut to 512 code points.
 */

export type TitleContext = {
  labels: Record<string, string>;
  description: string;
  severity: string;
  status: string;
  alertKey: string;
  integrationType: string;
  integrationName: string;
  /** The current title, when re-rendering one (alert pipelines); `.Title` is the rule otherwise. */
  title?: string | undefined;
};

export const MAX_TITLE_LENGTH = 512;

const TEMPLATE_PREFIX = '[TPL]';
const NO_VALUE = '<no value>';

const label = (labels: Record<string, string>, name: string): string | undefined =>
  Object.hasOwn(labels, name) ? labels[name] : undefined;

function renderLegacy(rule: string, labels: Record<string, string>): string {
  return rule.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => label(labels, name) ?? whole);
}

/** Go text/template's whitespace for trim markers: space, tab, carriage return, newline. */
const trimStartGo = (text: string): string => text.replace(/^[ \t\r\n]+/, '');
const trimEndGo = (text: string): string => text.replace(/[ \t\r\n]+$/, '');

/** Splits an action into words and string literals; undefined when a string literal is unterminated. */
function tokenize(content: string): string[] | undefined {
  const tokens: string[] = [];
  let i = 0;
  while (i < content.length) {
    const c = content[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < content.length && content[j] !== c) j += c === '"' && content[j] === '\\' ? 2 : 1;
      if (j >= content.length) return undefined;
      tokens.push(content.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < content.length && !/[\s"`]/.test(content[j]!)) j += 1;
      tokens.push(content.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

/** The value of a Go string literal token, or undefined when the token is not one. */
function stringLiteral(token: string): string | undefined {
  if (token.length >= 2 && token.startsWith('`') && token.endsWith('`')) return token.slice(1, -1);
  if (token.length >= 2 && token.startsWith('"') && token.endsWith('"')) {
    try {
      const value: unknown = JSON.parse(token);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const FIELD_CHAIN = /^(\.[\p{L}_][\p{L}\p{N}_]*)+$/u;

/** Go's fmt rendering of a map[string]string: `map[a:1 b:2]`, keys sorted. */
const printMap = (labels: Record<string, string>): string =>
  `map[${Object.keys(labels)
    .sort()
    .map((k) => `${k}:${labels[k]}`)
    .join(' ')}]`;

/** The output of a supported action, or undefined when the action is outside the subset. */
function evaluateAction(content: string, rule: string, ctx: TitleContext): string | undefined {
  if (content.startsWith('/*') && content.endsWith('*/') && content.length >= 4) return '';
  const tokens = tokenize(content);
  if (!tokens) return undefined;
  if (tokens.length === 3 && tokens[0] === 'index' && tokens[1] === '.Labels') {
    const key = stringLiteral(tokens[2]!);
    return key === undefined ? undefined : (label(ctx.labels, key) ?? '');
  }
  if (tokens.length !== 1) return undefined;
  const token = tokens[0]!;
  const literal = stringLiteral(token);
  if (literal !== undefined) return literal;
  if (!FIELD_CHAIN.test(token)) return undefined;
  const [field, ...rest] = token.slice(1).split('.');
  if (field === 'Labels') {
    if (rest.length === 0) return printMap(ctx.labels);
    return rest.length === 1 ? (label(ctx.labels, rest[0]!) ?? '') : undefined;
  }
  if (rest.length > 0) return undefined;
  switch (field) {
    case 'Title':
      return ctx.title ?? rule;
    case 'TitleRule':
      return rule;
    case 'Description':
      return ctx.description;
    case 'EventSeverity':
      return ctx.severity;
    case 'EventStatus':
      return ctx.status;
    case 'AlertKey':
      return ctx.alertKey;
    case 'IntegrationType':
      return ctx.integrationType;
    case 'IntegrationName':
      return ctx.integrationName;
    default:
      return undefined;
  }
}

/** The index of the `}}` closing the action opened at `from` (skipping string literals), or -1. */
function actionEnd(body: string, from: number): number {
  let i = from;
  while (i < body.length) {
    const c = body[i];
    if (c === '}' && body[i + 1] === '}') return i;
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < body.length && body[j] !== c) j += c === '"' && body[j] === '\\' ? 2 : 1;
      // An unterminated literal: fall back to the first `}}` after it opened.
      if (j >= body.length) return body.indexOf('}}', i);
      i = j + 1;
    } else {
      i += 1;
    }
  }
  return -1;
}

function renderTemplate(rule: string, ctx: TitleContext): string {
  let out = '';
  /** Literal text since the last substitution or action, so trim markers can reach it. */
  let text = '';
  let trimNextText = false;
  const flush = (trimEnd: boolean) => {
    if (trimNextText) text = trimStartGo(text);
    if (trimEnd) text = trimEndGo(text);
    out += text;
    text = '';
    trimNextText = false;
  };

  let i = 0;
  while (i < rule.length) {
    const c = rule[i];
    if (c === '$' && rule[i + 1] === '{') {
      const close = rule.indexOf('}', i + 2);
      if (close > i + 2) {
        flush(false);
        out += label(ctx.labels, rule.slice(i + 2, close)) ?? NO_VALUE;
        i = close + 1;
        continue;
      }
    } else if (c === '{' && rule[i + 1] === '{') {
      const close = actionEnd(rule, i + 2);
      if (close >= 0) {
        let inner = rule.slice(i + 2, close);
        const trimBefore = /^-[ \t\r\n]/.test(inner);
        if (trimBefore) inner = inner.slice(1);
        const trimAfter = /[ \t\r\n]-$/.test(inner);
        if (trimAfter) inner = inner.slice(0, -1);
        const value = evaluateAction(inner.trim(), rule, ctx);
        if (value !== undefined) {
          flush(trimBefore);
          out += value;
          trimNextText = trimAfter;
        } else {
          text += rule.slice(i, close + 2);
        }
        i = close + 2;
        continue;
      }
      text += '{{';
      i += 2;
      continue;
    }
    text += c;
    i += 1;
  }
  flush(false);
  return out;
}

/** The title an alert event gets from its rule; see the module comment for the syntax. */
export function renderTitleRule(rule: string, ctx: TitleContext): string {
  try {
    const title = rule.startsWith(TEMPLATE_PREFIX)
      ? renderTemplate(rule.slice(TEMPLATE_PREFIX.length), ctx)
      : renderLegacy(rule, ctx.labels);
    return truncateCodePoints(title, MAX_TITLE_LENGTH);
  } catch {
    // Not expected; a title must come out whatever the rule holds.
    return truncateCodePoints(rule, MAX_TITLE_LENGTH);
  }
}
