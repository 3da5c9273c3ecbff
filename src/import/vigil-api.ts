import { request } from 'undici';

/*
 * The importer is a client of Vigil's own Open API (docs/import.md): every object is read and
 * written through the same operations, permissions and tenancy as any other client. The CLI speaks
 * HTTP with an app key; the console's import endpoints replay the caller's own credentials through
 * Fastify's inject. A 429 is waited out (Retry-After) and asked again.
 */

export class VigilError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
  }
}

export type VigilApi = {
  call<T = unknown>(path: string, body: Record<string, unknown>): Promise<T>;
};

type RawAnswer = { status: number; headers: Record<string, unknown>; text: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Turns a raw answer into data, or a VigilError; undefined asks to retry after that many ms. */
function settle(path: string, answer: RawAnswer): { data: unknown } | { retryMs: number } {
  let body: { data?: unknown; error?: { code: string; message: string } };
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw new VigilError('InternalError', `${path} answered ${answer.status} without JSON`);
  }
  if (answer.status === 200 && body.error === undefined) return { data: body.data };
  if (answer.status === 429) {
    const seconds = Number(answer.headers['retry-after']);
    return { retryMs: Number.isFinite(seconds) ? Math.max(50, seconds * 1000) : 1000 };
  }
  throw new VigilError(body.error?.code ?? 'InternalError', body.error?.message ?? `HTTP ${answer.status}`);
}

async function withRetries<T>(path: string, send: () => Promise<RawAnswer>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const outcome = settle(path, await send());
    if ('data' in outcome) return outcome.data as T;
    if (attempt >= 20) throw new VigilError('RequestTooFrequently', `${path}: still rate limited`);
    await sleep(Math.min(outcome.retryMs, 10_000));
  }
}

/** Vigil over HTTP, as the CLI uses it: base URL and the member's app key. */
export function httpVigilApi(baseUrl: string, appKey: string): VigilApi {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    call: (path, body) =>
      withRetries(path, async () => {
        let response: Awaited<ReturnType<typeof request>>;
        try {
          response = await request(`${base}${path}?app_key=${encodeURIComponent(appKey)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            headersTimeout: 60_000,
            bodyTimeout: 60_000,
          });
        } catch (error) {
          const cause = (error as Error).cause as Error | undefined;
          throw new VigilError(
            'Unreachable',
            `cannot reach Vigil at ${base} (${cause?.message || (error as Error).message}); start it with \`npx vigil serve\` or pass --vigil-url`,
          );
        }
        return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
      }),
  };
}

/** Something that answers injected requests: Fastify's `inject`. */
export type Injector = {
  inject(options: {
    method: 'POST';
    url: string;
    payload: string;
    headers: Record<string, string>;
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
};

/**
 * Vigil in-process, with the credentials of the request that asked for the import (its app_key,
 * or its session cookie and CSRF header): the import can do exactly what that caller could.
 */
export function injectedVigilApi(
  app: Injector,
  credentials: { appKey?: string | undefined; headers: Record<string, string> },
): VigilApi {
  const query = credentials.appKey ? `?app_key=${encodeURIComponent(credentials.appKey)}` : '';
  return {
    call: (path, body) =>
      withRetries(path, async () => {
        const response = await app.inject({
          method: 'POST',
          url: `${path}${query}`,
          payload: JSON.stringify(body),
          headers: { ...credentials.headers, 'content-type': 'application/json' },
        });
        return { status: response.statusCode, headers: response.headers, text: response.body };
      }),
  };
}

/** Every item of a paged Vigil list (`p`/`limit`, at most 100 a page). */
export async function listAll<T>(
  api: VigilApi,
  path: string,
  body: Record<string, unknown> = {},
  limit = 100,
): Promise<T[]> {
  const items: T[] = [];
  for (let p = 1; ; p++) {
    const page = await api.call<{ items: T[]; total?: number; has_next_page?: boolean }>(path, {
      ...body,
      p,
      limit,
    });
    items.push(...page.items);
    const more = page.has_next_page ?? (page.total !== undefined ? items.length < page.total : false);
    if (!more || page.items.length === 0) return items;
  }
}
