/**
 * Secrets on write. Clients edit by GET (masked), change, PUT of the whole
 * node, so a PUT that carries {@link SECRET_MASK} back where a secret was
 * must keep the stored secret; otherwise editing a table would wipe the
 * password. A new value replaces the stored one; an absent key removes it.
 */
import {
  SECRET_MASK,
  isParameter,
  isSecretKey,
  isSecretParameter,
  parameterOfSecretPath,
} from '../alooma/secret-fields';
import { isPlainObject } from '../alooma/json';
import { movedMaskedSecrets } from '../alooma/secret-destination';
import { ValidationError } from './errors';

/**
 * Returns `incoming` with every masked secret replaced by the stored value
 * at the same place: secret keys at any depth, and `value` of secret REST
 * parameters matched by parameter name (their order may change).
 *
 * @throws ValidationError when the mask stands where nothing is stored: the
 *   client copied a masked node and would otherwise store the mask itself.
 */
export function restoreMaskedSecrets(
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return restoreObject(incoming, stored, 'configuration');
}

/**
 * Refuses an edit that sends the mask back for a secret whose destination it
 * changes (src/alooma/secret-destination.ts): the stored secret would follow
 * the input to a new server, user or URL. The caller sends the secret again.
 *
 * @throws ValidationError naming the secrets and the destination fields.
 */
export function assertMaskedSecretsStay(
  type: string,
  incoming: Record<string, unknown>,
  stored: Record<string, unknown>,
): void {
  const moved = movedMaskedSecrets(type, stored, incoming);
  if (moved.length === 0) return;
  const list = moved.map((m) => `'${m.path}' (changed: ${m.fields.join(', ')})`).join('; ');
  throw new ValidationError(
    `The destination of stored ${moved.length === 1 ? 'secret' : 'secrets'} ${list} changed, so ` +
      `the mask '${SECRET_MASK}' cannot keep the stored value: send ` +
      `${moved.map((m) => `'${m.path}'`).join(', ')} again with the new destination`,
    `configuration.${moved[0].path}`,
  );
}

function restoreValue(
  value: unknown,
  stored: unknown,
  key: string | undefined,
  path: string,
): unknown {
  if (key !== undefined && isSecretKey(key) && value === SECRET_MASK)
    return storedSecret(stored, path);
  if (Array.isArray(value)) {
    const storedArray = Array.isArray(stored) ? stored : [];
    if (key === 'parameters')
      return value.map((item, i) => restoreParameter(item, storedArray, `${path}[${i}]`));
    return value.map((item, i) => restoreValue(item, storedArray[i], undefined, `${path}[${i}]`));
  }
  if (isPlainObject(value))
    return restoreObject(value, isPlainObject(stored) ? stored : undefined, path);
  return value;
}

function restoreObject(
  value: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
  path: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = restoreValue(v, stored?.[k], k, `${path}.${k}`);
  return out;
}

function restoreParameter(item: unknown, storedParameters: unknown[], path: string): unknown {
  if (!isParameter(item)) return restoreValue(item, undefined, undefined, path);
  const match = storedParameters.find((p) => isParameter(p) && p.parameter === item.parameter);
  const restored = restoreObject(
    item,
    isPlainObject(match) ? match : undefined,
    path,
  ) as typeof item;
  // `restored` too: its `secret` flag may have come back masked and been restored from the stored one.
  if ((isSecretParameter(item) || isSecretParameter(restored)) && item.value === SECRET_MASK) {
    restored.value = storedSecret(isParameter(match) ? match.value : undefined, `${path}.value`);
  }
  return restored;
}

function storedSecret(stored: unknown, path: string): unknown {
  if (stored !== undefined && stored !== null && stored !== '') return stored;
  throw new ValidationError(
    `Field '${path}' holds the secret mask '${SECRET_MASK}' but no secret is stored there: send the real value`,
    path,
  );
}

/**
 * The stored value at a secret path in the runtime's notation: `password`,
 * `a.b.c`, or `parameters.<parameter name>.value` for a REST parameter.
 * For the control API only; never returned to API clients.
 */
export function readSecretAtPath(configuration: Record<string, unknown>, path: string): unknown {
  const parameter = parameterOfSecretPath(path);
  if (parameter !== undefined) {
    const parameters = configuration.parameters;
    if (!Array.isArray(parameters)) return undefined;
    const match = parameters.find((p) => isParameter(p) && p.parameter === parameter);
    return isParameter(match) ? match.value : undefined;
  }
  let current: unknown = configuration;
  for (const part of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}
