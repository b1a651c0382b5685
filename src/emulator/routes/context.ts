/**
 * What every plugin of the REST API shares: the dependencies it is built
 * with, the fastify declarations of the request fields the hooks set, and
 * small reply helpers.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultInjector } from '../faults';
import type { PasswordLogin } from '../login';
import type { RequestStats } from '../stats';
import type { AloomaStore } from '../store';
import type { SourceValidator } from '../validation';

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

/** The dependencies of the REST API's plugins; the server's options satisfy it. */
export interface RestContext {
  readonly store: AloomaStore;
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
  /** Session lifetime in seconds. */
  readonly sessionTtlS: number;
  readonly sourceValidator: SourceValidator;
  /** Password logins (throttled), shared with the console. */
  readonly logins: PasswordLogin;
}

/** A plugin of the REST API, built from its dependencies. */
export type RestPlugin = (context: RestContext) => FastifyPluginAsync;

/**
 * Marks a plugin as not encapsulated: the hooks and parsers it adds apply to
 * the instance that registers it (fastify's documented `skip-override`, what
 * `fastify-plugin` sets), not only to a child context of its own.
 */
export function unencapsulated<T extends FastifyPluginAsync>(plugin: T, name: string): T {
  return Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: name,
  });
}

/** The `<account>` of a `/<account>/rest/` URL; undefined under `/rest/`. */
export function accountParam(request: FastifyRequest): string | undefined {
  return (request.params as { account?: string } | undefined)?.account;
}

/** Sends JSON text the store already serialized. */
export function sendJson(reply: FastifyReply, json: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(json);
}
