/**
 * The HTTP face of the emulator: Alooma's REST API on fastify, under both
 * `/rest/` (the account of the credentials) and `/<account>/rest/`, the web
 * console, and (for tests) the control API.
 *
 * This module builds the app and puts the pieces together; each piece is a
 * plugin of its own: the `Host` check (`routes/host-check.ts`), request bodies (`routes/body.ts`), the REST API's hooks
 * (counting and faults, then authentication) and one plugin per resource
 * (`routes/`), the console (`console.ts`) and the control API (`control.ts`).
 * Handlers parse and validate first and touch the store last, in one
 * synchronous transaction per write.
 */
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import Fastify, { FastifyError, FastifyInstance } from 'fastify';
import { registerControlRoutes } from './control';
import { registerConsole } from './console';
import { ApiError, TooManyRequestsError } from './errors';
import { FaultInjector } from './faults';
import { PasswordLogin } from './login';
import { BODY_LIMIT_BYTES, READ_LIMIT_BYTES, hostCheck, requestBodies, restApi } from './routes';
import { requestLogger } from './routes/logging';
import { RequestStats, StatKey } from './stats';
import { AloomaStore } from './store';
import { SourceValidator } from './validation';

export { BODY_LIMIT_BYTES } from './routes';

/** Everything the server needs; built by `startEmulator`. */
export interface ServerOptions {
  readonly store: AloomaStore;
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
  /** Session lifetime in seconds. */
  readonly sessionTtlS: number;
  /** Serve the unauthenticated `/_emulator` control API. */
  readonly enableControl: boolean;
  /** Log every request (fastify's logger; query values redacted, no headers, no bodies). */
  readonly logger: boolean;
  readonly sourceValidator: SourceValidator;
  /** Host names accepted in the `Host` header (see `allowedHostNames`); others get 421. */
  readonly allowedHosts: ReadonlySet<string>;
  /** Serve HTTPS with this key and certificate (PEM). @default - plain HTTP */
  readonly tls?: TlsOptions;
}

/** A key and its certificate, PEM. */
export interface TlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
}

const REST_PATH = /^\/(?:[^/?]+\/)?rest(?:\/|\?|$)/;

/** Builds the fastify app (not listening yet). */
export function buildServer(options: ServerOptions): FastifyInstance {
  // HTTPS only with a key and certificate; everything else is the same for both.
  const app = Fastify({
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
    logger: requestLogger(options.logger),
    bodyLimit: READ_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    // Clients keep connections alive across many calls; close idle ones on shutdown.
    forceCloseConnections: 'idle',
    // Unique across restarts, so a request id quoted in a client's error is unambiguous.
    genReqId: () => randomUUID(),
  });
  app.decorateRequest('aloomaAccount', '');
  app.decorateRequest('aloomaActor', '');
  app.decorateRequest('faultAfterWrite', false);
  app.register(hostCheck(options.allowedHosts));
  app.register(requestBodies);
  app.register(fastifyCookie);

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof TooManyRequestsError)
      reply.header('retry-after', String(error.retryAfterS));
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

  const logins = new PasswordLogin(options.store);
  app.register(async (root) =>
    registerConsole(root, { store: options.store, sessionTtlS: options.sessionTtlS, logins }),
  );
  const rest = restApi({ ...options, logins });
  app.register(rest, { prefix: '/rest' });
  app.register(rest, { prefix: '/:account/rest' });
  if (options.enableControl) app.register(registerControlRoutes(options), { prefix: '/_emulator' });
  return app;
}
