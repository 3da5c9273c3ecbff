/*
 * The event mix of the ingestion benchmark (docs/benchmarks.md "Ingestion"): standard push bodies
 * over a fixed set of alert keys, drawn from a seeded pseudo-random generator —
 *
 * - 70% repeats of a firing alert (the same status, title and description: Vigil deduplicates them),
 * - 20% new alerts (a key that is not firing: never seen, or recovered),
 * - 10% recoveries (event_status Ok for a firing key),
 *
 * and, while started, a storm: new keys of one service, sent before anything else until all are.
 * Which key a draw takes depends on which are busy, so the exact sequence also depends on timing.
 *
 * The mix follows what it sent, not what Vigil answered: a key is firing from the moment its firing
 * event is sent. Two events for one key are never in flight at once (a connection's event for a key
 * waits for none of the others), so Vigil sees each key's events in the order they were made and
 * the alerts it should hold are known exactly: see `expected()`.
 */

const SERVICES = [
  'api',
  'auth',
  'billing',
  'cart',
  'catalog',
  'checkout',
  'search',
  'payments',
  'orders',
  'inventory',
  'shipping',
  'notifications',
  'users',
  'reports',
  'gateway',
  'cdn',
  'database',
  'cache',
  'queue',
  'mail',
] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-southeast-1'] as const;
const CHECKS = [
  { name: 'cpu', status: 'Critical', what: 'CPU above 90%' },
  { name: 'memory', status: 'Warning', what: 'memory above 85%' },
  { name: 'disk', status: 'Warning', what: 'disk above 80%' },
  { name: 'latency', status: 'Critical', what: 'p99 latency above 500 ms' },
] as const;
const HOSTS_PER_SERVICE = 25;

export type EventKind = 'repeat' | 'new' | 'recovery' | 'storm';
type Counts = Record<EventKind, number>;
const zero = (): Counts => ({ repeat: 0, new: 0, recovery: 0, storm: 0 });

/** mulberry32: a small seeded generator of floats in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A set of key indexes with O(1) add, remove and random pick. */
class KeySet {
  readonly #items: number[] = [];
  readonly #position: Int32Array;

  constructor(size: number) {
    this.#position = new Int32Array(size).fill(-1);
  }

  get size(): number {
    return this.#items.length;
  }

  add(key: number): void {
    if (this.#position[key] !== -1) return;
    this.#position[key] = this.#items.length;
    this.#items.push(key);
  }

  delete(key: number): void {
    const at = this.#position[key]!;
    if (at === -1) return;
    const last = this.#items.pop()!;
    if (last !== key) {
      this.#items[at] = last;
      this.#position[last] = at;
    }
    this.#position[key] = -1;
  }

  /** A random member that `usable` accepts: a few random tries, then one pass from a random start. */
  pick(random: () => number, usable: (key: number) => boolean): number | undefined {
    const n = this.#items.length;
    if (n === 0) return undefined;
    for (let i = 0; i < 8; i++) {
      const key = this.#items[Math.floor(random() * n)]!;
      if (usable(key)) return key;
    }
    const start = Math.floor(random() * n);
    for (let i = 0; i < n; i++) {
      const key = this.#items[(start + i) % n]!;
      if (usable(key)) return key;
    }
    return undefined;
  }
}

/** What the sending connection remembers about its request until the answer (autocannon's context). */
type Pending = { kind: EventKind; key: number; sentAt: number };
type Context = Record<string, unknown> & { pending?: Pending | undefined };

export type MixOptions = { keys: number; seed: number; stormKeys: number; stormService: string };

export class EventMix {
  readonly options: MixOptions;
  /** Events made and sent, by kind. */
  readonly sent: Counts = zero();
  /** 2xx answers, by kind. */
  readonly answered: Counts = zero();
  readonly storm: { startedAt?: number; lastAnsweredAt?: number; latenciesMs: number[] } = {
    latenciesMs: [],
  };

  readonly #random: () => number;
  readonly #firing: KeySet;
  readonly #idle: KeySet;
  readonly #busy: Uint8Array;
  readonly #fire: string[];
  readonly #recover: string[];
  #stormArmed = false;

  constructor(options: MixOptions) {
    this.options = options;
    this.#random = seeded(options.seed);
    this.#firing = new KeySet(options.keys);
    this.#idle = new KeySet(options.keys);
    this.#busy = new Uint8Array(options.keys);
    this.#fire = [];
    this.#recover = [];
    for (let i = 0; i < options.keys; i++) {
      this.#idle.add(i);
      const service = SERVICES[i % SERVICES.length]!;
      const n = Math.floor(i / SERVICES.length);
      const host = `${service}-${String(n % HOSTS_PER_SERVICE).padStart(2, '0')}`;
      const check = CHECKS[Math.floor(n / HOSTS_PER_SERVICE) % CHECKS.length]!;
      const round = Math.floor(n / (HOSTS_PER_SERVICE * CHECKS.length));
      const region = REGIONS[(n % HOSTS_PER_SERVICE) % REGIONS.length]!;
      const event = {
        alert_key: `${service}/${host}/${check.name}${round > 0 ? `/${round}` : ''}`,
        title_rule: `${check.name} on ${host}`,
        description: `${check.what} on ${host} (${region})`,
        labels: { service, host, region },
      };
      this.#fire.push(JSON.stringify({ event_status: check.status, ...event }));
      this.#recover.push(JSON.stringify({ event_status: 'Ok', ...event }));
    }
  }

  /** From the next event on, the storm's keys are sent before anything else until all are sent. */
  startStorm(): void {
    this.#stormArmed = true;
  }

  /** Ends the storm, whether or not all its keys were sent. */
  stopStorm(): void {
    this.#stormArmed = false;
  }

  /** Firing keys, as far as what was sent goes. */
  get firing(): number {
    return this.#firing.size;
  }

  /** The body of the next event; `context` is the sending connection's (see `answer`). */
  next(context: Context): string {
    const now = performance.now();
    if (this.#stormArmed && this.sent.storm < this.options.stormKeys) {
      this.storm.startedAt ??= now;
      const i = this.sent.storm++;
      context.pending = { kind: 'storm', key: i, sentAt: now };
      const host = `${this.options.stormService}-storm-${String(i).padStart(3, '0')}`;
      return JSON.stringify({
        event_status: 'Critical',
        alert_key: `storm/${host}`,
        title_rule: `connection refused on ${host}`,
        description: `${host} cannot reach its upstream`,
        labels: { service: this.options.stormService, host, region: REGIONS[i % REGIONS.length] },
      });
    }
    const r = this.#random();
    const order: readonly EventKind[] =
      r < 0.7
        ? ['repeat', 'new', 'recovery']
        : r < 0.9
          ? ['new', 'repeat', 'recovery']
          : ['recovery', 'repeat', 'new'];
    for (const kind of order) {
      const key = (kind === 'new' ? this.#idle : this.#firing).pick(this.#random, (k) => this.#busy[k] === 0);
      if (key !== undefined) return this.#send(kind, key, context, now);
    }
    // Every key busy (only when answers are lost): repeat a firing key, or fire an idle one, anyway.
    const key = this.#firing.pick(this.#random, () => true);
    return key !== undefined
      ? this.#send('repeat', key, context, now)
      : this.#send('new', this.#idle.pick(this.#random, () => true)!, context, now);
  }

  #send(kind: EventKind, key: number, context: Context, now: number): string {
    this.sent[kind]++;
    this.#busy[key] = 1;
    context.pending = { kind, key, sentAt: now };
    if (kind === 'new') {
      this.#idle.delete(key);
      this.#firing.add(key);
    } else if (kind === 'recovery') {
      this.#firing.delete(key);
      this.#idle.add(key);
    }
    return kind === 'recovery' ? this.#recover[key]! : this.#fire[key]!;
  }

  /** An answer to the request `context` sent. */
  answer(status: number, context: Context): void {
    const pending = context.pending;
    if (!pending) return;
    context.pending = undefined;
    if (status < 200 || status > 299) return; // the key stays busy until settle()
    this.answered[pending.kind]++;
    if (pending.kind === 'storm') {
      const now = performance.now();
      this.storm.lastAnsweredAt = now;
      this.storm.latenciesMs.push(now - pending.sentAt);
    } else {
      this.#busy[pending.key] = 0;
    }
  }

  /** After a load: requests cut off at its end were sent, so their keys are free to use again. */
  settle(): void {
    this.#busy.fill(0);
  }

  /** The alerts Vigil should hold for what was sent (nothing else pushed to this integration). */
  expected(): { alerts: number; recovered: number; open: number; storedEvents: number } {
    const { new: created, recovery, storm } = this.sent;
    return {
      alerts: created + storm,
      recovered: recovery,
      open: this.#firing.size + storm,
      // Repeats are deduplicated, not stored.
      storedEvents: created + recovery + storm,
    };
  }
}
