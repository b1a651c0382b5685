/**
 * Checks of prop values, shared by the constructs. The rules themselves are
 * the API's, in src/alooma (the runtime and the emulator apply the same
 * ones); this module adds what only synth time knows (Terraform tokens,
 * construct paths) and throws a typed error from ../errors naming the
 * construct path and the field.
 */
import { CDK_CORE, PACKAGE_IMPORT, TerraformStack } from './core';
import { IConstruct } from 'constructs';
import { isPlainObject } from '../../alooma/json';
import { isReference } from './references';
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
import { findSecrets } from '../../alooma/secret-fields';
import * as errors from '../errors';
import { AloomaSecret, isTerraformExpression } from '../secret';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the runtime itself sets for its subprocess; a secret must not reuse them. */
const RESERVED_ENV_PREFIX = 'ALOOMA_CDKTF_';

/**
 * Throws unless `scope`'s stack comes from the CDK core this build is for.
 * Both cores find stacks by the same global symbol, so a construct of one
 * core would otherwise join the other's stack and break deep in synth, or
 * synthesize an empty manifest (aspects are keyed per copy of the core).
 */
export function checkCdkCore(scope: IConstruct): void {
  const stack: object = TerraformStack.of(scope);
  if (stack instanceof TerraformStack) return;
  const rtti = (stack.constructor as unknown as Record<symbol, { fqn?: string } | undefined>)[
    Symbol.for('jsii.rtti')
  ];
  throw errors.wrongCdkCore(
    scope,
    { core: CDK_CORE, importPath: PACKAGE_IMPORT },
    rtti?.fqn ?? stack.constructor.name,
  );
}

export { isReference } from './references';

/**
 * Throws when `value` is a Terraform reference: `field` decides something at
 * synth (an input's identity, which resources exist), so it must be a literal.
 */
export function checkKnown(scope: IConstruct, field: string, value: unknown): void {
  if (isReference(value)) throw errors.unresolvedToken(scope, field);
}

/** Throws unless `value` is a valid, synth-time-known name (src/alooma/names.ts). */
export function checkName(scope: IConstruct, field: string, value: unknown): string {
  checkKnown(scope, field, value);
  const problem = nameProblem(value);
  if (problem) throw errors.invalidName(scope, field, value, problem);
  return value as string;
}

/**
 * Throws unless `value` passes the API's `rule`; returns it. A Terraform
 * reference passes: its value exists only at apply, where the runtime checks
 * it with the same rule before any write.
 */
export function checkRule<T>(scope: IConstruct, field: string, value: unknown, rule: ValueRule): T {
  if (isReference(value)) return value as T;
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
  return isReference(value) ? (value as number) : (integerValue(value) as number);
}

/** Throws unless `value` is a cron expression of 5 to 7 fields. */
export function checkCron(scope: IConstruct, field: string, value: unknown): string {
  return checkRule(scope, field, value, CRON);
}

/** Throws unless `value` is a boolean or a Terraform reference (checked at apply). */
export function checkBoolean(scope: IConstruct, field: string, value: unknown): boolean {
  if (isReference(value)) return value as boolean;
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
  // These choose what is synthesized (removal policy, engine): never a reference.
  checkKnown(scope, field, value);
  return checkRule(scope, field, value, oneOfRule(allowed));
}

/** Throws unless `value` is an http(s) URL without credentials in it. */
export function checkUrl(scope: IConstruct, field: string, value: unknown): string {
  const text = checkRule<string>(scope, field, value, HTTP_URL);
  if (isReference(text)) return text;
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

/** Throws unless `value` is an {@link AloomaSecret} with a valid variable name (or Terraform expression) and version; returns it. */
export function checkSecret(scope: IConstruct, field: string, value: unknown): AloomaSecret {
  if (!AloomaSecret.isAloomaSecret(value)) {
    if (typeof value === 'string') throw errors.plainSecret(scope, field, [field]);
    throw errors.invalidSecretReference(
      scope,
      field,
      `is ${errors.quote(value)}, not an AloomaSecret`,
    );
  }
  if (value.fromTerraform) {
    if (!isTerraformExpression(value.terraformValue)) {
      throw errors.invalidSecretReference(
        scope,
        `${field} (AloomaSecret.fromTerraform)`,
        'is given a literal string, not a Terraform reference (a secret in code would be stored in the manifest)',
      );
    }
  } else {
    checkEnvName(scope, `${field} (AloomaSecret)`, value.envName);
  }
  if (value.version !== undefined) {
    checkKnown(scope, `${field}.version`, value.version);
    if (nameProblem(value.version) !== undefined) {
      throw errors.invalidSecretReference(
        scope,
        `${field}.version`,
        `is ${errors.quote(value.version)}, not a non-empty string`,
      );
    }
  }
  return value;
}

/**
 * Throws unless `value` is plain JSON (no functions, class instances, NaN or
 * Infinity); Terraform references may stand for any part of it. Returns a
 * copy without `undefined` object members.
 */
export function checkJson(scope: IConstruct, field: string, value: unknown): unknown {
  // A Terraform reference (a whole value or a map/list token) is resolved at apply.
  if (isReference(value)) return value;
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw errors.invalidProperty(scope, field, value, 'a finite number');
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item, i) => {
      if (item === undefined)
        throw errors.invalidProperty(scope, `${field}[${i}]`, item, 'a JSON value (not undefined)');
      return checkJson(scope, `${field}[${i}]`, item);
    });
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (isReference(key)) throw errors.unresolvedToken(scope, `${field} key`);
      if (member !== undefined) out[key] = checkJson(scope, `${field}.${key}`, member);
    }
    return out;
  }
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
  return findSecrets(configuration).map((secret) => secret.path);
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
