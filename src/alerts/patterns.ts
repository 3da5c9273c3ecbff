import { RE2JS } from 're2js';

/*
 * The two pattern forms a user writes in conditions — `/regex/` and wildcards — compiled to
 * matchers whose time grows linearly with the value, whatever the pattern: the conditions of
 * routes, grouping cases, silence, inhibit, drop and escalation rules run on the ingest path, where
 * a backtracking engine let one pattern freeze the whole server (`(a|a)*b` against 27 characters
 * took 11.6 s). Pure — no I/O. Decisions: docs/integrations.md "Patterns".
 *
 * Regular expressions have RE2 syntax and semantics (Flashduty's engine is Go's RE2), run by
 * re2js, a pure-JavaScript port of RE2/J: automata, no backtracking.
 */

export type TextMatcher = (value: string) => boolean;

/**
 * The largest RE2 program a pattern may compile to. RE2's time is linear in the value but also in
 * the program: a counted repetition copies what it repeats (`(?:a|b){1000}` is 1,000 copies), and
 * the worst program near 2,000 instructions took about 0.15 s per 2,048-character value here, one
 * of 500,000 instructions 0.7 s. A pattern without counted repetitions compiles to about one
 * instruction per character, so every such pattern of the 1,024-character value limit fits.
 */
export const MAX_PROGRAM_SIZE = 2_000;

/**
 * A bound read from the text, checked before compiling: compiling is itself linear in the program
 * (0.7 s for 500,000 instructions), so a program far over the limit is refused unbuilt. Rough on
 * purpose (it counts every character of an escape or class as one instruction): the exact limit
 * is checked on the compiled program.
 */
function sizeBound(body: string): number {
  const groups = [0];
  /** The size of the last atom, which a following counted repetition multiplies. */
  let last = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '(') {
      groups.push(0);
      continue;
    }
    if (c === ')' && groups.length > 1) {
      last = groups.pop()! + 2;
      groups[groups.length - 1]! += last;
      continue;
    }
    if (c === '{') {
      const m = /^\{(\d{1,7})(?:,(\d{0,7}))?\}/.exec(body.slice(i, i + 17));
      if (m) {
        const n = Math.max(Number(m[1]), Number(m[2] || 0), 1);
        groups[groups.length - 1]! += last * (n - 1) + n;
        last *= n;
        i += m[0].length - 1;
        continue;
      }
    }
    if (c === '\\') i += 1;
    last = 1;
    groups[groups.length - 1]! += 1;
  }
  return groups.reduce((sum, size) => sum + size, 0);
}

/**
 * What RE2 refuses and JavaScript accepts, said plainly (RE2's own message for `(?<=a)` is "invalid
 * named capture"): lookaround and backreferences.
 */
function unsupportedSyntax(body: string): string | undefined {
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
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
    } else if (c === '(' && /^\(\?(=|!|<=|<!)/.test(body.slice(i, i + 4))) {
      return 'lookaround is not supported (RE2 syntax)';
    }
  }
  return undefined;
}

/**
 * The memory RE2's lazy DFA may keep per expression. re2js caches states up to 8 MiB per compiled
 * expression; adversarial values grow every expression to that (6 MB each measured here, for
 * 2,048-character values), so 100 expressions in rules could hold 600 MB. Past the budget the DFA
 * starts over or RE2 falls back to its other linear engines: slower on such values, never more
 * memory. Ordinary patterns use a few kilobytes.
 */
const DFA_BUDGET_BYTES = 256 * 1024;

/** re2js takes no budget per expression (only for sets): set the one of its lazily built DFA. */
function limitDfaMemory(re: RE2JS): void {
  const dfa = (re as unknown as { re2Input?: { dfa?: { stateBudget: number; memBudget: number } } }).re2Input
    ?.dfa;
  if (!dfa || typeof dfa.memBudget !== 'number')
    throw new Error('re2js changed: its DFA has no memory budget');
  dfa.stateBudget = DFA_BUDGET_BYTES;
  dfa.memBudget = DFA_BUDGET_BYTES;
}

const TOO_LARGE =
  `the regular expression is too large: it must compile to at most ${MAX_PROGRAM_SIZE} RE2 instructions ` +
  '(a counted repetition such as {100} copies what it repeats)';

/**
 * A regular expression in RE2 syntax, searched in the value (not anchored; `(?i)` and RE2's other
 * flags work anywhere), or why it is refused.
 */
export function compileRegex(body: string): TextMatcher | string {
  const re = compileSafe(body);
  return typeof re === 'string' ? re : (value) => re.test(value);
}

/**
 * An extraction (label enrichment): the first match in the value — its named group `result` when
 * the pattern has one, else the whole match — or undefined when nothing matches; or why the
 * pattern is refused. The same limits as compileRegex.
 */
export function compileExtractor(body: string): ((value: string) => string | undefined) | string {
  const re = compileSafe(body);
  if (typeof re === 'string') return re;
  const named = 'result' in re.namedGroups();
  return (value) => {
    const m = re.matcher(value);
    if (!m.find()) return undefined;
    return (named ? m.group('result') : m.group()) ?? undefined;
  };
}

function compileSafe(body: string): RE2JS | string {
  const unsupported = unsupportedSyntax(body);
  if (unsupported) return unsupported;
  if (sizeBound(body) > 10 * MAX_PROGRAM_SIZE) return TOO_LARGE;
  let re: RE2JS;
  try {
    re = RE2JS.compile(body);
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, '');
    return `the regular expression does not compile (RE2 syntax): ${message}`;
  }
  if (re.programSize() > MAX_PROGRAM_SIZE) return TOO_LARGE;
  limitDfaMemory(re);
  return re;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** The code units of the character (code point) at `i`. */
const charLength = (text: string, i: number): number =>
  isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1)) ? 2 : 1;

/** Characters (code points) of a wildcard piece: `?` is one. */
const charCount = (piece: string): number => {
  let n = 0;
  for (let i = 0; i < piece.length; i += charLength(piece, i)) n += 1;
  return n;
};

/** Where `piece` ends when matched at `at` (`?` takes one character), or -1. */
function matchAt(value: string, at: number, piece: string): number {
  let i = at;
  for (let j = 0; j < piece.length; j++) {
    if (i >= value.length) return -1;
    if (piece[j] === '?') i += charLength(value, i);
    else if (piece.charCodeAt(j) === value.charCodeAt(i)) i += 1;
    else return -1;
  }
  return i;
}

/** The leftmost match of `piece` at or after `from` that ends by `limit`: its end, or -1. */
function leftmost(value: string, from: number, limit: number, piece: string): number {
  if (!piece.includes('?')) {
    const at = value.indexOf(piece, from);
    return at >= 0 && at + piece.length <= limit ? at + piece.length : -1;
  }
  for (let at = from; at < limit; at += charLength(value, at)) {
    const end = matchAt(value, at, piece);
    if (end >= 0 && end <= limit) return end;
  }
  return -1;
}

/**
 * A wildcard over the whole value: `*` any run of characters, `?` exactly one character (a code
 * point, as RE2 and PostgreSQL count), anything else itself. The pattern is cut at each `*`: the
 * first piece must start the value and the last must end it; each piece between is taken at its
 * leftmost place after the one before — the leftmost place leaves the most room for the rest, so
 * no other place is ever tried. No backtracking: at most value × pattern steps, and one indexOf
 * per piece without `?`.
 */
export function compileWildcard(pattern: string): TextMatcher {
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  if (pieces.length === 1) return (value) => matchAt(value, 0, first) === value.length;
  const last = pieces.at(-1)!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  const lastChars = charCount(last);
  return (value) => {
    let from = matchAt(value, 0, first);
    if (from < 0) return false;
    let lastStart = value.length;
    for (let n = 0; n < lastChars; n++) {
      if (lastStart <= from) return false;
      lastStart -=
        isLowSurrogate(value.charCodeAt(lastStart - 1)) &&
        lastStart >= 2 &&
        isHighSurrogate(value.charCodeAt(lastStart - 2))
          ? 2
          : 1;
    }
    if (lastStart < from || matchAt(value, lastStart, last) !== value.length) return false;
    for (const piece of middle) {
      from = leftmost(value, from, lastStart, piece);
      if (from < 0) return false;
    }
    return true;
  };
}
