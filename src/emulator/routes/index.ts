/**
 * The REST API as one fastify plugin, registered by the server under both
 * `/rest` and `/:account/rest`. Per request, in order: count it and inject
 * faults ({@link countingAndFaults}), authenticate ({@link authentication}),
 * count secret writes, then run the route, one plugin per resource.
 */
import type { FastifyInstance } from 'fastify';
import { authentication } from './authentication';
import { RestContext, RestPlugin } from './context';
import { countingAndFaults } from './faults';
import { countSecretWrites } from '../stats';
import { historyRoutes } from './history';
import { inputRoutes } from './inputs';
import { pauseRoutes } from './pause';
import { repositoryRoutes } from './repository';
import { secretRoutes } from './secrets';
import { sessionRoutes } from './session';
import { sleepTimeRoutes } from './sleep-time';
import { structureRoutes } from './structure';

export { BODY_LIMIT_BYTES, READ_LIMIT_BYTES, requestBodies } from './body';
export { allowedHostNames, hostCheck } from './host-check';
export type { RestContext } from './context';

/** The resources, one plugin each. */
const RESOURCES: readonly RestPlugin[] = [
  sessionRoutes,
  repositoryRoutes,
  structureRoutes,
  inputRoutes,
  pauseRoutes,
  sleepTimeRoutes,
  historyRoutes,
  secretRoutes,
];

/** The REST API: hooks first (they apply to every resource registered after them), then the resources. */
export function restApi(context: RestContext) {
  return async (rest: FastifyInstance) => {
    await rest.register(countingAndFaults(context));
    await rest.register(authentication(context));
    // Counted once the body is parsed and the caller authenticated: what tests
    // assert when they say a secret was (not) sent again.
    rest.addHook('preHandler', countSecretWrites(context.stats));
    for (const resource of RESOURCES) await rest.register(resource(context));
  };
}
