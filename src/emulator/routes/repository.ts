/** `GET repository`: the account's settings, as the service described them. */
import type { FastifyInstance } from 'fastify';
import { RestContext } from './context';

/** The account's repository settings (fixed values but the account's name). */
export function repositoryRoutes(_context: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get('/repository', { config: { statKey: 'GET repository' } }, async (request) => ({
      config_clientName: request.aloomaAccount,
      config_clientDisplayName: request.aloomaAccount,
      config_timezone: 'UTC',
      config_outputType: 'SNOWFLAKE',
    }));
  };
}
