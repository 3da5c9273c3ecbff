import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { logDiscarded } from '../../alerts/noise-control.ts';
import type { Db } from '../../db/db.ts';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import type { Clock } from '../../shared/clock.ts';
import { INGEST_CHANNEL, INGEST_PARTITIONS } from '../log/ingest-log.ts';
import { applyEntries, type EntryResult, type LogEntry } from './apply-entries.ts';
import { claim, release } from './claim.ts';
import type { RoutingCache } from './route.ts';

type Executor = Db['q'];

type Logger = {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
};

/** What one applied batch did, for metrics (src/ingest/metrics.ts). */
export type BatchReport = {
  results: readonly EntryResult[];
  failed: number;
  durationMs: number;
  nowMs: number;
};

/** How often an idle applier looks anyway: others' appends are heard through NOTIFY when it can. */
const POLL_MS = 1_000;
const POLL_DEAF_MS = 100;
const RETRY_PAUSE_MS = 1_000;
/** How long a worker lets events gather after waking, or after a batch under SMALL_BATCH. */
const GATHER_MS = 20;
const SMALL_BATCH = 200;
/** Deadlock, serialization failure, unique violation (two creators of one row): run the batch again. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const MAX_ATTEMPTS = 10;

const isRetryable = (error: unknown) => RETRYABLE.has((error as { code?: string }).code ?? '');

/**
 * The background appliers of one process (docs/ingest.md). Each worker, in one transaction: claims
 * partitions of the log (advisory locks, skipping those another worker or instance holds), reads
 * their oldest entries in seq order, applies them (./apply-entries.ts) and deletes them — so a
 * process killed mid-batch leaves its entries to be applied by the next claim, and none twice.
 * A worker sleeps when it finds nothing, until an append of this process wakes it, another
 * instance's NOTIFY does, or POLL_MS passes.
 */
export class Applier {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #routing: RoutingCache;
  readonly #logger: Logger;
  readonly #workers: number;
  /** Entries claimed per transaction at most (INGEST_APPLY_BATCH_MAX): large batches make applying cheap. */
  readonly #batchMax: number;
  readonly #ready: () => boolean;
  readonly #observe: (report: BatchReport) => void;
  #stopped = false;
  #loops: Promise<void>[] = [];
  #wakes = 0;
  #sleepers = new Set<() => void>();
  #listening = false;
  #unlisten: () => Promise<void> = async () => {};
  #turn = 0;

  constructor(deps: {
    db: Db;
    clock: Clock;
    routing: RoutingCache;
    logger: Logger;
    workers: number;
    batchMax: number;
    /** False until the database is migrated: workers wait for it. */
    ready: () => boolean;
    observe?: (report: BatchReport) => void;
  }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#routing = deps.routing;
    this.#logger = deps.logger;
    this.#workers = deps.workers;
    this.#batchMax = deps.batchMax;
    this.#ready = deps.ready;
    this.#observe = deps.observe ?? (() => {});
  }

  start(): void {
    if (this.#workers === 0) return;
    if (this.#db.kind === 'postgres') {
      void this.#db
        .listen(INGEST_CHANNEL, {
          message: () => this.wake(),
          listening: (now) => {
            this.#listening = now;
            if (now) this.wake();
          },
        })
        .then((stop) => {
          if (this.#stopped) void stop();
          else this.#unlisten = stop;
        });
    }
    for (let worker = 0; worker < this.#workers; worker++) this.#loops.push(this.#loop(worker));
  }

  /** Something was appended: idle workers look at once. */
  wake(): void {
    this.#wakes++;
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
  }

  /** Stops after the batches in flight commit. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await Promise.all(this.#loops);
    await this.#unlisten();
  }

  async #loop(worker: number): Promise<void> {
    while (!this.#stopped && !this.#ready()) await this.#sleep(100);
    while (!this.#stopped) {
      const wakes = this.#wakes;
      let applied = 0;
      try {
        applied = await this.#batch(worker);
      } catch (error) {
        this.#logger.warn({ err: error, worker }, 'ingest apply failed; retrying');
        await this.#sleep(RETRY_PAUSE_MS);
        continue;
      }
      // Let the event loop read waiting requests: PGlite runs a whole transaction in microtasks, so
      // without this a draining backlog would keep this process from answering anything.
      await new Promise((resolve) => setImmediate(resolve));
      // A small batch costs nearly what a large one does: while events trickle in, let them gather
      // for a moment, so batches grow with the load instead of one per append.
      if (applied > 0 && applied < SMALL_BATCH) await sleep(GATHER_MS);
      if (applied > 0 || this.#wakes !== wakes) continue;
      await this.#sleep(this.#listening || this.#db.kind === 'pglite' ? POLL_MS : POLL_DEAF_MS);
      if (!this.#stopped) await sleep(GATHER_MS);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#sleepers.add(done);
    });
  }

  /** One batch, retried whole when it collided with another; the number of entries applied. */
  async #batch(worker: number): Promise<number> {
    // Each worker starts its claim at its own share of the partitions, turning, so that workers
    // (of this process and others) spread over the log instead of queueing for the same locks.
    const share = Math.ceil(INGEST_PARTITIONS / this.#workers);
    const first = (worker * share + this.#turn++) % INGEST_PARTITIONS;
    const order = Array.from({ length: INGEST_PARTITIONS }, (_, i) => (first + i) % INGEST_PARTITIONS);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const done = await this.#db.q.transaction().execute((trx) => this.#claimAndApply(trx, order, share));
        if (done.results.length + done.failed > 0) {
          for (const r of done.results)
            logDiscarded(this.#logger, r.entry.integrationId, [
              { alertKey: r.entry.event.alertKey, outcomes: r.outcomes },
            ]);
          this.#observe({ ...done, durationMs: performance.now() - started, nowMs: this.#clock.nowMs() });
        }
        return done.results.length + done.failed;
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      }
    }
  }

  /** claim → apply (./apply-entries.ts: process → route → lock → load → decide → write) → release. */
  async #claimAndApply(
    trx: Executor,
    order: readonly number[],
    share: number,
  ): Promise<{ results: EntryResult[]; failed: number }> {
    const entries = await claim(trx, order, share, this.#batchMax);
    if (entries.length === 0) return { results: [], failed: 0 };
    const outcome = await this.#applyOrSetAside(trx, entries);
    await release(trx, entries);
    return outcome;
  }

  /**
   * Applies the batch; if it fails for a reason of its own (not the database, not a collision with
   * another batch), applies its entries one by one, and sets aside in ingest_failed any that fails
   * alone — logged, kept for an operator — rather than block its partition for ever.
   */
  async #applyOrSetAside(
    trx: Executor,
    entries: readonly LogEntry[],
  ): Promise<{ results: EntryResult[]; failed: number }> {
    const attempt = async (batch: readonly LogEntry[]) => {
      await sql`savepoint apply_batch`.execute(trx);
      try {
        const results = await applyEntries(trx, this.#routing, batch);
        await sql`release savepoint apply_batch`.execute(trx);
        return results;
      } catch (error) {
        if (isDatabaseUnavailable(error) || isRetryable(error)) throw error;
        await sql`rollback to savepoint apply_batch`.execute(trx);
        return error as Error;
      }
    };
    const whole = await attempt(entries);
    if (!(whole instanceof Error)) return { results: whole, failed: 0 };
    const results: EntryResult[] = [];
    let failed = 0;
    for (const entry of entries) {
      const one = await attempt([entry]);
      if (!(one instanceof Error)) {
        results.push(...one);
        continue;
      }
      failed++;
      this.#logger.error(
        { err: one, seq: entry.seq, integration_id: entry.integrationId, alert_key: entry.event.alertKey },
        'an ingested event could not be applied; kept in ingest_failed',
      );
      await trx
        .insertInto('ingest_failed')
        .values({
          seq: entry.seq,
          partition: entry.partition,
          account_id: entry.accountId,
          integration_id: entry.integrationId,
          accepted_at: entry.acceptedAt,
          event: JSON.stringify(entry.event),
          failed_at: this.#clock.nowMs(),
          error: String(one.message ?? one),
        })
        .execute();
    }
    return { results, failed };
  }
}
