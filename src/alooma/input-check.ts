/**
 * The whole-input check: name, type and configuration of an input as a
 * client is about to send it. The constructs run it on every input at synth
 * (after the field-by-field checks of their props), the runtime on every
 * input of a manifest before the first write; the emulator runs the same
 * parts on each request (src/emulator/validation.ts).
 */
import { toApiConfiguration } from './canonical';
import { AloomaErrorCode } from './errors';
import { inputTypeProblem } from './input-types';
import { isPlainObject } from './json';
import { nameProblem } from './names';
import { ConfigurationCheckOptions, configurationProblem } from './rules';
import { parameterOfSecretPath, SECRET_MASK, withSecretAtPath } from './secret-fields';

/** An input as declared: configuration in the manifest's shape, secrets by path, values not read. */
export interface DeclaredInput {
  readonly name: unknown;
  readonly type: unknown;
  /** Non-secret configuration; objects where the API stores JSON strings (`tables`). */
  readonly configuration: unknown;
  /** Paths whose values come from secrets at apply time: `password`, `parameters.<name>.value`. */
  readonly secretPaths?: readonly string[];
  /**
   * Values of secret paths already read (at apply, before the first write),
   * checked like any value; a path of `secretPaths` without one gets a
   * stand-in that passes.
   * @default - no value read: every secret counts as present and valid
   */
  readonly secretValues?: ReadonlyMap<string, string>;
}

/** What is wrong with a declared input. */
export interface InputProblem {
  readonly code: typeof AloomaErrorCode.INVALID_NAME | typeof AloomaErrorCode.INVALID_PROPERTY;
  /** `name`, `type`, `configuration` or `configuration.<field>`. */
  readonly field: string;
  /** A phrase that completes "<field> …". */
  readonly problem: string;
}

/**
 * The first problem of `input` that the API would refuse it for, or
 * undefined. Values that `options.isUnknown` recognises (Terraform references
 * at synth) pass; name and type must always be known.
 */
export function inputProblem(
  input: DeclaredInput,
  options: ConfigurationCheckOptions = {},
): InputProblem | undefined {
  const nameIssue = nameProblem(input.name);
  if (nameIssue) return { code: AloomaErrorCode.INVALID_NAME, field: 'name', problem: nameIssue };
  const typeIssue = inputTypeProblem(input.type);
  if (typeIssue)
    return { code: AloomaErrorCode.INVALID_PROPERTY, field: 'type', problem: typeIssue };
  if (!isPlainObject(input.configuration)) {
    return {
      code: AloomaErrorCode.INVALID_PROPERTY,
      field: 'configuration',
      problem: 'must be an object',
    };
  }
  const configuration = withSecrets(
    toApiConfiguration(input.configuration),
    input.secretPaths ?? [],
    input.secretValues ?? new Map(),
  );
  const problem = configurationProblem(input.type as string, configuration, options);
  return problem
    ? {
        code: AloomaErrorCode.INVALID_PROPERTY,
        field: `configuration.${problem.field}`,
        problem: problem.problem,
      }
    : undefined;
}

/** The configuration with each secret's value, or a stand-in where it is not read yet. */
function withSecrets(
  configuration: Record<string, unknown>,
  secretPaths: readonly string[],
  values: ReadonlyMap<string, string>,
): Record<string, unknown> {
  let out = configuration;
  for (const path of new Set([...secretPaths, ...values.keys()])) {
    // 0 passes both parameter value rules (Text and Days Past).
    const standIn = parameterOfSecretPath(path) === undefined ? SECRET_MASK : 0;
    out = withSecretAtPath(out, path, values.get(path) ?? standIn);
  }
  return out;
}
