import type { LightMyRequestResponse } from 'fastify';
import { runCommand } from '../../src/commands.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';

/*
 * Helpers of the console tests: passwords set as `vigil member set-password` sets them, and calls
 * made the way the console makes them (session cookie and CSRF header, no app_key).
 */

export const PASSWORD = 'correct horse battery';

export async function setPassword(t: TestApp, email: string, password = PASSWORD, accountId?: number) {
  return runCommand(
    { db: t.db, clock: t.clock, config: t.config },
    { name: 'member set-password', email, accountId, password },
  );
}

/** The e-mail of a test account's Owner (test/harness/app.ts names them ownerN@example.com). */
export async function emailOf(t: TestApp, account: TestAccount): Promise<string> {
  const row = await t.db.q
    .selectFrom('members')
    .select('email')
    .where('member_id', '=', account.memberId)
    .executeTakeFirstOrThrow();
  return row.email;
}

export type Browserless = { cookie: string; csrf: string; setCookie: string };

/** The `name=value` part of a Set-Cookie header. */
export const cookiePair = (setCookie: string) => setCookie.split(';')[0]!;

export function setCookieOf(raw: LightMyRequestResponse): string {
  const header = raw.headers['set-cookie'];
  return (Array.isArray(header) ? header[0] : header) ?? '';
}

export async function signIn(
  t: TestApp,
  email: string,
  password = PASSWORD,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; raw: LightMyRequestResponse; session?: Browserless }> {
  const raw = await t.app.inject({
    method: 'POST',
    url: '/console/sign-in',
    payload: { email, password },
    headers: { 'content-type': 'application/json', ...headers },
  });
  const body = raw.json();
  if (raw.statusCode !== 200) return { status: raw.statusCode, body, raw };
  const setCookie = setCookieOf(raw);
  return {
    status: 200,
    body,
    raw,
    session: { cookie: cookiePair(setCookie), csrf: body.data.csrf_token, setCookie },
  };
}

/** An Open API call as the console makes it: no app_key, the cookie, and (unless told) the CSRF header. */
export async function consoleCall(
  t: TestApp,
  path: string,
  body: unknown,
  session: { cookie: string; csrf?: string | undefined },
) {
  const raw = await t.app.inject({
    method: 'POST',
    url: path,
    payload: body as object,
    headers: {
      'content-type': 'application/json',
      cookie: session.cookie,
      ...(session.csrf === undefined ? {} : { 'x-csrf-token': session.csrf }),
    },
  });
  return { status: raw.statusCode, body: raw.json() as any, raw };
}
