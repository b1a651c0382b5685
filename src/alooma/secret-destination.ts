/**
 * Where a stored secret goes. A secret is stored for one destination (a
 * database server and login, a REST API's origin); the mask a client sends
 * back means "keep the stored value", which is safe only while that
 * destination stays the same. When an edit changes the destination, the
 * stored value must not follow it: the caller sends the secret again. The
 * emulator refuses the mask there (400 naming the fields), the runtime
 * re-sends the secret from its source, as for a rotation.
 *
 * The destination fields, per input type, and why:
 * - `ODBC`: `server`, `port`, `database`, `user`, `ssh` (the tunnel the
 *   password travels through) and `allow_cleartext_password` (turning it on
 *   changes how the password travels: in clear to a server without TLS).
 *   `db_type` is not one: the password still goes to the same host and port.
 * - `REST_INPUT`: the origin (scheme, host, port) of `base_url` for every
 *   secret (the password and secret parameter values are sent there); a new
 *   path on the same origin reaches the same party, so it keeps the secret.
 *   `username` too, for `password` only (a password belongs to its user).
 * - `S3`: none. The secret key never travels (AWS signs requests with it) and
 *   the endpoint is AWS's own; a new bucket or key id reaches no new party.
 * - OAuth inputs (Salesforce, Google Sheets, ...): none; their tokens go to
 *   the provider's fixed endpoints.
 * - Any other type: none.
 */
import { canonicalField } from './canonical';
import { AloomaInputType } from './input-types';
import { SECRET_MASK, maskSecrets } from './secret-fields';

/** One field of a secret's destination. */
interface DestinationField {
  readonly field: string;
  /** Secret paths this field is the destination of; every secret of the input when absent. */
  readonly secrets?: readonly string[];
  /** The value compared; by default the field's canonical form (so `"5432"` equals `5432`). */
  readonly key?: (value: unknown) => unknown;
}

/** The destination fields of each input type's secrets (see the module comment for why). */
const DESTINATION_FIELDS: Readonly<Record<string, readonly DestinationField[]>> = {
  [AloomaInputType.ODBC]: [
    { field: 'server', key: (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v) },
    { field: 'port' },
    { field: 'database' },
    { field: 'user' },
    { field: 'ssh', key: (v) => (v === '' || v === null ? undefined : v) },
    { field: 'allow_cleartext_password', key: (v) => v === true || v === 'true' },
  ],
  [AloomaInputType.REST_INPUT]: [
    { field: 'base_url', key: urlOrigin },
    { field: 'username', secrets: ['password'] },
  ],
};

/** The destination fields of the secrets of an input `type` (empty when its secrets have none). */
export function secretDestinationFields(type: string): readonly string[] {
  return (DESTINATION_FIELDS[type] ?? []).map((d) => d.field);
}

/**
 * The destination fields of secret `path` of an input `type` whose value
 * differs between `before` (the stored configuration) and `after` (the
 * configuration being written), in the order of the rule. Empty when the
 * secret keeps its destination.
 */
export function changedSecretDestination(
  type: string,
  path: string,
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): string[] {
  return (DESTINATION_FIELDS[type] ?? [])
    .filter((d) => d.secrets === undefined || d.secrets.includes(path))
    .filter((d) => {
      const key = d.key ?? ((value: unknown) => canonicalField(d.field, value));
      return (
        JSON.stringify(key(before[d.field]) ?? null) !== JSON.stringify(key(after[d.field]) ?? null)
      );
    })
    .map((d) => d.field);
}

/** A masked secret whose destination changed: the stored value may not be kept. */
export interface MovedSecret {
  /** The secret's path: `password`, `parameters.<name>.value`. */
  readonly path: string;
  /** The destination fields that changed. */
  readonly fields: readonly string[];
}

/**
 * The secrets of `after` that carry {@link SECRET_MASK} (keep the stored
 * value) while their destination differs from `before`: each must be sent
 * again. Empty when the edit may keep every stored secret.
 */
export function movedMaskedSecrets(
  type: string,
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): MovedSecret[] {
  const moved: MovedSecret[] = [];
  for (const path of maskedSecretPaths(after)) {
    const fields = changedSecretDestination(type, path, before, after);
    if (fields.length > 0) moved.push({ path, fields });
  }
  return moved;
}

/**
 * Paths (in the notation of {@link findSecrets}: `password`,
 * `parameters.<name>.value`) where a configuration carries the mask in a
 * secret's place.
 */
export function maskedSecretPaths(configuration: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  walk(configuration, maskSecrets(configuration), '', out);
  return out;
}

function walk(original: unknown, masked: unknown, path: string, out: string[]): void {
  if (original === SECRET_MASK && masked === SECRET_MASK) {
    out.push(path);
    return;
  }
  if (Array.isArray(original) && Array.isArray(masked)) {
    const byName = path === 'parameters' || path.endsWith('.parameters');
    original.forEach((item, i) => {
      const name = (item as { parameter?: unknown } | null)?.parameter;
      const label = byName && typeof name === 'string' ? `${path}.${name}` : `${path}[${i}]`;
      walk(item, masked[i], label, out);
    });
    return;
  }
  if (isObject(original) && isObject(masked)) {
    for (const [key, member] of Object.entries(original))
      walk(member, masked[key], path ? `${path}.${key}` : key, out);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** `scheme://host:port` of a URL (default ports made explicit), or the trimmed text when it is not one. */
function urlOrigin(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    const url = new URL(value.trim());
    const port =
      url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
    return `${url.protocol}//${url.hostname.toLowerCase()}:${port}`;
  } catch {
    return value.trim();
  }
}
