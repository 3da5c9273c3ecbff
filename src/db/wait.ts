import { setTimeout as sleep } from 'node:timers/promises';
import type { Db, DbLogger } from './db.ts';

/*
 * Waiting for the database at start (docs/engine.md, "Database faults"): PostgreSQL may come up
 * after Vigil does (a host rebooting, containers started together). Vigil listens meanwhile, alive
 * and not ready, and retries with back-off until DATABASE_STARTUP_TIMEOUT_SECONDS runs out.
 */

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5_000;

/** Resolves once `db` answers; throws a message naming the database and the setting after `timeoutMs`. */
export async function waitForDatabase(
  db: Db,
  options: { timeoutMs: number; pingTimeoutMs: number; logger: DbLogger },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let delay = FIRST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      // The last try, at the deadline, still gets a moment to answer.
      await db.ping(Math.min(options.pingTimeoutMs, Math.max(deadline - Date.now(), 500)));
      if (attempt > 1) options.logger.info({ attempts: attempt }, `${db.describe} answers`);
      return;
    } catch (error) {
      const reason = (error as Error).message;
      if (Date.now() >= deadline) {
        throw new Error(
          `${db.describe} did not answer within ${options.timeoutMs / 1000} s (last error: ${reason}); ` +
            'start it, check DATABASE_URL, or wait longer with DATABASE_STARTUP_TIMEOUT_SECONDS',
          { cause: error },
        );
      }
      options.logger.warn({ attempt, reason, retryInMs: delay }, `waiting for ${db.describe}`);
      await sleep(Math.min(delay, deadline - Date.now()));
      delay = Math.min(delay * 2, LONGEST_RETRY_MS);
    }
  }
}

/** `work`, or `timeout()` thrown after `ms`; work that finishes later is left to finish on its own. */
export async function withinMs<T>(work: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  work.catch(() => {}); // a late failure is nobody's to handle
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(timeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
