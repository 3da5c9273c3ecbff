import { invalidParameter } from '../shared/app-error.ts';

/*
 * Checks every request value before schema validation, whatever the route (docs/decisions.md,
 * "Validation"): PostgreSQL cannot store a NUL character in text or jsonb, nor a lone UTF-16
 * surrogate (no UTF-8 encodes it), and JSON nested past a few thousand levels overflows the stack
 * of JSON.stringify and of PostgreSQL's jsonb parser. These are refused here, naming the field,
 * instead of failing in the database.
 */

/** Far deeper than any request goes (a schedule's layers → groups → members → person_ids: 7). */
export const MAX_INPUT_DEPTH = 32;

/** Where a walk is: the keys from the top, turned into a field name only for an error. */
type Keys = (string | number)[];

function fieldName(keys: Keys, part: string): string {
  if (keys.length === 0) return part;
  return keys.reduce<string>(
    (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key),
    '',
  );
}

function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (!text.isWellFormed()) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}

function visit(value: unknown, keys: Keys, part: string): void {
  if (typeof value === 'string') {
    const reason = badText(value);
    if (reason) throw invalidParameter(fieldName(keys, part), reason);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  // Recursion stops here, so the walk itself never goes deeper than this.
  if (keys.length >= MAX_INPUT_DEPTH) {
    throw invalidParameter(
      fieldName(keys.slice(0, 1), part),
      `must not nest deeper than ${MAX_INPUT_DEPTH} levels`,
    );
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      keys.push(i);
      visit(value[i], keys, part);
      keys.pop();
    }
    return;
  }
  for (const key in value) {
    const reason = badText(key);
    // The key goes into the message escaped, so the message stays printable.
    if (reason) throw invalidParameter(fieldName([...keys, JSON.stringify(key)], part), `its name ${reason}`);
    keys.push(key);
    visit((value as Record<string, unknown>)[key], keys, part);
    keys.pop();
  }
}

/**
 * Throws InvalidParameter for the first string (value or key) PostgreSQL could not store, or for
 * nesting deeper than MAX_INPUT_DEPTH; `part` names a value that is itself a bad string.
 */
export function checkInputValue(value: unknown, part: string): void {
  visit(value, [], part);
}
