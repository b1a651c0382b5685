/**
 * Authentication of REST requests (after counting and faults): a session
 * cookie, an `Authorization: API <key>` header, or both for one account.
 * Routes marked `public` (login, logout) need no credentials, but refuse
 * cross-origin browser requests as every write does.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isCrossOriginBrowserRequest, parseApiKeyHeader } from '../auth';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { sessionToken } from '../session-cookie';
import type { AloomaStore } from '../store';
import { RestContext, accountParam, unencapsulated } from './context';

/** The authentication hook, on the REST instance that registers it. */
export function authentication({ store }: RestContext) {
  return unencapsulated(async (rest: FastifyInstance) => {
    rest.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.public) {
        // Login and logout take no credentials, but a page of another site must not make the
        // user's browser log in (login CSRF) or out: the same cross-origin rule as other writes.
        if (isWrite(request) && isCrossOriginBrowserRequest(request.headers))
          throw new ForbiddenError('Cross-origin request refused');
        return;
      }
      const principal = authenticate(store, request);
      request.aloomaAccount = principal.account;
      request.aloomaActor = principal.actor;
    });
  }, 'authentication');
}

/**
 * The account of the request's credentials. Every credential presented must
 * be valid and, when both a session and an API key are sent, they must
 * belong to the same account; `/<account>/rest/` must match it.
 */
function isWrite(request: FastifyRequest): boolean {
  return request.method !== 'GET' && request.method !== 'HEAD';
}

function authenticate(
  store: AloomaStore,
  request: FastifyRequest,
): { account: string; actor: string } {
  const apiKey = parseApiKeyHeader(request.headers.authorization);
  if (apiKey === undefined) throw new UnauthorizedError("Authorization header must be 'API <key>'");
  const keyAccount = apiKey === null ? undefined : store.apiKeyAccount(apiKey);
  if (apiKey !== null && keyAccount === undefined) throw new UnauthorizedError('Invalid API key');

  const token = sessionToken(request);
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
    isWrite(request) &&
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
