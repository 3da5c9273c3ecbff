import type { Api } from '../http/route.ts';

/*
 * How MCP tools reach Vigil: only through its public Open API, as the member whose credentials
 * came with the assistant. Permissions, tenancy, validation and rate limits are therefore exactly
 * the API's — a tool can do nothing the member's key could not do by hand.
 */

/** The header by which a call says it comes through the assistant (recorded on the timeline). */
const VIA_HEADER = 'x-vigil-via';
const VIA_ASSISTANT = 'assistant';

export type ApiError = { code: string; message: string };

/** Flashduty's envelope, read back: the data, or the error the API answered. */
export type ApiAnswer = { ok: true; data: unknown } | { ok: false; status: number; error: ApiError };

export interface VigilApi {
  /** Calls one Open API operation: a JSON body for POST, a query string for GET. */
  call(path: string, input: Record<string, unknown>, method?: 'GET' | 'POST'): Promise<ApiAnswer>;
}

/** Who the assistant acts for: an app key, or the console session (cookie and its CSRF token). */
export type Credentials = { appKey: string } | { cookie: string; csrfToken: string };

function queryString(input: Record<string, unknown>, appKey: string | undefined): string {
  const params = new URLSearchParams();
  if (appKey !== undefined) params.append('app_key', appKey);
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function read(status: number, text: string): ApiAnswer {
  let body: { data?: unknown; error?: ApiError } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  if (status === 200 && body && !body.error) return { ok: true, data: body.data };
  const error = body?.error ?? { code: 'InternalError', message: `Vigil answered HTTP ${status}.` };
  return { ok: false, status, error };
}

function headersFor(credentials: Credentials, method: 'GET' | 'POST'): Record<string, string> {
  return {
    [VIA_HEADER]: VIA_ASSISTANT,
    ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    ...('cookie' in credentials ? { cookie: credentials.cookie, 'x-csrf-token': credentials.csrfToken } : {}),
  };
}

/** Vigil's API in this process, through Fastify's inject (the /mcp route): no socket, same hooks. */
export function injectApi(app: Api, credentials: Credentials): VigilApi {
  const appKey = 'appKey' in credentials ? credentials.appKey : undefined;
  return {
    async call(path, input, method = 'POST') {
      const response = await app.inject({
        method,
        url: `${path}${queryString(method === 'GET' ? input : {}, appKey)}`,
        headers: headersFor(credentials, method),
        ...(method === 'POST' ? { payload: JSON.stringify(input) } : {}),
      });
      return read(response.statusCode, response.body);
    },
  };
}

/** Vigil's API at `baseUrl` over HTTP (the stdio transport: `vigil mcp` with VIGIL_URL). */
export function fetchApi(baseUrl: string, appKey: string, timeoutMs = 30_000): VigilApi {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async call(path, input, method = 'POST') {
      try {
        const response = await fetch(`${base}${path}${queryString(method === 'GET' ? input : {}, appKey)}`, {
          method,
          headers: headersFor({ appKey }, method),
          ...(method === 'POST' ? { body: JSON.stringify(input) } : {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
        return read(response.status, await response.text());
      } catch (error) {
        return {
          ok: false,
          status: 0,
          error: {
            code: 'Unreachable',
            message: `Vigil at ${base} did not answer: ${(error as Error).message}`,
          },
        };
      }
    },
  };
}
