import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { errorHandler } from '../../http/errors.ts';
import { validationError } from '../../http/validation.ts';
import { AppError } from '../../shared/app-error.ts';
import { ingestContext, type PushRoute } from '../ingest.routes.ts';
import {
  normalizePagerDutyEvent,
  PagerDutyBody,
  type PagerDutyEvent,
  pagerDutyBodyKey,
} from './pagerduty.ts';

/*
 * PagerDuty's Events API at Flashduty's path and at PagerDuty's own, so a sender changes only its
 * base URL (docs/sources.md "PagerDuty"). Every path takes v1 and v2 bodies; the key is
 * `integration_key` in the query, else the body's routing_key (v2) or service_key (v1).
 */

/** PagerDuty's answer: v2 gives dedup_key with 202, v1 incident_key with 200. */
const PagerDutyReply = Type.Object({
  status: Type.String(),
  message: Type.String(),
  dedup_key: Type.Optional(Type.String()),
  incident_key: Type.Optional(Type.String()),
});

/** The 4xx that mean "this event is wrong": answered as PagerDuty does, `invalid event` with 400. */
const INVALID = new Set(['InvalidParameter', 'InvalidContentType', 'BadRequest']);

/**
 * PagerDuty senders read `{status: "invalid event", message, errors}` on a 400; everything else (a
 * 413, 429 with Retry-After, 5xx) keeps Flashduty's envelope, whose status they act on.
 */
function pagerDutyErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known =
    error instanceof AppError
      ? error
      : error.validation
        ? validationError(error.validation as never, error.validationContext ?? 'body')
        : undefined;
  if (known && INVALID.has(known.code)) {
    return reply
      .code(400)
      .header('Flashcat-Request-Id', request.id)
      .send({ status: 'invalid event', message: 'Event object is invalid', errors: [known.message] });
  }
  return errorHandler(error, request, reply);
}

export function registerPagerDutyRoutes(pushRoute: PushRoute): void {
  const paths = [
    ['/event/push/alert/pagerduty', 'Push a PagerDuty event (Events API v1 or v2)'],
    ['/v2/enqueue', "Push a PagerDuty Events API v2 event at PagerDuty's own path"],
    ['/generic/2010-04-15/create_event.json', "Push a PagerDuty Events API v1 event at PagerDuty's own path"],
  ] as const;
  for (const [url, summary] of paths) {
    pushRoute<PagerDutyEvent>(
      url,
      {
        pluginType: 'alert.pagerduty',
        summary,
        body: PagerDutyBody,
        bodyKey: pagerDutyBodyKey,
        reply: PagerDutyReply,
        errorHandler: pagerDutyErrors,
      },
      (body, integration, now) => {
        const { event, dedupKey, version } = normalizePagerDutyEvent(body, ingestContext(integration, now));
        const data = { status: 'success', message: 'Event processed' };
        return version === 1
          ? { events: [event], data: { ...data, incident_key: dedupKey }, status: 200 }
          : { events: [event], data: { ...data, dedup_key: dedupKey }, status: 202 };
      },
    );
  }
}
