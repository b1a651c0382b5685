/**
 * The Alooma REST API client: the only module of the runtime that speaks
 * HTTP. Authentication (session login with one re-login on 401, or an API
 * key), per-request timeouts over keep-alive connections, retries of safe
 * calls, creates that never duplicate an input, and errors that say what
 * failed and how to fix it, with every secret redacted.
 *
 * Which calls are retried (see retry.ts for when and how long):
 * - reads, `PUT` of a whole node, pause/resume, sleep time and secrets are
 *   idempotent by target: repeating them lands in the same state;
 * - deletes too; a 404 on a repeated delete means the first attempt landed;
 * - creates are not blindly repeated: after a failure that may have landed
 *   (no response, timeout, 5xx, 429) the structure is read first, and a node
 *   of that name means the create is done; a 409/"already in use" after such
 *   a failure is confirmed by name as well. So injected 503s, 429s and lost
 *   responses never leave two inputs of one name.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import axios, { AxiosInstance } from 'axios';
import { ConnectionSpec, EmulatorDefaults, EnvVar } from '../protocol';
import { CookieJar } from './cookies';
import {
  AloomaBadResponseError,
  AloomaConfigError,
  AloomaError,
  AloomaConflictError,
  AloomaErrorCode,
  AloomaForbiddenError,
  AloomaValidationError,
  DEFAULT_AUTH_HINT,
  fromAxiosError,
  fromResponse,
  looksLikeHtml,
} from './errors';
import { PollOptions, StructurePoller, isLiveInputNamed } from './poller';
import { redactUrl, registerSecret, registerSecretsIn } from './redact';
import {
  ResolvedRetryOptions,
  RetryOptions,
  decideRetry,
  isRetryable,
  resolveRetryOptions,
  sleep,
  withRetry,
} from './retry';
import {
  AloomaNode,
  AloomaStructure,
  ClientEvent,
  ClientMetrics,
  InputHistoryEntry,
  InputsMapping,
  NewInput,
} from './types';
import { isInputNode, isSystemInputType } from '../../alooma/input-types';
import { isPlainObject } from '../../alooma/json';
import { sleepTimeSeconds } from '../../alooma/rules';

/** Credentials: a login (session cookie) or an API key, never both. */
export type ClientAuth =
  | { readonly kind: 'password'; readonly username: string; readonly password: string }
  | { readonly kind: 'apiKey'; readonly apiKey: string };

/** Options of {@link AloomaClient}. */
export interface ClientOptions {
  /** Base URL of the API, e.g. `https://app.alooma.com` or `http://127.0.0.1:8787`. */
  readonly baseUrl: string;
  /** Account; the REST root is `<baseUrl>/<account>/rest/` when set, `<baseUrl>/rest/` otherwise. */
  readonly account?: string;
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
}

/** Options of {@link AloomaClient.fromEnv} besides URL, account and credentials. */
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

/** Options of {@link AloomaClient.createInput}. */
export interface CreateInputOptions {
  /** Validate the source (`POST plumbing/inputs`); false uses `POST inputs?validate=false`. @default true */
  readonly validate?: boolean;
  /** How long to wait for the input to appear in the structure, in ms. @default the client's createTimeoutMs */
  readonly timeoutMs?: number;
  /**
   * Ids of the live inputs that already carry the new name. The API accepts
   * several inputs with one name and answers a create without an id, so the
   * new input is the one of that name whose id is not among these (as the
   * official client counts the nodes of the name before and after).
   * @default - read from the structure before the create
   */
  readonly existingIds?: ReadonlySet<string>;
  /**
   * Further test of a candidate, e.g. that its ownership marker is the
   * caller's: a create by someone else with the same name at the same moment
   * is then never taken for this one.
   * @default - any new input of the name
   */
  readonly isOurs?: (node: AloomaNode) => boolean;
}

/** A node, or just what the client needs to check it is not a system input. */
export type NodeRef = string | Pick<AloomaNode, 'id' | 'type'>;

/** Default timeout of one HTTP attempt. */
export const DEFAULT_TIMEOUT_MS = 30000;
/** Default time a create may take to appear. */
export const DEFAULT_CREATE_TIMEOUT_MS = 60000;
/** Default time to look for a create that may have landed before posting it again. */
export const DEFAULT_LANDING_WINDOW_MS = 3000;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface CallOptions {
  /** JSON body. */
  readonly body?: unknown;
  /** Raw text body (sent as text/plain). */
  readonly text?: string;
  /** `json`: a JSON answer is required; `any`: JSON when it is JSON, else text (HTML is never accepted). */
  readonly expect: 'json' | 'any';
}

const STRUCTURE_PATH = 'plumbing/?resolution=1min';
const LOGIN_PATH = 'login';

/** Client of one Alooma account. Safe for concurrent use; one login is shared by all calls. */
export class AloomaClient {
  /** Counters, for benchmarks and tests. */
  readonly metrics: ClientMetrics = {
    requests: 0,
    retries: 0,
    relogins: 0,
    structureReads: 0,
    writes: 0,
  };
  /** Base URL as given (without trailing slash). */
  readonly baseUrl: string;
  /** `<baseUrl>/[<account>/]rest/`. */
  readonly restRoot: string;

  private readonly auth: ClientAuth;
  private readonly http: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly retry: ResolvedRetryOptions;
  private readonly timeoutMs: number;
  private readonly createTimeoutMs: number;
  private readonly landingWindowMs: number;
  private readonly onEvent?: (event: ClientEvent) => void;
  private readonly authHint: string;
  private readonly random: () => number;
  private readonly jar = new CookieJar();
  private readonly poller: StructurePoller;
  /** id -> type of every node seen, so system inputs are refused without a request. */
  private readonly knownTypes = new Map<string, string>();
  /** Bumped by every successful login; a 401 of an older session does not log in again. */
  private sessionGeneration = 0;
  private login: Promise<void> | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = checkBaseUrl(options.baseUrl);
    const account = options.account?.trim() || undefined;
    this.restRoot = `${this.baseUrl}/${account ? `${encodeURIComponent(account)}/` : ''}rest/`;
    this.auth = checkAuth(options.auth);
    if (this.auth.kind === 'password') registerSecret(this.auth.password);
    else registerSecret(this.auth.apiKey);
    this.retry = resolveRetryOptions(options.retry);
    this.timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.createTimeoutMs = positive(
      options.createTimeoutMs,
      DEFAULT_CREATE_TIMEOUT_MS,
      'createTimeoutMs',
    );
    this.landingWindowMs = positive(
      options.landingWindowMs,
      DEFAULT_LANDING_WINDOW_MS,
      'landingWindowMs',
    );
    this.onEvent = options.onEvent;
    this.authHint = options.authHint ?? DEFAULT_AUTH_HINT;
    this.random = options.random ?? Math.random;
    // Keep-alive: a bulk deploy makes hundreds of calls; a new TCP (and TLS) handshake each would dominate.
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true });
    this.http = axios.create({
      baseURL: this.restRoot,
      adapter: 'http',
      timeout: this.timeoutMs,
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
        'User-Agent': options.userAgent ?? `alooma-cdktf (node ${process.version})`,
      },
    });
    this.poller = new StructurePoller(() => this.getStructure().then((s) => s.nodes), options.poll);
  }

  /**
   * A client configured from the environment and a manifest's connection:
   * URL from `connection.apiUrl ?? $ALOOMA_API_URL ?? options.defaultUrl`,
   * account from `connection.account ?? $ALOOMA_ACCOUNT`, and either
   * username + password or an API key from the variables the connection
   * names (defaults ALOOMA_USERNAME, ALOOMA_PASSWORD, ALOOMA_API_KEY).
   * @throws AloomaConfigError naming the variables to set, when the URL or
   *   the credentials are missing, or when both kinds of credentials are set.
   */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    connection: ConnectionSpec = {},
    options: FromEnvOptions = {},
  ): AloomaClient {
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
    // A key from Terraform reaches only the apply step; destroy-time steps use the defaults.
    const terraformKeyMissing =
      connection.apiKeyFromTerraform === true && !nonEmpty(env[connection.apiKeyEnv ?? '']);
    const usernameEnv = connection.usernameEnv ?? EnvVar.USERNAME;
    const passwordEnv = connection.passwordEnv ?? EnvVar.PASSWORD;
    const apiKeyEnv = terraformKeyMissing
      ? EnvVar.API_KEY
      : (connection.apiKeyEnv ?? EnvVar.API_KEY);
    const username = nonEmpty(env[usernameEnv]);
    const password = env[passwordEnv] === '' ? undefined : env[passwordEnv];
    const apiKey = nonEmpty(env[apiKeyEnv]);
    registerSecret(password);
    registerSecret(apiKey);
    const credentialsHint = `set ${usernameEnv} and ${passwordEnv}, or ${apiKeyEnv} (one or the other, not both)`;

    let auth: ClientAuth;
    if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
      throw new AloomaConfigError(
        `both an API key (${apiKeyEnv}) and a login (${[
          username && usernameEnv,
          password && passwordEnv,
        ]
          .filter(Boolean)
          .join(', ')}) are set; Alooma takes one or the other, not both`,
        `unset ${apiKeyEnv}, or unset ${usernameEnv} and ${passwordEnv}`,
      );
    } else if (apiKey !== undefined) {
      auth = { kind: 'apiKey', apiKey };
    } else if (username !== undefined && password !== undefined) {
      auth = { kind: 'password', username, password };
    } else if (username !== undefined || password !== undefined) {
      const missing = username === undefined ? usernameEnv : passwordEnv;
      throw new AloomaConfigError(
        `${missing} is not set (the login needs both ${usernameEnv} and ${passwordEnv})`,
        credentialsHint,
      );
    } else if (terraformKeyMissing) {
      throw new AloomaConfigError(
        'the API key comes from Terraform, which passes it to the apply step only; this step (a destroy-time deletion) has no credentials',
        `export ${apiKeyEnv} (or ${usernameEnv} and ${passwordEnv}) for cdktf destroy and for deploys that remove inputs; nothing was deleted`,
      );
    } else {
      throw new AloomaConfigError(
        `no Alooma credentials: none of ${usernameEnv}, ${passwordEnv}, ${apiKeyEnv} is set`,
        credentialsHint,
      );
    }
    return new AloomaClient({
      ...clientOptions,
      baseUrl,
      account: nonEmpty(connection.account) ?? nonEmpty(env[EnvVar.ACCOUNT]),
      auth,
      authHint: `check ${usernameEnv}/${passwordEnv} or ${apiKeyEnv}`,
    });
  }

  // ---- reads ----

  /** The account's name (`GET repository` -> `config_clientName`). */
  async getAccountName(): Promise<string> {
    const repository = await this.call<Record<string, unknown>>('GET', 'repository', {
      expect: 'json',
    });
    const name = isPlainObject(repository) ? repository.config_clientName : undefined;
    if (typeof name !== 'string')
      throw this.unexpected('GET', 'repository', 'no config_clientName in the answer');
    return name;
  }

  /** The plumbing structure (`GET plumbing/?resolution=1min`): every node of the account. */
  async getStructure(): Promise<AloomaStructure> {
    const structure = await this.call<AloomaStructure>('GET', STRUCTURE_PATH, { expect: 'json' });
    if (
      !isPlainObject(structure) ||
      !Array.isArray(structure.nodes) ||
      !structure.nodes.every(isNodeLike)
    ) {
      throw this.unexpected('GET', STRUCTURE_PATH, 'the answer is not {nodes: [...]}');
    }
    for (const node of structure.nodes) this.knownTypes.set(node.id, node.type);
    return structure;
  }

  /** The account's live inputs (one structure read). */
  async listInputs(): Promise<AloomaNode[]> {
    const { nodes } = await this.getStructure();
    return nodes.filter(isInputNode);
  }

  /**
   * The live input named `name`, or undefined (one structure read).
   * @throws AloomaConflictError (code `ambiguous_input_name`) when several
   *   inputs carry the name: use {@link findInputs} and pick by id.
   */
  async findInput(name: string): Promise<AloomaNode | undefined> {
    const found = await this.findInputs(name);
    if (found.length > 1) {
      throw new AloomaConflictError({
        code: AloomaErrorCode.AMBIGUOUS_INPUT_NAME,
        method: 'GET',
        path: 'plumbing/',
        message: `"${name}" names ${found.length} inputs (ids ${found.map((n) => n.id).join(', ')})`,
        hint: 'use findInputs() and pick one by id',
      });
    }
    return found[0];
  }

  /**
   * The live inputs named `name`, oldest first (one structure read). The API
   * allows several inputs with one name; callers decide, by id or marker,
   * which one they mean.
   */
  async findInputs(name: string): Promise<AloomaNode[]> {
    const { nodes } = await this.getStructure();
    return nodes
      .filter((n) => isLiveInputNamed(n, name))
      .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
  }

  /** `GET inputs`: the inputs keyed by id. */
  async getInputsMapping(): Promise<InputsMapping> {
    const mapping = await this.call<InputsMapping>('GET', 'inputs', { expect: 'json' });
    if (!isPlainObject(mapping))
      throw this.unexpected('GET', 'inputs', 'the answer is not an object');
    return mapping;
  }

  /**
   * One node (`GET plumbing/nodes/<id>`).
   * @throws AloomaNotFoundError when there is no such node.
   */
  async getNode(id: string): Promise<AloomaNode> {
    const path = `plumbing/nodes/${segment(id)}`;
    const node = await this.call<AloomaNode>('GET', path, { expect: 'json' });
    if (!isNodeLike(node)) throw this.unexpected('GET', path, 'the answer is not a node');
    this.knownTypes.set(node.id, node.type);
    return node;
  }

  /** An input's sleep time in seconds (`GET inputSleepTime/<id>`). */
  async getInputSleepTime(id: string): Promise<number> {
    const path = `inputSleepTime/${segment(id)}`;
    const answer = await this.call<unknown>('GET', path, { expect: 'json' });
    const seconds = sleepTimeSeconds(answer);
    if (seconds === undefined) {
      throw this.unexpected('GET', path, 'the answer holds no inputSleepTime number');
    }
    return seconds;
  }

  /**
   * The history of writes to the account's inputs, newest first (`GET
   * history`, served by the emulator: each entry has the action, when, who,
   * and a field-level diff where secrets appear only as changed).
   * @param inputId only this input's entries
   */
  async getHistory(inputId?: string): Promise<InputHistoryEntry[]> {
    const path = inputId === undefined ? 'history' : `history?input=${segment(inputId)}`;
    const answer = await this.call<unknown>('GET', path, { expect: 'json' });
    const entries = isPlainObject(answer) ? answer.entries : undefined;
    if (!Array.isArray(entries))
      throw this.unexpected('GET', path, 'the answer has no entries list');
    return entries as InputHistoryEntry[];
  }

  /** Names of the account's secrets (`GET secrets`); values are never readable. */
  async getSecrets(): Promise<string[]> {
    const answer = await this.call<unknown>('GET', 'secrets', { expect: 'json' });
    if (Array.isArray(answer) && answer.every((k) => typeof k === 'string')) {
      return [...answer].sort();
    }
    if (isPlainObject(answer)) return Object.keys(answer).sort();
    throw this.unexpected('GET', 'secrets', 'the answer is neither a list of names nor an object');
  }

  // ---- writes ----

  /**
   * Creates an input and resolves with it once it appears in the structure
   * (the API's answer carries no id). Never creates two inputs of one name:
   * see the module comment.
   * @throws AloomaConflictError when an input of that name already existed.
   * @throws AloomaCreateUnconfirmedError when it did not appear within the timeout.
   */
  async createInput(spec: NewInput, options: CreateInputOptions = {}): Promise<AloomaNode> {
    if (
      !isPlainObject(spec) ||
      typeof spec.name !== 'string' ||
      spec.name.trim() === '' ||
      typeof spec.type !== 'string'
    ) {
      throw new AloomaValidationError({
        code: AloomaErrorCode.VALIDATION,
        method: 'POST',
        path: 'plumbing/inputs',
        message: 'createInput needs {name, type, configuration} with a non-empty name and a type',
        hint: 'fix the input specification',
      });
    }
    const validate = options.validate ?? true;
    const path = validate ? 'plumbing/inputs' : 'inputs?validate=false';
    const timeoutMs = options.timeoutMs ?? this.createTimeoutMs;
    const body = { name: spec.name, type: spec.type, configuration: spec.configuration ?? {} };
    registerSecretsIn(body.configuration);
    const existing = options.existingIds ?? (await this.poller.idsNamed(spec.name));
    const isOurs = options.isOurs ?? (() => true);
    const isNew = (node: AloomaNode) => !existing.has(node.id) && isOurs(node);
    let mayHaveLanded = false;

    for (let attempt = 0; ; attempt++) {
      try {
        await this.attempt('POST', path, { body, expect: 'any' }, attempt);
        break;
      } catch (error) {
        if (mayHaveLanded && isNameInUse(error)) {
          // Our earlier attempt landed (its answer was lost); it may not be visible yet.
          return this.poller.waitFor(spec.name, timeoutMs, isNew);
        }
        const decision = decideRetry(error, attempt, this.retry, this.random);
        if ((error as AloomaError).code === AloomaErrorCode.TIMEOUT) {
          // No answer in time: the service may still be working on it (a slow source
          // validation); posting again would make a second input. Wait for it instead.
          this.emit({ type: 'create_check', name: spec.name, found: false });
          return this.poller.waitFor(spec.name, timeoutMs, isNew);
        }
        if (isRetryable(error) && (error as AloomaError).code !== AloomaErrorCode.RATE_LIMITED) {
          // A failure that may have landed (a 429 never does): look for it, for a while,
          // before posting again; a second POST would be a second input.
          mayHaveLanded = true;
          const found = await this.poller
            .waitFor(spec.name, this.landingWindowMs, isNew)
            .catch(() => undefined);
          this.emit({ type: 'create_check', name: spec.name, found: found !== undefined });
          if (found) return found;
        }
        if (!decision.retry) throw error;
        this.noteRetry('POST', path, attempt + 1, decision.delayMs, error as AloomaError);
        await sleep(decision.delayMs);
      }
    }
    return this.poller.waitFor(spec.name, timeoutMs, isNew);
  }

  /**
   * Edits an input: `PUT inputs/<id>` with the whole node (as read, then
   * changed). Masked secrets sent back keep the stored values.
   * @returns the updated node when the API returns it.
   */
  async updateInput(node: AloomaNode): Promise<AloomaNode | undefined> {
    if (!isNodeLike(node)) {
      throw new AloomaValidationError({
        code: AloomaErrorCode.VALIDATION,
        method: 'PUT',
        path: 'inputs/<id>',
        message: 'updateInput needs a whole node {id, name, type, category, configuration}',
        hint: 'read the node (getNode/listInputs), change it, and pass it whole',
      });
    }
    const path = `inputs/${segment(node.id)}`;
    this.refuseSystemInput('PUT', path, node.type, node.name);
    registerSecretsIn(node.configuration);
    const answer = await this.call<unknown>('PUT', path, { body: node, expect: 'any' });
    return isNodeLike(answer) ? answer : undefined;
  }

  /**
   * Deletes an input (`POST plumbing/nodes/remove/<id>`). A 404 after a
   * retried attempt means an earlier attempt landed, and counts as done.
   * @throws AloomaForbiddenError for system inputs, before any write.
   * @throws AloomaNotFoundError when there is no such input.
   */
  async deleteInput(target: NodeRef): Promise<void> {
    const id = await this.checkModifiable(target, 'POST', 'plumbing/nodes/remove/<id>');
    await this.call(
      'POST',
      `plumbing/nodes/remove/${segment(id)}`,
      { expect: 'any' },
      { notFoundAfterRetryIsDone: true },
    );
    this.knownTypes.delete(id);
  }

  /**
   * Pauses or resumes an input (`PUT inputs/<id>/pause?pause=true|false`).
   * @returns the updated node when the API returns it.
   */
  async setPaused(target: NodeRef, paused: boolean): Promise<AloomaNode | undefined> {
    const id = await this.checkModifiable(target, 'PUT', 'inputs/<id>/pause');
    const answer = await this.call<unknown>(
      'PUT',
      `inputs/${segment(id)}/pause?pause=${paused ? 'true' : 'false'}`,
      {
        expect: 'any',
      },
    );
    return isNodeLike(answer) ? answer : undefined;
  }

  /** Sets an input's sleep time in seconds (`PUT inputSleepTime/<id>`, a text body as the Python client sends). */
  async setInputSleepTime(target: NodeRef, seconds: number): Promise<void> {
    if (typeof seconds !== 'number' || sleepTimeSeconds(seconds) === undefined) {
      throw new AloomaValidationError({
        code: AloomaErrorCode.VALIDATION,
        method: 'PUT',
        path: 'inputSleepTime/<id>',
        message: `input sleep time must be a number of seconds >= 0, got ${String(seconds)}`,
        hint: 'pass a number of seconds',
      });
    }
    const id = await this.checkModifiable(target, 'PUT', 'inputSleepTime/<id>');
    await this.call('PUT', `inputSleepTime/${segment(id)}`, {
      text: String(seconds),
      expect: 'any',
    });
  }

  /** Adds or replaces account secrets (`PUT secrets`); values are registered for redaction first. */
  async setSecrets(secrets: Readonly<Record<string, string>>): Promise<void> {
    if (!isPlainObject(secrets) || !Object.values(secrets).every((v) => typeof v === 'string')) {
      throw new AloomaValidationError({
        code: AloomaErrorCode.VALIDATION,
        method: 'PUT',
        path: 'secrets',
        message: 'setSecrets needs an object of string values',
        hint: 'pass {"<key>": "<value>", ...}',
      });
    }
    for (const value of Object.values(secrets)) registerSecret(value);
    await this.call('PUT', 'secrets', { body: secrets, expect: 'any' });
  }

  /** Deletes an account secret (`DELETE secrets/<key>`); a 404 after a retried attempt counts as done. */
  async deleteSecret(key: string): Promise<void> {
    await this.call(
      'DELETE',
      `secrets/${segment(key)}`,
      { expect: 'any' },
      { notFoundAfterRetryIsDone: true },
    );
  }

  /** Closes idle keep-alive connections; the client is not usable afterwards. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // ---- internals ----

  /** One call with retries (for calls safe to repeat). */
  private async call<T>(
    method: Method,
    path: string,
    options: CallOptions,
    behaviour: { notFoundAfterRetryIsDone?: boolean } = {},
  ): Promise<T> {
    let retried = false;
    try {
      return await withRetry(
        (attempt) => this.attempt<T>(method, path, options, attempt),
        this.retry,
        {
          random: this.random,
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
   * a session, logs in again once and replays the request.
   */
  private async attempt<T>(
    method: Method,
    path: string,
    options: CallOptions,
    attempt: number,
  ): Promise<T> {
    if (this.auth.kind === 'apiKey') return this.send<T>(method, path, options, attempt);
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

  private ensureLogin(reason: 'initial' | 'session_expired'): Promise<void> {
    if (!this.login) {
      this.login = this.doLogin(reason).finally(() => {
        this.login = undefined;
      });
    }
    return this.login;
  }

  private async doLogin(reason: 'initial' | 'session_expired'): Promise<void> {
    if (this.auth.kind !== 'password') return;
    const { username, password } = this.auth;
    this.emit({ type: 'login', reason });
    if (reason === 'session_expired') this.metrics.relogins++;
    this.jar.clear();
    // One attempt: the call that needed the login retries it (no retries nested in retries).
    await this.send('POST', LOGIN_PATH, { body: { email: username, password }, expect: 'any' }, 0);
    this.sessionGeneration++;
  }

  /** One HTTP exchange; every failure becomes an AloomaError. */
  private async send<T>(
    method: Method,
    path: string,
    options: CallOptions,
    attempt: number,
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.auth.kind === 'apiKey') {
      headers.Authorization = `API ${this.auth.apiKey}`;
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
      baseUrl: this.baseUrl,
      timeoutMs: this.timeoutMs,
      authHint: this.authHint,
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

  /** Resolves a node reference to an id, refusing system inputs before any write. */
  private async checkModifiable(
    target: NodeRef,
    method: Method,
    pathTemplate: string,
  ): Promise<string> {
    const id = typeof target === 'string' ? target : target?.id;
    if (typeof id !== 'string' || id === '') {
      throw new AloomaValidationError({
        code: AloomaErrorCode.VALIDATION,
        method,
        path: pathTemplate,
        message: `${method} ${pathTemplate}: an input id is required`,
        hint: 'pass the id of an input (or the node itself)',
      });
    }
    let type = typeof target === 'string' ? undefined : target.type;
    let name: string | undefined;
    type ??= this.knownTypes.get(id);
    if (type === undefined) {
      const node = await this.getNode(id);
      type = node.type;
      name = node.name;
    }
    this.refuseSystemInput(method, pathTemplate.replace('<id>', id), type, name);
    return id;
  }

  private refuseSystemInput(
    method: Method,
    path: string,
    type: string,
    name: string | undefined,
  ): void {
    if (!isSystemInputType(type)) return;
    throw new AloomaForbiddenError({
      code: AloomaErrorCode.FORBIDDEN,
      method,
      path,
      message: `${method} ${path} refused: ${type} input${name ? ` '${name}'` : ''} is a system input managed by Alooma`,
      hint: 'system inputs (RESTREAM, AGENT) are created and managed by Alooma: never modify, pause or delete them',
    });
  }

  private unexpected(method: Method, path: string, reason: string): AloomaBadResponseError {
    return fromResponse({
      method,
      path,
      status: 200,
      baseUrl: this.baseUrl,
      badResponseReason: reason,
    }) as AloomaBadResponseError;
  }

  private noteRetry(
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

  private emit(event: ClientEvent): void {
    if (!this.onEvent) return;
    try {
      this.onEvent(event);
    } catch {
      // A failing log sink must not fail the call it reports on.
    }
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

function checkBaseUrl(baseUrl: string): string {
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

function segment(value: string): string {
  return encodeURIComponent(value);
}

function isNodeLike(value: unknown): value is AloomaNode {
  return (
    isPlainObject(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.type === 'string' &&
    typeof value.category === 'string'
  );
}

function isCode(error: unknown, code: AloomaErrorCode): boolean {
  return error instanceof AloomaError && error.code === code;
}

/** A 409, or a 400 saying the name is taken. */
function isNameInUse(error: unknown): boolean {
  if (!(error instanceof AloomaError)) return false;
  if (error.code === AloomaErrorCode.CONFLICT) return true;
  return (
    error.code === AloomaErrorCode.VALIDATION &&
    /already (in use|exists|taken)/i.test(error.message)
  );
}
