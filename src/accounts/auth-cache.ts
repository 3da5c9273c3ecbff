import type { Db } from '../db/db.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import { findKeyOwner, type KeyOwner } from './app-keys.store.ts';
import { type AccountRow, getAccount } from './members.store.ts';

/** The channel migration 0060's triggers notify when app keys, members, roles or accounts change. */
const CHANNEL = 'vigil_auth';
/** A backstop only: a change anywhere clears everything at once (see AuthCache). */
const TTL_MS = 60_000;

/** The caches of this process, by database: what `authChanged` clears. */
const open = new Map<Db, Set<AuthCache>>();

/**
 * Called by this process's services once a change to keys, members, roles or an account has
 * committed: its own next call sees the change at once, without waiting for the notification that
 * tells the other instances.
 */
export function authChanged(db: Db): void {
  for (const cache of open.get(db) ?? []) cache.clear();
}

/**
 * What every authenticated call reads, kept in process so that a call costs no database round trip
 * besides its own work: the member behind each app key (with their roles) and each account's row.
 *
 * Any instance's change to those tables is heard through LISTEN (migration 0060) and clears every
 * entry, so a disabled or deleted key stops working on every instance as soon as its change
 * commits. Changes there are rare (people and keys, not events), so clearing all is both simple and
 * cheap. While notifications may be missed (PostgreSQL's listening connection is down), nothing is
 * kept: every call reads the database, as it would without the cache.
 */
export class AuthCache {
  readonly #db: Db;
  readonly #owners = new TtlCache<string, KeyOwner | undefined>(TTL_MS);
  readonly #accounts = new TtlCache<number, AccountRow | undefined>(TTL_MS);
  #listening = false;
  #stop: () => Promise<void> = async () => {};

  private constructor(db: Db) {
    this.#db = db;
  }

  static async open(db: Db): Promise<AuthCache> {
    const cache = new AuthCache(db);
    cache.#stop = await db.listen(CHANNEL, {
      message: () => cache.clear(),
      listening: (now) => {
        cache.clear();
        cache.#listening = now;
      },
    });
    open.set(db, (open.get(db) ?? new Set()).add(cache));
    return cache;
  }

  /** The enabled member behind an enabled key's digest, or undefined. */
  keyOwner(keyHash: string): Promise<KeyOwner | undefined> {
    const load = () => findKeyOwner(this.#db, keyHash);
    return this.#listening ? this.#owners.get(keyHash, load) : load();
  }

  account(accountId: number): Promise<AccountRow | undefined> {
    const load = () => getAccount(this.#db.q, accountId);
    return this.#listening ? this.#accounts.get(accountId, load) : load();
  }

  close(): Promise<void> {
    this.#listening = false;
    open.get(this.#db)?.delete(this);
    return this.#stop();
  }

  /** Forgets everything kept. */
  clear(): void {
    this.#owners.clear();
    this.#accounts.clear();
  }
}
