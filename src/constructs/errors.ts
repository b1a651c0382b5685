/**
 * Every error the constructs raise, thrown at once or returned by a
 * validation. Each carries a stable `code`, the construct path, what is wrong
 * and how to fix it, so tests and tools match on the code and humans read the
 * message.
 */
import { IConstruct } from 'constructs';
import { AloomaCdktfError, AloomaErrorCode } from '../alooma/errors';
import { InputProblem } from '../alooma/input-check';
import { NAME_RULE } from '../alooma/names';

export { AloomaCdktfError, AloomaErrorCode } from '../alooma/errors';

/**
 * An error raised by an alooma-cdktf construct. The message reads
 * `<construct path>: <problem>. <fix> [<code>]`.
 */
export class AloomaConstructError extends AloomaCdktfError {
  /** Path of the construct at fault, e.g. `MyStack/OrdersDb`. */
  public readonly constructPath: string;
  /** What is wrong. */
  public readonly problem: string;
  /** How to fix it (the same as `hint`). */
  public readonly fix: string;

  constructor(code: AloomaErrorCode, constructPath: string, problem: string, fix: string) {
    super(code, `${constructPath}: ${problem}. ${fix} [${code}]`, fix);
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
    `${field} ${quote(value)} is not a valid name: it ${reason}`,
    `Use ${NAME_RULE}`,
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
    `${field} is a Terraform reference (a value only known at apply time), but it must be known at synth: it is the input's identity or decides which resources are synthesized (ownership, prune, rename and the live diff use it)`,
    'Use a literal here; references are accepted in configuration properties, e.g. source.server or batchSize',
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
    "Declare the AloomaConnection before the stack's inputs: an input declared before it uses the default engine, the provider",
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
export function engineUnavailable(
  scope: IConstruct,
  cause: string,
  fix = 'Install it (npm install @cdktf/provider-null), or set engine "terraform_data" (built into Terraform) or leave engine unset (the provider)',
): AloomaConstructError {
  return error(
    scope,
    AloomaErrorCode.ENGINE_UNAVAILABLE,
    `engine "null_resource" needs @cdktf/provider-null, which cannot be loaded (${cause})`,
    fix,
  );
}

/** Terraform is missing or too old. */
export function terraformVersion(
  scope: IConstruct,
  problem: string,
  fix = 'Install Terraform 1.4 or newer (terraform_data is built into Terraform since 1.4), or set TERRAFORM_BINARY_NAME',
): AloomaConstructError {
  return error(scope, AloomaErrorCode.TERRAFORM_VERSION, problem, fix);
}

/** Engine "provider" cannot express what the construct declares. */
export function notOnProviderEngine(
  scope: IConstruct,
  problem: string,
  fix: string,
): AloomaConstructError {
  return error(scope, AloomaErrorCode.ENGINE_UNAVAILABLE, `engine "provider": ${problem}`, fix);
}

/** The input as a whole breaks a rule of the Alooma API (src/alooma/input-check.ts). */
export function refusedByApiRules(scope: IConstruct, problem: InputProblem): AloomaConstructError {
  return error(
    scope,
    problem.code,
    `the Alooma API would refuse this input: ${problem.field} ${problem.problem}`,
    `Fix the property that sets ${problem.field}`,
  );
}

/** The construct's stack comes from another CDK core (or another copy of it) than this build of alooma-cdktf. */
export function wrongCdkCore(
  scope: IConstruct,
  build: { readonly core: string; readonly importPath: string },
  stackClass: string,
): AloomaConstructError {
  const other = stackClass.startsWith('cdktn.')
    ? { core: 'cdktn', importPath: 'alooma-cdktf/cdktn' }
    : stackClass.startsWith('cdktf.')
      ? { core: 'cdktf', importPath: 'alooma-cdktf' }
      : undefined;
  return error(
    scope,
    AloomaErrorCode.WRONG_CDK_CORE,
    `this construct is from '${build.importPath}', built for ${build.core}, but its stack is a ${stackClass} ` +
      `from ${other ? other.core : 'another copy of the CDK core'}; mixing cores would synthesize an empty or broken stack`,
    other
      ? `Import the constructs from '${other.importPath}' in a ${other.core} app`
      : `Make the app, the stacks and alooma-cdktf use one installed copy of ${build.core} (npm ls ${build.core})`,
  );
}
