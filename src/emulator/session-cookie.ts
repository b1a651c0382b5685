/**
 * The session cookie, defined once for both places that sign a user in: the
 * API's `POST login` / `POST logout` and the web console's login form.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AloomaStore } from './store';

/**
 * Name of the session cookie: a name of its own, since cookies are shared by
 * every server on a host whatever its port (a `sessionid` of another app on
 * 127.0.0.1 would collide). It ends in `session` so that the runtime's log
 * redaction knows it for a secret.
 */
export const SESSION_COOKIE = 'alooma_emulator_session';

/**
 * Attributes of the cookie: sent to every path, never to scripts, not on
 * cross-site posts, and only over TLS when it was set over TLS.
 */
export function sessionCookieOptions(
  sessionTtlS: number,
  overTls: boolean,
): CookieSerializeOptions {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: overTls,
    maxAge: Math.max(1, Math.ceil(sessionTtlS)),
  };
}

/** True when the request came over TLS (the socket's own; no proxy header is trusted). */
function overTls(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

/** The session token the request carries, if any (an empty cookie counts as none). */
export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE] || undefined;
}

/** Starts a session for a user whose password was checked, and sets its cookie on `reply`. */
export function openSession(
  store: AloomaStore,
  request: FastifyRequest,
  reply: FastifyReply,
  user: { readonly account: string; readonly email: string },
  sessionTtlS: number,
): void {
  const token = store.createSession(user.account, user.email, sessionTtlS);
  void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(sessionTtlS, overTls(request)));
}

/** Ends the request's session (if any) and clears its cookie. */
export function closeSession(
  store: AloomaStore,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const token = sessionToken(request);
  if (token) store.deleteSession(token);
  const { path, httpOnly, sameSite, secure } = sessionCookieOptions(1, overTls(request));
  void reply.clearCookie(SESSION_COOKIE, { path, httpOnly, sameSite, secure });
}
