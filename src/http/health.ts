import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import Type from 'typebox';
import type { Db } from '../db/db.ts';
import { AppError } from '../shared/app-error.ts';
import { type Api, envelope } from './route.ts';

/*
 * Liveness and readiness for balancers and orchestrators (docs/deploy.md, "Health checks"):
 * - /healthz: the process answers; it touches nothing, so a frozen database cannot make a
 *   balancer or an orchestrator kill a process that would recover by itself. While the process
 *   drains for a graceful shutdown it answers 503 `draining`, so a balancer stops sending at once.
 * - /readyz: startup finished (database reached, migrations applied), not draining, and the
 *   database answers `select 1` within READY_CHECK_MS; 503 otherwise. Redis is reported but never
 *   makes Vigil unready: the rate limits fall back to memory without it.
 * Until startup has finished, every other route answers 503 ServiceUnavailable; while draining,
 * they are still served (requests the balancer sent before it noticed must not fail).
 */

const READY_CHECK_MS = 1_000;

const draining = () =>
  new AppError('ServiceUnavailable', 'Draining: Vigil is shutting down; send to another instance.');

/** Paths served before startup has finished. */
const ALWAYS_SERVED = new Set(['/healthz', '/readyz']);

/**
 * Where the process is in its life: starting (the server listens before the database is reached
 * and migrated), serving, or draining before a graceful shutdown (src/main.ts).
 */
export class Lifecycle {
  #finished = false;
  #draining = false;
  #step: string;

  constructor(step = 'starting') {
    this.#step = step;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** What startup is doing, for /readyz: "waiting for the database", "migrating". */
  get step(): string {
    return this.#step;
  }

  set step(step: string) {
    this.#step = step;
  }

  finish(): void {
    this.#finished = true;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** From now on /healthz and /readyz answer 503 `draining`; nothing else changes. */
  drain(): void {
    this.#draining = true;
  }
}

/** Redis as /readyz reports it: `off` when not configured, `degraded` while rate limits count in memory. */
function redisState(redis: Redis | undefined): 'off' | 'ok' | 'degraded' {
  if (!redis) return 'off';
  return redis.status === 'ready' ? 'ok' : 'degraded';
}

const ReadyData = Type.Object({
  status: Type.Literal('ready'),
  database: Type.Literal('ok'),
  redis: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('off')]),
});

/** The onRequest hook, ahead of authentication (which reads the database), that holds routes back until startup finishes. */
export function startupGate(startup: Lifecycle) {
  return async (request: FastifyRequest): Promise<void> => {
    if (startup.finished || ALWAYS_SERVED.has(request.url.split('?')[0]!)) return;
    throw new AppError('ServiceUnavailable', `Vigil is starting (${startup.step}). Please try again later.`);
  };
}

export function registerHealthRoutes(
  app: Api,
  deps: { db: Db; redis?: Redis | undefined; startup: Lifecycle },
) {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['System'],
        summary: 'Liveness: the process answers (touches no dependency); 503 while it drains to stop',
        security: [],
        response: { 200: envelope(Type.Object({ status: Type.String() })) },
      },
    },
    async (request) => {
      if (deps.startup.draining) throw draining();
      return { request_id: request.id, data: { status: 'ok' } };
    },
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['System'],
        summary: 'Readiness: started, and the database answers within 1 s; 503 ServiceUnavailable otherwise',
        security: [],
        response: { 200: envelope(ReadyData) },
      },
    },
    async (request) => {
      if (deps.startup.draining) throw draining();
      if (!deps.startup.finished)
        throw new AppError('ServiceUnavailable', `Not ready: Vigil is starting (${deps.startup.step}).`);
      try {
        await deps.db.ping(READY_CHECK_MS);
      } catch {
        // The database's address stays in the logs: this answer is public.
        throw new AppError(
          'ServiceUnavailable',
          `Not ready: the database did not answer within ${READY_CHECK_MS / 1000} s.`,
        );
      }
      return {
        request_id: request.id,
        data: { status: 'ready' as const, database: 'ok' as const, redis: redisState(deps.redis) },
      };
    },
  );
}
