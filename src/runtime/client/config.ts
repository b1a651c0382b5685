/**
 * Configuration of the client: options, their defaults and checks, and the
 * reading of the environment (`AloomaClient.fromEnv`). Nothing here sends a
 * request; a client that would send credentials in clear is refused here,
 * before one could.
 *
 * `http://` is accepted only for a loopback host (127.0.0.0/8, ::1,
 * `localhost`: the emulator), or with the explicit opt-in (option
 * `allowInsecureHttp`, variable `ALOOMA_ALLOW_INSECURE_HTTP=1`): the API key
 * or password, the session cookie and every input secret travel in the
 * requests.
 */
import { ConnectionSpec, EmulatorDefaults, EnvVar, resolveCredentials } from '../protocol';
import { AloomaConfigError, AloomaInsecureUrlError, DEFAULT_AUTH_HINT } from './errors';
import { PollOptions } from './poller';
import { redactUrl, registerSecret } from './redact';
import { Clock, ResolvedRetryOptions, RetryOptions, realClock, resolveRetryOptions } from './retry';
import { ClientEvent } from './types';

/** Credentials: a login (session cookie) or an API key, never both. */
export type ClientAuth =
  | { readonly kind: 'password'; readonly username: string; readonly password: string }
  | { readonly kind: 'apiKey'; readonly apiKey: string };

/** Options of `AloomaClient`. */
export interface ClientOptions {
  /** Base URL of the API, e.g. `https://app.alooma.com` or `http://127.0.0.1:8787`. */
  readonly baseUrl: string;
  /** Account; the REST root is `<baseUrl>/<account>/rest/` when set, `<baseUrl>/rest/` otherwise. */
  readonly account?: string;
  /** The login or the API key. */
  readonly auth: ClientAuth;
  /** Timeout of one HTTP attempt, in ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Retry policy. @default see DEFAULT_RETRY_OPTIONS (4 retries, 200 ms..5 s, full jitter) */
  readonly retry?: RetryOptions;
  /** Receives request/retry/login/relogin/create_check events (redacted), for logs and metrics. */
  readonly onEvent?: (event: ClientEvent) => void;
  /** @default `alooma-cdktf (node <version>)` */
  readonly userAgent?: string;
  /** Structure polling that confirms creates. @default 250 ms, backing off to 2 s */
  readonly poll?: PollOptions;
  /** How long a create may take to appear in the structure, in ms. @default 60000 */
  readonly createTimeoutMs?: number;
  /**
   * After a create failed in a way that may have landed (a 5xx, a reset
   * connection, a timeout: not a 429), how long to look for it before posting
   * again. The API accepts several inputs with one name, so posting again
   * while the first one is still on its way would duplicate it.
   * @default 3000
   */
  readonly landingWindowMs?: number;
  /** Hint of auth errors. @default names ALOOMA_USERNAME/ALOOMA_PASSWORD/ALOOMA_API_KEY */
  readonly authHint?: string;
  /** Random source of retry jitter (tests). @default Math.random */
  readonly random?: () => number;
  /**
   * Time of the waits between attempts and between structure reads (retry
   * backoff, create confirmation). Tests inject one that does not wait.
   * @default - the real clock (`Date.now`, `setTimeout`)
   */
  readonly clock?: Clock;
  /**
   * Allow `http://` to a host that is not loopback. Credentials and input
   * secrets then travel in clear: only for a trusted network path (e.g. a
   * TLS-terminating sidecar on another address).
   * @default false (or true when `ALOOMA_ALLOW_INSECURE_HTTP` is `1`/`true`, with `fromEnv`)
   */
  readonly allowInsecureHttp?: boolean;
}

/** Options of `AloomaClient.fromEnv` besides URL, account and credentials. */
export interface FromEnvOptions extends Omit<
  ClientOptions,
  'baseUrl' | 'account' | 'auth' | 'authHint'
> {
  /**
   * URL used when neither the connection nor `$ALOOMA_API_URL` names one,
   * e.g. `EmulatorDefaults.URL`. Without it, a missing URL is a config error.
   */
  readonly defaultUrl?: string;
}

/** Default timeout of one HTTP attempt. */
export const DEFAULT_TIMEOUT_MS = 30000;
/** Default time a create may take to appear. */
export const DEFAULT_CREATE_TIMEOUT_MS = 60000;
/** Default time to look for a create that may have landed before posting it again. */
export const DEFAULT_LANDING_WINDOW_MS = 3000;

/** Every option checked, defaults filled in. */
export interface ResolvedClientConfig {
  /** Base URL (without trailing slash, query or fragment). */
  readonly baseUrl: string;
  /** `<baseUrl>/[<account>/]rest/`. */
  readonly restRoot: string;
  /** The credentials, checked (an API key trimmed). */
  readonly auth: ClientAuth;
  /** The retry policy of every call, creates included. */
  readonly retry: ResolvedRetryOptions;
  /** Timeout of one HTTP attempt, in ms. */
  readonly timeoutMs: number;
  /** How long a create may take to appear, in ms. */
  readonly createTimeoutMs: number;
  /** How long to look for a create that may have landed before posting again, in ms. */
  readonly landingWindowMs: number;
  /** Hint of auth errors. */
  readonly authHint: string;
  /** `User-Agent` header. */
  readonly userAgent: string;
  /** Random source of retry jitter. */
  readonly random: () => number;
  /** Time of every wait: retry backoff and structure polling. */
  readonly clock: Clock;
  /** Structure polling options (defaults in poller.ts). */
  readonly poll?: PollOptions;
  /** Event sink. */
  readonly onEvent?: (event: ClientEvent) => void;
}

/**
 * Checks the options and fills in the defaults; registers the credentials
 * for redaction.
 * @throws AloomaConfigError naming the bad option; AloomaInsecureUrlError for
 *   `http://` to a host that is not loopback without the opt-in.
 */
export function resolveClientConfig(options: ClientOptions): ResolvedClientConfig {
  const baseUrl = checkBaseUrl(options.baseUrl, options.allowInsecureHttp === true);
  const account = options.account?.trim() || undefined;
  const auth = checkAuth(options.auth);
  registerSecret(auth.kind === 'password' ? auth.password : auth.apiKey);
  return {
    baseUrl,
    restRoot: `${baseUrl}/${account ? `${encodeURIComponent(account)}/` : ''}rest/`,
    auth,
    retry: resolveRetryOptions(options.retry),
    timeoutMs: positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs'),
    createTimeoutMs: positive(
      options.createTimeoutMs,
      DEFAULT_CREATE_TIMEOUT_MS,
      'createTimeoutMs',
    ),
    landingWindowMs: positive(
      options.landingWindowMs,
      DEFAULT_LANDING_WINDOW_MS,
      'landingWindowMs',
    ),
    authHint: options.authHint ?? DEFAULT_AUTH_HINT,
    userAgent: options.userAgent ?? `alooma-cdktf (node ${process.version})`,
    random: options.random ?? Math.random,
    clock: options.clock ?? realClock,
    poll: options.poll,
    onEvent: options.onEvent,
  };
}

/**
 * The client options the environment and a manifest's connection give:
 * URL from `connection.apiUrl ?? $ALOOMA_API_URL ?? options.defaultUrl`,
 * account from `connection.account ?? $ALOOMA_ACCOUNT`, credentials as
 * {@link resolveCredentials} reads them, and the `http://` opt-in from
 * `$ALOOMA_ALLOW_INSECURE_HTTP` (unless the options set it).
 * @throws AloomaConfigError naming the variables to set, when the URL or
 *   the credentials are missing, or when both kinds of credentials are set.
 */
export function clientOptionsFromEnv(
  env: NodeJS.ProcessEnv,
  connection: ConnectionSpec,
  options: FromEnvOptions,
): ClientOptions {
  const { defaultUrl, ...clientOptions } = options;
  const baseUrl =
    nonEmpty(connection.apiUrl) ?? nonEmpty(env[EnvVar.API_URL]) ?? nonEmpty(defaultUrl);
  if (baseUrl === undefined) {
    throw new AloomaConfigError(
      `no Alooma API URL is configured: ${EnvVar.API_URL} is not set`,
      `set ${EnvVar.API_URL} (e.g. https://app.alooma.com), or ${EnvVar.API_URL}=${EmulatorDefaults.URL} ` +
        'for the local emulator (`alooma-cdktf emulator`)',
    );
  }
  const found = resolveCredentials(env, connection);
  const { usernameEnv, passwordEnv, apiKeyEnv } = found;
  // Registered as soon as read, also when they are about to be refused as contradictory.
  registerSecret(env[passwordEnv] || undefined);
  registerSecret(nonEmpty(env[apiKeyEnv]));
  const credentialsHint = `set ${usernameEnv} and ${passwordEnv}, or ${apiKeyEnv} (one or the other, not both)`;

  let auth: ClientAuth;
  switch (found.kind) {
    case 'apiKey':
      auth = { kind: 'apiKey', apiKey: found.apiKey };
      break;
    case 'password':
      auth = { kind: 'password', username: found.username, password: found.password };
      break;
    case 'both':
      throw new AloomaConfigError(
        `both an API key (${apiKeyEnv}) and a login (${found.loginSet.join(', ')}) are set; ` +
          'Alooma takes one or the other, not both',
        `unset ${apiKeyEnv}, or unset ${usernameEnv} and ${passwordEnv}`,
      );
    case 'incomplete':
      throw new AloomaConfigError(
        `${found.missing} is not set (the login needs both ${usernameEnv} and ${passwordEnv})`,
        credentialsHint,
      );
    case 'terraform_key_absent':
      throw new AloomaConfigError(
        'the API key comes from Terraform, which passes it to the apply step only; this step (a destroy-time deletion) has no credentials',
        `export ${apiKeyEnv} (or ${usernameEnv} and ${passwordEnv}) for cdktf destroy and for deploys that remove inputs; nothing was deleted`,
      );
    case 'none':
      throw new AloomaConfigError(
        `no Alooma credentials: none of ${usernameEnv}, ${passwordEnv}, ${apiKeyEnv} is set`,
        credentialsHint,
      );
  }
  return {
    ...clientOptions,
    allowInsecureHttp: clientOptions.allowInsecureHttp ?? isTrue(env[EnvVar.ALLOW_INSECURE_HTTP]),
    baseUrl,
    account: nonEmpty(connection.account) ?? nonEmpty(env[EnvVar.ACCOUNT]),
    auth,
    authHint: `check ${usernameEnv}/${passwordEnv} or ${apiKeyEnv}`,
  };
}

/**
 * True for a loopback host as `URL.hostname` spells it: `localhost`, an
 * address of 127.0.0.0/8, or `[::1]`. Names that merely resolve to loopback
 * (and `0.0.0.0`) are not: the check does not trust DNS.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (host === '[::1]' || host === '::1') return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return (
    octets !== null && Number(octets[1]) === 127 && octets.slice(2).every((o) => Number(o) <= 255)
  );
}

function checkBaseUrl(baseUrl: string, allowInsecureHttp: boolean): string {
  let url: URL;
  try {
    url = new URL(String(baseUrl ?? '').trim());
  } catch {
    throw new AloomaConfigError(
      `the Alooma API URL ${JSON.stringify(redactUrl(String(baseUrl)))} is not a URL`,
      `set ${EnvVar.API_URL} to e.g. https://app.alooma.com or ${EmulatorDefaults.URL}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AloomaConfigError(
      `the Alooma API URL must be http:// or https://, got ${url.protocol}`,
      `set ${EnvVar.API_URL} to e.g. https://app.alooma.com or ${EmulatorDefaults.URL}`,
    );
  }
  if (url.protocol === 'http:' && !allowInsecureHttp && !isLoopbackHost(url.hostname)) {
    throw new AloomaInsecureUrlError(
      `the Alooma API URL http://${url.host} is not encrypted and ${url.hostname} is not a loopback host: ` +
        'the credentials and input secrets would travel in clear',
      `use https://${url.host}; http:// is for the local emulator (127.0.0.1, ::1, localhost). ` +
        `To send in clear anyway, set ${EnvVar.ALLOW_INSECURE_HTTP}=1 (client option allowInsecureHttp)`,
    );
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

function checkAuth(auth: ClientAuth): ClientAuth {
  if (
    auth?.kind === 'password' &&
    nonEmpty(auth.username) &&
    typeof auth.password === 'string' &&
    auth.password !== ''
  ) {
    return auth;
  }
  if (auth?.kind === 'apiKey' && nonEmpty(auth.apiKey)) {
    if (/\s/.test(auth.apiKey.trim())) {
      throw new AloomaConfigError(
        'the Alooma API key contains whitespace',
        `check ${EnvVar.API_KEY}`,
      );
    }
    return { kind: 'apiKey', apiKey: auth.apiKey.trim() };
  }
  throw new AloomaConfigError(
    'the client needs credentials: {kind: "password", username, password} or {kind: "apiKey", apiKey}',
    `set ${EnvVar.USERNAME} and ${EnvVar.PASSWORD}, or ${EnvVar.API_KEY}`,
  );
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new AloomaConfigError(
      `client option ${name} must be a number > 0, got ${String(value)}`,
      'fix the client options',
    );
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isTrue(value: string | undefined): boolean {
  return /^(1|true|yes)$/i.test(value?.trim() ?? '');
}
