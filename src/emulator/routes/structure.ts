/**
 * The plumbing: the account's structure (every node), one node by id, and
 * the removal of a node.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors';
import { RestContext, sendJson } from './context';

/** `GET plumbing`, `GET plumbing/nodes/:id`, `POST plumbing/nodes/remove/:id`. */
export function structureRoutes({ store }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get('/plumbing', { config: { statKey: 'GET plumbing' } }, async (request, reply) =>
      reply
        .type('application/json; charset=utf-8')
        .send(store.structureBuffer(request.aloomaAccount)),
    );

    rest.get<{ Params: { id: string } }>(
      '/plumbing/nodes/:id',
      { config: { statKey: 'GET plumbing/nodes/:id' } },
      async (request, reply) => {
        const json = store.nodeJson(request.aloomaAccount, request.params.id);
        if (json === undefined) throw new NotFoundError(`No node with id ${request.params.id}`);
        return sendJson(reply, json);
      },
    );

    rest.post<{ Params: { id: string } }>(
      '/plumbing/nodes/remove/:id',
      { config: { statKey: 'POST plumbing/nodes/remove/:id' } },
      async (request) => {
        store.removeNode(request.aloomaAccount, request.params.id, Date.now(), request.aloomaActor);
        return { status: 'deleted', id: request.params.id };
      },
    );
  };
}
