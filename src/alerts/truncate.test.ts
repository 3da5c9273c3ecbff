import { describe, expect, it } from 'vitest';
import { codePointLength, truncateCodePoints } from './truncate.ts';

describe('codePointLength', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength('abc')).toBe(3);
    expect(codePointLength('a😀b')).toBe(3);
    expect('a😀b'.length).toBe(4);
    expect(codePointLength('\uD800x')).toBe(2);
  });
});

describe('truncateCodePoints', () => {
  it('keeps a text that fits, whatever its units', () => {
    expect(truncateCodePoints('abc', 3)).toBe('abc');
    expect(truncateCodePoints('😀😀😀', 3)).toBe('😀😀😀');
    expect(truncateCodePoints('', 0)).toBe('');
  });

  it('cuts to the first max code points', () => {
    expect(truncateCodePoints('abcdef', 3)).toBe('abc');
    expect(truncateCodePoints('😀😀😀😀', 3)).toBe('😀😀😀');
    expect(truncateCodePoints('abc', 0)).toBe('');
  });

  it('never splits a surrogate pair at the boundary', () => {
    const text = `${'a'.repeat(4)}😀b`;
    expect(truncateCodePoints(text, 5)).toBe('aaaa😀');
    expect(truncateCodePoints(text, 4)).toBe('aaaa');
    expect(truncateCodePoints('😀x', 1)).toBe('😀');
  });

  it('counts a lone surrogate as one code point', () => {
    expect(truncateCodePoints('\uD83Dab', 2)).toBe('\uD83Da');
  });
});
