import type { Db } from '../db/db.ts';
import type { Capabilities } from '../notifications/preferences.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import type { Clock } from '../shared/clock.ts';

/*
 * The background engine (GoAlert's idea): a list of modules, each re-deriving from the database
 * what is due at `nowMs` and doing it, run one after another in a cycle on a ticker. Timers are
 * rows (snoozed_before, a channel's auto-resolve deadline, ...), never in-memory timeouts, so a
 * restarted or second instance finds the same due work. Every module must be safe to run on any
 * number of instances at once and to run again after a crash: it claims rows with conditional
 * updates or row locks taken with SKIP LOCKED, so one due item changes once. docs/engine.md.
 */

const wakeListeners = new Set<() => void>();

/**
 * Asks the running engines of this process for a cycle soon: new due work was just created (an
 * incident opened) or a module stopped with work left. Called from inside the creating transaction,
 * so the cycle follows after WAKE_DELAY_MS; one that looks too early is followed by the interval's.
 */
export function requestEngineCycle(): void {
  for (const listener of wakeListeners) listener();
}

/** Lets the creating transaction commit first, and gathers the requests of a burst into one cycle. */
const WAKE_DELAY_MS = 25;

export type EngineDeps = {
  db: Db;
  clock: Clock;
  /** What the deployment can deliver (SMTP, the phone gateway), for modules that notify people. */
  capabilities?: Capabilities;
  /** Days the audit log keeps an entry (AUDIT_RETENTION_DAYS); absent: 180. */
  auditRetentionDays?: number;
  /** Where Statuspage migrations read (STATUSPAGE_API_URL) and what they may reach (OUTBOUND_ALLOW). */
  statuspage?: { apiUrl: string; outboundAllow: OutboundAllow };
};

export type EngineModule = {
  /** Names the module in logs and in the cycle report. */
  name: string;
  /** Does what is due at `nowMs`; returns how many items it changed. */
  run(deps: EngineDeps, nowMs: number): Promise<number>;
};

/** The part of a pino logger the engine writes to (Fastify's `app.log` is one). */
export type EngineLogger = {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
};

/** What one cycle did: items changed per module that ran, and the modules that failed. */
export type CycleReport = { changed: Record<string, number>; failed: string[] };

/** Told of every cycle of the loop (src/jobs/metrics.ts): its report, its wall time, when it ended. */
export type CycleObserver = (cycle: { report: CycleReport; durationMs: number; endMs: number }) => void;

export class Engine {
  readonly #deps: EngineDeps;
  readonly #modules: readonly EngineModule[];
  readonly #logger: EngineLogger;
  readonly #onCycle: CycleObserver | undefined;
  /** The running loop; a loop whose token is no longer this one stops after its cycle. */
  #loop: object | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cycle: Promise<unknown> | undefined;
  /** A cycle was requested while one ran: the next follows after WAKE_DELAY_MS, not the interval. */
  #requested = false;
  #dueAt = 0;
  #tick: (() => Promise<void>) | undefined;
  readonly #wake = () => this.#request();

  constructor(
    options: EngineDeps & { modules: readonly EngineModule[]; logger: EngineLogger; onCycle?: CycleObserver },
  ) {
    this.#onCycle = options.onCycle;
    this.#deps = {
      db: options.db,
      clock: options.clock,
      ...(options.capabilities ? { capabilities: options.capabilities } : {}),
      ...(options.auditRetentionDays ? { auditRetentionDays: options.auditRetentionDays } : {}),
      ...(options.statuspage ? { statuspage: options.statuspage } : {}),
    };
    this.#modules = options.modules;
    this.#logger = options.logger;
  }

  /**
   * Runs a cycle now, then another `intervalMs` after each one ends: one loop, so cycles of one
   * engine never overlap however long a cycle takes (nor with a cycle still finishing after stop).
   */
  start(intervalMs: number): void {
    if (this.#loop) throw new Error('The engine is already running');
    const loop = {};
    this.#loop = loop;
    const tick = async () => {
      this.#timer = undefined;
      // A cycle of a loop stopped just before this start is let finish first.
      await this.#cycle;
      if (this.#loop !== loop) return;
      this.#requested = false;
      const startedAt = performance.now();
      const cycle = this.runOnce(this.#deps.clock.nowMs());
      this.#cycle = cycle;
      const report = await cycle;
      this.#onCycle?.({ report, durationMs: performance.now() - startedAt, endMs: Date.now() });
      if (this.#cycle === cycle) this.#cycle = undefined;
      if (this.#loop === loop) this.#schedule(tick, this.#requested ? WAKE_DELAY_MS : intervalMs);
    };
    this.#tick = tick;
    wakeListeners.add(this.#wake);
    this.#schedule(tick, 0);
  }

  /** A cycle soon (requestEngineCycle): after the running one, or in WAKE_DELAY_MS if none runs. */
  #request(): void {
    if (!this.#loop || !this.#tick) return;
    if (this.#cycle) this.#requested = true;
    else if (this.#timer && this.#dueAt > Date.now() + WAKE_DELAY_MS) {
      clearTimeout(this.#timer);
      this.#schedule(this.#tick, WAKE_DELAY_MS);
    }
  }

  /** Stops the loop; resolves once a cycle that is running has finished. */
  async stop(): Promise<void> {
    this.#loop = undefined;
    wakeListeners.delete(this.#wake);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#cycle;
  }

  /**
   * Runs every module once, in order, for the moment `nowMs`. A module that throws is logged and
   * reported; the others still run. Never rejects.
   */
  async runOnce(nowMs: number): Promise<CycleReport> {
    const report: CycleReport = { changed: {}, failed: [] };
    for (const module of this.#modules) {
      try {
        const changed = await module.run(this.#deps, nowMs);
        report.changed[module.name] = changed;
        if (changed > 0) this.#logger.info({ module: module.name, changed }, 'engine module changed items');
      } catch (error) {
        report.failed.push(module.name);
        this.#logger.error({ module: module.name, err: error }, 'engine module failed');
      }
    }
    return report;
  }

  #schedule(tick: () => Promise<void>, delayMs: number): void {
    // The HTTP server keeps the process alive; the engine's timer alone must not.
    this.#dueAt = Date.now() + delayMs;
    this.#timer = setTimeout(tick, delayMs).unref();
  }
}
