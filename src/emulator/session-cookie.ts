/**
 * The session cookie, defined once for both places that sign a user in: the
 * API's `POST login` / `POST logout` and the web console's login form.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AloomaStore } from './store';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sessionid';

/** Attributes of the cookie: sent to every path, never to scripts, not on cross-site posts. */
export function sessionCookieOptions(sessionTtlS: number): CookieSerializeOptions {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    maxAge: Math.max(1, Math.ceil(sessionTtlS)),
  };
}

/** The session token the request carries, if any (an empty cookie counts as none). */
export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE] || undefined;
}

/** Starts a session for a user whose password was checked, and sets its cookie on `reply`. */
export function openSession(
  store: AloomaStore,
  reply: FastifyReply,
  user: { readonly account: string; readonly email: string },
  sessionTtlS: number,
): void {
  const token = store.createSession(user.account, user.email, sessionTtlS);
  void reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(sessionTtlS));
}

/** Ends the request's session (if any) and clears its cookie. */
export function closeSession(
  store: AloomaStore,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const token = sessionToken(request);
  if (token) store.deleteSession(token);
  void reply.clearCookie(SESSION_COOKIE, { path: sessionCookieOptions(1).path });
}
