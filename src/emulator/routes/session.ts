/** `POST login` and `POST logout`: the session cookie of the API's users. */
import type { FastifyInstance } from 'fastify';
import { isPlainObject } from '../../alooma/json';
import { verifyPassword } from '../auth';
import { UnauthorizedError, ValidationError } from '../errors';
import { closeSession, openSession } from '../session-cookie';
import { RestContext, accountParam } from './context';

/** Login and logout, answered without credentials. */
export function sessionRoutes({ store, sessionTtlS }: RestContext) {
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
        const user = store.findUser(body.email);
        const urlAccount = accountParam(request);
        const ok =
          user !== undefined &&
          (urlAccount === undefined || urlAccount === user.account) &&
          (await verifyPassword(body.password, user.passwordHash));
        if (!ok || !user) throw new UnauthorizedError('Invalid credentials');
        openSession(
          store,
          request,
          reply,
          { account: user.account, email: body.email },
          sessionTtlS,
        );
        return { message: 'Logged in', account: user.account };
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
