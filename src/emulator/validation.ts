/**
 * Validation of inputs as the service did it: structural checks (body shape,
 * name, type, required configuration per type) always run and answer 400
 * naming the field; source validation (can the source be reached with these
 * credentials?) runs only on validating creates and edits, and plugs in
 * through {@link SourceValidator} (the emulator's real one is
 * `PostgresSourceValidator` in `source-validation.ts`).
 */
import { inputTypeProblem } from '../alooma/input-types';
import { isPlainObject } from '../alooma/json';
import { nameProblem } from '../alooma/names';
import { configurationProblem } from '../alooma/rules';
import { ValidationError } from './errors';

/** An input as a client asks to create or edit it, after structural checks. */
export interface InputDraft {
  readonly name: string;
  readonly type: string;
  readonly configuration: Record<string, unknown>;
}

/**
 * What a {@link SourceValidator} concluded. A failure is answered 400 with
 * `message` as it is (a whole sentence, e.g. `Source validation failed for
 * table 'orders': column "nope" does not exist`) and `field` (default
 * `configuration`), e.g. `configuration.tables.orders`.
 */
export type SourceValidationResult =
  { readonly ok: true } | { readonly ok: false; readonly message: string; readonly field?: string };

/** What a {@link SourceValidator} knows besides the input. */
export interface SourceValidationContext {
  /** Account the input belongs to. */
  readonly account: string;
  /**
   * On an edit (`PUT inputs/<id>`), the input as stored, with its real
   * secrets, when its source was validated before (it was created or last
   * edited with validation). A validator may then skip an edit that does not
   * touch the source. Undefined on creates and on inputs never validated.
   */
  readonly previous?: InputDraft;
}

/**
 * Checks that an input's source is reachable and usable (e.g. connects to the
 * PostgreSQL server of an ODBC input). It runs after structural validation,
 * with the real secrets (masked ones already replaced by the stored values),
 * before anything is written. Plugged in through
 * `EmulatorOptions.sourceValidator`.
 */
export interface SourceValidator {
  /** Resolves `{ok: false, message, field?}` when the source is unusable (answered 400); never rejects for that. */
  validate(input: InputDraft, context: SourceValidationContext): Promise<SourceValidationResult>;
}

/** A {@link SourceValidator} that accepts every source: source validation turned off. */
export const acceptAllSources: SourceValidator = {
  validate: async () => ({ ok: true }),
};

/** Input types clients may create. */
export { CREATABLE_INPUT_TYPES } from '../alooma/input-types';

/**
 * Structural checks of a create (`existing` undefined) or of a PUT of the
 * whole node over `existing`. Returns the draft to store.
 *
 * On PUT the server owns `id`, `category`, `paused`, `deleted`, `state`,
 * `stats`, `validated` and `created_at`: they are ignored (pausing has its own
 * endpoint, so a PUT built from a stale GET cannot undo a concurrent pause),
 * except that an `id` or `type` differing from the node's is refused. A PUT
 * without `configuration` keeps the stored one; within `configuration` the
 * body replaces everything (absent keys are removed).
 */
export function parseInputBody(
  body: unknown,
  existing?: { id: string; type: string; configuration: Record<string, unknown> },
): InputDraft {
  if (!isPlainObject(body)) {
    throw new ValidationError(
      'Request body must be a JSON object with name, type and configuration',
    );
  }
  const name = validateName(body.name);

  let type: string;
  if (existing) {
    if (body.id !== undefined && body.id !== existing.id) {
      throw new ValidationError(
        `Field 'id' (${String(body.id)}) does not match the input in the URL (${existing.id})`,
        'id',
      );
    }
    type = body.type === undefined ? existing.type : requireType(body.type, existing.type);
    if (type !== existing.type) {
      throw new ValidationError(
        `Field 'type' cannot change from ${existing.type} to ${type}: create a new input instead`,
        'type',
      );
    }
  } else {
    type = requireType(body.type);
  }

  let configuration: Record<string, unknown>;
  if (body.configuration === undefined || body.configuration === null) {
    configuration = existing ? existing.configuration : {};
  } else if (isPlainObject(body.configuration)) {
    configuration = body.configuration;
  } else {
    throw new ValidationError("Field 'configuration' must be a JSON object", 'configuration');
  }
  return { name, type, configuration };
}

/**
 * Configuration checks of the input's type, plus those common to all types
 * (the rules of src/alooma/rules.ts, which the constructs and the runtime
 * apply too). Runs after masked secrets were restored, so required secrets
 * are real.
 */
export function validateConfiguration(draft: InputDraft): void {
  const problem = configurationProblem(draft.type, draft.configuration);
  if (problem) {
    const field = `configuration.${problem.field}`;
    throw new ValidationError(`Field '${field}' ${problem.problem}`, field);
  }
}

function validateName(name: unknown): string {
  const problem = nameProblem(name);
  if (problem) throw new ValidationError(`Field 'name' ${problem}`, 'name');
  return name as string;
}

function requireType(type: unknown, existing?: string): string {
  // An edit may carry the system type it already has; only creating one is refused.
  if (existing !== undefined && type === existing) return type;
  const problem = inputTypeProblem(type);
  if (problem) throw new ValidationError(`Field 'type' ${problem}`, 'type');
  return type as string;
}
