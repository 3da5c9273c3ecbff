/**
 * The error vocabulary of Vigil's services. Services throw AppError; only http/ turns a code into a
 * status (http/errors.ts), so the domain never knows about HTTP. The codes are Flashduty's wire strings.
 */
export type AppErrorCode =
  /** A parameter is missing or fails validation; the message names the field. */
  | 'InvalidParameter'
  /** The request is well-formed but cannot be carried out in the current state. */
  | 'BadRequest'
  /** The body is not JSON, or the Content-Type is not application/json. */
  | 'InvalidContentType'
  /** The referenced entity does not exist in the caller's account (Flashduty answers 400 for this). */
  | 'ResourceNotFound'
  /** A delete is refused because other entities still reference the target. */
  | 'ReferenceExist'
  /** The app_key is missing, unknown or disabled. */
  | 'Unauthorized'
  /** The key is valid but its member lacks the permission the endpoint requires. */
  | 'AccessDenied'
  /** No endpoint has this path. */
  | 'RouteNotFound'
  /** The path exists, but not for this HTTP method. */
  | 'MethodNotAllowed'
  /** The body is larger than the server accepts. */
  | 'EntityTooLarge'
  /** A rate limit was exceeded; the caller should retry after the advertised delay. */
  | 'RequestTooFrequently'
  /** A dependency (database, Redis) is unavailable. */
  | 'ServiceUnavailable'
  /** Anything unexpected; the message never carries internals. */
  | 'InternalError';

export class AppError extends Error {
  readonly code: AppErrorCode;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

/** An InvalidParameter error that names the offending field, in Flashduty's wording. */
export function invalidParameter(field: string, reason: string): AppError {
  return new AppError('InvalidParameter', `The specified parameter ${field} is not valid: ${reason}`);
}

export function notFound(what: string): AppError {
  return new AppError('ResourceNotFound', `The resource you request is not found: ${what}`);
}
