/**
 * Retry policy of the client, pure: which failures are retried and after how
 * long. Randomness and sleeping are injected, so every branch is unit-tested
 * without timers or HTTP.
 *
 * Retried: no response (connection reset, timeout), 5xx except 501/505, and
 * 429. Never retried: 400/401/403/404/409/422 and other 4xx (a 401 of an
 * expired session is handled by one re-login, not here), TLS failures,
 * responses that are not the API's, and ECONNREFUSED/ENOTFOUND (nothing
 * listens at that address, or the host does not exist: the usual cause is a
 * wrong `ALOOMA_API_URL`, and failing at once with the hint beats failing
 * after a round of backoff).
 *
 * Delays: exponential, `minDelayMs * factor^(n-1)` for the n-th retry, capped
 * at `maxDelayMs`, with **full jitter** by default (a uniform delay in
 * [0, that]). A bulk deploy makes many concurrent calls that hit the same
 * throttle at the same moment; full jitter spreads their retries evenly over
 * the window, which (per the AWS "Exponential Backoff and Jitter" analysis)
 * minimises both the total number of calls and the time to finish, at the
 * price of some short delays. `equal` (half fixed, half random) and `none`
 * are available.
 *
 * Retry-After (429, 503): the server's delay is a floor. The client waits
 * Retry-After plus a random fraction of `minDelayMs`, so concurrent callers
 * told "1 s" do not all come back in the same millisecond. When Retry-After
 * exceeds `maxRetryAfterMs` the call fails at once with the rate-limit error
 * (waiting minutes inside `terraform apply` helps nobody; the hint says so).
 */
import { AloomaConfigError, AloomaError, AloomaErrorCode } from './errors';

/** How the backoff delay is randomised. */
export type JitterMode = 'full' | 'equal' | 'none';

/** Retry options; every field optional, see {@link DEFAULT_RETRY_OPTIONS}. */
export interface RetryOptions {
  /** Retries after the first attempt (0 disables retrying). @default 4 */
  readonly retries?: number;
  /** Base delay of the first retry, in ms. @default 200 */
  readonly minDelayMs?: number;
  /** Cap of the backoff delay, in ms. @default 5000 */
  readonly maxDelayMs?: number;
  /** Growth of the delay per retry. @default 2 */
  readonly factor?: number;
  /** Randomisation of the delay. @default 'full' */
  readonly jitter?: JitterMode;
  /** Wait what `Retry-After` says (429, 503) instead of the backoff delay. @default true */
  readonly honourRetryAfter?: boolean;
  /** Longest Retry-After honoured; beyond it the call fails at once. @default 30000 */
  readonly maxRetryAfterMs?: number;
}

/** Options with every default filled in. */
export type ResolvedRetryOptions = Required<RetryOptions>;

/** The defaults. */
export const DEFAULT_RETRY_OPTIONS: ResolvedRetryOptions = Object.freeze({
  retries: 4,
  minDelayMs: 200,
  maxDelayMs: 5000,
  factor: 2,
  jitter: 'full',
  honourRetryAfter: true,
  maxRetryAfterMs: 30000,
});

/**
 * Fills in defaults and checks values.
 * @throws AloomaConfigError naming the bad option.
 */
export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  const resolved: ResolvedRetryOptions = { ...DEFAULT_RETRY_OPTIONS };
  for (const [key, value] of Object.entries(options) as [keyof RetryOptions, unknown][]) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  const nonNegative = (key: 'retries' | 'minDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs') => {
    const v = resolved[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new AloomaConfigError(
        `retry option ${key} must be a number >= 0, got ${String(v)}`,
        'fix the retry options',
      );
    }
  };
  nonNegative('retries');
  nonNegative('minDelayMs');
  nonNegative('maxDelayMs');
  nonNegative('maxRetryAfterMs');
  if (!Number.isInteger(resolved.retries)) {
    throw new AloomaConfigError(
      `retry option retries must be an integer, got ${resolved.retries}`,
      'fix the retry options',
    );
  }
  if (
    typeof resolved.factor !== 'number' ||
    !Number.isFinite(resolved.factor) ||
    resolved.factor < 1
  ) {
    throw new AloomaConfigError(
      `retry option factor must be a number >= 1, got ${String(resolved.factor)}`,
      'fix the retry options',
    );
  }
  if (!['full', 'equal', 'none'].includes(resolved.jitter)) {
    throw new AloomaConfigError(
      `retry option jitter must be 'full', 'equal' or 'none', got ${String(resolved.jitter)}`,
      'fix the retry options',
    );
  }
  return resolved;
}

/**
 * Backoff delay before retry number `retry` (1 = first retry), without
 * Retry-After: `min(maxDelayMs, minDelayMs * factor^(retry-1))`, jittered.
 * @param random a source of [0, 1) numbers (Math.random in production).
 */
export function backoffDelayMs(
  retry: number,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, retry - 1);
  const ceiling = Math.min(
    options.maxDelayMs,
    options.minDelayMs * Math.pow(options.factor, exponent),
  );
  switch (options.jitter) {
    case 'none':
      return Math.round(ceiling);
    case 'equal':
      return Math.round(ceiling / 2 + random() * (ceiling / 2));
    case 'full':
      return Math.round(random() * ceiling);
  }
}

/**
 * Network failures retrying does not cure (nothing listens, no such host).
 * Resets, timeouts and DNS hiccups (EAI_AGAIN) are retried.
 */
const PERMANENT_NETWORK_CAUSES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND']);

/** True when an attempt that failed with `error` may be repeated (see the module comment). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof AloomaError)) return false;
  switch (error.code) {
    case AloomaErrorCode.TIMEOUT:
    case AloomaErrorCode.RATE_LIMITED:
      return true;
    case AloomaErrorCode.SERVER:
      return error.status !== 501 && error.status !== 505;
    case AloomaErrorCode.NETWORK:
      // ERR_INVALID_*: node refused the request itself (e.g. a bad header); it will refuse it again.
      return (
        !PERMANENT_NETWORK_CAUSES.has(error.causeCode ?? '') &&
        !/^ERR_INVALID/.test(error.causeCode ?? '')
      );
    default:
      return false;
  }
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | {
      readonly retry: false;
      readonly reason: 'not_retryable' | 'retries_exhausted' | 'retry_after_too_long';
    };

/**
 * Decides whether to retry after `error`, given that `retriesDone` retries
 * were already made, and how long to wait first.
 */
export function decideRetry(
  error: unknown,
  retriesDone: number,
  options: ResolvedRetryOptions,
  random: () => number = Math.random,
): RetryDecision {
  if (!isRetryable(error)) return { retry: false, reason: 'not_retryable' };
  if (retriesDone >= options.retries) return { retry: false, reason: 'retries_exhausted' };
  const retryAfterMs = (error as AloomaError).retryAfterMs;
  if (options.honourRetryAfter && retryAfterMs !== undefined) {
    if (retryAfterMs > options.maxRetryAfterMs)
      return { retry: false, reason: 'retry_after_too_long' };
    const spread = options.jitter === 'none' ? 0 : random() * options.minDelayMs;
    return { retry: true, delayMs: Math.round(retryAfterMs + spread) };
  }
  return { retry: true, delayMs: backoffDelayMs(retriesDone + 1, options, random) };
}

/** A retry about to happen. */
export interface RetryInfo {
  /** Number of the attempt about to be made (1 = first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: AloomaError;
}

/** Time, injectable: the client's waits (retry backoff, structure polling) go through one. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/** The real clock: `Date.now` and a `setTimeout` promise. */
export const realClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => sleep(ms),
});

/** Injectable effects of {@link withRetry}. */
export interface RetryHooks {
  /** @default Math.random */
  readonly random?: () => number;
  /** @default a setTimeout promise */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each wait. */
  readonly onRetry?: (info: RetryInfo) => void;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `operation` (attempt 0, 1, ...) until it succeeds, fails with an error
 * that is not retried, or runs out of retries; then throws the last error.
 * Only for operations that are safe to repeat (reads, idempotent writes).
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: ResolvedRetryOptions,
  hooks: RetryHooks = {},
): Promise<T> {
  const random = hooks.random ?? Math.random;
  const wait = hooks.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = decideRetry(error, attempt, options, random);
      if (!decision.retry) throw error;
      hooks.onRetry?.({
        attempt: attempt + 1,
        delayMs: decision.delayMs,
        error: error as AloomaError,
      });
      await wait(decision.delayMs);
    }
  }
}
