/**
 * Errors the emulator answers with. Every failure the API reports is one of
 * these: the server turns it into `status` + `{"message": ..., "field"?: ...}`,
 * so store and validation code can throw without knowing about HTTP replies.
 */

/** An error with the HTTP status and JSON body the API answers with. */
export class ApiError extends Error {
  /**
   * @param status HTTP status code of the answer.
   * @param message Human-readable message, sent as `{"message": ...}`.
   * @param field Dotted path of the offending field, when one is to blame.
   */
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** The JSON body of the answer. */
  toBody(): { message: string; field?: string } {
    return this.field === undefined
      ? { message: this.message }
      : { message: this.message, field: this.field };
  }
}

/** 400: the request is malformed or a field is invalid. */
export class ValidationError extends ApiError {
  constructor(message: string, field?: string) {
    super(400, message, field);
  }
}

/** 401: no credentials, wrong credentials, or an expired session. */
export class UnauthorizedError extends ApiError {
  constructor(message = 'Authentication required') {
    super(401, message);
  }
}

/** 403: authenticated, but not allowed (another account, a system node). */
export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, message);
  }
}

/** 404: no such node, secret or route (for this account). */
export class NotFoundError extends ApiError {
  constructor(message: string) {
    super(404, message);
  }
}

/** 409: the name is already used by another node of the account. */
export class ConflictError extends ApiError {
  constructor(message: string, field?: string) {
    super(409, message, field);
  }
}

/** The 409 of a create or rename to a name a live node of the account already has. */
export function nameInUseError(name: string): ConflictError {
  return new ConflictError(`Input name '${name}' is already in use`, 'name');
}

/**
 * 421: the request names a host this emulator does not answer for (a page
 * reaching it through DNS rebinding, or a name not configured).
 */
export class MisdirectedRequestError extends ApiError {
  constructor(message: string) {
    super(421, message);
  }
}

/** 429: too many failed logins; try again after `retryAfterS` seconds (sent as `Retry-After`). */
export class TooManyRequestsError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super(429, message);
  }
}
