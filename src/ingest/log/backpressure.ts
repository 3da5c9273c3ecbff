import type { Db } from '../../db/db.ts';
import type { Clock } from '../../shared/clock.ts';
import { type Backlog, readBacklog } from './ingest-log.ts';

/** How often the backlog is read again (a count over the log: cheap next to the appends it bounds). */
const REFRESH_MS = 250;

export type Refusal = { retryAfterSeconds: number };

/**
 * The bound on the backlog (docs/ingest.md, "Backpressure"): past INGEST_BACKLOG_MAX_EVENTS events
 * accepted and not yet applied, or an oldest one older than INGEST_BACKLOG_MAX_AGE_SECONDS, pushes
 * are refused (429) until the appliers catch up — an accepted event is never dropped. The figure is
 * database-wide, read at most every REFRESH_MS, plus what this process appended since; a refusal is
 * always confirmed by a fresh read.
 */
export class Backpressure {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #maxEvents: number;
  readonly #maxAgeMs: number;
  #known: Backlog = { events: 0, oldestAcceptedAt: null };
  #readAt = Number.NEGATIVE_INFINITY;
  #appendedSince = 0;
  /** When this process first appended since the last read: the oldest event the read cannot know. */
  #firstAppendSince: number | null = null;
  #reading: Promise<Backlog> | undefined;
  /** Events applied per second lately, by this process's appliers: what Retry-After is estimated from. */
  #applyRate = 0;

  constructor(deps: { db: Db; clock: Clock; maxEvents: number; maxAgeSeconds: number }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#maxEvents = deps.maxEvents;
    this.#maxAgeMs = deps.maxAgeSeconds * 1000;
  }

  /** Undefined when a push may be accepted; otherwise when to try again. */
  async check(): Promise<Refusal | undefined> {
    if (performance.now() - this.#readAt > REFRESH_MS) void this.#read().catch(() => {});
    const estimate = {
      events: this.#known.events + this.#appendedSince,
      oldestAcceptedAt: this.#known.oldestAcceptedAt ?? this.#firstAppendSince,
    };
    if (!this.#over(estimate)) return undefined;
    const fresh = await this.#read();
    const over = this.#over(fresh);
    if (!over) return undefined;
    const drainSeconds = this.#applyRate > 0 ? fresh.events / this.#applyRate : 5;
    return { retryAfterSeconds: Math.max(1, Math.min(60, Math.ceil(drainSeconds))) };
  }

  appended(events: number, acceptedAt: number): void {
    this.#appendedSince += events;
    this.#firstAppendSince ??= acceptedAt;
  }

  applied(events: number, durationMs: number): void {
    if (durationMs <= 0) return;
    const rate = (events * 1000) / durationMs;
    this.#applyRate = this.#applyRate === 0 ? rate : this.#applyRate * 0.8 + rate * 0.2;
  }

  #over(backlog: Backlog): boolean {
    if (backlog.events >= this.#maxEvents) return true;
    return (
      backlog.oldestAcceptedAt !== null && this.#clock.nowMs() - backlog.oldestAcceptedAt > this.#maxAgeMs
    );
  }

  #read(): Promise<Backlog> {
    if (!this.#reading) {
      const appendedBefore = this.#appendedSince;
      this.#reading = readBacklog(this.#db.q)
        .then((backlog) => {
          this.#known = backlog;
          this.#readAt = performance.now();
          this.#appendedSince -= appendedBefore;
          if (this.#appendedSince === 0) this.#firstAppendSince = null;
          return backlog;
        })
        .finally(() => {
          this.#reading = undefined;
        });
    }
    return this.#reading;
  }
}
