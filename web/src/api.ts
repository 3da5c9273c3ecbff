/*
 * The console talks to Vigil through the same Open API as any client: POST with a JSON body. The
 * session cookie names the member; the CSRF token from /console/session goes in a header.
 */

/** A field the server found at fault, with a sentence for a person (the envelope's `error.fields`). */
export type FieldProblem = { field: string; message: string };

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fields: FieldProblem[];

  constructor(code: string, message: string, status: number, fields: FieldProblem[] = []) {
    super(message);
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

type ErrorBody = { code: string; message: string; fields?: FieldProblem[] };

let csrfToken: string | undefined;
let onSignedOut: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a call finds the session gone, so the app can send the member to sign in. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch {
    throw new ApiError('NetworkError', 'Vigil could not be reached. Check the connection and try again.', 0);
  }
}

async function send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await call(method, path, body);
  let json: { data?: T; error?: ErrorBody } | undefined;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (json?.error || !response.ok) {
    const code = json?.error?.code ?? 'InternalError';
    const error = new ApiError(
      code,
      json?.error?.message ?? `Vigil answered ${response.status} ${response.statusText}.`,
      response.status,
      Array.isArray(json?.error?.fields) ? json.error.fields : [],
    );
    if (response.status === 401 && !path.startsWith('/console/')) onSignedOut?.();
    throw error;
  }
  return json?.data as T;
}

/**
 * A file the API answers instead of the JSON envelope (the CSV exports), as a Blob; an error
 * still comes as the envelope and is thrown like any other call's.
 */
async function file(path: string, body?: unknown): Promise<Blob> {
  const response = await call('POST', path, body);
  if (response.ok) return response.blob();
  let json: { error?: ErrorBody } | undefined;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (response.status === 401) onSignedOut?.();
  throw new ApiError(
    json?.error?.code ?? 'InternalError',
    json?.error?.message ?? `Vigil answered ${response.status} ${response.statusText}.`,
    response.status,
  );
}

export const api = {
  post: <T>(path: string, body?: unknown) => send<T>('POST', path, body),
  get: <T>(path: string) => send<T>('GET', path),
  file,
};

/** An error as a sentence a person can act on. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === 'Unauthorized') return 'Your session has ended. Sign in again.';
    if (error.code === 'AccessDenied') return `${error.message} Ask an account admin for access.`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
