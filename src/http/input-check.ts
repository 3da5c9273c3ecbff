import { invalidParameter } from '../shared/app-error.ts';

/*
 * Checks every request value before schema validation, whatever the route (docs/decisions.md,
 * "Validation"): PostgreSQL cannot store a NUL character in text or jsonb, nor a lone UTF-16
 * surrogate (no UTF-8 encodes it), and JSON nested past a few thousand levels overflows the stack
 * of JSON.stringify and of PostgreSQL's jsonb parser. These are refused here, naming the field,
 * instead of failing in the database.
 */

/** Deeper than any Flashduty document goes (a schedule's layers → groups → members → ids is 5). */
export const MAX_INPUT_DEPTH = 32;

/** A value to check, where it is, and the top-level field it is in (named when nesting is too deep). */
type Pending = { value: unknown; path: string; depth: number; top: string };

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function badText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (!text.isWellFormed()) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}

/**
 * Throws InvalidParameter for the first string (value or key) PostgreSQL could not store, or for
 * nesting deeper than MAX_INPUT_DEPTH; `part` names a value that is itself a bad string.
 * Iterative, so a body nested a million levels deep costs no stack.
 */
export function checkInputValue(value: unknown, part: string): void {
  const pending: Pending[] = [{ value, path: '', depth: 0, top: '' }];
  while (pending.length > 0) {
    const { value, path, depth, top } = pending.pop()!;
    if (typeof value === 'string') {
      const reason = badText(value);
      if (reason) throw invalidParameter(path || part, reason);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      throw invalidParameter(top || part, `must not nest deeper than ${MAX_INPUT_DEPTH} levels`);
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const at = `${path}[${i}]`;
        pending.push({ value: value[i], path: at, depth: depth + 1, top: top || at });
      }
      continue;
    }
    const entries = Object.entries(value);
    for (const [key] of entries) {
      const reason = badText(key);
      // The key goes into the message escaped, so the message stays printable.
      if (reason) throw invalidParameter(join(path, JSON.stringify(key)), `its name ${reason}`);
    }
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      const at = join(path, key);
      pending.push({ value: item, path: at, depth: depth + 1, top: top || at });
    }
  }
}
