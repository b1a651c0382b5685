/**
 * Counting and fault injection, first on every REST request: the request is
 * counted, then delayed, refused (503, 429) or marked to lose its answer, as
 * the fault knobs decide, before authentication and before any work.
 */
import type { FastifyInstance } from 'fastify';
import { StatKey } from '../stats';
import { RestContext, unencapsulated } from './context';

/** The counting and fault hooks, on the REST instance that registers them. */
export function countingAndFaults({ faults, stats }: RestContext) {
  return unencapsulated(async (rest: FastifyInstance) => {
    rest.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id);
      stats.increment(StatKey.TOTAL);
      stats.increment(request.routeOptions.config.statKey ?? `${request.method} ?`);

      const current = faults.current;
      if (current.latencyMs > 0) await sleep(current.latencyMs);
      const decision = faults.decide(request.method !== 'GET' && request.method !== 'HEAD');
      if (decision.error) {
        stats.increment(StatKey.INJECTED_503);
        return reply
          .code(503)
          .send({ message: 'Service temporarily unavailable (injected fault)' });
      }
      if (decision.throttle) {
        stats.increment(StatKey.INJECTED_429);
        return reply
          .code(429)
          .header('retry-after', String(current.retryAfterS))
          .send({
            message: `Too many requests: retry after ${current.retryAfterS} s (injected fault)`,
          });
      }
      request.faultAfterWrite = decision.errorAfterWrite;
      return undefined;
    });

    // The lost-response fault: the write has happened; its answer is replaced.
    rest.addHook('onSend', async (request, reply, payload) => {
      if (!request.faultAfterWrite || reply.statusCode >= 400) return payload;
      stats.increment(StatKey.INJECTED_503_AFTER_WRITE);
      reply.code(503).type('application/json; charset=utf-8');
      return JSON.stringify({
        message: 'Service temporarily unavailable (injected fault after write)',
      });
    });
  }, 'counting-and-faults');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
