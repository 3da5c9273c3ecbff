import type { FastifyReply } from 'fastify';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { AppError } from '../shared/app-error.ts';

/** One window of a limit: `points` requests per `seconds`. A window of 0 points is off. */
export type Window = { points: number; seconds: number };

export type LimitDecision = {
  allowed: boolean;
  /** The window that decided: the one that refused, or the one with the least room left. */
  limit: number;
  remaining: number;
  msBeforeReset: number;
};

/**
 * A rate limit of one or more windows over a key (an account, an integration). In memory by
 * default; in Redis when a client is given, so every instance shares the count. If Redis fails, a
 * per-process memory limiter stands in rather than refusing or admitting everything.
 */
export class RateLimit {
  readonly #windows: { window: Window; limiter: RateLimiterAbstract }[];

  constructor(name: string, windows: Window[], redis?: Redis) {
    this.#windows = windows
      .filter((w) => w.points > 0)
      .map((window) => {
        const options = {
          points: window.points,
          duration: window.seconds,
          keyPrefix: `vigil:rl:${name}:${window.seconds}`,
        };
        const memory = new RateLimiterMemory(options);
        const limiter = redis
          ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
          : memory;
        return { window, limiter };
      });
  }

  get isOff(): boolean {
    return this.#windows.length === 0;
  }

  async consume(key: string): Promise<LimitDecision> {
    let tightest: LimitDecision | undefined;
    for (const { window, limiter } of this.#windows) {
      let result: RateLimiterRes;
      let allowed = true;
      try {
        result = await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        result = rejection;
        allowed = false;
      }
      const decision = {
        allowed,
        limit: window.points,
        remaining: Math.max(0, result.remainingPoints),
        msBeforeReset: result.msBeforeNext,
      };
      if (!allowed) return decision;
      if (!tightest || decision.remaining < tightest.remaining) tightest = decision;
    }
    return tightest ?? { allowed: true, limit: 0, remaining: 0, msBeforeReset: 0 };
  }
}

/**
 * Counts one request against `key`, sets X-RateLimit-Limit/Remaining/Reset (Unix seconds), and on
 * refusal adds Retry-After and throws RequestTooFrequently.
 */
export async function enforceRateLimit(limit: RateLimit, key: string, reply: FastifyReply): Promise<void> {
  if (limit.isOff) return;
  const decision = await limit.consume(key);
  reply.header('X-RateLimit-Limit', decision.limit);
  reply.header('X-RateLimit-Remaining', decision.remaining);
  reply.header('X-RateLimit-Reset', Math.ceil((Date.now() + decision.msBeforeReset) / 1000));
  if (!decision.allowed) {
    reply.header('Retry-After', Math.max(1, Math.ceil(decision.msBeforeReset / 1000)));
    throw new AppError('RequestTooFrequently', 'Request too frequently.');
  }
}
