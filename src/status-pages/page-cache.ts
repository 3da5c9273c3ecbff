/*
 * The rendered public pages (HTML, summary.json, feeds), kept for a moment so a traffic spike costs
 * one render per page per TTL instead of one per request. A change made through this process drops
 * the page's entries at once; other processes see it within the TTL. Entries are bounded (keys come
 * from request paths).
 */

const TTL_MS = 1_000;
const MAX_ENTRIES = 5_000;

type Entry<V> = { pageId: number | undefined; at: number; value: Promise<V> };

export class RenderCache<V extends { pageId: number | undefined }> {
  readonly #entries = new Map<string, Entry<V>>();

  /** The cached value for `key`, or `load()`'s (a failed load is not kept). */
  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const cached = this.#entries.get(key);
    if (cached && now - cached.at < TTL_MS) return cached.value;
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    const value = load();
    const entry: Entry<V> = { pageId: undefined, at: now, value };
    this.#entries.set(key, entry);
    value.then(
      (loaded) => {
        entry.pageId = loaded.pageId;
      },
      () => this.#entries.delete(key),
    );
    return value;
  }

  /**
   * Drops the page's entries, and those whose page is not known: a rendering still loading may have
   * read the page before the change, and a "no such page" may be about a page just created.
   */
  forget(pageId: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.pageId === pageId || entry.pageId === undefined) this.#entries.delete(key);
    }
  }
}

const caches = new Set<{ forget(pageId: number): void }>();

export function newRenderCache<V extends { pageId: number | undefined }>(): RenderCache<V> {
  const cache = new RenderCache<V>();
  caches.add(cache);
  return cache;
}

/** Called after anything on a page changed (structure, events): its next view is rendered afresh. */
export function pageChanged(pageId: number): void {
  for (const cache of caches) cache.forget(pageId);
}
