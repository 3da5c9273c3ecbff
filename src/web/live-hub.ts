import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/db.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { liveSessionHashes, readIncidentChanges } from './live.store.ts';
import { byAccount, ChangeCursor } from './live-cursor.ts';

/*
 * The console's live updates (docs/console.md, "Live updates"): the open event streams of this
 * process, and one shared poller that, only while a stream is open, reads which incidents of
 * those streams' accounts were written since it last looked (live.store.ts, about once a second)
 * and tells each account's streams. Because it reads the database, a change made through any
 * instance reaches streams on every instance. Heartbeats keep proxies from closing idle streams;
 * streams whose session ended (signed out, expired, member disabled) are closed.
 */

/** One open stream: what the route gives the hub. */
export type LiveStream = {
  accountId: number;
  sessionHash: string;
  /** Writes raw text-event-stream lines; the route owns the socket. */
  write(chunk: string): void;
  /** Ends the response (the hub has already forgotten the stream). */
  end(): void;
};

export type LiveHubOptions = {
  pollMs: number;
  heartbeatMs: number;
  sessionCheckMs: number;
  maxStreamsPerSession: number;
};

const LIVE_DEFAULTS: LiveHubOptions = {
  pollMs: 1000,
  heartbeatMs: 25_000,
  sessionCheckMs: 5000,
  /**
   * A browser opens at most 6 HTTP/1.1 connections to a host, shared by its tabs: three streams
   * leave room for the console's calls. Further tabs of the session poll instead.
   */
  maxStreamsPerSession: 3,
};

/** One server-sent event: `event: <name>` and its JSON data. */
export function sseEvent(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class LiveHub {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: FastifyBaseLogger | undefined;
  readonly #options: LiveHubOptions;
  readonly #streams = new Set<LiveStream>();
  readonly #cursor = new ChangeCursor();
  #poll: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastSessionCheck = 0;
  #ticking = false;
  #restart = true;
  #closed = false;

  constructor(
    deps: { db: Db; clock: Clock; logger?: FastifyBaseLogger },
    options: Partial<LiveHubOptions> = {},
  ) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.logger;
    this.#options = { ...LIVE_DEFAULTS, ...options };
  }

  get maxStreamsPerSession(): number {
    return this.#options.maxStreamsPerSession;
  }

  /** How many streams this session has open here. */
  streamsOf(sessionHash: string): number {
    let n = 0;
    for (const stream of this.#streams) if (stream.sessionHash === sessionHash) n += 1;
    return n;
  }

  /** Adds a stream (the route checked the session and the cap) and starts the poller if it was idle. */
  add(stream: LiveStream): void {
    if (this.#closed) {
      stream.end();
      return;
    }
    this.#streams.add(stream);
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatMs);
      this.#heartbeat.unref();
    }
    if (!this.#poll && !this.#ticking) this.#schedule(0);
  }

  /** Forgets a stream (its client went away); the poller stops with the last one. */
  remove(stream: LiveStream): void {
    this.#streams.delete(stream);
    if (this.#streams.size === 0) this.#idle();
  }

  /** Ends every stream and stops (the server is closing). */
  close(): void {
    this.#closed = true;
    for (const stream of [...this.#streams]) this.#drop(stream);
    this.#idle();
  }

  #idle(): void {
    if (this.#poll) clearTimeout(this.#poll);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#poll = undefined;
    this.#heartbeat = undefined;
    // Restarted later from the then-current point: a new stream reloads what it shows anyway.
    this.#restart = true;
  }

  #schedule(delayMs: number): void {
    this.#poll = setTimeout(() => void this.#tick(), delayMs);
    this.#poll.unref();
  }

  async #tick(): Promise<void> {
    this.#poll = undefined;
    this.#ticking = true;
    try {
      if (this.#restart) {
        const { xmin } = await readIncidentChanges(this.#db.q, undefined, []);
        this.#cursor.startAt(xmin);
        this.#restart = false;
      } else {
        const accounts = [...new Set([...this.#streams].map((s) => s.accountId))];
        const { rows, xmin } = await readIncidentChanges(this.#db.q, this.#cursor.low, accounts);
        const fresh = this.#cursor.accept(rows, xmin);
        for (const [accountId, ids] of byAccount(fresh)) {
          const event = sseEvent('incidents', { incident_ids: ids });
          for (const stream of this.#streams) if (stream.accountId === accountId) stream.write(event);
        }
      }
      // Wall time, not the injected clock: this is transport, and tests move their clock rarely.
      if (Date.now() - this.#lastSessionCheck >= this.#options.sessionCheckMs) await this.#checkSessions();
    } catch (error) {
      this.#log?.warn({ err: error }, 'console live updates: a read failed; trying again');
    } finally {
      this.#ticking = false;
    }
    if (this.#streams.size > 0 && !this.#closed && !this.#poll) this.#schedule(this.#options.pollMs);
  }

  async #checkSessions(): Promise<void> {
    this.#lastSessionCheck = Date.now();
    const hashes = [...new Set([...this.#streams].map((s) => s.sessionHash))];
    const live = await liveSessionHashes(this.#db.q, hashes, nowSeconds(this.#clock));
    for (const stream of [...this.#streams]) {
      if (live.has(stream.sessionHash)) continue;
      stream.write(sseEvent('signed-out', {}));
      this.#drop(stream);
    }
    if (this.#streams.size === 0) this.#idle();
  }

  #beat(): void {
    for (const stream of this.#streams) stream.write(': heartbeat\n\n');
  }

  #drop(stream: LiveStream): void {
    this.#streams.delete(stream);
    stream.end();
  }
}
