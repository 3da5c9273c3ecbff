import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { AppError, type AppErrorCode } from '../shared/app-error.ts';
import { validationError } from './validation.ts';

/** The one table from error codes to HTTP statuses; Flashduty answers ResourceNotFound with 400. */
const STATUS: Record<AppErrorCode, number> = {
  InvalidParameter: 400,
  BadRequest: 400,
  InvalidContentType: 400,
  ResourceNotFound: 400,
  ReferenceExist: 400,
  Unauthorized: 401,
  AccessDenied: 403,
  RouteNotFound: 404,
  MethodNotAllowed: 405,
  EntityTooLarge: 413,
  RequestTooFrequently: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
};

const INTERNAL_MESSAGE = 'We encountered an internal error. Please try again later.';
const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable. Please try again later.';

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  return reply
    .code(STATUS[error.code])
    .type('application/json')
    .send({ request_id: request.id, error: { code: error.code, message: error.message } });
}

/** Maps Fastify's own errors (body parsing, validation) to Flashduty's codes. */
function fromFastifyError(error: FastifyError): AppError | undefined {
  if (error.validation) return validationError(error.validation as never, error.validationContext ?? 'body');
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('InvalidContentType', 'The Content-Type must be application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('InvalidContentType', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('EntityTooLarge', 'The request body is too large.');
  }
  if (error instanceof SyntaxError)
    return new AppError('InvalidContentType', 'The request body is not valid JSON.');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError('BadRequest', error.message);
  }
  return undefined;
}

export function errorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const known = error instanceof AppError ? error : fromFastifyError(error);
  if (known && known.code !== 'InternalError') return sendError(request, reply, known);
  // A database that is down, restarting or not answering in time: nothing was wrong with the
  // request, which may be sent again (docs/engine.md, "Database faults").
  if (isDatabaseUnavailable(error)) {
    request.log.warn(
      { reason: error.message, url: request.routeOptions.url },
      'database unavailable: answered 503',
    );
    return sendError(request, reply, new AppError('ServiceUnavailable', UNAVAILABLE_MESSAGE));
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendError(request, reply, new AppError('InternalError', INTERNAL_MESSAGE));
}
