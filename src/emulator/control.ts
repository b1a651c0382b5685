/**
 * The control API under `/_emulator`, served only with `--enable-control`:
 * unauthenticated test hooks that the real service never had. Not counted in
 * the stats and never subject to faults, so tests can observe and steer the
 * emulator without disturbing what they measure.
 */
import { FastifyPluginAsync } from 'fastify';
import { ValidationError } from './errors';
import type { FaultInjector, FaultOptions } from './faults';
import { isPlainObject } from '../alooma/json';
import type { RequestStats } from './stats';
import type { AccountSpec, AloomaStore } from './store';

/**
 * What the control routes use. Declared here rather than taken from the
 * server's `ServerOptions`, so that server.ts depends on this module and not
 * the other way round; `ServerOptions` satisfies it.
 */
export interface ControlOptions {
  readonly store: AloomaStore;
  readonly faults: FaultInjector;
  readonly stats: RequestStats;
}

/**
 * Routes:
 * - `GET /_emulator/stats` -> request counters by route key, e.g. `{"GET plumbing": 3, "total": 4, ...}`
 * - `DELETE /_emulator/stats` -> resets them
 * - `GET /_emulator/faults`, `PUT /_emulator/faults` (replaces every knob) -> the faults in force
 * - `POST /_emulator/accounts` `{account, email, password, apiKey}` -> 201 (409 when taken)
 * - `POST /_emulator/secrets/check` `{nodeId, path, value}` or `{account, key, value}`
 *   -> `{"set": bool, "matches": bool}`: compares a stored secret without revealing it
 */
export function registerControlRoutes(options: ControlOptions): FastifyPluginAsync {
  const { store, faults, stats } = options;
  return async (control) => {
    control.get('/stats', async () => stats.snapshot());
    control.delete('/stats', async () => {
      stats.reset();
      return stats.snapshot();
    });

    control.get('/faults', async () => faults.current);
    control.put('/faults', async (request) => {
      if (request.body !== undefined && !isPlainObject(request.body)) {
        throw new ValidationError('Request body must be a JSON object of fault knobs');
      }
      return faults.replace((request.body ?? {}) as FaultOptions);
    });

    control.post('/accounts', async (request, reply) => {
      const spec = request.body as AccountSpec;
      await store.createAccount(spec);
      return reply.code(201).send({ account: spec.account });
    });

    control.post('/secrets/check', async (request) => {
      const body = request.body;
      if (!isPlainObject(body) || !('value' in body)) {
        throw new ValidationError('Body must be {nodeId, path, value} or {account, key, value}');
      }
      let stored: unknown;
      if (typeof body.nodeId === 'string' && typeof body.path === 'string') {
        stored = store.readNodeSecret(body.nodeId, body.path);
      } else if (typeof body.account === 'string' && typeof body.key === 'string') {
        stored = store.readAccountSecret(body.account, body.key);
      } else {
        throw new ValidationError('Body must be {nodeId, path, value} or {account, key, value}');
      }
      const set = stored !== undefined && stored !== null && stored !== '';
      return { set, matches: set && stored === body.value };
    });
  };
}
