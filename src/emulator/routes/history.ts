/** `GET history`: every write to the account's inputs, newest first (the console shows the same). */
import type { FastifyInstance } from 'fastify';
import { RestContext } from './context';

/** The account's history, optionally of one input. */
export function historyRoutes({ store }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get<{ Querystring: { input?: string; limit?: string } }>(
      '/history',
      { config: { statKey: 'GET history' } },
      async (request) => {
        const limit = Math.min(5000, Math.max(1, Number(request.query.limit ?? 500) || 500));
        return { entries: store.history(request.aloomaAccount, request.query.input, limit) };
      },
    );
  };
}
