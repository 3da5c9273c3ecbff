/**
 * Values loaded on demand and reused for `ttlMs`, or until `clear()`: for configuration read on
 * every event (an integration by its key, where its events go). A failed load is not kept.
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { at: number; value: Promise<V> }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const cached = this.#entries.get(key);
    if (cached && now - cached.at < this.#ttlMs) return cached.value;
    // Keys come from requests: bound the memory an attacker (or a misconfigured sender) can fill.
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    const value = load();
    this.#entries.set(key, { at: now, value });
    value.catch(() => this.#entries.delete(key));
    return value;
  }

  clear(): void {
    this.#entries.clear();
  }
}
