/**
 * Terraform references in a manifest: values the code took from a variable
 * or another resource, which exist only at apply. The manifest holds a
 * placeholder (`protocol.REFERENCE_KEY`); the stack passes the values in
 * `EnvVar.REFERENCES`. {@link resolveReferences} puts them in place; the
 * runtime then checks the result with the same rules as synth-time values.
 */
import { AloomaCdktfError, AloomaErrorCode } from '../alooma/errors';
import { isPlainObject } from '../alooma/json';
import { EnvVar, isReferencePlaceholder, Manifest, REFERENCE_KEY } from './protocol';

/**
 * The manifest's references and the environment disagree (code
 * `bad_environment`): a value is missing, or the step was run by hand.
 */
export class UnresolvedReferenceError extends AloomaCdktfError {
  constructor(message: string, hint: string) {
    super(AloomaErrorCode.BAD_ENVIRONMENT, message, hint);
  }
}

/** Reference ids of every placeholder in `value`, depth first. */
export function referenceIds(value: unknown, out: string[] = []): string[] {
  if (isReferencePlaceholder(value)) out.push(value[REFERENCE_KEY]);
  else if (Array.isArray(value)) value.forEach((item) => referenceIds(item, out));
  else if (isPlainObject(value)) Object.values(value).forEach((item) => referenceIds(item, out));
  return out;
}

/** True when `value` holds a reference placeholder at any depth. */
export function hasReferences(value: unknown): boolean {
  return referenceIds(value).length > 0;
}

/**
 * The manifest with every placeholder replaced by its value from
 * `env[EnvVar.REFERENCES]`. With `only: 'connection'` (prune, delete: they
 * need where Alooma is, not the inputs' configuration) only the connection is
 * resolved. A manifest without placeholders is returned as it is. Throws
 * when a value is missing: the stack and the manifest disagree.
 */
export function resolveReferences(
  manifest: Manifest,
  env: NodeJS.ProcessEnv,
  { only = 'all' }: { readonly only?: 'all' | 'connection' } = {},
): Manifest {
  const target = only === 'all' ? manifest : manifest.connection;
  if (!hasReferences(target)) return manifest;
  const raw = env[EnvVar.REFERENCES];
  let values: unknown;
  try {
    values = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    values = undefined;
  }
  if (!isPlainObject(values)) {
    throw new UnresolvedReferenceError(
      `the manifest uses Terraform references but ${EnvVar.REFERENCES} is ${raw === undefined ? 'not set' : 'not a JSON object'}`,
      'run the manifest through the synthesized stack (cdktf deploy), which sets it; do not run it by hand',
    );
  }
  const missing = referenceIds(target).filter((id) => !(id in values));
  if (only === 'connection' && missing.length > 0) {
    // A destroy-time step of a previous deploy whose connection was literal: its old
    // triggers hold no value. The environment's URL and account stand in, when set;
    // otherwise the placeholders stay, and assertConnectionResolved stops the step
    // if (and only if) it has to reach Alooma.
    const fallback = connectionFromEnv(manifest, env);
    return {
      ...manifest,
      connection: fallback ?? (substitute(manifest.connection, values) as Manifest['connection']),
    };
  }
  if (missing.length > 0) {
    throw new UnresolvedReferenceError(
      `no value for the Terraform reference${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
      'synthesize and deploy again: the stack and its manifest come from different synths',
    );
  }
  return only === 'all'
    ? (substitute(manifest, values) as Manifest)
    : {
        ...manifest,
        connection: substitute(manifest.connection, values) as Manifest['connection'],
      };
}

/**
 * Throws when the manifest's connection still holds a placeholder: a
 * destroy-time step that must reach Alooma but was given no value for where it is.
 */
export function assertConnectionResolved(manifest: Manifest): void {
  const missing = referenceIds(manifest.connection);
  if (missing.length === 0) return;
  throw new UnresolvedReferenceError(
    `no value for the Terraform reference${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`,
    `this destroy-time step belongs to a deploy whose connection did not come from Terraform: export ${EnvVar.API_URL} (and ${EnvVar.ACCOUNT}) to the Alooma it used, then deploy again`,
  );
}

/** The connection with each unresolved field taken from the environment, or undefined when one is not set there. */
function connectionFromEnv(
  manifest: Manifest,
  env: NodeJS.ProcessEnv,
): Manifest['connection'] | undefined {
  const fromEnv: Record<string, string | undefined> = {
    apiUrl: env[EnvVar.API_URL],
    account: env[EnvVar.ACCOUNT],
  };
  const out: Record<string, unknown> = { ...manifest.connection };
  for (const [field, value] of Object.entries(manifest.connection)) {
    if (!isReferencePlaceholder(value)) continue;
    if (!fromEnv[field]) return undefined;
    out[field] = fromEnv[field];
  }
  return out as Manifest['connection'];
}

function substitute(value: unknown, values: Record<string, unknown>): unknown {
  // A placeholder without a value stays (checked by the caller), never `undefined`.
  if (isReferencePlaceholder(value))
    return value[REFERENCE_KEY] in values ? values[value[REFERENCE_KEY]] : value;
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) out[key] = substitute(member, values);
    return out;
  }
  return value;
}
