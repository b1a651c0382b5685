/**
 * The runtime's check of an input it is about to apply: the API's own rules
 * (src/alooma), the same functions the constructs ran at synth and the
 * emulator runs on requests. At apply time it catches what synth could not
 * see: a hand-edited manifest, or a value Terraform resolved only at apply.
 * Every input is checked before the first write, so a bad one stops the
 * apply with nothing half-written.
 */
import { toApiConfiguration } from '../../alooma/canonical';
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';
import { inputTypeProblem } from '../../alooma/input-types';
import { isPlainObject } from '../../alooma/json';
import { nameProblem } from '../../alooma/names';
import { configurationProblem } from '../../alooma/rules';
import { isSecretKey, SECRET_MASK } from '../../alooma/secret-fields';
import { InputSpec } from '../protocol';

/** An input of the manifest that the API would refuse. */
export class InvalidInputError extends AloomaCdktfError {
  constructor(
    code: AloomaErrorCode,
    /** Name of the input, as declared. */
    readonly input: string,
    /** Field at fault: `name`, `type`, `configuration.port`... */
    readonly field: string,
    message: string,
  ) {
    super(
      code,
      message,
      'fix the value in the code (or the Terraform value it comes from) and deploy again; nothing was written',
    );
  }
}

/**
 * Throws {@link InvalidInputError} when the API would refuse `spec`: its
 * name, its type, or a configuration value. Secrets are not read here: they
 * count as present (their environment variables are checked separately).
 */
export function checkInputSpec(spec: InputSpec): void {
  const where = spec.constructPath ? ` (${spec.constructPath})` : '';
  const label = `input ${JSON.stringify(String(spec.name))}${where}`;
  const nameIssue = nameProblem(spec.name);
  if (nameIssue) {
    throw new InvalidInputError(
      AloomaErrorCode.INVALID_NAME,
      String(spec.name),
      'name',
      `${label}: name ${nameIssue}`,
    );
  }
  const typeIssue = inputTypeProblem(spec.type);
  if (typeIssue) {
    throw new InvalidInputError(
      AloomaErrorCode.INVALID_PROPERTY,
      spec.name,
      'type',
      `${label}: type ${typeIssue}`,
    );
  }
  if (!isPlainObject(spec.configuration)) {
    throw new InvalidInputError(
      AloomaErrorCode.INVALID_PROPERTY,
      spec.name,
      'configuration',
      `${label}: configuration must be an object`,
    );
  }
  const problem = configurationProblem(
    spec.type,
    withSecretPlaceholders(toApiConfiguration(spec.configuration), spec),
  );
  if (problem) {
    const field = `configuration.${problem.field}`;
    const value = valueAt(spec.configuration, problem.field);
    const shown = value === undefined ? '' : ` (is ${JSON.stringify(value)})`;
    throw new InvalidInputError(
      AloomaErrorCode.INVALID_PROPERTY,
      spec.name,
      field,
      `${label}: ${field} ${problem.problem}${shown}`,
    );
  }
}

/** The configuration with a stand-in wherever a secret reference will put a value. */
function withSecretPlaceholders(
  configuration: Record<string, unknown>,
  spec: InputSpec,
): Record<string, unknown> {
  const out = { ...configuration };
  for (const path of Object.keys(spec.secrets ?? {})) {
    const parameter = /^parameters\.(.+)\.value$/.exec(path);
    if (parameter && Array.isArray(out.parameters)) {
      out.parameters = out.parameters.map((p: unknown) =>
        isPlainObject(p) && p.parameter === parameter[1] ? { ...p, value: SECRET_MASK } : p,
      );
    } else {
      out[path] = SECRET_MASK;
    }
  }
  return out;
}

/** The plain value at a problem's field (`port`, `tables.orders`), for the message; never a secret. */
function valueAt(configuration: Readonly<Record<string, unknown>>, field: string): unknown {
  const keys = field.split('.');
  if (field.includes('[') || keys.some(isSecretKey)) return undefined;
  let value: unknown = configuration;
  for (const key of keys) {
    if (!isPlainObject(value)) return undefined;
    value = value[key];
  }
  return typeof value === 'object' ? undefined : value;
}
