import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { AppDeps } from '../../http/app.ts';
import { type Api, envelope } from '../../http/route.ts';
import type { Ingest } from '../ingest.service.ts';
import type { PushAuth } from '../push-auth.ts';
import { recordPing } from './heartbeats.ts';

const PingData = Type.Object({
  /** When the next ping is due before the integration's alert opens (Unix seconds). */
  next_due_at: Type.Integer(),
  /** True when this ping recovered the alert of a late one. */
  recovered: Type.Boolean(),
});

/** A ping's body is ignored (whatever its type), but kept small. */
const PING_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * `GET|POST /event/push/heartbeat?integration_key=K`: a heartbeat integration's ping
 * (docs/sources.md "Heartbeats"). Same key check and rate limit as every push.
 */
export function registerHeartbeatRoute(
  app: Api,
  deps: AppDeps,
  integrationFor: PushAuth,
  ingestor: Ingest,
): void {
  // In its own context, so that a body of any content type (curl -d, a form) is read and ignored.
  void app.register(async (scope) => {
    const raw = scope as unknown as FastifyInstance;
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: PING_BODY_LIMIT_BYTES },
      (_req, _body, done) => done(null, undefined),
    );
    raw.route({
      method: ['GET', 'POST'],
      url: '/event/push/heartbeat',
      bodyLimit: PING_BODY_LIMIT_BYTES,
      schema: {
        tags: ['Event push'],
        summary: 'Ping a heartbeat integration (dead-man switch)',
        security: [],
        querystring: Type.Object({ integration_key: Type.String() }),
        response: { 200: envelope(PingData) },
      },
      handler: async (request, reply) => {
        const integration = await integrationFor(request, reply, 'alert.heartbeat');
        const refusal = await ingestor.refusal();
        const nowMs = deps.clock.nowMs();
        const { dueAt, recovered } = await recordPing(
          deps.db,
          integration,
          nowMs,
          refusal !== undefined,
        ).catch((error: unknown) => {
          if (refusal) reply.header('Retry-After', refusal.retryAfterSeconds);
          throw error;
        });
        if (recovered) ingestor.appendedElsewhere(1, nowMs);
        return { request_id: request.id, data: { next_due_at: Math.floor(dueAt / 1000), recovered } };
      },
    });
  });
}
