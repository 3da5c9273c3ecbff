import { type Dispatcher, fetch, type Response } from 'undici';
import { OutboundRefused } from './outbound-guard.ts';

/*
 * One HTTP POST of a JSON body, as outbound webhooks send it: undici's fetch through the dispatcher
 * the caller names (guardedDispatcher for URLs account members set, outbound-guard.ts), a timeout on
 * the whole exchange, redirects not followed (a 3xx is an answer, and the URL the user configured
 * is the one called, never one its server points to), and no more of the answer kept than the
 * delivery log stores.
 */

export type PostResult = {
  /** 0 when no HTTP answer came (connection refused, timeout, ...). */
  statusCode: number;
  ok: boolean;
  durationMs: number;
  /** JSON of the answer's headers, '' without an answer. */
  responseHeaders: string;
  /** The first `maxResponseBytes` of the answer's body. */
  responseBody: string;
  /** '' on success; otherwise why it failed. */
  error: string;
  /** The address is one Vigil may not call (OUTBOUND_ALLOW): nothing was sent, and a retry cannot help. */
  refused: boolean;
};

export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
  options: { timeoutMs: number; maxResponseBytes: number; dispatcher: Dispatcher },
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      dispatcher: options.dispatcher,
    });
    const responseBody = await readStart(response, options.maxResponseBytes);
    const ok = response.status >= 200 && response.status < 300;
    return {
      statusCode: response.status,
      ok,
      durationMs: elapsed(),
      responseHeaders: JSON.stringify(Object.fromEntries(response.headers)),
      responseBody,
      error: ok ? '' : `the endpoint answered HTTP ${response.status}; only 2xx counts as delivered`,
      refused: false,
    };
  } catch (error) {
    return {
      statusCode: 0,
      ok: false,
      durationMs: elapsed(),
      responseHeaders: '',
      responseBody: '',
      error: describe(error, options.timeoutMs),
      refused: error instanceof Error && error.cause instanceof OutboundRefused,
    };
  }
}

/** The first `maxBytes` of a body as text; the rest is not read (the connection is released). */
async function readStart(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < maxBytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  // fetch reports network failures as TypeError("fetch failed") with the reason as its cause.
  if (error instanceof Error && error.cause instanceof OutboundRefused) return error.cause.message;
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const reason = cause?.message || (error instanceof Error ? error.message : String(error));
  return (cause?.code && !reason.includes(cause.code) ? `${cause.code}: ${reason}` : reason).slice(0, 1024);
}
