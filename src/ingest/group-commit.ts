import type { Db } from '../db/db.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';

type Executor = Db['q'];

type Job<I, O> = { input: I; resolve: (output: O) => void; reject: (error: unknown) => void };

/**
 * SQLSTATEs after which the same work may simply be tried again: deadlock detected, serialization
 * failure, and unique violation — two transactions created the same row (an open alert, a grouping
 * key's incident); run again, the batch finds the winner's row.
 */
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const MAX_ATTEMPTS = 3;

/**
 * Group commit: work submitted while a transaction is in flight waits, then runs together in the
 * next one, so a burst of requests costs one commit instead of one each. Every submitter's promise
 * settles only after the transaction holding its work committed — a 200 still means durable.
 * Work is given the whole batch, in submission order. If a batch fails, each item is retried alone, so one bad event
 * cannot fail its neighbours (unless the database is unavailable: then the whole batch fails at
 * once); deadlocks with other instances are retried.
 */
export class GroupCommit<I, O> {
  readonly #db: Db;
  readonly #work: (q: Executor, inputs: I[]) => Promise<O[]>;
  readonly #maxBatch: number;
  #pending: Job<I, O>[] = [];
  #running = false;

  /**
   * `maxBatch`: events per transaction at most. A batch's statements pass arrays, so their cost
   * grows slowly with its size: 50 Alertmanager requests of 20 alerts of one group, all in one lane,
   * fit one batch (at 256 they took four, and 25–45% more time).
   */
  constructor(db: Db, work: (q: Executor, inputs: I[]) => Promise<O[]>, maxBatch = 1024) {
    this.#db = db;
    this.#work = work;
    this.#maxBatch = maxBatch;
  }

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ input, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        // Let the event loop read the requests that are already waiting, so they join this batch.
        // PGlite runs a whole transaction in microtasks: without this, no request is read while a
        // batch runs, and every batch would hold one event.
        await new Promise((resolve) => setImmediate(resolve));
        const batch = this.#pending.splice(0, this.#maxBatch);
        await this.#runBatch(batch);
      }
    } finally {
      this.#running = false;
    }
  }

  async #runBatch(batch: Job<I, O>[]): Promise<void> {
    try {
      const outputs = await this.#transaction(batch);
      for (const [i, job] of batch.entries()) job.resolve(outputs[i]!);
    } catch (error) {
      // Alone, each would only wait for the same unavailable database again, one after another.
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const job of batch) job.reject(error);
        return;
      }
      for (const job of batch) await this.#runBatch([job]);
    }
  }

  async #transaction(batch: Job<I, O>[]): Promise<O[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.q.transaction().execute((trx) =>
          this.#work(
            trx,
            batch.map((job) => job.input),
          ),
        );
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (attempt >= MAX_ATTEMPTS || !code || !RETRYABLE.has(code)) throw error;
      }
    }
  }
}
