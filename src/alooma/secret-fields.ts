/**
 * Which configuration values are secrets. Shared by the emulator (to store
 * them and read back a mask), the runtime (to redact logs and diffs) and the
 * constructs (to refuse secrets in plain configuration). Free of imports.
 */

/** What the API returns instead of a stored secret. A PUT carrying it keeps the stored value. */
export const SECRET_MASK = '********';

/**
 * Version of a secret that names none. A secret is written when its version
 * changes, so the constructs render this for a secret given without
 * `version`, and the provider's move from the `terraform_data` engine (which
 * recorded no version for such a secret) takes it as the one written.
 */
export const DEFAULT_SECRET_VERSION = '1';

/**
 * Configuration keys whose values are secrets: passwords, tokens, OAuth
 * grants, API and secret keys, session ids. `awsAccessKeyId` and other key
 * *ids* are identifiers, not secrets; so is Mixpanel's `mixpanelApiKey` (a
 * project identifier; its secret is `mixpanelApiSecret`).
 */
const SECRET_KEY_PATTERN =
  /(pass(word|wd)?$|password|secret|token|oauth|api_?key|private_?key|session(_?id)?$|credentials?$|^auth$)/i;
const NOT_SECRET_PATTERN = /(key_?id|versions?$|^token_url$|^mixpanelApiKey$)/i;

/** True when a configuration key (at any depth) holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key) && !NOT_SECRET_PATTERN.test(key);
}

/** A REST_INPUT parameter entry: `{parameter, type, value, template?, secret?}`. */
export interface RestParameter {
  parameter: string;
  type?: string;
  value?: unknown;
  template?: string;
  /** Marks the value as a secret even when the parameter name does not look like one. */
  secret?: boolean;
  [extra: string]: unknown;
}

/** True when a REST parameter's `value` is a secret. */
export function isSecretParameter(parameter: RestParameter): boolean {
  return parameter.secret === true || isSecretKey(String(parameter.parameter ?? ''));
}

/**
 * Returns a copy of a configuration with every secret replaced by
 * {@link SECRET_MASK}: secret keys at any depth and secret REST parameter
 * values. Empty secrets stay empty, so a reader can tell "set" from "unset".
 */
export function maskSecrets<T>(value: T): T {
  return maskValue(value, undefined) as T;
}

function maskValue(value: unknown, key: string | undefined): unknown {
  // A boolean is a flag (a parameter's `secret: true`), never a secret value.
  if (key !== undefined && isSecretKey(key) && isSet(value) && typeof value !== 'boolean')
    return SECRET_MASK;
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (
        key === 'parameters' &&
        isParameter(item) &&
        isSecretParameter(item) &&
        isSet(item.value)
      ) {
        return { ...maskObject(item), value: SECRET_MASK };
      }
      return maskValue(item, undefined);
    });
  }
  if (value !== null && typeof value === 'object')
    return maskObject(value as Record<string, unknown>);
  return value;
}

function maskObject(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = maskValue(v, k);
  return out;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Paths of secret values, in the notation the manifest, the runtime and the
 * emulator share: a configuration key (`password`, `awsSecretAccessKey`), or
 * `parameters.<name>.value` for the value of a REST parameter.
 */
const PARAMETER_SECRET_PATH = /^parameters\.(.+)\.value$/;

/** The secret path of the value of REST parameter `name`: `parameters.<name>.value`. */
export function parameterSecretPath(name: string): string {
  return `parameters.${name}.value`;
}

/** The parameter name of a `parameters.<name>.value` path; undefined for any other path. */
export function parameterOfSecretPath(path: string): string | undefined {
  return PARAMETER_SECRET_PATH.exec(path)?.[1];
}

/**
 * A copy of `configuration` with `value` at a secret path: the `value` of the
 * REST parameter a `parameters.<name>.value` path names (when there is a
 * parameter list), otherwise the top-level key `path`.
 */
export function withSecretAtPath(
  configuration: Readonly<Record<string, unknown>>,
  path: string,
  value: unknown,
): Record<string, unknown> {
  const parameter = parameterOfSecretPath(path);
  if (parameter !== undefined && Array.isArray(configuration.parameters)) {
    return {
      ...configuration,
      parameters: configuration.parameters.map((p: unknown) =>
        isParameter(p) && p.parameter === parameter ? { ...p, value } : p,
      ),
    };
  }
  return { ...configuration, [path]: value };
}

/** A secret value found in a configuration or node, and where. */
export interface FoundSecret {
  /**
   * Dotted path from the value searched: `password`, `ssh.password`,
   * `parameters.<name>.value` (parameters by name, not by index).
   */
  readonly path: string;
  /** The value (a string, as a rule; whatever the caller passed). */
  readonly value: unknown;
}

/**
 * Every secret value in `value`: what {@link maskSecrets} masks (secret keys
 * at any depth, values of secret REST parameters), except the mask itself.
 * The constructs refuse these in plain configuration; the runtime registers
 * them for redaction.
 */
export function findSecrets(value: unknown): FoundSecret[] {
  const found: FoundSecret[] = [];
  walkMasked(value, maskSecrets(value), '', found);
  return found;
}

function walkMasked(original: unknown, masked: unknown, path: string, out: FoundSecret[]): void {
  if (masked === SECRET_MASK && original !== SECRET_MASK) {
    out.push({ path, value: original });
    return;
  }
  if (Array.isArray(original) && Array.isArray(masked)) {
    const byName = path === 'parameters' || path.endsWith('.parameters');
    original.forEach((item, i) => {
      const label = byName && isParameter(item) ? `${path}.${item.parameter}` : `${path}[${i}]`;
      walkMasked(item, masked[i], label, out);
    });
    return;
  }
  if (isObject(original) && isObject(masked)) {
    for (const [key, member] of Object.entries(original))
      walkMasked(member, masked[key], path ? `${path}.${key}` : key, out);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** True for an object that looks like a REST parameter entry. */
export function isParameter(item: unknown): item is RestParameter {
  return (
    item !== null &&
    typeof item === 'object' &&
    !Array.isArray(item) &&
    typeof (item as { parameter?: unknown }).parameter === 'string'
  );
}
