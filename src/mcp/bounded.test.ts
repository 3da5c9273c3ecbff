import { describe, expect, it } from 'vitest';
import { bounded } from './bounded.ts';

describe('bounded', () => {
  it('leaves a small answer as it is', () => {
    const answer = { items: [1, 2, 3], has_next_page: false };
    expect(bounded(answer, 1000)).toBe(answer);
  });

  it('cuts the longest list until the answer fits, and says so', () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ id: i, text: 'x'.repeat(50) }));
    const cut = bounded({ items, total: 200 }, 2000) as {
      items: unknown[];
      truncated: boolean;
      hint: string;
    };
    expect(JSON.stringify(cut).length).toBeLessThanOrEqual(2000 + 200);
    expect(cut.items.length).toBeGreaterThan(0);
    expect(cut.items.length).toBeLessThan(200);
    expect(cut.items[0]).toEqual(items[0]);
    expect(cut).toMatchObject({ truncated: true, total: 200 });
    expect(cut.hint).toMatch(/smaller limit/);
  });

  it('cuts nested lists (one incident among several) and a bare text to a preview', () => {
    const incidents = [
      { id: 'a', items: Array.from({ length: 100 }, () => 'y'.repeat(100)) },
      { id: 'b', items: [] },
    ];
    const cut = bounded({ incidents }, 3000) as { incidents: { items: unknown[] }[]; truncated: boolean };
    expect(cut.truncated).toBe(true);
    expect(cut.incidents[0]!.items.length).toBeLessThan(100);
    // The preview is the start of the JSON text.
    expect(bounded('z'.repeat(5000), 100)).toMatchObject({ truncated: true, preview: `"${'z'.repeat(99)}` });
  });
});
