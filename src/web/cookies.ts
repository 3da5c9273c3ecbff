/** The console's session cookie. */
export const SESSION_COOKIE = 'vigil_session';

/** One cookie's value from a Cookie header; undefined when absent. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * The Set-Cookie value of the session: HttpOnly (scripts never see it), SameSite=Strict (no other
 * site's page or link sends it: the console's own calls are same-origin, and pages themselves need no
 * cookie), Secure whenever the console is reached over https. `maxAgeSeconds` 0 clears it.
 */
export function sessionCookie(value: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return [
    `${SESSION_COOKIE}=${value}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
