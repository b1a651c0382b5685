/**
 * The HTTP face of the emulator: Alooma's REST API on fastify, under both
 * `/rest/` (the account of the credentials) and `/<account>/rest/`.
 *
 * Per request, in order: count it, inject faults (latency, 503, 429; decided
 * before any work), authenticate (session cookie or `Authorization: API <key>`),
 * then run the handler. Handlers parse and validate first and touch the store
 * last, in one synchronous transaction per write.
 */
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, {
  FastifyError,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { SECRET_MASK } from '../alooma/secret-fields';
import {
  SESSION_COOKIE,
  isCrossOriginBrowserRequest,
  parseApiKeyHeader,
  verifyPassword,
} from './auth';
import { registerControlRoutes } from './control';
import { registerConsole } from './console';
import {
  ApiError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from './errors';
import { FaultInjector } from './faults';
import { NodeCategory, isProtectedNode, renderPublicNode } from './nodes';
import { isPlainObject } from '../alooma/json';
import { sleepTimeSeconds } from '../alooma/rules';
import { restoreMaskedSecrets } from './secret-merge';
import { RequestStats, StatKey, countSecretWrites } from './stats';
import { AloomaStore } from './store';
import {
  InputDraft,
  SourceValidationContext,
  SourceValidator,
  parseInputBody,
  validateConfiguration,
} from './validation';

/** Largest request body accepted (413 beyond). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Bodies up to this size are read to the end before a 413 is sent: answering
 * while the client is still uploading makes it see a reset connection
 * instead of the 413 and its message.
 */
const READ_LIMIT_BYTES = 16 * BODY_LIMIT_BYTES;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counter key of the route in `GET /_emulator/stats`, e.g. `"PUT inputs/:id"`. */
    statKey?: string;
    /** Route answered without credentials (login, logout). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Account the credentials belong to (set by authentication). */
    aloomaAccount: string;
    /** Who makes the request, for the history: the user's e-mail or `API key …xxxx`. */
    aloomaActor: string;
    /** Run the write, then answer an injected 503 (lost response). */
    faultAfterWrite: boolean;
  }
}

/** Everything the server needs; built by `startEmulator`. */
export interface ServerOptions {
  readonly store: AloomaStore;
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
  /** Session lifetime in seconds. */
  readonly sessionTtlS: number;
  /** Serve the unauthenticated `/_emulator` control API. */
  readonly enableControl: boolean;
  /** Log every request (fastify's logger). */
  readonly logger: boolean;
  readonly sourceValidator: SourceValidator;
}

const REST_PATH = /^\/(?:[^/?]+\/)?rest(?:\/|\?|$)/;

/** Builds the fastify app (not listening yet). */
export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logger,
    bodyLimit: READ_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Clients keep connections alive across many calls; close idle ones on shutdown.
    forceCloseConnections: 'idle',
    // Unique across restarts, so a request id quoted in a client's error is unambiguous.
    genReqId: () => randomUUID(),
  });
  app.addHook('preHandler', async (request) => {
    if (
      request.body !== undefined &&
      Number(request.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES
    ) {
      throw Object.assign(new Error('too large'), { statusCode: 413 });
    }
  });
  app.decorateRequest('aloomaAccount', '');
  app.decorateRequest('aloomaActor', '');
  app.decorateRequest('faultAfterWrite', false);
  app.register(fastifyCookie);
  registerBodyParsers(app);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) return reply.code(error.status).send(error.toBody());
    const status = (error as FastifyError).statusCode;
    if (status === 413) {
      return reply
        .code(413)
        .send({ message: `Request body is larger than ${BODY_LIMIT_BYTES} bytes` });
    }
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ message: error.message });
    request.log.error(error);
    if (!options.logger) console.error(error);
    return reply.code(500).send({ message: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) => {
    if (REST_PATH.test(request.url)) {
      options.stats.increment(StatKey.TOTAL);
      options.stats.increment(StatKey.UNKNOWN_ROUTE);
    }
    return reply
      .code(404)
      .send({ message: `No route ${request.method} ${request.url.split('?')[0]}` });
  });

  registerConsole(app, { store: options.store, sessionTtlS: options.sessionTtlS });

  const rest = restRoutes(options);
  app.register(rest, { prefix: '/rest' });
  app.register(rest, { prefix: '/:account/rest' });
  if (options.enableControl) app.register(registerControlRoutes(options), { prefix: '/_emulator' });
  return app;
}

/**
 * JSON bodies, leniently: an empty body is "no body" (clients send
 * `content-type: application/json` on bodiless PUTs), and anything else
 * (`text/plain` sleep times, no content type) is parsed as JSON when it is
 * JSON and kept as text otherwise.
 */
function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch (err) {
      done(
        new ValidationError(`Request body is not valid JSON: ${(err as Error).message}`),
        undefined,
      );
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch {
      done(null, text);
    }
  });
}

function parseJson(text: string): unknown {
  // Drop `__proto__` keys (prototype pollution); the reviver is slow, so only when present.
  return text.includes('"__proto__"')
    ? JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value))
    : JSON.parse(text);
}

function restRoutes(options: ServerOptions): FastifyPluginAsync {
  const { store, faults, stats, sourceValidator } = options;

  return async (rest) => {
    rest.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
      stats.increment(StatKey.TOTAL);
      stats.increment(request.routeOptions.config.statKey ?? `${request.method} ?`);

      const current = faults.current;
      if (current.latencyMs > 0) await sleep(current.latencyMs);
      const decision = faults.decide(request.method !== 'GET' && request.method !== 'HEAD');
      if (decision.error) {
        stats.increment(StatKey.INJECTED_503);
        return reply
          .code(503)
          .send({ message: 'Service temporarily unavailable (injected fault)' });
      }
      if (decision.throttle) {
        stats.increment(StatKey.INJECTED_429);
        return reply
          .code(429)
          .header('retry-after', String(current.retryAfterS))
          .send({
            message: `Too many requests: retry after ${current.retryAfterS} s (injected fault)`,
          });
      }
      request.faultAfterWrite = decision.errorAfterWrite;

      if (request.routeOptions.config.public) return undefined;
      const principal = authenticate(store, request);
      request.aloomaAccount = principal.account;
      request.aloomaActor = principal.actor;
      return undefined;
    });

    rest.addHook('preHandler', countSecretWrites(stats));

    // The lost-response fault: the write above has happened; its answer is replaced.
    rest.addHook('onSend', async (request, reply, payload) => {
      if (!request.faultAfterWrite || reply.statusCode >= 400) return payload;
      stats.increment(StatKey.INJECTED_503_AFTER_WRITE);
      reply.code(503).type('application/json; charset=utf-8');
      return JSON.stringify({
        message: 'Service temporarily unavailable (injected fault after write)',
      });
    });

    rest.post(
      '/login',
      { config: { statKey: 'POST login', public: true } },
      async (request, reply) => {
        const body = request.body;
        if (
          !isPlainObject(body) ||
          typeof body.email !== 'string' ||
          typeof body.password !== 'string'
        ) {
          throw new ValidationError("Fields 'email' and 'password' are required");
        }
        const user = store.findUser(body.email);
        const urlAccount = accountParam(request);
        const ok =
          user !== undefined &&
          (urlAccount === undefined || urlAccount === user.account) &&
          (await verifyPassword(body.password, user.passwordHash));
        if (!ok || !user) throw new UnauthorizedError('Invalid credentials');
        const token = store.createSession(user.account, body.email, options.sessionTtlS);
        reply.setCookie(SESSION_COOKIE, token, {
          path: '/',
          httpOnly: true,
          sameSite: 'lax',
          maxAge: Math.max(1, Math.ceil(options.sessionTtlS)),
        });
        return { message: 'Logged in', account: user.account };
      },
    );

    rest.post(
      '/logout',
      { config: { statKey: 'POST logout', public: true } },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) store.deleteSession(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { message: 'Logged out' };
      },
    );

    rest.get('/repository', { config: { statKey: 'GET repository' } }, async (request) => ({
      config_clientName: request.aloomaAccount,
      config_clientDisplayName: request.aloomaAccount,
      config_timezone: 'UTC',
      config_outputType: 'SNOWFLAKE',
    }));

    rest.get('/plumbing', { config: { statKey: 'GET plumbing' } }, async (request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(store.structureBuffer(request.aloomaAccount)),
    );

    rest.get('/inputs', { config: { statKey: 'GET inputs' } }, async (request, reply) =>
      sendJson(reply, store.inputsJson(request.aloomaAccount)),
    );

    rest.get<{ Params: { id: string } }>(
      '/plumbing/nodes/:id',
      { config: { statKey: 'GET plumbing/nodes/:id' } },
      async (request, reply) => {
        const json = store.nodeJson(request.aloomaAccount, request.params.id);
        if (json === undefined) throw new NotFoundError(`No node with id ${request.params.id}`);
        return sendJson(reply, json);
      },
    );

    // The official client's get_input_by_id / get_input_by_name: one input, as GET inputs holds it
    // (secrets masked; state, paused and stats are its task information).
    rest.get<{ Params: { id: string } }>(
      '/inputs/:id',
      { config: { statKey: 'GET inputs/:id' } },
      async (request, reply) => {
        const json = store.inputJson(request.aloomaAccount, request.params.id);
        if (json === undefined) throw new NotFoundError(`No input with id ${request.params.id}`);
        return sendJson(reply, json);
      },
    );

    const createInput = async (request: FastifyRequest<{ Querystring: { validate?: string } }>) => {
      const account = request.aloomaAccount;
      const draft = parseInputBody(request.body);
      const configuration = restoreMaskedSecrets(draft.configuration, undefined);
      const input = { ...draft, configuration };
      validateConfiguration(input);
      // Cheap early answer before a (possibly slow) source validation; the transaction re-checks.
      store.assertNameFree(account, input.name);
      const validate = request.query.validate !== 'false';
      if (validate) await validateSource(sourceValidator, input, { account });
      store.createInput(
        account,
        { ...input, validated: validate, visibleAt: Date.now() + faults.current.createDelayMs },
        request.aloomaActor,
      );
      // Like the service: no id; clients confirm creation by polling the structure for the name.
      return { status: 'created', name: input.name };
    };
    rest.post('/plumbing/inputs', { config: { statKey: 'POST plumbing/inputs' } }, createInput);
    rest.post('/inputs', { config: { statKey: 'POST inputs' } }, createInput);

    rest.put<{ Params: { id: string }; Querystring: { validate?: string } }>(
      '/inputs/:id',
      { config: { statKey: 'PUT inputs/:id' } },
      async (request, reply) => {
        const account = request.aloomaAccount;
        const id = request.params.id;
        const current = store.findNode(account, id);
        if (!current || current.category !== NodeCategory.INPUT)
          throw new NotFoundError(`No input with id ${id}`);
        if (isProtectedNode(current)) {
          throw new ForbiddenError(
            `${current.type} input '${current.name}' is managed by Alooma and cannot be modified`,
          );
        }
        const keepConfiguration =
          !isPlainObject(request.body) || request.body.configuration == null;
        const draft = parseInputBody(request.body, current);
        const checked = {
          ...draft,
          configuration: restoreMaskedSecrets(draft.configuration, current.configuration),
        };
        validateConfiguration(checked);
        const validate = request.query.validate !== 'false';
        // With the stored node as `previous`, the validator may skip an edit that leaves the source
        // alone; a node never validated (created with validate=false) is validated in full.
        const previous = current.validated
          ? { name: current.name, type: current.type, configuration: current.configuration }
          : undefined;
        if (validate) await validateSource(sourceValidator, checked, { account, previous });

        const updated = store.updateInput(
          account,
          id,
          (latest) => {
            // Re-apply the body to the record as it is now: a concurrent write
            // (e.g. a password rotation) may have landed while we validated.
            const configuration = keepConfiguration
              ? latest.configuration
              : restoreMaskedSecrets(draft.configuration, latest.configuration);
            validateConfiguration({ ...draft, configuration });
            return { name: draft.name, configuration, validated: validate };
          },
          Date.now(),
          request.aloomaActor,
        );
        return sendJson(reply, renderPublicNode(updated));
      },
    );

    rest.post<{ Params: { id: string } }>(
      '/plumbing/nodes/remove/:id',
      { config: { statKey: 'POST plumbing/nodes/remove/:id' } },
      async (request) => {
        store.removeNode(request.aloomaAccount, request.params.id, Date.now(), request.aloomaActor);
        return { status: 'deleted', id: request.params.id };
      },
    );

    rest.put<{ Params: { id: string }; Querystring: { pause?: string } }>(
      '/inputs/:id/pause',
      { config: { statKey: 'PUT inputs/:id/pause' } },
      async (request, reply) => {
        const pause = request.query.pause;
        if (pause !== 'true' && pause !== 'false') {
          throw new ValidationError("Query parameter 'pause' must be true or false", 'pause');
        }
        const updated = store.setPaused(
          request.aloomaAccount,
          request.params.id,
          pause === 'true',
          Date.now(),
          request.aloomaActor,
        );
        return sendJson(reply, renderPublicNode(updated));
      },
    );

    rest.get<{ Params: { id: string } }>(
      '/inputSleepTime/:id',
      { config: { statKey: 'GET inputSleepTime/:id' } },
      async (request) => ({
        inputSleepTime: store.getSleepTime(request.aloomaAccount, request.params.id),
      }),
    );

    rest.put<{ Params: { id: string } }>(
      '/inputSleepTime/:id',
      { config: { statKey: 'PUT inputSleepTime/:id' } },
      async (request) => {
        const seconds = parseSleepTime(request.body);
        store.setSleepTime(request.aloomaAccount, request.params.id, seconds);
        return { inputSleepTime: seconds };
      },
    );

    // Every write to the account's inputs, newest first (the console shows the same).
    rest.get<{ Querystring: { input?: string; limit?: string } }>(
      '/history',
      { config: { statKey: 'GET history' } },
      async (request) => {
        const limit = Math.min(5000, Math.max(1, Number(request.query.limit ?? 500) || 500));
        return { entries: store.history(request.aloomaAccount, request.query.input, limit) };
      },
    );

    rest.get('/secrets', { config: { statKey: 'GET secrets' } }, async (request) =>
      maskedSecretMap(store.accountSecretKeys(request.aloomaAccount)),
    );

    rest.put('/secrets', { config: { statKey: 'PUT secrets' } }, async (request) => {
      const account = request.aloomaAccount;
      const body = request.body;
      if (!isPlainObject(body))
        throw new ValidationError('Request body must be a JSON object {"<key>": "<value>", ...}');
      const existing = new Set(store.accountSecretKeys(account));
      const entries: Record<string, string> = {};
      for (const [key, value] of Object.entries(body)) {
        if (key.trim() === '') throw new ValidationError('Secret keys must not be empty', key);
        if (typeof value !== 'string')
          throw new ValidationError(`Secret '${key}' must be a string`, key);
        if (value === SECRET_MASK) {
          // The mask read back from GET secrets: keep what is stored.
          if (existing.has(key)) continue;
          throw new ValidationError(
            `Secret '${key}' holds the mask '${SECRET_MASK}' but is not stored: send the value`,
            key,
          );
        }
        entries[key] = value;
      }
      store.putAccountSecrets(account, entries);
      return maskedSecretMap(store.accountSecretKeys(account));
    });

    rest.delete<{ Params: { key: string } }>(
      '/secrets/:key',
      { config: { statKey: 'DELETE secrets/:key' } },
      async (request) => {
        if (!store.deleteAccountSecret(request.aloomaAccount, request.params.key)) {
          throw new NotFoundError(`No secret '${request.params.key}'`);
        }
        return { status: 'deleted', key: request.params.key };
      },
    );
  };
}

/**
 * The account of the request's credentials. Every credential presented must
 * be valid and, when both a session and an API key are sent, they must
 * belong to the same account; `/<account>/rest/` must match it.
 */
function authenticate(
  store: AloomaStore,
  request: FastifyRequest,
): { account: string; actor: string } {
  const apiKey = parseApiKeyHeader(request.headers.authorization);
  if (apiKey === undefined) throw new UnauthorizedError("Authorization header must be 'API <key>'");
  const keyAccount = apiKey === null ? undefined : store.apiKeyAccount(apiKey);
  if (apiKey !== null && keyAccount === undefined) throw new UnauthorizedError('Invalid API key');

  const token = request.cookies[SESSION_COOKIE];
  let sessionAccount: string | undefined;
  let sessionEmail: string | undefined;
  if (token) {
    const session = store.findSession(token);
    if (session.status === 'expired') throw new UnauthorizedError('Session expired: log in again');
    if (session.status === 'unknown') throw new UnauthorizedError('Invalid session: log in again');
    sessionAccount = session.account;
    sessionEmail = session.email;
  }

  if (keyAccount !== undefined && sessionAccount !== undefined && keyAccount !== sessionAccount) {
    throw new UnauthorizedError('Session cookie and API key belong to different accounts');
  }
  // A session cookie rides along with requests other sites make in the user's browser (the
  // console's login sets it): writes authorised by the cookie alone must come from this origin.
  if (
    keyAccount === undefined &&
    sessionAccount !== undefined &&
    request.method !== 'GET' &&
    request.method !== 'HEAD' &&
    isCrossOriginBrowserRequest(request.headers)
  ) {
    throw new ForbiddenError('Cross-origin request with a session cookie refused');
  }
  const account = keyAccount ?? sessionAccount;
  if (account === undefined) {
    throw new UnauthorizedError(
      "Authentication required: POST login {email, password} or send 'Authorization: API <key>'",
    );
  }
  const urlAccount = accountParam(request);
  if (urlAccount !== undefined && urlAccount !== account) {
    throw new ForbiddenError(`These credentials do not grant access to account '${urlAccount}'`);
  }
  // The history names the key by its last characters only.
  const actor = keyAccount !== undefined ? `API key …${apiKey!.slice(-4)}` : sessionEmail!;
  return { account, actor };
}

function accountParam(request: FastifyRequest): string | undefined {
  return (request.params as { account?: string } | undefined)?.account;
}

async function validateSource(
  validator: SourceValidator,
  input: InputDraft,
  context: SourceValidationContext,
): Promise<void> {
  const result = await validator.validate(input, context);
  if (!result.ok) throw new ValidationError(result.message, result.field ?? 'configuration');
}

/** Accepts `120`, `"120"` (text body, as the Python client sends it) or `{"inputSleepTime": 120}`. */
function parseSleepTime(body: unknown): number {
  const seconds = sleepTimeSeconds(body);
  if (seconds === undefined) {
    throw new ValidationError(
      'Input sleep time must be a number of seconds >= 0',
      'inputSleepTime',
    );
  }
  return seconds;
}

function maskedSecretMap(keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, SECRET_MASK]));
}

function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
