import { describe, expect, it } from 'vitest';
import { newObjectId, newSecret, newUlid } from './ids.ts';

describe('ids', () => {
  it('makes 24-hex ObjectIDs whose first 4 bytes are the creation second, ordered within a second', () => {
    const at = Date.UTC(2026, 3, 1, 12, 0, 0);
    const ids = Array.from({ length: 1000 }, () => newObjectId(at));
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(Number.parseInt(ids[0]!.slice(0, 8), 16)).toBe(at / 1000);
    expect(new Set(ids).size).toBe(ids.length);
    const later = newObjectId(at + 1000);
    expect(later > ids[ids.length - 1]!).toBe(true);
  });

  it('makes ULIDs that sort in creation order', () => {
    const ids = Array.from({ length: 100 }, () => newUlid());
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('makes hex secrets of the asked length', () => {
    expect(newSecret(16)).toMatch(/^[0-9a-f]{32}$/);
    expect(newSecret(16)).not.toBe(newSecret(16));
  });
});
