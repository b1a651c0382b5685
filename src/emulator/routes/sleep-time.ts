/** `GET` and `PUT inputSleepTime/:id`: seconds between an input's polls. */
import type { FastifyInstance } from 'fastify';
import { sleepTimeSeconds } from '../../alooma/rules';
import { ValidationError } from '../errors';
import { RestContext } from './context';

/** Read and set an input's sleep time. */
export function sleepTimeRoutes({ store }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get<{ Params: { id: string } }>(
      '/inputSleepTime/:id',
      { config: { statKey: 'GET inputSleepTime/:id' } },
      async (request) => ({
        inputSleepTime: store.getSleepTime(request.aloomaAccount, request.params.id),
      }),
    );

    rest.put<{ Params: { id: string } }>(
      '/inputSleepTime/:id',
      { config: { statKey: 'PUT inputSleepTime/:id' } },
      async (request) => {
        const seconds = parseSleepTime(request.body);
        store.setSleepTime(request.aloomaAccount, request.params.id, seconds);
        return { inputSleepTime: seconds };
      },
    );
  };
}

/** Accepts `120`, `"120"` (text body, as the Python client sends it) or `{"inputSleepTime": 120}`. */
function parseSleepTime(body: unknown): number {
  const seconds = sleepTimeSeconds(body);
  if (seconds === undefined) {
    throw new ValidationError(
      'Input sleep time must be a number of seconds >= 0',
      'inputSleepTime',
    );
  }
  return seconds;
}
