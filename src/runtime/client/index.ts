/**
 * The Alooma REST API client: the runtime's only door to HTTP.
 * See client.ts for the client (its resource methods), config.ts for its
 * options and environment, transport.ts for request sending, create.ts for
 * the create protocol, errors.ts for the error codes, retry.ts for the retry
 * policy and redact.ts for what never reaches a log.
 */
export {
  AloomaClient,
  DEFAULT_CREATE_TIMEOUT_MS,
  DEFAULT_LANDING_WINDOW_MS,
  DEFAULT_TIMEOUT_MS,
} from './client';
export type {
  ClientAuth,
  ClientOptions,
  CreateInputOptions,
  FromEnvOptions,
  NodeRef,
} from './client';
export {
  AloomaAuthError,
  AloomaBadResponseError,
  AloomaConfigError,
  AloomaConflictError,
  AloomaCreateUnconfirmedError,
  AloomaError,
  AloomaErrorCode,
  AloomaForbiddenError,
  AloomaInsecureUrlError,
  AloomaNetworkError,
  AloomaNotFoundError,
  AloomaRateLimitError,
  AloomaServerError,
  AloomaValidationError,
  DEFAULT_AUTH_HINT,
  fromAxiosError,
  fromResponse,
  parseRetryAfter,
} from './errors';
export type { AloomaErrorInit, AxiosErrorLike, RequestContext, ResponseLike } from './errors';
export { isLoopbackHost } from './config';
export { DEFAULT_POLL_OPTIONS } from './poller';
export type { PollOptions } from './poller';
export {
  REDACTED,
  clearRegisteredSecrets,
  redactBody,
  redactHeaders,
  redactText,
  redactUrl,
  redactValue,
  registerSecret,
  registerSecretsIn,
} from './redact';
export {
  DEFAULT_RETRY_OPTIONS,
  backoffDelayMs,
  decideRetry,
  isRetryable,
  realClock,
  resolveRetryOptions,
  withRetry,
} from './retry';
export type { Clock, JitterMode, ResolvedRetryOptions, RetryDecision, RetryOptions } from './retry';
export { INPUT_CATEGORY, SYSTEM_INPUT_TYPES } from '../../alooma/input-types';
export type {
  AloomaNode,
  AloomaStructure,
  ClientEvent,
  ClientMetrics,
  InputHistoryEntry,
  InputsMapping,
  NewInput,
} from './types';
