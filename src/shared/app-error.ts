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

/** One field a request got wrong, as the console shows it beside the field (docs/decisions.md). */
export type FieldProblem = {
  /** The field as the request names it: `members[0].member_name`. */
  field: string;
  /** What to do about it, as a sentence for a person: "Use at most 39 characters." */
  message: string;
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  /** InvalidParameter only: the fields at fault; the envelope carries them as `error.fields`. */
  readonly fields: FieldProblem[] | undefined;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown; fields?: FieldProblem[] }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.fields = options?.fields;
  }
}

/**
 * An InvalidParameter error that names the offending field, in Flashduty's wording; `hint` is the
 * sentence for a person (the reason, capitalised, when not given).
 */
export function invalidParameter(field: string, reason: string, hint?: string): AppError {
  return new AppError('InvalidParameter', `The specified parameter ${field} is not valid: ${reason}`, {
    fields: [{ field, message: hint ?? sentence(reason) }],
  });
}

/** "must be 1 to 39 characters, not blank" → "Must be 1 to 39 characters, not blank." */
function sentence(reason: string): string {
  const text = reason.trim();
  if (!text) return 'This is not valid.';
  const first = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(first) ? first : `${first}.`;
}

export function notFound(what: string): AppError {
  return new AppError('ResourceNotFound', `The resource you request is not found: ${what}`);
}
