import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { AppError, type AppErrorCode } from '../shared/app-error.ts';
import { newUlid } from '../shared/ids.ts';
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

/** How long a connection refused by clientErrorHandler may still send before it is closed. */
const LINGER_MS = 2_000;

const INTERNAL_MESSAGE = 'We encountered an internal error. Please try again later.';
const UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable. Please try again later.';

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  return (
    reply
      .code(STATUS[error.code])
      // Set here too: the router's own errors (frameworkErrors) never pass the onRequest hook.
      .header('Flashcat-Request-Id', request.id)
      .type('application/json')
      .send({
        request_id: request.id,
        // `fields` is Vigil's addition (docs/decisions.md, "Field errors"): clients that know only
        // code and message are unaffected.
        error: {
          code: error.code,
          message: error.message,
          ...(error.fields ? { fields: error.fields } : {}),
        },
      })
  );
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

/**
 * What Node refuses before any request exists: headers or URL over its limit (431), a request
 * not received in time (408), bytes that are not HTTP (400). Node would answer in its own words;
 * this writes Flashduty's envelope on the socket and closes it. The status stays HTTP's (431 is
 * what clients and proxies understand), the code is the nearest of Flashduty's.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, AppErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'EntityTooLarge',
          'The request line and headers are too large (the URL with its query included).',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'BadRequest', 'The request was not received in time.']
        : [400, 'BadRequest', 'The request is not valid HTTP.'];
  const requestId = newUlid();
  const body = JSON.stringify({ request_id: requestId, error: { code, message } });
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `Flashcat-Request-Id: ${requestId}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
  // Closing at once with the rest of a long request unread makes the kernel reset the connection,
  // and the client may lose the answer: read and drop the rest for a moment instead.
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
