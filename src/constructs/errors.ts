/**
 * Every error the constructs raise, thrown at once or returned by a
 * validation. Each carries a stable `code`, the construct path, what is wrong
 * and how to fix it, so tests and tools match on the code and humans read the
 * message.
 */
import { IConstruct } from 'constructs';

/** Stable identifiers of construct errors. */
export const AloomaErrorCode = {
  /** An input, table, parameter or owner name breaks the name rule. */
  INVALID_NAME: 'INVALID_NAME',
  /** A property has a value of the wrong type or outside its range. */
  INVALID_PROPERTY: 'INVALID_PROPERTY',
  /** Two properties contradict each other, or one sets what another manages. */
  CONFLICTING_PROPERTIES: 'CONFLICTING_PROPERTIES',
  /** Two inputs of one app have the same name. */
  DUPLICATE_INPUT_NAME: 'DUPLICATE_INPUT_NAME',
  /** A database input lists the same table twice. */
  DUPLICATE_TABLE: 'DUPLICATE_TABLE',
  /** A table has no update indicator. */
  MISSING_UPDATE_INDICATOR: 'MISSING_UPDATE_INDICATOR',
  /** A REST input declares the same parameter twice. */
  DUPLICATE_PARAMETER: 'DUPLICATE_PARAMETER',
  /** A template or field edit names a parameter the REST input does not have. */
  UNKNOWN_PARAMETER: 'UNKNOWN_PARAMETER',
  /** `batchSize` is not a positive integer. */
  INVALID_BATCH_SIZE: 'INVALID_BATCH_SIZE',
  /** A secret-looking configuration key holds a plain value. */
  PLAIN_SECRET: 'PLAIN_SECRET',
  /** A secret is not an `AloomaSecret`, or its variable name or version is invalid. */
  INVALID_SECRET_REFERENCE: 'INVALID_SECRET_REFERENCE',
  /** A value is a Terraform token, unknown until apply; the manifest needs it at synth. */
  UNRESOLVED_TOKEN: 'UNRESOLVED_TOKEN',
  /** The configuration sets a field the runtime owns. */
  RESERVED_FIELD: 'RESERVED_FIELD',
  /** The input type is a system input clients must never manage. */
  SYSTEM_INPUT_TYPE: 'SYSTEM_INPUT_TYPE',
  /** A stack has two `AloomaConnection`s. */
  DUPLICATE_CONNECTION: 'DUPLICATE_CONNECTION',
  /** `AloomaConnection` chose another engine after inputs were declared with the default one. */
  CONNECTION_DECLARED_LATE: 'CONNECTION_DECLARED_LATE',
  /** A child construct was created under the wrong kind of parent. */
  INVALID_SCOPE: 'INVALID_SCOPE',
  /** The bundled runtime (dist/runtime.js) is missing. */
  RUNTIME_BUNDLE_MISSING: 'RUNTIME_BUNDLE_MISSING',
  /** The `null_resource` engine is chosen but `@cdktf/provider-null` is not installed. */
  ENGINE_UNAVAILABLE: 'ENGINE_UNAVAILABLE',
  /** Terraform is missing or older than the built-in `terraform_data` needs. */
  TERRAFORM_VERSION: 'TERRAFORM_VERSION',
} as const;

/** One of {@link AloomaErrorCode}. */
export type AloomaErrorCode = (typeof AloomaErrorCode)[keyof typeof AloomaErrorCode];

/**
 * An error raised by an alooma-cdktf construct. The message reads
 * `<construct path>: <problem>. <fix> [<code>]`.
 */
export class AloomaConstructError extends Error {
  /** Stable identifier, one of {@link AloomaErrorCode}. */
  public readonly code: AloomaErrorCode;
  /** Path of the construct at fault, e.g. `MyStack/OrdersDb`. */
  public readonly constructPath: string;
  /** What is wrong. */
  public readonly problem: string;
  /** How to fix it. */
  public readonly fix: string;

  constructor(code: AloomaErrorCode, constructPath: string, problem: string, fix: string) {
    super(`${constructPath}: ${problem}. ${fix} [${code}]`);
    this.name = 'AloomaConstructError';
    this.code = code;
    this.constructPath = constructPath;
    this.problem = problem;
    this.fix = fix;
  }
}

function pathOf(scope: IConstruct): string {
  return scope.node.path === '' ? '<app>' : scope.node.path;
}

function error(
  scope: IConstruct,
  code: AloomaErrorCode,
  problem: string,
  fix: string,
): AloomaConstructError {
  return new AloomaConstructError(code, pathOf(scope), problem, fix);
}

/** Quotes a user value for a message: JSON escapes make control characters and quotes visible. */
export function quote(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `field` breaks the name rule for `reason`. */
export function invalidName(
  scope: IConstruct,
  field: string,
  value: unknown,
  reason: string,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.INVALID_NAME,
    `${field} ${quote(value)} is not a valid name: ${reason}`,
    'Use 1 to 200 characters without control characters or surrounding spaces (quotes, spaces and unicode inside are fine)',
  );
}

/** `field` has a wrong value; `expected` says what it should be. */
export function invalidProperty(
  scope: IConstruct,
  field: string,
  value: unknown,
  expected: string,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.INVALID_PROPERTY,
    `${field} is ${quote(value)}`,
    `Set it to ${expected}`,
  );
}

/** Two properties contradict each other. */
export function conflictingProperties(
  scope: IConstruct,
  problem: string,
  fix: string,
): AloomaConstructError {
  return error(scope, AloomaErrorCode.CONFLICTING_PROPERTIES, problem, fix);
}

/** `name` is used by this input and by the inputs at `otherPaths`. */
export function duplicateInputName(
  scope: IConstruct,
  name: string,
  otherPaths: readonly string[],
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.DUPLICATE_INPUT_NAME,
    `input name ${quote(name)} is also used by ${otherPaths.join(', ')}`,
    'Alooma identifies inputs by name, so names must be unique across the app: rename one of them',
  );
}

/** The table `table` is declared twice. */
export function duplicateTable(scope: IConstruct, table: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.DUPLICATE_TABLE,
    `table ${quote(table)} is declared twice`,
    'Declare each table once (in props.tables or through addTable, not both)',
  );
}

/** The table `table` has no update indicator. */
export function missingUpdateIndicator(
  scope: IConstruct,
  table: string,
  value: unknown,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.MISSING_UPDATE_INDICATOR,
    `table ${quote(table)} has no update indicator (got ${quote(value)})`,
    'Give the column expression Alooma uses to find changed rows, e.g. addTable("orders", "xmin::text::bigint") or "updated_at"',
  );
}

/** The parameter `parameter` is declared twice. */
export function duplicateParameter(scope: IConstruct, parameter: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.DUPLICATE_PARAMETER,
    `parameter ${quote(parameter)} is declared twice`,
    'Declare each parameter once; change one field of it with setParameterField()',
  );
}

/** `what` names parameters the input does not declare. */
export function unknownParameter(
  scope: IConstruct,
  what: string,
  missing: readonly string[],
  known: readonly string[],
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.UNKNOWN_PARAMETER,
    `${what} names ${missing.map(quote).join(', ')}, which the input does not declare (declared: ${
      known.length ? known.map(quote).join(', ') : 'none'
    })`,
    'Add the parameter with addParameter() or fix the name',
  );
}

/** `batchSize` is not a positive integer. */
export function invalidBatchSize(scope: IConstruct, value: unknown): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.INVALID_BATCH_SIZE,
    `props.batchSize is ${quote(value)}`,
    'Set it to a positive integer number of rows per batch (default 100000)',
  );
}

/** Plain values at secret-looking `paths`. */
export function plainSecret(
  scope: IConstruct,
  field: string,
  paths: readonly string[],
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.PLAIN_SECRET,
    `${field} holds a plain value at ${paths.map(quote).join(', ')}, which looks like a secret`,
    'Secrets must not enter the manifest, cdktf.out or state: pass them as secret references, ' +
      'e.g. secrets: { password: AloomaSecret.fromEnv("MY_PASSWORD") } (secretValue for a REST parameter)',
  );
}

/** `field` is not a usable secret reference. */
export function invalidSecretReference(
  scope: IConstruct,
  field: string,
  problem: string,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.INVALID_SECRET_REFERENCE,
    `${field} ${problem}`,
    'Use AloomaSecret.fromEnv("VARIABLE_NAME", { version: "1" }) with a variable name of letters, digits and _',
  );
}

/** `field` holds a Terraform token. */
export function unresolvedToken(scope: IConstruct, field: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.UNRESOLVED_TOKEN,
    `${field} is a Terraform token (a value only known at apply time)`,
    'The manifest is written at synth time, so use a plain value known when the app runs',
  );
}

/** The configuration sets `field`, which the runtime or a typed prop owns. */
export function reservedField(
  scope: IConstruct,
  field: string,
  owner: string,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.RESERVED_FIELD,
    `configuration sets ${quote(field)}`,
    `Remove it: ${owner}`,
  );
}

/** `type` is a system input type. */
export function systemInputType(scope: IConstruct, type: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.SYSTEM_INPUT_TYPE,
    `props.type is ${quote(type)}, a system input Alooma manages itself`,
    'Manage only your own inputs (RESTAPI, SALESFORCE, S3, ...); leave RESTREAM and AGENT inputs alone',
  );
}

/** A second connection in one stack. */
export function duplicateConnection(scope: IConstruct, existingPath: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.DUPLICATE_CONNECTION,
    `the stack already has an AloomaConnection at ${existingPath}`,
    'Declare at most one AloomaConnection per stack; use another stack for another account',
  );
}

/** The connection picks another engine after inputs were created with the default. */
export function connectionDeclaredLate(
  scope: IConstruct,
  engine: string,
  firstInputPath: string,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.CONNECTION_DECLARED_LATE,
    `engine ${quote(engine)} is chosen after ${firstInputPath} was declared with the default engine`,
    "Declare the AloomaConnection before the stack's inputs",
  );
}

/** A child construct under the wrong parent. */
export function invalidScope(
  scope: IConstruct,
  construct: string,
  parent: string,
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.INVALID_SCOPE,
    `${construct} must be created inside ${parent}`,
    `Create it with ${parent}'s add method or pass the ${parent} as scope`,
  );
}

/** A foreign construct uses an id the library reserves. */
export function reservedId(scope: IConstruct, id: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.INVALID_SCOPE,
    `the construct id ${quote(id)} is reserved for the stack's Alooma reconciler`,
    'Give your construct another id',
  );
}

/** The runtime bundle is missing at `path`. */
export function runtimeBundleMissing(scope: IConstruct, path: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.RUNTIME_BUNDLE_MISSING,
    `the runtime bundle ${path} does not exist`,
    'Build it with "npm run bundle" in the alooma-cdktf repository, or reinstall the alooma-cdktf package',
  );
}

/** `@cdktf/provider-null` is not installed. */
export function engineUnavailable(scope: IConstruct, cause: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.ENGINE_UNAVAILABLE,
    `engine "null_resource" needs @cdktf/provider-null, which cannot be loaded (${cause})`,
    'Install it (npm install @cdktf/provider-null) or use the default engine "terraform_data"',
  );
}

/** Terraform is missing or too old. */
export function terraformVersion(scope: IConstruct, problem: string): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.TERRAFORM_VERSION,
    problem,
    'Install Terraform 1.4 or newer (terraform_data is built into Terraform since 1.4), or set TERRAFORM_BINARY_NAME',
  );
}
