import { type Dispatcher, request } from 'undici';

/*
 * Reading a source's API (docs/import.md, "Reading the sources"): JSON over GET with the source's
 * own authorization header, a timeout, and back-off on 429 (Retry-After, or the source's
 * rate-limit reset header) and on 5xx. Failures become a SourceError saying which call failed and
 * why, in words the import report can print.
 */

export type SourceErrorKind = 'token' | 'unreachable' | 'status' | 'format';

export class SourceError extends Error {
  readonly kind: SourceErrorKind;
  constructor(kind: SourceErrorKind, message: string) {
    super(message);
    this.name = 'SourceError';
    this.kind = kind;
  }
}

export type SourceHttpOptions = {
  baseUrl: string;
  headers: Record<string, string>;
  /** The guarded dispatcher when the URL is a member's (console); undici's default for the CLI. */
  dispatcher?: Dispatcher | undefined;
  timeoutMs?: number;
  /** Attempts per call on 429 and 5xx before giving up. */
  attempts?: number;
  /** Longest single wait; a source asking for longer is waited for this long, then asked again. */
  maxWaitMs?: number;
  /** Waits between attempts (tests make them short). */
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Checks a source URL: absolute http(s) only, whoever gave it. */
export function checkSourceUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not carry a user or password (give the token instead)';
  return undefined;
}

/** Seconds to wait that a 429 or 503 asks for, from the headers sources use. */
function askedWaitMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = first('retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  // PagerDuty: ratelimit-reset (seconds until the window resets); others: x-ratelimit-reset.
  for (const name of ['ratelimit-reset', 'x-ratelimit-reset']) {
    const seconds = Number(first(name));
    if (Number.isFinite(seconds) && seconds >= 0 && seconds < 3600) return seconds * 1000;
  }
  return undefined;
}

export class SourceHttp {
  readonly #options: Required<Omit<SourceHttpOptions, 'dispatcher'>> & {
    dispatcher?: Dispatcher | undefined;
  };
  /** Calls made, for the report. */
  calls = 0;
  /** Times the source asked us to slow down. */
  throttled = 0;

  constructor(options: SourceHttpOptions) {
    this.#options = {
      timeoutMs: 30_000,
      attempts: 6,
      maxWaitMs: 60_000,
      sleep: defaultSleep,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
    };
  }

  /** The absolute URL of a path (or an absolute `next` link the source gave). */
  url(pathOrUrl: string, query: Record<string, string | string[] | undefined> = {}): string {
    const url = /^https?:\/\//.test(pathOrUrl)
      ? new URL(pathOrUrl)
      : new URL(`${this.#options.baseUrl}${pathOrUrl}`);
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        url.searchParams.append(key, item);
      }
    }
    return url.toString();
  }

  /** GETs JSON; `text` is for iCal files. */
  async getJson<T>(pathOrUrl: string, query: Record<string, string | string[] | undefined> = {}): Promise<T> {
    const body = await this.get(this.url(pathOrUrl, query), true);
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new SourceError('format', `${this.#shown(pathOrUrl)} did not answer JSON`);
    }
  }

  /** GETs a document as text, with the source's headers only when it is on the source's host. */
  async getText(absoluteUrl: string): Promise<string> {
    const sameHost = new URL(absoluteUrl).host === new URL(this.#options.baseUrl).host;
    return this.get(absoluteUrl, sameHost);
  }

  #shown(pathOrUrl: string): string {
    return /^https?:\/\//.test(pathOrUrl) ? new URL(pathOrUrl).pathname : pathOrUrl.split('?')[0]!;
  }

  private async get(url: string, withAuth: boolean): Promise<string> {
    const { attempts, timeoutMs, maxWaitMs, sleep, dispatcher, headers } = this.#options;
    const shown = new URL(url).pathname;
    for (let attempt = 1; ; attempt++) {
      this.calls += 1;
      let status: number;
      let text: string;
      let responseHeaders: Record<string, string | string[] | undefined>;
      try {
        const response = await request(url, {
          method: 'GET',
          headers: { accept: 'application/json', ...(withAuth ? headers : {}) },
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          ...(dispatcher ? { dispatcher } : {}),
        });
        status = response.statusCode;
        responseHeaders = response.headers;
        text = await response.body.text();
      } catch (error) {
        const cause = (error as Error).cause as Error | undefined;
        const reason = cause?.message || (error as Error).message || String(error);
        if (attempt < Math.min(attempts, 2)) {
          await sleep(500);
          continue;
        }
        throw new SourceError('unreachable', `cannot reach ${new URL(url).origin} (${reason})`);
      }
      if (status >= 200 && status < 300) return text;
      if (status === 401 || status === 403) {
        throw new SourceError('token', `the source refused the token (${status} on ${shown})`);
      }
      if ((status === 429 || status >= 500) && attempt < attempts) {
        if (status === 429) this.throttled += 1;
        const asked = askedWaitMs(responseHeaders);
        const backoff = Math.min(maxWaitMs, 500 * 2 ** (attempt - 1));
        await sleep(Math.min(maxWaitMs, asked ?? backoff));
        continue;
      }
      throw new SourceError(
        'status',
        `${shown} answered ${status}${status === 429 ? ' (rate limited)' : ''} after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${text.slice(0, 200)}`,
      );
    }
  }
}
