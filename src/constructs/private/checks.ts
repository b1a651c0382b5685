/**
 * Checks of prop values, shared by the constructs. Each throws a typed error
 * from ../errors naming the construct path and the field.
 */
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { SecretRef } from '../../runtime/protocol';
import { isParameter, maskSecrets, SECRET_MASK } from '../../runtime/secret-fields';
import * as errors from '../errors';
import { AloomaSecret } from '../secret';

/** Longest name accepted, in characters (code points). */
export const MAX_NAME_LENGTH = 200;

// C0 and C1 control characters, DEL included.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the runtime itself sets for its subprocess; a secret must not reuse them. */
const RESERVED_ENV_PREFIX = 'ALOOMA_CDKTF_';

/** Why `value` is not a valid name, or undefined when it is. */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string')
    return `it is a ${value === null ? 'null' : typeof value}, not a string`;
  if (value.length === 0) return 'it is empty';
  if (value.trim().length === 0) return 'it is only whitespace';
  if (value.trim() !== value) return 'it starts or ends with whitespace';
  if ([...value].length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (CONTROL_CHARACTERS.test(value)) return 'it contains a control character (newline, tab, ...)';
  if (LONE_SURROGATE.test(value)) return 'it contains a lone UTF-16 surrogate';
  return undefined;
}

/** Throws unless `value` is a valid, synth-time-known name. */
export function checkName(scope: IConstruct, field: string, value: unknown): string {
  if (typeof value === 'string' && Token.isUnresolved(value))
    throw errors.unresolvedToken(scope, field);
  const problem = nameProblem(value);
  if (problem) throw errors.invalidName(scope, field, value, problem);
  return value as string;
}

/** Throws unless `value` is a non-empty string known at synth time; returns it. */
export function checkString(
  scope: IConstruct,
  field: string,
  value: unknown,
  expected = 'a non-empty string',
): string {
  if (typeof value === 'string' && Token.isUnresolved(value))
    throw errors.unresolvedToken(scope, field);
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    CONTROL_CHARACTERS.test(value.replace(/[\t\n\r]/g, ''))
  ) {
    throw errors.invalidProperty(scope, field, value, expected);
  }
  return value;
}

/** Like {@link checkString} for an optional prop. */
export function checkOptionalString(
  scope: IConstruct,
  field: string,
  value: unknown,
): string | undefined {
  return value === undefined ? undefined : checkString(scope, field, value);
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInteger(
  scope: IConstruct,
  field: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value === 'number' && Token.isUnresolved(value))
    throw errors.unresolvedToken(scope, field);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw errors.invalidProperty(
      scope,
      field,
      value,
      max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
    );
  }
  return value;
}

/** Throws unless `value` is a cron expression of 5 to 7 fields. */
export function checkCron(scope: IConstruct, field: string, value: unknown): string {
  const text = checkString(scope, field, value, 'a cron expression such as "0 * * * *"');
  const fields = text.trim().split(/\s+/).length;
  if (fields < 5 || fields > 7) {
    throw errors.invalidProperty(
      scope,
      field,
      value,
      'a cron expression of 5 to 7 fields, e.g. "0 * * * *"',
    );
  }
  return text;
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(scope: IConstruct, field: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw errors.invalidProperty(scope, field, value, 'true or false');
  return value;
}

/** Throws unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(
  scope: IConstruct,
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw errors.invalidProperty(
      scope,
      field,
      value,
      `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
    );
  }
  return value as T;
}

/** Throws unless `value` is an http(s) URL without credentials in it. */
export function checkUrl(scope: IConstruct, field: string, value: unknown): string {
  const text = checkString(scope, field, value, 'an http or https URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw errors.invalidProperty(scope, field, value, 'an http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw errors.invalidProperty(scope, field, value, 'an http or https URL');
  }
  if (url.username || url.password) {
    throw errors.plainSecret(scope, field, ['user:password@']);
  }
  return text;
}

/** Throws unless `value` is a usable environment variable name. */
export function checkEnvName(scope: IConstruct, field: string, value: unknown): string {
  if (typeof value !== 'string' || !ENV_NAME.test(value)) {
    throw errors.invalidSecretReference(
      scope,
      field,
      `names the environment variable ${errors.quote(value)}, which is not a valid name`,
    );
  }
  if (value.toUpperCase().startsWith(RESERVED_ENV_PREFIX)) {
    throw errors.invalidSecretReference(
      scope,
      field,
      `uses ${RESERVED_ENV_PREFIX}*, which the runtime reserves`,
    );
  }
  return value;
}

/** Throws unless `value` is an {@link AloomaSecret} with a valid variable name and version; returns its reference. */
export function checkSecret(scope: IConstruct, field: string, value: unknown): SecretRef {
  if (!AloomaSecret.isAloomaSecret(value)) {
    if (typeof value === 'string') throw errors.plainSecret(scope, field, [field]);
    throw errors.invalidSecretReference(
      scope,
      field,
      `is ${errors.quote(value)}, not an AloomaSecret`,
    );
  }
  checkEnvName(scope, `${field} (AloomaSecret)`, value.envName);
  if (value.version !== undefined) {
    if (typeof value.version !== 'string' || nameProblem(value.version) !== undefined) {
      throw errors.invalidSecretReference(
        scope,
        `${field}.version`,
        `is ${errors.quote(value.version)}, not a non-empty string`,
      );
    }
  }
  return value.toSecretRef();
}

/**
 * Throws unless `value` is plain JSON known at synth time (no tokens,
 * functions, class instances, NaN or Infinity). Returns a copy without
 * `undefined` object members.
 */
export function checkJson(scope: IConstruct, field: string, value: unknown): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) throw errors.unresolvedToken(scope, field);
    return value;
  }
  if (typeof value === 'number') {
    if (Token.isUnresolved(value)) throw errors.unresolvedToken(scope, field);
    if (!Number.isFinite(value))
      throw errors.invalidProperty(scope, field, value, 'a finite number');
    return value;
  }
  if (Array.isArray(value)) {
    if (Token.isUnresolved(value)) throw errors.unresolvedToken(scope, field);
    return value.map((item, i) => {
      if (item === undefined)
        throw errors.invalidProperty(scope, `${field}[${i}]`, item, 'a JSON value (not undefined)');
      return checkJson(scope, `${field}[${i}]`, item);
    });
  }
  if (typeof value === 'object' && !Token.isUnresolved(value) && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (Token.isUnresolved(key)) throw errors.unresolvedToken(scope, `${field} key`);
      if (member !== undefined) out[key] = checkJson(scope, `${field}.${key}`, member);
    }
    return out;
  }
  if (typeof value === 'object' && Token.isUnresolved(value))
    throw errors.unresolvedToken(scope, field);
  if (AloomaSecret.isAloomaSecret(value)) {
    throw errors.invalidProperty(
      scope,
      field,
      String(value),
      'a plain value (pass secret references in the secrets prop)',
    );
  }
  throw errors.invalidProperty(
    scope,
    field,
    String(value),
    'a JSON value (string, number, boolean, null, array or object)',
  );
}

/** Throws unless `value` is a plain object; returns it. */
export function checkRecord(
  scope: IConstruct,
  field: string,
  value: unknown,
): Readonly<Record<string, unknown>> {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !isPlainObject(value)
  ) {
    throw errors.invalidProperty(scope, field, value, 'an object');
  }
  return value as Record<string, unknown>;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Paths of plain values that the shared secret rules (the emulator masks
 * them, the runtime redacts them) consider secrets: secret-looking keys at
 * any depth and values of secret REST parameters.
 */
export function plainSecretPaths(configuration: Readonly<Record<string, unknown>>): string[] {
  const paths: string[] = [];
  walkMasked(configuration, maskSecrets(configuration), '', paths);
  return paths;
}

function walkMasked(original: unknown, masked: unknown, path: string, out: string[]): void {
  if (masked === SECRET_MASK && original !== SECRET_MASK) {
    out.push(path);
    return;
  }
  if (Array.isArray(original) && Array.isArray(masked)) {
    original.forEach((item, i) => {
      const label =
        path.endsWith('parameters') && isParameter(item)
          ? `${path}.${item.parameter}`
          : `${path}[${i}]`;
      walkMasked(item, masked[i], label, out);
    });
    return;
  }
  if (
    original !== null &&
    typeof original === 'object' &&
    masked !== null &&
    typeof masked === 'object'
  ) {
    for (const [key, member] of Object.entries(original)) {
      walkMasked(
        member,
        (masked as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
        out,
      );
    }
  }
}

/** Throws when `configuration` holds plain secrets. */
export function checkNoPlainSecrets(
  scope: IConstruct,
  field: string,
  configuration: Readonly<Record<string, unknown>>,
): void {
  const paths = plainSecretPaths(configuration);
  if (paths.length > 0) throw errors.plainSecret(scope, field, paths);
}
