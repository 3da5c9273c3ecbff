import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

/** A load counting its calls, each answering `v<n>` for page `pageId`. */
function counting(pageId: number) {
  const counter = { loads: 0, load: async (): Promise<Value> => ({ pageId, text: `v${++counter.loads}` }) };
  return counter;
}

const text = async (value: Value | Promise<Value>) => (await value).text;

describe('RenderCache', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shares one load among concurrent readers and answers later reads without a promise', async () => {
    const cache = newRenderCache<Value>();
    const counter = counting(1);
    const [a, b] = await Promise.all([cache.get('k', counter.load), cache.get('k', counter.load)]);
    expect([a.text, b.text]).toEqual(['v1', 'v1']);
    const hit = cache.get('k', counter.load);
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as Value).text).toBe('v1');
    expect(counter.loads).toBe(1);
  });

  it('serves a rendering over half a second old while it renders the next, and waits past a second', async () => {
    const cache = newRenderCache<Value>();
    const counter = counting(1);
    await cache.get('k', counter.load);
    vi.advanceTimersByTime(700);
    // Stale but within bounds: the old bytes now, the new ones on the next read.
    expect(await text(cache.get('k', counter.load))).toBe('v1');
    await Promise.resolve();
    expect(await text(cache.get('k', counter.load))).toBe('v2');
    vi.advanceTimersByTime(1_500);
    expect(await text(cache.get('k', counter.load))).toBe('v3');
    expect(counter.loads).toBe(3);
  });

  it('never makes a reader wait for a render already under way, however old the rendering', async () => {
    const cache = newRenderCache<Value>();
    const next = deferred({ pageId: 6, text: 'new' });
    const answers = [Promise.resolve({ pageId: 6, text: 'old' }), next.promise];
    const load = () => answers.shift()!;
    await cache.get('k', load);
    vi.advanceTimersByTime(700);
    expect(await text(cache.get('k', load))).toBe('old');
    vi.advanceTimersByTime(5_000);
    expect(cache.get('k', load)).toEqual({ pageId: 6, text: 'old' });
    next.resolve();
    await next.promise;
    await Promise.resolve();
    // In place now; started 5 s ago by the clock, so the next read renders again (and waits).
    answers.push(Promise.resolve({ pageId: 6, text: 'newest' }));
    expect(await text(cache.get('k', load))).toBe('newest');
    expect(answers).toEqual([]);
  });

  it("renders a page's entries again when it changes, and leaves other pages' alone", async () => {
    const cache = newRenderCache<Value>();
    const one = counting(1);
    const two = counting(2);
    await cache.get('one', one.load);
    await cache.get('two', two.load);
    await pageChanged(1);
    // The new rendering is in place when pageChanged resolves: the writer's next read sees it.
    expect((cache.get('one', one.load) as Value).text).toBe('v2');
    expect((cache.get('two', two.load) as Value).text).toBe('v1');
  });

  it('discards a rendering still loading when the page changes: it may have read the page before', async () => {
    const cache = newRenderCache<Value>();
    const stale = deferred({ pageId: 3, text: 'read before the change' });
    const answers = [
      Promise.resolve({ pageId: 3, text: 'first' }),
      stale.promise,
      Promise.resolve({ pageId: 3, text: 'read after the change' }),
    ];
    const load = () => answers.shift()!;
    await cache.get('three', load);
    vi.advanceTimersByTime(2_500);
    const waiting = cache.get('three', load);
    const changed = pageChanged(3);
    stale.resolve();
    await changed;
    // The reader that was waiting gets what it waited for; the cache keeps the later rendering.
    expect(await text(waiting)).toBe('read before the change');
    expect(await text(cache.get('three', load))).toBe('read after the change');
  });

  it('drops a "no such page" when any page changes (the page may just have been created)', async () => {
    const cache = newRenderCache<Value>();
    await cache.get('new', async () => ({ pageId: undefined, text: 'not found' }));
    await pageChanged(99);
    expect(await text(cache.get('new', async () => ({ pageId: 99, text: 'created' })))).toBe('created');
  });

  it('does not keep a failed first load, and keeps serving a page whose background render failed', async () => {
    const cache = newRenderCache<Value>();
    await expect(cache.get('x', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    let fail = false;
    const load = async () => {
      if (fail) throw new Error('down');
      return { pageId: 4, text: 'up' };
    };
    expect(await text(cache.get('x', load))).toBe('up');
    fail = true;
    vi.advanceTimersByTime(700);
    expect(await text(cache.get('x', load))).toBe('up');
    await Promise.resolve();
    expect(await text(cache.get('x', load))).toBe('up');
  });

  it('drops a changed page whose new rendering failed: the next read loads afresh', async () => {
    const cache = newRenderCache<Value>();
    let fail = false;
    await cache.get('y', async () => {
      if (fail) throw new Error('down');
      return { pageId: 5, text: 'old' };
    });
    fail = true;
    await pageChanged(5);
    expect(await text(cache.get('y', async () => ({ pageId: 5, text: 'fresh' })))).toBe('fresh');
  });
});
