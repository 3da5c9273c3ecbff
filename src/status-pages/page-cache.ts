/*
 * The rendered public pages (HTML, summary.json, feeds), so a read costs a map lookup, never a
 * database read or a render. A rendering is served as stored for FRESH_MS; after that the next
 * read still gets it while a new one renders in the background (stale-while-revalidate), unless it
 * is older than MAX_STALE_MS with no render under way (a page not read for a while): then the
 * read waits for the new one.
 * So another process shows a change within FRESH_MS plus one or two renders. A change made through
 * this process re-renders the page's entries at once, and the writer waits for that
 * (`pageChanged`), so its next read sees the change while readers keep the previous bytes until
 * then. Entries are bounded (keys come from request paths). docs/status-pages.md.
 */

// Half a second, so a change made on another instance shows within a second (issue 27).
const FRESH_MS = 500;
const MAX_STALE_MS = 1_000;
const MAX_ENTRIES = 5_000;

type Entry<V> = {
  load: () => Promise<V>;
  /** The latest rendering, and when its load started (what it shows is at least that recent). */
  current: { value: V; at: number } | undefined;
  /** A render in flight; only the one of the latest generation replaces `current`. */
  loading: Promise<V> | undefined;
  generation: number;
  /** The page of `current` (undefined: not loaded yet, or "no such page"). */
  pageId: number | undefined;
};

export class RenderCache<V extends { pageId: number | undefined }> {
  readonly #entries = new Map<string, Entry<V>>();

  /** The rendering for `key`, from `load()` when there is none (a failed first load is not kept). */
  get(key: string, load: () => Promise<V>): V | Promise<V> {
    const entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      const created: Entry<V> = {
        load,
        current: undefined,
        loading: undefined,
        generation: 0,
        pageId: undefined,
      };
      this.#entries.set(key, created);
      return this.#refresh(key, created);
    }
    const current = entry.current;
    if (!current) return entry.loading ?? this.#refresh(key, entry);
    const age = Date.now() - current.at;
    // While a render is under way (after a change, or a refresh) readers keep the previous bytes.
    if (age < FRESH_MS || entry.loading) return current.value;
    if (age >= MAX_STALE_MS) return this.#refresh(key, entry);
    // Served as it is; a failed background render leaves it, and the next read tries again.
    this.#refresh(key, entry).catch(() => {});
    return current.value;
  }

  /** Starts a render of `entry` unless one is in flight; resolves to the rendering. */
  #refresh(key: string, entry: Entry<V>): Promise<V> {
    if (entry.loading) return entry.loading;
    const generation = entry.generation;
    const at = Date.now();
    const loading = entry.load().then(
      (value) => {
        if (entry.generation === generation) {
          entry.current = { value, at };
          entry.pageId = value.pageId;
          entry.loading = undefined;
        }
        return value;
      },
      (error: unknown) => {
        if (entry.generation === generation) {
          entry.loading = undefined;
          if (!entry.current && this.#entries.get(key) === entry) this.#entries.delete(key);
        }
        throw error;
      },
    );
    entry.loading = loading;
    return loading;
  }

  /**
   * Renders the page's entries again, dropping any render in flight (it may have read the page
   * before the change); entries whose page is not known are dropped, as a "no such page" may be
   * about a page just created. Resolves once the new renderings are in place (failures included:
   * those entries are then dropped, and the next read loads afresh).
   */
  async refreshPage(pageId: number): Promise<void> {
    const renders: Promise<unknown>[] = [];
    for (const [key, entry] of this.#entries) {
      if (entry.pageId === undefined) {
        this.#entries.delete(key);
      } else if (entry.pageId === pageId) {
        entry.generation += 1;
        entry.loading = undefined;
        renders.push(
          this.#refresh(key, entry).catch(() => {
            if (this.#entries.get(key) === entry) this.#entries.delete(key);
          }),
        );
      }
    }
    await Promise.all(renders);
  }
}

const caches = new Set<{ refreshPage(pageId: number): Promise<void> }>();

export function newRenderCache<V extends { pageId: number | undefined }>(): RenderCache<V> {
  const cache = new RenderCache<V>();
  caches.add(cache);
  return cache;
}

/**
 * Called after anything on a page changed (structure, events): its cached renderings are made
 * again; resolves when they are, so the caller's next read shows the change.
 */
export async function pageChanged(pageId: number): Promise<void> {
  await Promise.all([...caches].map((cache) => cache.refreshPage(pageId)));
}
