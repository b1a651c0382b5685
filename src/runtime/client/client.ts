/**
 * The Alooma REST API client: the only door of the runtime to HTTP, as a
 * facade over three parts (the way stripe-node splits configuration, request
 * sending and resources):
 *
 * - config.ts: options, defaults, the environment (`fromEnv`), and the
 *   refusal of `http://` to a host that is not loopback;
 * - transport.ts: sending (login with one re-login on 401, or an API key;
 *   cookies, timeouts, keep-alive), metrics, events, and retries of calls
 *   safe to repeat through the one retry policy (retry.ts);
 * - create.ts: the create-and-confirm protocol, which never posts a create
 *   again while an earlier attempt may still land.
 *
 * This file holds the resource methods. Which calls are retried: reads,
 * `PUT` of a whole node, pause/resume, sleep time and secrets are idempotent
 * by target (repeating them lands in the same state); deletes too (a 404 on a
 * repeated delete means the first attempt landed); creates as create.ts says.
 * Errors say what failed and how to fix it, with every secret redacted.
 */
import { ConnectionSpec } from '../protocol';
import {
  ClientOptions,
  FromEnvOptions,
  ResolvedClientConfig,
  clientOptionsFromEnv,
  resolveClientConfig,
} from './config';
import { CreateInputOptions, createAndConfirm, createAndSight } from './create';
import {
  AloomaConflictError,
  AloomaErrorCode,
  AloomaForbiddenError,
  AloomaValidationError,
} from './errors';
import { Sighting, StructurePoller, liveInputsNamed } from './poller';
import { registerSecret, registerSecretsIn } from './redact';
import { Method, STRUCTURE_PATH, Transport } from './transport';
import {
  AloomaNode,
  AloomaStructure,
  ClientMetrics,
  InputHistoryEntry,
  InputsMapping,
  NewInput,
  isNodeLike,
} from './types';
import { isInputNode, isSystemInputType } from '../../alooma/input-types';
import { isPlainObject } from '../../alooma/json';
import { sleepTimeSeconds } from '../../alooma/rules';

export { DEFAULT_CREATE_TIMEOUT_MS, DEFAULT_LANDING_WINDOW_MS, DEFAULT_TIMEOUT_MS } from './config';
export type { ClientAuth, ClientOptions, FromEnvOptions } from './config';
export type { CreateInputOptions } from './create';
export type { Sighting } from './poller';

/** A node, or just what the client needs to check it is not a system input. */
export type NodeRef = string | Pick<AloomaNode, 'id' | 'type'>;

/** Client of one Alooma account. Safe for concurrent use; one login is shared by all calls. */
export class AloomaClient {
  /**
   * A client configured from the environment and a manifest's connection:
   * URL from `connection.apiUrl ?? $ALOOMA_API_URL ?? options.defaultUrl`,
   * account from `connection.account ?? $ALOOMA_ACCOUNT`, and either
   * username + password or an API key from the variables the connection
   * names (defaults ALOOMA_USERNAME, ALOOMA_PASSWORD, ALOOMA_API_KEY);
   * `ALOOMA_ALLOW_INSECURE_HTTP=1` allows `http://` to a host that is not
   * loopback.
   * @throws AloomaConfigError naming the variables to set, when the URL or
   *   the credentials are missing, or when both kinds of credentials are set.
   */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    connection: ConnectionSpec = {},
    options: FromEnvOptions = {},
  ): AloomaClient {
    return new AloomaClient(clientOptionsFromEnv(env, connection, options));
  }

  /** Counters, for benchmarks and tests. */
  readonly metrics: ClientMetrics;
  /** Base URL as given (without trailing slash). */
  readonly baseUrl: string;
  /** `<baseUrl>/[<account>/]rest/`. */
  readonly restRoot: string;

  private readonly config: ResolvedClientConfig;
  private readonly transport: Transport;
  private readonly poller: StructurePoller;
  /** id -> type of every node seen, so system inputs are refused without a request. */
  private readonly knownTypes = new Map<string, string>();

  /**
   * @throws AloomaConfigError for a bad option; AloomaInsecureUrlError for
   *   `http://` to a host that is not loopback without `allowInsecureHttp`.
   */
  constructor(options: ClientOptions) {
    this.config = resolveClientConfig(options);
    this.baseUrl = this.config.baseUrl;
    this.restRoot = this.config.restRoot;
    this.transport = new Transport(this.config);
    this.metrics = this.transport.metrics;
    this.poller = new StructurePoller(
      () => this.getStructure().then((s) => s.nodes),
      this.config.poll,
      this.config.clock,
    );
  }

  // ---- reads ----

  /** The account's name (`GET repository` -> `config_clientName`). */
  async getAccountName(): Promise<string> {
    const repository = await this.transport.call<Record<string, unknown>>('GET', 'repository', {
      expect: 'json',
    });
    const name = isPlainObject(repository) ? repository.config_clientName : undefined;
    if (typeof name !== 'string')
      throw this.transport.unexpected('GET', 'repository', 'no config_clientName in the answer');
    return name;
  }

  /** The plumbing structure (`GET plumbing/?resolution=1min`): every node of the account. */
  async getStructure(): Promise<AloomaStructure> {
    const structure = await this.transport.call<AloomaStructure>('GET', STRUCTURE_PATH, {
      expect: 'json',
    });
    if (
      !isPlainObject(structure) ||
      !Array.isArray(structure.nodes) ||
      !structure.nodes.every(isNodeLike)
    ) {
      throw this.transport.unexpected('GET', STRUCTURE_PATH, 'the answer is not {nodes: [...]}');
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
    return liveInputsNamed(nodes, name);
  }

  /**
   * As {@link findInputs}, from a structure read shared with every
   * concurrent caller and with the confirmation of creates: the read starts
   * after this call (it sees every create answered before it), and one read
   * serves all who asked meanwhile.
   */
  inputsNamed(name: string): Promise<AloomaNode[]> {
    return this.poller.inputsNamed(name);
  }

  /** `GET inputs`: the inputs keyed by id. */
  async getInputsMapping(): Promise<InputsMapping> {
    const mapping = await this.transport.call<InputsMapping>('GET', 'inputs', { expect: 'json' });
    if (!isPlainObject(mapping))
      throw this.transport.unexpected('GET', 'inputs', 'the answer is not an object');
    return mapping;
  }

  /**
   * One node (`GET plumbing/nodes/<id>`).
   * @throws AloomaNotFoundError when there is no such node.
   */
  async getNode(id: string): Promise<AloomaNode> {
    const path = `plumbing/nodes/${segment(id)}`;
    const node = await this.transport.call<AloomaNode>('GET', path, { expect: 'json' });
    if (!isNodeLike(node)) throw this.transport.unexpected('GET', path, 'the answer is not a node');
    this.knownTypes.set(node.id, node.type);
    return node;
  }

  /** An input's sleep time in seconds (`GET inputSleepTime/<id>`). */
  async getInputSleepTime(id: string): Promise<number> {
    const path = `inputSleepTime/${segment(id)}`;
    const answer = await this.transport.call<unknown>('GET', path, { expect: 'json' });
    const seconds = sleepTimeSeconds(answer);
    if (seconds === undefined) {
      throw this.transport.unexpected('GET', path, 'the answer holds no inputSleepTime number');
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
    const answer = await this.transport.call<unknown>('GET', path, { expect: 'json' });
    const entries = isPlainObject(answer) ? answer.entries : undefined;
    if (!Array.isArray(entries))
      throw this.transport.unexpected('GET', path, 'the answer has no entries list');
    return entries as InputHistoryEntry[];
  }

  /** Names of the account's secrets (`GET secrets`); values are never readable. */
  async getSecrets(): Promise<string[]> {
    const answer = await this.transport.call<unknown>('GET', 'secrets', { expect: 'json' });
    if (Array.isArray(answer) && answer.every((k) => typeof k === 'string')) {
      return [...answer].sort();
    }
    if (isPlainObject(answer)) return Object.keys(answer).sort();
    throw this.transport.unexpected(
      'GET',
      'secrets',
      'the answer is neither a list of names nor an object',
    );
  }

  // ---- writes ----

  /**
   * Creates an input and resolves with it once it appears in the structure
   * (the API's answer carries no id). Never posts a create again while an
   * earlier attempt may still land: see create.ts.
   * @throws AloomaCreateUnconfirmedError when it did not appear within the timeout.
   */
  createInput(spec: NewInput, options: CreateInputOptions = {}): Promise<AloomaNode> {
    return createAndConfirm(
      { config: this.config, transport: this.transport, poller: this.poller },
      spec,
      options,
    );
  }

  /**
   * As {@link createInput}, resolving with the new input and every live
   * input of its name in the structure read that showed it, oldest first (so
   * a caller knows which input of the name came first without a read of its own).
   */
  createInputSighted(spec: NewInput, options: CreateInputOptions = {}): Promise<Sighting> {
    return createAndSight(
      { config: this.config, transport: this.transport, poller: this.poller },
      spec,
      options,
    );
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
    const answer = await this.transport.call<unknown>('PUT', path, { body: node, expect: 'any' });
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
    await this.transport.call(
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
    const answer = await this.transport.call<unknown>(
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
    await this.transport.call('PUT', `inputSleepTime/${segment(id)}`, {
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
    await this.transport.call('PUT', 'secrets', { body: secrets, expect: 'any' });
  }

  /** Deletes an account secret (`DELETE secrets/<key>`); a 404 after a retried attempt counts as done. */
  async deleteSecret(key: string): Promise<void> {
    await this.transport.call(
      'DELETE',
      `secrets/${segment(key)}`,
      { expect: 'any' },
      { notFoundAfterRetryIsDone: true },
    );
  }

  /** Closes idle keep-alive connections; the client is not usable afterwards. */
  close(): void {
    this.transport.close();
  }

  // ---- internals ----

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
}

function segment(value: string): string {
  return encodeURIComponent(value);
}
