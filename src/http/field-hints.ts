/*
 * Human sentences for a field that breaks its schema (docs/decisions.md, "Field errors"). Shared
 * by the server, which puts them in the error envelope's `fields` detail, and the console, which
 * checks a value against the same schema while it is typed: both say the same words. Pure, with no
 * imports, so the console's bundler can take it as it is.
 */

/** The part of a JSON schema that limits one value. */
export type FieldRule = {
  type?: string | string[];
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
};

/** What each pattern of Vigil's schemas asks for, in words. */
const PATTERN_HINTS: Record<string, string> = {
  '^[A-Za-z0-9][A-Za-z0-9_-]*$': 'Use only letters, digits, "-" and "_", starting with a letter or digit.',
  '^[A-Za-z0-9_]+$': 'Use only letters, digits and "_".',
  '^[a-z][a-z0-9_]{0,39}$': 'Use lower-case letters, digits and "_", starting with a letter (at most 40).',
  '^[0-9a-fA-F]{24}$': 'Expected a 24-character id (0-9, a-f).',
  '^[0-9a-fA-F]{6}$': 'Expected a 6-character number (0-9, a-f).',
  '^\\d{4}-\\d{2}-\\d{2}$': 'Enter a date as YYYY-MM-DD.',
  '^[Hh][Tt][Tt][Pp][Ss]?://': 'Enter a web address starting with http:// or https://.',
  '^$|^[Hh][Tt][Tt][Pp][Ss]?://': 'Enter a web address starting with http:// or https://, or leave it empty.',
  '^$|^#[0-9A-Fa-f]{6}$': 'Enter a colour as #rrggbb (e.g. #0a3069), or leave it empty.',
};

const FORMAT_HINTS: Record<string, string> = {
  email: 'Enter an e-mail address such as name@example.com.',
  uri: 'Enter a full web address such as https://example.com.',
  url: 'Enter a full web address such as https://example.com.',
  'date-time': 'Enter a date and time.',
  date: 'Enter a date as YYYY-MM-DD.',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The sentence for one failed keyword, from its limit (Ajv's `params` carry the same values). */
export function hintFor(keyword: string, params: Record<string, unknown>): string | undefined {
  const limit = Number(params.limit);
  switch (keyword) {
    case 'required':
      return 'This is required.';
    case 'maxLength':
      return `Use at most ${plural(limit, 'character')}.`;
    case 'minLength':
      return limit === 1 ? 'This cannot be empty.' : `Use at least ${plural(limit, 'character')}.`;
    case 'pattern':
      return PATTERN_HINTS[String(params.pattern)] ?? 'This is not in the expected form.';
    case 'format':
      return FORMAT_HINTS[String(params.format)] ?? `Enter a valid ${String(params.format)}.`;
    case 'minimum':
      return `Enter a number of at least ${limit}.`;
    case 'maximum':
      return `Enter a number of at most ${limit}.`;
    case 'exclusiveMinimum':
      return `Enter a number greater than ${limit}.`;
    case 'exclusiveMaximum':
      return `Enter a number less than ${limit}.`;
    case 'minItems':
      return limit === 1 ? 'Choose at least one.' : `Choose at least ${limit}.`;
    case 'maxItems':
      return `Choose at most ${limit}.`;
    case 'uniqueItems':
      return 'Each entry may appear only once.';
    case 'multipleOf':
      return `Enter a multiple of ${String(params.multipleOf)}.`;
    case 'enum':
      return `Choose one of ${(params.allowedValues as unknown[]).map(String).join(', ')}.`;
    case 'type':
      return typeHint(String(params.type));
    case 'finite':
      return 'Enter a finite number.';
  }
  return undefined;
}

function typeHint(type: string): string {
  if (type.includes('integer')) return 'Enter a whole number.';
  if (type.includes('number')) return 'Enter a number.';
  if (type.includes('string')) return 'Enter text.';
  if (type.includes('boolean')) return 'Choose yes or no.';
  if (type.includes('array')) return 'Expected a list.';
  return `Expected ${type}.`;
}

/**
 * Checks a value as it is typed: the first limit it breaks, in the words the server would use;
 * undefined when it keeps them. An empty text is left to the submit (a form starts empty).
 */
export function checkValue(rule: FieldRule | undefined, value: unknown): string | undefined {
  if (!rule || value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value === '') return undefined;
    // Characters as the server counts them (Ajv counts code points).
    const length = [...value].length;
    if (rule.maxLength !== undefined && length > rule.maxLength) {
      return `Use at most ${plural(rule.maxLength, 'character')} (${length} now).`;
    }
    if (rule.minLength !== undefined && length < rule.minLength) {
      return hintFor('minLength', { limit: rule.minLength });
    }
    if (rule.pattern !== undefined && !safeTest(rule.pattern, value)) {
      return hintFor('pattern', { pattern: rule.pattern });
    }
    return undefined;
  }
  if (typeof value === 'number') {
    if (rule.minimum !== undefined && value < rule.minimum)
      return hintFor('minimum', { limit: rule.minimum });
    if (rule.maximum !== undefined && value > rule.maximum)
      return hintFor('maximum', { limit: rule.maximum });
    return undefined;
  }
  if (Array.isArray(value)) {
    if (rule.maxItems !== undefined && value.length > rule.maxItems) {
      return hintFor('maxItems', { limit: rule.maxItems });
    }
  }
  return undefined;
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null;

/** The schema a field path (`members[].member_name`) leads to, through properties, items and unions. */
function nodeAt(schema: unknown, parts: string[]): Node | undefined {
  if (!isNode(schema)) return undefined;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key];
    if (Array.isArray(branches)) {
      for (const branch of branches) {
        const found = nodeAt(branch, parts);
        if (found) return found;
      }
    }
  }
  const [first, ...rest] = parts;
  if (first === undefined) return schema;
  if (first === '[]') return nodeAt(schema.items, rest);
  const properties = schema.properties;
  return isNode(properties) ? nodeAt(properties[first], rest) : undefined;
}

/** The limits of one field of a request schema (`members[].member_name`), for the console's checks. */
export function ruleAt(schema: unknown, field: string): FieldRule | undefined {
  const parts = field
    .replace(/\[\d*\]/g, '.[]')
    .split('.')
    .filter((part) => part !== '');
  return nodeAt(schema, parts) as FieldRule | undefined;
}
