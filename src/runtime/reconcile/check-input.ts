/**
 * The runtime's check of an input it is about to apply: the API's own rules
 * (src/alooma/input-check.ts), the same functions the constructs ran at
 * synth and the emulator runs on requests. At apply time it catches what
 * synth could not check: a hand-edited or stale manifest, and the values of
 * Terraform references, which the constructs accept and which exist only at
 * apply (the manifest is checked after references.ts has put them in place).
 * Every input is checked before the first write, so a bad one stops the
 * apply with nothing half-written.
 */
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';
import { inputProblem } from '../../alooma/input-check';
import { isPlainObject } from '../../alooma/json';
import { isSecretKey } from '../../alooma/secret-fields';
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
  checkInputWithSecrets(spec, new Map());
}

/**
 * {@link checkInputSpec} with the values of secrets read by apply before the
 * first write (by path): these are checked like any value (a `Days Past`
 * parameter's secret must be a number of days) and never shown.
 */
export function checkInputWithSecrets(
  spec: InputSpec,
  secretValues: ReadonlyMap<string, string>,
): void {
  const problem = inputProblem({
    name: spec.name,
    type: spec.type,
    configuration: spec.configuration,
    secretPaths: Object.keys(spec.secrets ?? {}),
    secretValues,
  });
  if (!problem) return;
  const where = spec.constructPath ? ` (${spec.constructPath})` : '';
  const value = problem.field.startsWith('configuration.')
    ? plainValueAt(spec.configuration, problem.field.slice('configuration.'.length))
    : undefined;
  const shown = value === undefined ? '' : ` (is ${JSON.stringify(value)})`;
  throw new InvalidInputError(
    problem.code,
    String(spec.name),
    problem.field,
    `input ${JSON.stringify(String(spec.name))}${where}: ${problem.field} ${problem.problem}${shown}`,
  );
}

/**
 * Fields whose bad value is shown in the message: scalars that never hold a
 * secret. JSON-string fields (`ssh`), URLs and headers can carry credentials.
 */
const SHOWN_FIELDS: ReadonlySet<string> = new Set([
  'port',
  'batch_size',
  'db_type',
  'replication_type',
  'request',
  'frequency',
  'increment',
  'initial_value',
  'run_at',
  'cron_expression',
  'tables',
]);

/** The plain value at a field (`port`, `tables.orders`), for the message; never a secret. */
function plainValueAt(configuration: Readonly<Record<string, unknown>>, field: string): unknown {
  const keys = field.split('.');
  if (!SHOWN_FIELDS.has(keys[0]) || field.includes('[') || keys.some(isSecretKey)) return undefined;
  let value: unknown = configuration;
  for (const key of keys) {
    if (!isPlainObject(value)) return undefined;
    value = value[key];
  }
  return typeof value === 'object' ? undefined : value;
}
