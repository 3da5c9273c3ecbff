import { Redis } from 'ioredis';

/*
 * The Redis client of `vigil serve`, which only shares rate limits between instances (rate-limit.ts,
 * web/throttle.ts). Redis failing must cost a request at most REDIS_COMMAND_TIMEOUT_MS, whether it
 * is down or hung (docs/engine.md, "Redis faults"):
 * - no offline queue: while the client is not connected and ready, a command fails at once and the
 *   limiters' memory fallback (insuranceLimiter) counts instead;
 * - a command timeout bounds every command on a connection that stays open but answers nothing
 *   (a frozen server, a partition);
 * - a PING every PROBE_MS notices such a server and drops the connection, so the client stops being
 *   "ready" and every request falls back at once rather than after the timeout; the reconnection's
 *   ready check (INFO) is bounded by the same timeout, and succeeds once the server answers again.
 */

const PROBE_MS = 1_000;

type RedisLogger = {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
};

export function openRedis(url: string, options: { commandTimeoutMs: number; logger: RedisLogger }): Redis {
  const { logger, commandTimeoutMs } = options;
  const redis = new Redis(url, {
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A hung server never acknowledges the close: stop waiting for it as soon as for a command.
    disconnectTimeout: commandTimeoutMs,
  });
  // One line when Redis goes, one when it is back: not one per reconnection attempt.
  let up = true;
  const down = (reason: string) => {
    if (!up) return;
    up = false;
    logger.warn(
      { reason },
      'Redis unavailable: rate limits are counted in memory, per instance, until it answers',
    );
  };
  redis.on('error', (error: Error) => down(error.message));
  redis.on('ready', () => {
    if (up) return;
    up = true;
    logger.info({}, 'Redis answers again: rate limits are shared through it');
  });
  const probe = setInterval(() => {
    if (redis.status !== 'ready') return;
    redis.ping().catch((error: Error) => {
      down(`PING: ${error.message} (REDIS_COMMAND_TIMEOUT_MS ${commandTimeoutMs})`);
      redis.disconnect(true);
    });
  }, PROBE_MS);
  probe.unref();
  redis.once('end', () => clearInterval(probe));
  return redis;
}
