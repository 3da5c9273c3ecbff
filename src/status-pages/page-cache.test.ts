import { describe, expect, it } from 'vitest';
import { newRenderCache, pageChanged } from './page-cache.ts';

type Value = { pageId: number | undefined; text: string };

/** A load that resolves when told: to look at the cache while a rendering is in flight. */
function deferred(value: Value) {
  let resolve!: () => void;
  const promise = new Promise<Value>((r) => {
    resolve = () => r(value);
  });
  return { promise, resolve };
}

describe('RenderCache', () => {
  it('shares one load among concurrent readers and keeps its result', async () => {
    const cache = newRenderCache<Value>();
    let loads = 0;
    const load = async () => {
      loads += 1;
      return { pageId: 1, text: `v${loads}` };
    };
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a.text, b.text, (await cache.get('k', load)).text]).toEqual(['v1', 'v1', 'v1']);
    expect(loads).toBe(1);
  });

  it("forgets a page's renderings when it changes, and leaves other pages' alone", async () => {
    const cache = newRenderCache<Value>();
    await cache.get('one', async () => ({ pageId: 1, text: 'old' }));
    await cache.get('two', async () => ({ pageId: 2, text: 'kept' }));
    pageChanged(1);
    expect((await cache.get('one', async () => ({ pageId: 1, text: 'new' }))).text).toBe('new');
    expect((await cache.get('two', async () => ({ pageId: 2, text: 'reloaded' }))).text).toBe('kept');
  });

  it('drops a rendering still loading when a page changes: it may have read the page before', async () => {
    const cache = newRenderCache<Value>();
    const stale = deferred({ pageId: 3, text: 'read before the change' });
    const first = cache.get('three', () => stale.promise);
    pageChanged(3);
    stale.resolve();
    expect((await first).text).toBe('read before the change');
    expect((await cache.get('three', async () => ({ pageId: 3, text: 'fresh' }))).text).toBe('fresh');
  });

  it('does not keep a failed load', async () => {
    const cache = newRenderCache<Value>();
    await expect(cache.get('x', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect((await cache.get('x', async () => ({ pageId: 4, text: 'up' }))).text).toBe('up');
  });
});
