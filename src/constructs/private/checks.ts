/**
 * Checks of prop values, shared by the constructs. The rules themselves are
 * the API's, in src/alooma (the runtime and the emulator apply the same
 * ones); this module adds what only synth time knows (Terraform tokens,
 * construct paths) and throws a typed error from ../errors naming the
 * construct path and the field.
 */
import { Token } from 'cdktf';
import { IConstruct } from 'constructs';
import { isPlainObject } from '../../alooma/json';
import { nameProblem } from '../../alooma/names';
import {
  CRON,
  HTTP_URL,
  TEXT,
  ValueRule,
  integerRule,
  integerValue,
  oneOfRule,
} from '../../alooma/rules';
import { isParameter, maskSecrets, SECRET_MASK } from '../../alooma/secret-fields';
import { SecretRef } from '../../runtime/protocol';
import * as errors from '../errors';
import { AloomaSecret } from '../secret';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the runtime itself sets for its subprocess; a secret must not reuse them. */
const RESERVED_ENV_PREFIX = 'ALOOMA_CDKTF_';

/** Throws when `value` is a Terraform token: the manifest needs the value at synth. */
export function checkKnown(scope: IConstruct, field: string, value: unknown): void {
  if (value !== null && value !== undefined && Token.isUnresolved(value))
    throw errors.unresolvedToken(scope, field);
}

/** Throws unless `value` is a valid, synth-time-known name (src/alooma/names.ts). */
export function checkName(scope: IConstruct, field: string, value: unknown): string {
  checkKnown(scope, field, value);
  const problem = nameProblem(value);
  if (problem) throw errors.invalidName(scope, field, value, problem);
  return value as string;
}

/** Throws unless `value` is known at synth and passes the API's `rule`; returns it. */
export function checkRule<T>(scope: IConstruct, field: string, value: unknown, rule: ValueRule): T {
  checkKnown(scope, field, value);
  const expected = rule(value);
  if (expected !== undefined) throw errors.invalidProperty(scope, field, value, expected);
  return value as T;
}

/** Throws unless `value` is a non-empty string without control characters; returns it. */
export function checkString(scope: IConstruct, field: string, value: unknown): string {
  return checkRule(scope, field, value, TEXT);
}

/** Throws unless `value` is an integer in [min, max]; returns it as a number. */
export function checkInteger(
  scope: IConstruct,
  field: string,
  value: unknown,
  min: number,
  max?: number,
): number {
  return checkIntegerRule(scope, field, value, integerRule(min, max));
}

/** Throws unless `value` passes an integer `rule` (PORT, BATCH_SIZE...); returns it as a number. */
export function checkIntegerRule(
  scope: IConstruct,
  field: string,
  value: unknown,
  rule: ValueRule,
): number {
  checkRule(scope, field, value, rule);
  return integerValue(value) as number;
}

/** Throws unless `value` is a cron expression of 5 to 7 fields. */
export function checkCron(scope: IConstruct, field: string, value: unknown): string {
  return checkRule(scope, field, value, CRON);
}

/** Throws unless `value` is a boolean. */
export function checkBoolean(scope: IConstruct, field: string, value: unknown): boolean {
  checkKnown(scope, field, value);
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
  return checkRule(scope, field, value, oneOfRule(allowed));
}

/** Throws unless `value` is an http(s) URL without credentials in it. */
export function checkUrl(scope: IConstruct, field: string, value: unknown): string {
  const text = checkRule<string>(scope, field, value, HTTP_URL);
  const url = new URL(text);
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
    if (nameProblem(value.version) !== undefined) {
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
  if (!Token.isUnresolved(value) && isPlainObject(value)) {
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
  checkKnown(scope, field, value);
  if (!isPlainObject(value)) throw errors.invalidProperty(scope, field, value, 'an object');
  return value;
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
