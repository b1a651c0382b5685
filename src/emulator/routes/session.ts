/** `POST login` and `POST logout`: the session cookie of the API's users. */
import type { FastifyInstance } from 'fastify';
import { isPlainObject } from '../../alooma/json';
import { TooManyRequestsError, UnauthorizedError, ValidationError } from '../errors';
import { closeSession, openSession } from '../session-cookie';
import { RestContext, accountParam } from './context';

/** Login and logout, answered without credentials. */
export function sessionRoutes({ store, sessionTtlS, logins }: RestContext) {
  return async (rest: FastifyInstance) => {
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
        const result = await logins.attempt(
          body.email,
          body.password,
          request.ip,
          accountParam(request),
        );
        if (result.status === 'throttled') {
          throw new TooManyRequestsError(
            `Too many failed logins for this user or address: retry after ${result.retryAfterS} s`,
            result.retryAfterS,
          );
        }
        if (result.status !== 'ok') throw new UnauthorizedError('Invalid credentials');
        openSession(
          store,
          request,
          reply,
          { account: result.account, email: body.email },
          sessionTtlS,
        );
        return { message: 'Logged in', account: result.account };
      },
    );

    rest.post(
      '/logout',
      { config: { statKey: 'POST logout', public: true } },
      async (request, reply) => {
        closeSession(store, request, reply);
        return { message: 'Logged out' };
      },
    );
  };
}
