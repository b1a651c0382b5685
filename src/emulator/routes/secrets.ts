/**
 * Account secrets (`GET`/`PUT secrets`, `DELETE secrets/:key`): values are
 * write-only, every read answers the mask.
 */
import type { FastifyInstance } from 'fastify';
import { isPlainObject } from '../../alooma/json';
import { SECRET_MASK } from '../../alooma/secret-fields';
import { NotFoundError, ValidationError } from '../errors';
import { RestContext } from './context';

/** List (masked), set and delete account secrets. */
export function secretRoutes({ store }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get('/secrets', { config: { statKey: 'GET secrets' } }, async (request) =>
      maskedSecretMap(store.accountSecretKeys(request.aloomaAccount)),
    );

    rest.put('/secrets', { config: { statKey: 'PUT secrets' } }, async (request) => {
      const account = request.aloomaAccount;
      const body = request.body;
      if (!isPlainObject(body))
        throw new ValidationError('Request body must be a JSON object {"<key>": "<value>", ...}');
      const existing = new Set(store.accountSecretKeys(account));
      const entries: Record<string, string> = {};
      for (const [key, value] of Object.entries(body)) {
        if (key.trim() === '') throw new ValidationError('Secret keys must not be empty', key);
        if (typeof value !== 'string')
          throw new ValidationError(`Secret '${key}' must be a string`, key);
        if (value === SECRET_MASK) {
          // The mask read back from GET secrets: keep what is stored.
          if (existing.has(key)) continue;
          throw new ValidationError(
            `Secret '${key}' holds the mask '${SECRET_MASK}' but is not stored: send the value`,
            key,
          );
        }
        entries[key] = value;
      }
      store.putAccountSecrets(account, entries);
      return maskedSecretMap(store.accountSecretKeys(account));
    });

    rest.delete<{ Params: { key: string } }>(
      '/secrets/:key',
      { config: { statKey: 'DELETE secrets/:key' } },
      async (request) => {
        if (!store.deleteAccountSecret(request.aloomaAccount, request.params.key)) {
          throw new NotFoundError(`No secret '${request.params.key}'`);
        }
        return { status: 'deleted', key: request.params.key };
      },
    );
  };
}

function maskedSecretMap(keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.map((k) => [k, SECRET_MASK]));
}
