/** `PUT inputs/:id/pause?pause=true|false`: pauses or resumes an input. */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors';
import { renderPublicNode } from '../nodes';
import { RestContext, sendJson } from './context';

/** Pause and resume. */
export function pauseRoutes({ store }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.put<{ Params: { id: string }; Querystring: { pause?: string } }>(
      '/inputs/:id/pause',
      { config: { statKey: 'PUT inputs/:id/pause' } },
      async (request, reply) => {
        const pause = request.query.pause;
        if (pause !== 'true' && pause !== 'false') {
          throw new ValidationError("Query parameter 'pause' must be true or false", 'pause');
        }
        const updated = store.setPaused(
          request.aloomaAccount,
          request.params.id,
          pause === 'true',
          Date.now(),
          request.aloomaActor,
        );
        return sendJson(reply, renderPublicNode(updated));
      },
    );
  };
}
