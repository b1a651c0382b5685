/**
 * Request sending: the one place that speaks HTTP. Authentication (session
 * login with one re-login on 401, or an API key), per-request timeouts over
 * keep-alive connections, the session cookie, metrics and events, and
 * retries of calls safe to repeat through the one retry policy (retry.ts).
 * Every failure becomes an `AloomaError` with secrets redacted.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import axios, { AxiosInstance } from 'axios';
import { ResolvedClientConfig } from './config';
import { CookieJar } from './cookies';
import {
  AloomaBadResponseError,
  AloomaError,
  AloomaErrorCode,
  fromAxiosError,
  fromResponse,
  isCode,
  looksLikeHtml,
} from './errors';
import { redactUrl } from './redact';
import { withRetry } from './retry';
import { ClientEvent, ClientMetrics } from './types';

/** HTTP methods of the API. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What one call sends and expects. */
export interface CallOptions {
  /** JSON body. */
  readonly body?: unknown;
  /** Raw text body (sent as text/plain). */
  readonly text?: string;
  /** `json`: a JSON answer is required; `any`: JSON when it is JSON, else text (HTML is never accepted). */
  readonly expect: 'json' | 'any';
}

/** How a retried call treats some failures. */
export interface CallBehaviour {
  /** A 404 after a retried attempt means an earlier attempt landed: done (deletes). */
  readonly notFoundAfterRetryIsDone?: boolean;
}

/** Path of the structure read (counted in `metrics.structureReads`). */
export const STRUCTURE_PATH = 'plumbing/?resolution=1min';
const LOGIN_PATH = 'login';

/** Sends the client's requests. Safe for concurrent use; one login is shared by all calls. */
export class Transport {
  /** Counters, for benchmarks and tests. */
  readonly metrics: ClientMetrics = {
    requests: 0,
    retries: 0,
    relogins: 0,
    structureReads: 0,
    writes: 0,
  };

  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly jar = new CookieJar();
  /** Bumped by every successful login; a 401 of an older session does not log in again. */
  private sessionGeneration = 0;
  private login: Promise<void> | undefined;

  constructor(private readonly config: ResolvedClientConfig) {
    // Keep-alive: a bulk deploy makes hundreds of calls; a new TCP (and TLS) handshake each would dominate.
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true });
    this.http = axios.create({
      baseURL: config.restRoot,
      adapter: 'http',
      timeout: config.timeoutMs,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      // Every status is an answer; fromResponse turns non-2xx into AloomaErrors.
      validateStatus: () => true,
      // A redirect from an API is a misconfigured URL; say so instead of following it (and re-POSTing).
      maxRedirects: 0,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      transitional: {
        clarifyTimeoutError: true,
        silentJSONParsing: true,
        forcedJSONParsing: false,
      },
      headers: {
        Accept: 'application/json',
        'User-Agent': config.userAgent,
      },
    });
  }

  /** One call with retries (for calls safe to repeat), waiting on the configured clock. */
  async call<T>(
    method: Method,
    path: string,
    options: CallOptions,
    behaviour: CallBehaviour = {},
  ): Promise<T> {
    let retried = false;
    try {
      return await withRetry(
        (attempt) => this.attempt<T>(method, path, options, attempt),
        this.config.retry,
        {
          random: this.config.random,
          sleep: (ms) => this.config.clock.sleep(ms),
          onRetry: ({ attempt, delayMs, error }) => {
            retried = true;
            this.noteRetry(method, path, attempt, delayMs, error);
          },
        },
      );
    } catch (error) {
      if (
        behaviour.notFoundAfterRetryIsDone &&
        retried &&
        isCode(error, AloomaErrorCode.NOT_FOUND)
      ) {
        return undefined as T;
      }
      throw error;
    }
  }

  /**
   * One attempt, authenticated: logs in first when needed and, on a 401 of
   * a session, logs in again once and replays the request. Not retried.
   * @param attempt number of the attempt within its call (0 = first), for events.
   */
  async attempt<T>(
    method: Method,
    path: string,
    options: CallOptions,
    attempt: number,
  ): Promise<T> {
    if (this.config.auth.kind === 'apiKey') return this.send<T>(method, path, options, attempt);
    if (this.sessionGeneration === 0) await this.ensureLogin('initial');
    const generation = this.sessionGeneration;
    try {
      return await this.send<T>(method, path, options, attempt);
    } catch (error) {
      if (!isCode(error, AloomaErrorCode.AUTH)) throw error;
      this.emit({ type: 'relogin', method, path: redactUrl(path) });
      // Concurrent 401s of one expired session share one login.
      if (this.sessionGeneration === generation) await this.ensureLogin('session_expired');
      return this.send<T>(method, path, options, attempt);
    }
  }

  /** Counts a retry and reports it (`retry` event). */
  noteRetry(
    method: string,
    path: string,
    attempt: number,
    delayMs: number,
    error: AloomaError,
  ): void {
    this.metrics.retries++;
    this.emit({
      type: 'retry',
      method,
      path: redactUrl(path),
      attempt,
      delayMs,
      code: error.code,
      status: error.status,
      message: error.message,
    });
  }

  /** Reports an event to `onEvent`; a failing sink never fails the call. */
  emit(event: ClientEvent): void {
    if (!this.config.onEvent) return;
    try {
      this.config.onEvent(event);
    } catch {
      // A failing log sink must not fail the call it reports on.
    }
  }

  /** A `bad_response` error for a 2xx answer of the wrong shape. */
  unexpected(method: Method, path: string, reason: string): AloomaBadResponseError {
    return fromResponse({
      method,
      path,
      status: 200,
      baseUrl: this.config.baseUrl,
      badResponseReason: reason,
    }) as AloomaBadResponseError;
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private ensureLogin(reason: 'initial' | 'session_expired'): Promise<void> {
    if (!this.login) {
      this.login = this.doLogin(reason).finally(() => {
        this.login = undefined;
      });
    }
    return this.login;
  }

  private async doLogin(reason: 'initial' | 'session_expired'): Promise<void> {
    const { auth } = this.config;
    if (auth.kind !== 'password') return;
    this.emit({ type: 'login', reason });
    if (reason === 'session_expired') this.metrics.relogins++;
    this.jar.clear();
    // One attempt: the call that needed the login retries it (no retries nested in retries).
    await this.send(
      'POST',
      LOGIN_PATH,
      { body: { email: auth.username, password: auth.password }, expect: 'any' },
      0,
    );
    this.sessionGeneration++;
  }

  /** One HTTP exchange; every failure becomes an AloomaError. */
  private async send<T>(
    method: Method,
    path: string,
    options: CallOptions,
    attempt: number,
  ): Promise<T> {
    const { auth } = this.config;
    const headers: Record<string, string> = {};
    if (auth.kind === 'apiKey') {
      headers.Authorization = `API ${auth.apiKey}`;
    } else {
      const cookie = this.jar.header();
      if (cookie) headers.Cookie = cookie;
    }
    let data: string | undefined;
    if (options.text !== undefined) {
      data = options.text;
      headers['Content-Type'] = 'text/plain; charset=utf-8';
    } else if (options.body !== undefined) {
      data = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }

    this.metrics.requests++;
    if (method !== 'GET' && path !== LOGIN_PATH) this.metrics.writes++;
    if (method === 'GET' && path === STRUCTURE_PATH) this.metrics.structureReads++;
    const context = {
      method,
      path,
      baseUrl: this.config.baseUrl,
      timeoutMs: this.config.timeoutMs,
      authHint: this.config.authHint,
    };
    const started = Date.now();

    let response;
    try {
      response = await this.http.request<string>({ method, url: path, data, headers });
    } catch (err) {
      const error = fromAxiosError(err as Error, context);
      this.emitRequest(method, path, 0, started, attempt, undefined, error.code);
      throw error;
    }

    const responseHeaders = response.headers as Record<string, unknown>;
    this.jar.store(responseHeaders['set-cookie'] as string[] | undefined);
    const body = typeof response.data === 'string' ? response.data : String(response.data ?? '');
    const requestId =
      typeof responseHeaders['x-request-id'] === 'string'
        ? responseHeaders['x-request-id']
        : undefined;
    const status = response.status;

    let result: unknown;
    let failure: AloomaError | undefined;
    if (status < 200 || status >= 300) {
      failure = fromResponse({ ...context, status, headers: responseHeaders, body });
    } else {
      const contentType = String(responseHeaders['content-type'] ?? '');
      const parsed = parseBody(body, contentType, options.expect);
      if (parsed.ok) result = parsed.value;
      else
        failure = fromResponse({
          ...context,
          status,
          headers: responseHeaders,
          body,
          badResponseReason: parsed.reason,
        });
    }
    this.emitRequest(method, path, status, started, attempt, requestId, failure?.code);
    if (failure) throw failure;
    return result as T;
  }

  private emitRequest(
    method: string,
    path: string,
    status: number,
    started: number,
    attempt: number,
    requestId: string | undefined,
    errorCode: string | undefined,
  ): void {
    this.emit({
      type: 'request',
      method,
      path: redactUrl(path),
      status,
      durationMs: Date.now() - started,
      attempt,
      ...(requestId !== undefined ? { requestId } : {}),
      ...(errorCode !== undefined ? { errorCode } : {}),
    });
  }
}

type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses a 2xx body: JSON when JSON is required or offered; HTML never passes. */
function parseBody(body: string, contentType: string, expect: 'json' | 'any'): Parsed {
  if (looksLikeHtml(body, contentType)) return { ok: false, reason: 'got an HTML page' };
  const text = body.trim();
  if (text === '')
    return expect === 'json'
      ? { ok: false, reason: 'empty body where JSON was expected' }
      : { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    if (expect === 'any' && !/json/i.test(contentType)) return { ok: true, value: body };
    return { ok: false, reason: `invalid JSON (truncated?): ${JSON.stringify(text.slice(0, 60))}` };
  }
}
