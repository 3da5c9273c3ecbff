import type { FastifyRequest } from 'fastify';
import type { KeyOwner } from '../accounts/app-keys.store.ts';
import type { Db } from '../db/db.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { csrfMatches, findConsoleSession } from './console.service.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';

/** The header in which the console sends its session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Authenticates an Open API call by the console's session cookie (http/auth.ts asks this when a
 * call carries no app_key). The session stands for its member exactly as their app key would. Every
 * such call must carry the session's CSRF token in a header, which another site cannot read or set.
 */
export function consoleSessionAuth(deps: { db: Db; clock: Clock }) {
  return async (request: FastifyRequest): Promise<KeyOwner | undefined> => {
    const token = readCookie(request.headers.cookie, SESSION_COOKIE);
    if (token === undefined) return undefined;
    const session = await findConsoleSession(deps, token);
    if (!session)
      throw new AppError(
        'Unauthorized',
        'You are unauthorized: the console session has ended; sign in again.',
      );
    const given = request.headers[CSRF_HEADER];
    if (!csrfMatches(session.csrfToken, typeof given === 'string' ? given : undefined)) {
      throw new AppError(
        'AccessDenied',
        'Access Denied: the X-CSRF-Token header is missing or does not match the console session.',
      );
    }
    const { csrfToken: _csrf, ...owner } = session;
    return owner;
  };
}
