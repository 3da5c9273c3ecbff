import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/db.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import type { TestDatabase } from '../harness/database.ts';
import { consoleCall, emailOf, setPassword, signIn } from './helpers.ts';

/*
 * GET /console/events (docs/console.md, "Live updates") over real sockets: the session cookie
 * authenticates it, it names only the changed incidents of the member's own account, a change made
 * through a second instance on the same database arrives, heartbeats flow, a session holds at most
 * three streams, and signing out ends them. On PGlite and PostgreSQL (TEST_DATABASE_URL).
 */

type Event = { event: string; data: any } | { comment: string };

/** An open event stream, parsed as it arrives. */
class Stream {
  readonly events: Event[] = [];
  ended = false;
  readonly #controller = new AbortController();
  #waiters: (() => void)[] = [];

  static async open(
    base: string,
    cookie: string | undefined,
  ): Promise<{ status: number; stream?: Stream; body?: any }> {
    const stream = new Stream();
    const response = await fetch(`${base}/console/events`, {
      headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) },
      signal: stream.#controller.signal,
    });
    if (response.status !== 200) return { status: response.status, body: await response.json() };
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    void stream.#read(response.body!);
    return { status: 200, stream };
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          this.#parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
        this.#wake();
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
    this.#wake();
  }

  #parse(block: string): void {
    let event = 'message';
    let data: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.events.push({ comment: line.slice(1).trim() });
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data = line.slice(6);
    }
    if (data !== undefined) this.events.push({ event, data: JSON.parse(data) });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Waits (at most `ms`) until `test` holds for what arrived so far. */
  async until(test: (s: Stream) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test(this)) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`stream: condition not met within ${ms} ms; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  changed(): string[] {
    return this.events.flatMap((e) => ('event' in e && e.event === 'incidents' ? e.data.incident_ids : []));
  }

  close(): void {
    this.#controller.abort();
  }
}

let a: TestApp;
let b: TestApp;
let second: TestDatabase | undefined;
let baseA: string;
let owner: TestAccount;
let other: TestAccount;
let cookie: string;
let otherCookie: string;

async function sessionOf(t: TestApp, account: TestAccount): Promise<{ cookie: string; csrf: string }> {
  const email = await emailOf(t, account);
  await setPassword(t, email);
  const result = await signIn(t, email);
  return result.session!;
}

async function newIncident(t: TestApp, account: TestAccount, title: string): Promise<string> {
  const res = await t.post('/incident/create', { incident_severity: 'Warning', title }, account.appKey);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.incident_id;
}

beforeAll(async () => {
  a = await startTestApp({ env: { CONSOLE_HEARTBEAT_SECONDS: '1' } });
  // A second instance on the same database, as two `vigil serve` behind a load balancer: on
  // PostgreSQL with its own connection pool (PGlite serves one process: the same handle).
  const url = a.database.url;
  second = url ? { db: await openDb({ databaseUrl: url }), url, drop: async () => {} } : a.database;
  b = await startTestApp({ database: second });
  baseA = await a.app.listen({ port: 0, host: '127.0.0.1' });
  owner = await a.newAccount('Live');
  other = await a.newAccount('Elsewhere');
  cookie = (await sessionOf(a, owner)).cookie;
  otherCookie = (await sessionOf(a, other)).cookie;
}, 60_000);

afterAll(async () => {
  await b?.app.close();
  if (second && second !== a.database) await second.db.close();
  await a?.close();
});

describe('GET /console/events', () => {
  it('needs a live session', async () => {
    const none = await Stream.open(baseA, undefined);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('Unauthorized');
    const forged = await Stream.open(baseA, 'vigil_session=not-a-session');
    expect(forged.status).toBe(401);
  });

  it("names the account's changed incidents, made through either instance, and never another account's", {
    timeout: 30_000,
  }, async () => {
    const { stream } = await Stream.open(baseA, cookie);
    await stream!.until((s) => s.events.some((e) => 'event' in e && e.event === 'ready'));
    try {
      // Another account's incident first, then ours: ours arrives, theirs never does.
      const theirs = await newIncident(a, other, 'Their outage');
      const created = await newIncident(a, owner, 'Our outage');
      await stream!.until((s) => s.changed().includes(created));
      // A change made through instance B reaches the stream on instance A.
      const viaB = await b.post(
        '/incident/comment',
        { incident_ids: [created], comment: 'from B' },
        owner.appKey,
      );
      expect(viaB.status).toBe(200);
      const before = stream!.changed().length;
      await stream!.until((s) => s.changed().length > before);
      // Their later change, then ours again, to be sure theirs had its chance to arrive.
      await b.post('/incident/comment', { incident_ids: [theirs], comment: 'theirs' }, other.appKey);
      await a.post('/incident/ack', { incident_ids: [created] }, owner.appKey);
      const count = stream!.changed().length;
      await stream!.until((s) => s.changed().length > count);
      expect(stream!.changed()).not.toContain(theirs);
      expect(new Set(stream!.changed())).toEqual(new Set([created]));
    } finally {
      stream!.close();
    }
  });

  it('sends heartbeats', { timeout: 10_000 }, async () => {
    const { stream } = await Stream.open(baseA, cookie);
    try {
      await stream!.until((s) => s.events.some((e) => 'comment' in e && e.comment === 'heartbeat'));
    } finally {
      stream!.close();
    }
  });

  it('opens at most three streams per session, and signing out ends them', { timeout: 20_000 }, async () => {
    // A second session of the owner (its password is set: setting it again would end `cookie`).
    const session = (await signIn(a, await emailOf(a, owner))).session!;
    const streams: Stream[] = [];
    for (let i = 0; i < 3; i++) {
      const opened = await Stream.open(baseA, session.cookie);
      expect(opened.status).toBe(200);
      streams.push(opened.stream!);
    }
    const fourth = await Stream.open(baseA, session.cookie);
    expect(fourth.status).toBe(429);
    expect(fourth.body.error.code).toBe('RequestTooFrequently');
    // Another session of the same member is counted apart.
    const elsewhere = await Stream.open(baseA, cookie);
    expect(elsewhere.status).toBe(200);
    elsewhere.stream!.close();
    // Another account's session too.
    const theirs = await Stream.open(baseA, otherCookie);
    expect(theirs.status).toBe(200);
    theirs.stream!.close();

    // A closed stream frees its place.
    streams.pop()!.close();
    await expect
      .poll(async () => {
        const again = await Stream.open(baseA, session.cookie);
        if (again.stream) streams.push(again.stream);
        return again.status;
      })
      .toBe(200);

    const out = await consoleCall(a, '/console/sign-out', {}, session);
    expect(out.status).toBe(200);
    for (const stream of streams) {
      await stream.until((s) => s.ended, 10_000);
      expect(stream.events.some((e) => 'event' in e && e.event === 'signed-out')).toBe(true);
    }
    expect((await Stream.open(baseA, session.cookie)).status).toBe(401);
  });
});
