/** `GET history`: every write to the account's inputs, newest first (the console shows the same). */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors';
import { RestContext } from './context';

/** The account's history, optionally of one input. */
export function historyRoutes({ store }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get<{ Querystring: { input?: unknown; limit?: unknown } }>(
      '/history',
      { config: { statKey: 'GET history' } },
      async (request) => {
        const input = singleQueryValue(request.query.input, 'input');
        const limitText = singleQueryValue(request.query.limit, 'limit');
        const limit = Math.min(5000, Math.max(1, Number(limitText ?? 500) || 500));
        return { entries: store.history(request.aloomaAccount, input, limit) };
      },
    );
  };
}

/** A query parameter given at most once (`?input=a&input=b` is a 400, not a guess). */
function singleQueryValue(value: unknown, name: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new ValidationError(`Query parameter '${name}' must be given at most once`, name);
}
