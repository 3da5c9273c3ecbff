import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';

/*
 * What the fake sources share: an HTTP server on 127.0.0.1 with its own token check, faults a test
 * switches on (a 500 on some path for a number of calls, 429s with Retry-After), a log of the
 * calls, and wall-clock arithmetic through dayjs — deliberately not Vigil's own zoned.ts, so the
 * fakes' "who is on call" is computed independently of what it checks.
 */

dayjs.extend(utc);
dayjs.extend(timezone);

const MINUTE = 60;
/** The fakes compute who is on call every STEP seconds: their fixtures change hands on quarter hours. */
const STEP = 15 * MINUTE;

/** Local wall-clock parts of an instant (seconds) in a zone. */
export function wallClock(zone: string, t: number) {
  const d = dayjs.unix(t).tz(zone);
  return {
    /** Seconds since local midnight. */
    tod: d.hour() * 3600 + d.minute() * 60 + d.second(),
    /** 1 = Monday ... 7 = Sunday. */
    isoDay: ((d.day() + 6) % 7) + 1,
    /** The wall clock read as if it were UTC (seconds). */
    naive: Date.UTC(d.year(), d.month(), d.date(), d.hour(), d.minute(), d.second()) / 1000,
  };
}

const instants = new Map<string, number>();

/** The instant of a naive wall-clock time (seconds) in a zone. */
export function fromWallClock(zone: string, naive: number): number {
  const key = `${zone} ${naive}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    instant = dayjs.tz(new Date(naive * 1000).toISOString().slice(0, 19), zone).unix();
    instants.set(key, instant);
  }
  return instant;
}

export type Fault = { path: RegExp; status: number; times: number; retryAfter?: number };

export type FakeServer = {
  url: string;
  calls: string[];
  faults: Fault[];
  close(): Promise<void>;
};

export type Handler = (
  path: string,
  query: URLSearchParams,
) => { status?: number; body: unknown; contentType?: string } | undefined;

/** Starts a fake API: `authorized` checks the request's credentials, `handle` answers a path. */
export async function startFake(options: {
  authorized: (request: IncomingMessage) => boolean;
  handle: Handler;
}): Promise<FakeServer> {
  const calls: string[] = [];
  const faults: Fault[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    calls.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
    };
    const fault = faults.find((f) => f.times > 0 && f.path.test(url.pathname + url.search));
    if (fault) {
      fault.times -= 1;
      send(
        fault.status,
        { error: { message: `injected ${fault.status}` } },
        {
          ...(fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {}),
        },
      );
      return;
    }
    if (!options.authorized(request)) {
      send(401, { error: { message: 'Unauthorized', code: 2006 } });
      return;
    }
    const answer = options.handle(url.pathname, url.searchParams);
    if (!answer) {
      send(404, { error: { message: 'Not Found', code: 2100 } });
      return;
    }
    if (answer.contentType) {
      response
        .writeHead(answer.status ?? 200, { 'content-type': answer.contentType })
        .end(String(answer.body));
      return;
    }
    send(answer.status ?? 200, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Minute-by-minute "who is on call" merged into intervals of equal people. */
export function intervals(
  window: { start: number; end: number },
  at: (t: number) => string[],
): { start: number; end: number; users: string[] }[] {
  const out: { start: number; end: number; users: string[] }[] = [];
  const first = Math.ceil(window.start / STEP) * STEP;
  for (let t = window.start; t < window.end; t = t < first ? first : t + STEP) {
    const end = Math.min(window.end, t < first ? first : t + STEP);
    const users = [...at(t)].sort();
    const last = out[out.length - 1];
    if (last && last.end === t && last.users.join() === users.join()) last.end = end;
    else out.push({ start: t, end, users });
  }
  return out.filter((i) => i.users.length > 0);
}

export const isoZ = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z');
