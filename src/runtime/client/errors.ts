/**
 * The client's one family of errors. Every failure of an Alooma call (an HTTP
 * status, no response at all, a response that is not the API's, missing
 * configuration) is an {@link AloomaError} with a stable `code`, built by
 * {@link fromResponse} or {@link fromAxiosError}. Everything an error carries
 * (message, path, body, hint) has been through `redact`, so errors may be
 * logged, printed and serialised as they are.
 */
import { EMULATOR_SUBCOMMAND, EmulatorDefaults } from '../../alooma/emulator-defaults';
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';
import { redactBody, redactText, redactUrl } from './redact';

export { AloomaErrorCode } from '../../alooma/errors';

/** Fields of an {@link AloomaError}. */
export interface AloomaErrorInit {
  readonly code: AloomaErrorCode;
  /** HTTP status; 0 when there was no response (network, TLS, timeout, client-side refusal, config). */
  readonly status?: number;
  /** Full message; redacted by the constructor. */
  readonly message: string;
  readonly hint: string;
  readonly method?: string;
  readonly path?: string;
  readonly requestId?: string;
  /** Raw response body; redacted by the constructor. */
  readonly body?: string;
  /** For rate limits: how long the API asked to wait, in ms. */
  readonly retryAfterMs?: number;
  /** Low-level error code for errors without a response, e.g. `ECONNREFUSED`. */
  readonly cause?: string;
}

/** Longest response body kept on an error. */
export const MAX_ERROR_BODY_CHARS = 4096;
/** Longest detail taken from a body into a message. */
const MAX_DETAIL_CHARS = 300;

/**
 * An Alooma API failure. `message` is one readable line, e.g.
 * `POST plumbing/inputs failed: 400 Field 'password' is required`; `hint`
 * says how to fix it. Serialises (JSON.stringify) to its fields only.
 */
export class AloomaError extends AloomaCdktfError {
  /** HTTP status; 0 when there was no response. */
  readonly status: number;
  /** HTTP method of the failed call, when there was one. */
  readonly method?: string;
  /** Path of the failed call relative to the REST root, redacted (e.g. `plumbing/nodes/<id>`). */
  readonly path?: string;
  /** `x-request-id` of the response, to quote to the API's operators. */
  readonly requestId?: string;
  /** Raw response body, redacted and truncated to {@link MAX_ERROR_BODY_CHARS}. */
  readonly body?: string;
  /** Low-level code of an error without a response (`ECONNREFUSED`, `CERT_HAS_EXPIRED`...). */
  readonly causeCode?: string;
  /** How long the API asked to wait (`Retry-After` of a 429 or 503), in ms. */
  readonly retryAfterMs?: number;

  constructor(init: AloomaErrorInit) {
    super(init.code, redactText(init.message), redactText(init.hint));
    this.status = init.status ?? 0;
    if (init.method !== undefined) this.method = init.method;
    if (init.path !== undefined) this.path = redactUrl(init.path);
    if (init.requestId !== undefined) this.requestId = init.requestId;
    if (init.body !== undefined && init.body !== '')
      this.body = truncate(redactBody(init.body), MAX_ERROR_BODY_CHARS);
    if (init.cause !== undefined) this.causeCode = init.cause;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** The fields, for JSON logs: no stack, nothing unredacted. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      hint: this.hint,
      method: this.method,
      path: this.path,
      requestId: this.requestId,
      causeCode: this.causeCode,
      retryAfterMs: this.retryAfterMs,
      body: this.body,
    };
  }
}

/** No response: connection refused or reset, DNS failure, timeout, TLS (codes network, timeout, tls). */
export class AloomaNetworkError extends AloomaError {}
/** 401: wrong credentials or an unrenewable session (code auth). */
export class AloomaAuthError extends AloomaError {}
/** 403, or refused client-side (code forbidden). */
export class AloomaForbiddenError extends AloomaError {}
/** 404 (code not_found). */
export class AloomaNotFoundError extends AloomaError {}
/** 409 (code conflict). */
export class AloomaConflictError extends AloomaError {}
/** 400, 422 and other 4xx (code validation). */
export class AloomaValidationError extends AloomaError {}
/** 5xx (code server). */
export class AloomaServerError extends AloomaError {}
/** Not the API's answer (code bad_response). */
export class AloomaBadResponseError extends AloomaError {}
/** Missing or contradictory configuration (code config). */
export class AloomaConfigError extends AloomaError {
  constructor(message: string, hint: string) {
    super({ code: AloomaErrorCode.CONFIG, message, hint });
  }
}
/**
 * An `http://` API URL whose host is not loopback, refused before any request
 * (code config): credentials and secrets would travel in clear.
 */
export class AloomaInsecureUrlError extends AloomaConfigError {}
/** A create the API accepted but that never appeared (code create_unconfirmed). */
export class AloomaCreateUnconfirmedError extends AloomaError {}

/** 429 (code rate_limited); `retryAfterMs` when the API sent `Retry-After`. */
export class AloomaRateLimitError extends AloomaError {}

/** Where a failed call went; used for messages and hints. */
export interface RequestContext {
  readonly method: string;
  /** Path relative to the REST root, with query string. */
  readonly path: string;
  /** Base URL of the API (for hints). */
  readonly baseUrl?: string;
  /** Request timeout in ms (for the timeout hint). */
  readonly timeoutMs?: number;
  /** Replaces the default auth hint (e.g. with the variable names `fromEnv` read). */
  readonly authHint?: string;
}

/** A response as {@link fromResponse} needs it; headers lower-case. */
export interface ResponseLike extends RequestContext {
  readonly status: number;
  readonly headers?: Readonly<Record<string, unknown>>;
  /** Raw body text. */
  readonly body?: string;
  /** For a 2xx answer: why it is unusable (e.g. "invalid JSON"); makes it a bad_response. */
  readonly badResponseReason?: string;
  /** Clock for HTTP-date `Retry-After` values. @default Date.now() */
  readonly now?: number;
}

/** Default auth hint. */
export const DEFAULT_AUTH_HINT = 'check ALOOMA_USERNAME/ALOOMA_PASSWORD or ALOOMA_API_KEY';

/** Builds the error of an HTTP response: non-2xx by status, or a 2xx/3xx the client cannot use. */
export function fromResponse(res: ResponseLike): AloomaError {
  const { status, method, path } = res;
  const body = res.body ?? '';
  const headers = res.headers ?? {};
  const requestId = headerValue(headers, 'x-request-id');
  const contentType = headerValue(headers, 'content-type') ?? '';
  const html = looksLikeHtml(body, contentType);
  const base = { method, path, status, requestId, body };
  const where = `${method} ${path} failed`;
  const url = res.baseUrl ?? 'the configured URL';

  if (res.badResponseReason !== undefined || (status >= 200 && status < 300)) {
    const reason = res.badResponseReason ?? 'unexpected response';
    return new AloomaBadResponseError({
      ...base,
      code: AloomaErrorCode.BAD_RESPONSE,
      message: `${where}: ${status} ${html ? `got an HTML page${htmlTitle(body)}` : reason}`,
      hint: html
        ? `the URL may not be an Alooma API: got an HTML page; check ALOOMA_API_URL (${url})`
        : `the answer is not what the Alooma API sends; check ALOOMA_API_URL (${url}) and any proxy in between`,
    });
  }
  if (status >= 300 && status < 400) {
    const location = headerValue(headers, 'location');
    return new AloomaBadResponseError({
      ...base,
      code: AloomaErrorCode.BAD_RESPONSE,
      message: `${where}: ${status} redirect${location ? ` to ${location}` : ''}`,
      hint: `the API at ${url} redirects instead of answering; set ALOOMA_API_URL to the URL it redirects to (e.g. https:// instead of http://)`,
    });
  }
  // An HTML 404/405 is a web server that is not the API, not a missing input.
  if (html && (status === 404 || status === 405)) {
    return new AloomaBadResponseError({
      ...base,
      code: AloomaErrorCode.BAD_RESPONSE,
      message: `${where}: ${status} got an HTML page${htmlTitle(body)}`,
      hint: `the URL may not be an Alooma API: got an HTML page; check ALOOMA_API_URL (${url}) and ALOOMA_ACCOUNT`,
    });
  }

  const message = `${where}: ${status} ${detailOf(body, contentType) || statusText(status)}`;
  const init = { ...base, message };
  switch (status) {
    case 401:
      return new AloomaAuthError({
        ...init,
        code: AloomaErrorCode.AUTH,
        hint: res.authHint ?? DEFAULT_AUTH_HINT,
      });
    case 403:
      return new AloomaForbiddenError({
        ...init,
        code: AloomaErrorCode.FORBIDDEN,
        hint: 'the credentials are valid but may not do this: check ALOOMA_ACCOUNT matches the credentials; system inputs (RESTREAM, AGENT) are managed by Alooma',
      });
    case 404:
      return new AloomaNotFoundError({
        ...init,
        code: AloomaErrorCode.NOT_FOUND,
        hint: 'it may have been deleted (e.g. in the Alooma UI); if every call fails this way, check ALOOMA_API_URL and ALOOMA_ACCOUNT',
      });
    case 408:
      return new AloomaNetworkError({
        ...init,
        code: AloomaErrorCode.TIMEOUT,
        hint: `the API at ${url} timed out waiting for the request; retry, or check the network`,
      });
    case 409:
      return new AloomaConflictError({
        ...init,
        code: AloomaErrorCode.CONFLICT,
        hint: 'an input with that name already exists: choose another name, or import the existing input',
      });
    case 429: {
      const retryAfterMs = parseRetryAfter(
        headerValue(headers, 'retry-after'),
        res.now ?? Date.now(),
      );
      return new AloomaRateLimitError({
        ...init,
        code: AloomaErrorCode.RATE_LIMITED,
        retryAfterMs,
        hint: 'the API throttled the requests: lower the concurrency (Manifest.concurrency) or retry later',
      });
    }
  }
  if (status >= 500) {
    return new AloomaServerError({
      ...init,
      retryAfterMs: parseRetryAfter(headerValue(headers, 'retry-after'), res.now ?? Date.now()),
      code: AloomaErrorCode.SERVER,
      hint: `the API at ${url} failed${requestId ? ` (request id ${requestId})` : ''}; retry later, and report it if it persists`,
    });
  }
  return new AloomaValidationError({
    ...init,
    code: AloomaErrorCode.VALIDATION,
    hint: 'the API rejected the request: fix the configuration as the message says',
  });
}

/** The parts of an AxiosError (or any Node network error) that {@link fromAxiosError} reads. */
export interface AxiosErrorLike {
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
  /** Node's AggregateError (happy eyeballs) carries the per-address errors here. */
  readonly errors?: readonly unknown[];
}

const TLS_CODE =
  /^(CERT_|ERR_TLS_|ERR_SSL_|SELF_SIGNED|DEPTH_ZERO_SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|HOSTNAME_MISMATCH|EPROTO$|ERR_OSSL)/;
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Builds the error of a call that got no HTTP response: `tls` for
 * certificate and handshake failures, `timeout`, otherwise `network`. The
 * axios error itself is not kept: its config holds the credentials.
 */
export function fromAxiosError(err: AxiosErrorLike, ctx: RequestContext): AloomaNetworkError {
  const code = lowLevelCode(err);
  const detail = (err.message || code || 'no response').split('\n')[0];
  const url = ctx.baseUrl ?? 'the configured URL';
  const where = `${ctx.method} ${ctx.path} failed`;
  const base = { method: ctx.method, path: ctx.path, status: 0, cause: code };

  if (code && TLS_CODE.test(code)) {
    return new AloomaNetworkError({
      ...base,
      code: AloomaErrorCode.TLS,
      message: `${where}: TLS error ${code} (${detail})`,
      hint:
        `the TLS certificate of ${url} was not accepted; if it is signed by a private CA, point NODE_EXTRA_CA_CERTS ` +
        'at the CA bundle; fix an expired or mismatched certificate on the server; the local emulator speaks plain http://',
    });
  }
  if ((code && TIMEOUT_CODES.has(code)) || /timeout/i.test(detail)) {
    return new AloomaNetworkError({
      ...base,
      code: AloomaErrorCode.TIMEOUT,
      message: `${where}: timeout (${detail})`,
      hint: `the API at ${url} did not answer${ctx.timeoutMs ? ` within ${ctx.timeoutMs} ms` : ' in time'}; check the network or raise the timeout`,
    });
  }
  return new AloomaNetworkError({
    ...base,
    code: AloomaErrorCode.NETWORK,
    message: `${where}: network error${code ? ` ${code}` : ''} (${detail})`,
    hint: `is the API at ${url} reachable? for the local emulator run \`${emulatorCommand(ctx.baseUrl)}\``,
  });
}

/** The command that starts the emulator where `baseUrl` points: its port, when not the default. */
function emulatorCommand(baseUrl: string | undefined): string {
  const command = `alooma-cdktf ${EMULATOR_SUBCOMMAND}`;
  let port: string;
  try {
    port = new URL(baseUrl ?? '').port;
  } catch {
    return command;
  }
  return port && port !== String(EmulatorDefaults.PORT) ? `${command} --port ${port}` : command;
}

/** The low-level code of a network error, looking through causes and aggregate errors. */
function lowLevelCode(err: AxiosErrorLike): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  let fallback: string | undefined;
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const c = (e as { code?: unknown }).code;
    // axios wraps system errors in generic codes; prefer the system one below it.
    if (typeof c === 'string' && c !== '') {
      if (c !== 'ERR_NETWORK' && c !== 'ERR_BAD_RESPONSE' && c !== 'ERR_BAD_REQUEST') return c;
      fallback ??= c;
    }
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return fallback;
}

/**
 * Parses `Retry-After`: delay-seconds (`"120"`, also decimals) or an
 * HTTP-date. Returns ms to wait (never negative), or undefined when absent
 * or unparseable.
 */
export function parseRetryAfter(
  value: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

function headerValue(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  if (Array.isArray(value)) value = value[0];
  return value === undefined || value === null ? undefined : String(value);
}

/** True when a body is an HTML page. */
export function looksLikeHtml(body: string, contentType = ''): boolean {
  return /text\/html/i.test(contentType) || /^\s*<(!doctype|html|head|body|\?xml)/i.test(body);
}

function htmlTitle(body: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  return title ? ` ("${truncate(title.replace(/\s+/g, ' '), 80)}")` : '';
}

/** The human part of an error body: `message`, `error`, `detail`... of JSON, else the text. */
function detailOf(body: string, contentType: string): string {
  const text = body.trim();
  if (text === '') return '';
  if (looksLikeHtml(text, contentType)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim();
    return title ? truncate(title, MAX_DETAIL_CHARS) : 'HTML error page';
  }
  try {
    const parsed: unknown = JSON.parse(text);
    const found = messageOf(parsed);
    if (found) return truncate(oneLine(found), MAX_DETAIL_CHARS);
  } catch {
    // Not JSON: use the text.
  }
  return truncate(oneLine(text), MAX_DETAIL_CHARS);
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  for (const key of [
    'message',
    'error_message',
    'errorMessage',
    'detail',
    'error',
    'msg',
    'description',
  ]) {
    const v = obj[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (v && typeof v === 'object') {
      const nested = messageOf(v);
      if (nested) return nested;
    }
  }
  return undefined;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function statusText(status: number): string {
  const texts: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    409: 'Conflict',
    422: 'Unprocessable Entity',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    502: 'Bad Gateway',
    503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  return texts[status] ?? 'HTTP error';
}

/** True when `error` is an {@link AloomaError} of that code. */
export function isCode(error: unknown, code: AloomaErrorCode): boolean {
  return error instanceof AloomaError && error.code === code;
}
