import { describe, expect, it } from 'vitest';
import { compileMapping, evaluate, evaluateText } from './webhook-mapping.ts';

describe('webhook mapping expressions', () => {
  const payload = {
    alert: { name: 'disk full', labels: { host: 'db1' } },
    items: [{ name: 'a' }, { name: 'b' }],
  };

  it('takes the first match of a JSONPath, in document order', () => {
    expect(evaluate('$.alert.name', payload)).toBe('disk full');
    expect(evaluate('$..name', payload)).toBe('disk full');
    expect(evaluate('$.items[*].name', payload)).toBe('a');
    expect(evaluate('$..*', payload)).toEqual(payload.alert);
    expect(evaluate('$.missing', payload)).toBeUndefined();
  });

  it('fills templates, and a template matching nothing is empty', () => {
    expect(evaluateText('{{$.alert.labels.host}}: {{$.alert.name}}', payload)).toBe('db1: disk full');
    expect(evaluate('{{$.nothing}} is down', payload)).toBeUndefined();
  });

  it('stops at the first match of a recursive path on a large payload', () => {
    let deep: Record<string, unknown> = { name: 'bottom' };
    for (let i = 0; i < 25; i++) {
      deep = {
        level: i,
        child: deep,
        list: Array.from({ length: 2000 }, (_, j) => ({ n: j, name: `n${j}` })),
      };
    }
    // Counts the nodes jsonpath-plus visits through a getter on every object's `name`: a walk that
    // stops at the first match (the deepest child comes first in document order) reads a few;
    // collecting every match reads all 50,001, some twice.
    let reads = 0;
    const counted = JSON.parse(JSON.stringify(deep), (_key, value) => {
      if (value && typeof value === 'object' && !Array.isArray(value) && 'name' in value) {
        const name = value.name;
        Object.defineProperty(value, 'name', {
          enumerable: true,
          get: () => {
            reads += 1;
            return name;
          },
        });
      }
      return value;
    });
    expect(evaluate('$..name', counted)).toBe('bottom');
    expect(reads).toBeLessThan(5);
  });

  it('refuses script and filter expressions when the mapping is saved', () => {
    expect(() => compileMapping({ title: '$..[?(@.x)]' })).toThrow(/settings.title/);
  });
});
