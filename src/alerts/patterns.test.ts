import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compileRegex, compileWildcard, MAX_PROGRAM_SIZE, type TextMatcher } from './patterns.ts';

const regex = (body: string): TextMatcher => {
  const matcher = compileRegex(body);
  if (typeof matcher === 'string') throw new Error(matcher);
  return matcher;
};
const problem = (body: string): string | undefined => {
  const matcher = compileRegex(body);
  return typeof matcher === 'string' ? matcher : undefined;
};

describe('regular expressions (RE2 syntax and semantics)', () => {
  it('search the value, unanchored; anchors hold at the ends of the whole value', () => {
    expect(regex('db-\\d+')('CPU high on db-12')).toBe(true);
    expect(regex('^db')('CPU high on db-12')).toBe(false);
    expect(regex('^prod-\\d+$')('prod-12')).toBe(true);
    // `$` is the end of the text (as in Go), not before a final newline.
    expect(regex('^prod-\\d+$')('prod-12\n')).toBe(false);
    expect(regex('')('anything')).toBe(true);
  });

  it('take (?i) and the other flags of RE2, at the start or inside', () => {
    expect(regex('(?i)cpu HIGH')('CPU high')).toBe(true);
    expect(regex('cpu (?i)HIGH')('cpu high')).toBe(true);
    expect(regex('cpu (?i)HIGH')('CPU high')).toBe(false);
    expect(regex('(?i:db)-X')('DB-X')).toBe(true);
    expect(regex('a.b')('a\nb')).toBe(false);
    expect(regex('(?s)a.b')('a\nb')).toBe(true);
    expect(regex('(?m)^b$')('a\nb\nc')).toBe(true);
  });

  it("have RE2's classes: ASCII \\d \\s \\w, POSIX and Unicode classes, characters as code points", () => {
    expect(regex('\\d')('٣')).toBe(false);
    expect(regex('\\s')('\u00a0')).toBe(false);
    expect(regex('^[[:alpha:]]+$')('abc')).toBe(true);
    expect(regex('^\\pL+$')('héllo')).toBe(true);
    expect(regex('\\p{Han}')('磁盘')).toBe(true);
    expect(regex('^.$')('😀')).toBe(true);
    expect(regex('(?P<host>web)-\\d')('web-1')).toBe(true);
    expect(regex('\\Qa.b\\E')('a.b')).toBe(true);
    expect(regex('\\Qa.b\\E')('axb')).toBe(false);
    expect(regex('a\\/b')('a/b')).toBe(true);
  });

  it('accept nested quantifiers, which RE2 runs in linear time', () => {
    for (const body of ['(a+)+$', '(x|(a*))*b', '([a-z]+){2,}', '(a|a)*b', '(.*a){20}']) {
      expect(problem(body), body).toBeUndefined();
    }
    expect(regex('(a+)+b')(`${'a'.repeat(5000)}b`)).toBe(true);
  });

  it('refuse lookaround and backreferences, saying so', () => {
    expect(problem('a(?=b)')).toBe('lookaround is not supported (RE2 syntax)');
    expect(problem('a(?!b)')).toMatch(/lookaround/);
    expect(problem('(?<=a)b')).toMatch(/lookaround/);
    expect(problem('(?<!a)b')).toMatch(/lookaround/);
    expect(problem('(a)\\1')).toBe('backreferences are not supported (RE2 syntax)');
    expect(problem('(?<n>a)\\k<n>')).toMatch(/backreferences/);
    // Inside a class these are ordinary characters.
    expect(problem('[(?=]')).toBeUndefined();
  });

  it("refuse what RE2 does not parse, with RE2's reason", () => {
    expect(problem('(unclosed')).toBe(
      'the regular expression does not compile (RE2 syntax): missing closing ): `(unclosed`',
    );
    expect(problem('a**')).toMatch(/does not compile \(RE2 syntax\): invalid nested repetition operator/);
    expect(problem('\\u0041')).toMatch(/invalid escape sequence/);
    expect(problem('a{1001}')).toMatch(/invalid repeat count/);
  });

  it(`refuse a program larger than ${MAX_PROGRAM_SIZE} instructions, before or after compiling it`, () => {
    expect(problem('.{1000}')).toBeUndefined();
    expect(problem('(?:a|b)*a(?:[ab]){1000}[ab]{990}c')).toBeUndefined();
    expect(problem('(?:ab){1000}')).toMatch(/too large.*at most 2000 RE2 instructions/);
    // Half a million instructions: refused from the text, without the 0.7 s compile.
    const huge = `(?:${'a?'.repeat(250)}){1000}b`;
    const started = performance.now();
    expect(problem(huge)).toMatch(/too large/);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe('regular expressions on adversarial values', () => {
  it('keep the memory of each expression bounded', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    // Every position of such a value is a new DFA state of `(?:a|b)*a(?:a|b){n}c`.
    const values = Array.from(
      { length: 20 },
      () => `${Array.from({ length: 2047 }, () => (random() < 0.5 ? 'a' : 'b')).join('')}c`,
    );
    gc();
    const before = process.memoryUsage().heapUsed;
    const matchers = Array.from({ length: 12 }, (_, i) => regex(`(?:a|b)*a(?:a|b){${20 + i}}c`));
    for (const matcher of matchers) for (const value of values) matcher(value);
    gc();
    const grownMb = (process.memoryUsage().heapUsed - before) / 1e6;
    // re2js's own default (8 MiB per expression) let 20 such expressions hold about 120 MB.
    expect(grownMb).toBeLessThan(25);
    expect(matchers).toHaveLength(12);
  });
});

/** The wildcard as RE2 reads it: the reference the linear matcher is checked against. */
function wildcardByRe2(pattern: string): TextMatcher {
  const body = [...pattern]
    .map((c) => (c === '*' ? '(?s:.*)' : c === '?' ? '(?s:.)' : RE2JS.quote(c)))
    .join('');
  const re = RE2JS.compile(body);
  return (value) => re.testExact(value);
}

describe('wildcards', () => {
  it('match the whole value: * any run, ? one character, the rest itself', () => {
    const w = (pattern: string, value: string) => compileWildcard(pattern)(value);
    expect(w('CPU*', 'CPU high')).toBe(true);
    expect(w('*db-?', 'on db-1')).toBe(true);
    expect(w('*db-??', 'on db-1')).toBe(false);
    expect(w('a.c*', 'abc')).toBe(false);
    expect(w('a*', 'a\nb')).toBe(true);
    expect(w('a*a', 'a')).toBe(false);
    expect(w('a*a', 'aa')).toBe(true);
    expect(w('?', '')).toBe(false);
    expect(w('**', '')).toBe(true);
    expect(w('a?c', 'a😀c')).toBe(true);
    expect(w('*?', '😀')).toBe(true);
    expect(w('??', '😀')).toBe(false);
    expect(w('*😀?', 'x😀y')).toBe(true);
  });

  it('agree with RE2 on any pattern and value', () => {
    const pattern = fc
      .array(fc.constantFrom('a', 'b', '*', '?', '*', '?', '😀', '\n'), { maxLength: 8 })
      .map((cs) => cs.join(''));
    const value = fc.array(fc.constantFrom('a', 'b', '😀', '\n'), { maxLength: 10 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(pattern, value, (p, v) => {
        expect(compileWildcard(p)(v), `${JSON.stringify(p)} on ${JSON.stringify(v)}`).toBe(
          wildcardByRe2(p)(v),
        );
      }),
      { numRuns: 20_000 },
    );
  });
});
