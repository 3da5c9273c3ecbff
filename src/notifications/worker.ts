/*
 * The loop that drains an outbox (src/notifications/outbox.ts): a pass claims and attempts a batch
 * of due rows; the next pass follows at once when the batch was full, a moment after a wake-up
 * (something was enqueued in this process), and otherwise after the poll interval, which is how rows
 * enqueued by other processes, and retries falling due, are found. Passes of one worker overlap only
 * when it allows more than one (`maxPasses`); claims keep them on different rows. The HTTP server
 * keeps the process alive; the worker's timer alone does not.
 */

/** What a pass reports: how many rows it claimed (a full batch means more may be due). */
export type PassReport = { claimed: number };

export type WorkerLogger = { error(details: object, message: string): void };

/**
 * A wake-up comes from code still inside the transaction that enqueued: waiting this long lets it
 * commit first, and gathers the wake-ups of a burst into one pass. A pass that looks too early finds
 * the rows at the next poll.
 */
const WAKE_DELAY_MS = 25;

export class OutboxWorker<R extends PassReport> {
  readonly #name: string;
  readonly #pass: (stopping: AbortSignal) => Promise<R>;
  readonly #batchSize: number;
  readonly #logger: WorkerLogger;
  #pollMs = 1_000;
  #running = false;
  #stopping = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #dueAt = 0;
  readonly #maxPasses: number;
  readonly #active = new Set<Promise<unknown>>();
  #wokenDuringPass = false;
  readonly #wakeOn: ((wake: () => void) => () => void) | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: {
    name: string;
    /** One pass; once `stopping` is aborted it starts no new attempt and hands back the rows it has not begun. */
    pass: (stopping: AbortSignal) => Promise<R>;
    batchSize: number;
    logger: WorkerLogger;
    /** Subscribes `wake` to the in-process "something was enqueued" signal; returns the unsubscribe. */
    wakeOn?: (wake: () => void) => () => void;
    /**
     * Passes that may run at once (default 1). With 2, a wake-up during a pass that is still
     * sending or recording starts another one, which claims what was enqueued since.
     */
    maxPasses?: number;
  }) {
    this.#maxPasses = options.maxPasses ?? 1;
    this.#name = options.name;
    this.#pass = options.pass;
    this.#batchSize = options.batchSize;
    this.#logger = options.logger;
    this.#wakeOn = options.wakeOn;
  }

  /** Starts the loop: a pass now, then as described above. */
  start(pollMs: number): void {
    if (this.#running) throw new Error(`The ${this.#name} worker is already running`);
    this.#running = true;
    this.#stopping = new AbortController();
    this.#pollMs = pollMs;
    this.#unsubscribe = this.#wakeOn?.(() => this.wake());
    this.#schedule(0);
  }

  /** Asks for a pass soon (see WAKE_DELAY_MS); a no-op unless the loop runs. */
  wake(): void {
    if (!this.#running) return;
    if (this.#active.size >= this.#maxPasses) this.#wokenDuringPass = true;
    else this.#schedule(WAKE_DELAY_MS);
  }

  /**
   * Stops the loop; resolves once the passes that are running have finished the attempts they had
   * begun and handed back the rows they had not (runDeliveryPass), so another worker takes those at once.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#active]);
  }

  /** One pass, outside the loop (tests drive the outbox this way, with a manual clock). */
  runOnce(): Promise<R> {
    return this.#pass(new AbortController().signal);
  }

  /** Runs the next pass in `delayMs`, unless one is already due sooner. */
  #schedule(delayMs: number): void {
    const dueAt = Date.now() + delayMs;
    if (this.#timer && this.#dueAt <= dueAt) return;
    clearTimeout(this.#timer);
    this.#dueAt = dueAt;
    this.#timer = setTimeout(() => void this.#tick(), delayMs).unref();
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    if (!this.#running || this.#active.size >= this.#maxPasses) return;
    this.#wokenDuringPass = false;
    let full = false;
    const pass = this.#pass(this.#stopping.signal);
    this.#active.add(pass);
    try {
      full = (await pass).claimed >= this.#batchSize;
    } catch (error) {
      this.#logger.error({ worker: this.#name, err: error }, 'outbox pass failed');
    } finally {
      this.#active.delete(pass);
    }
    if (!this.#running) return;
    this.#schedule(full ? 0 : this.#wokenDuringPass ? WAKE_DELAY_MS : this.#pollMs);
  }
}
