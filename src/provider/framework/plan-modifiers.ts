/**
 * Named plan rules, as terraform-plugin-framework's plan modifiers: each
 * says in one word what it does to an attribute's planned value, so a
 * reader of a schema sees the plan's behaviour without reading code.
 */
import { Unknown, valuesEqual, type Path, type Value } from '../wire/values';

/** What a plan modifier sees of one attribute. */
export interface PlanModifierRequest {
  /** Where the attribute is. */
  readonly path: Path;
  /** Its configured value (may be unknown). */
  readonly config: Value;
  /** Its value in prior state; null on create. */
  readonly prior: Value;
  /** The value planned so far. */
  readonly planned: Value;
  /** True when the resource is being created (no prior state). */
  readonly creating: boolean;
}

/** What a plan modifier decides. */
export interface PlanModifierResponse {
  /** The new planned value; omitted: unchanged. */
  readonly planned?: Value;
  /** True: changing this attribute replaces the resource. */
  readonly requiresReplace?: boolean;
}

/** A named plan rule for one attribute. */
export interface PlanModifier {
  /** What it does, in a few words ("keep the id"). */
  readonly name: string;
  modify(request: PlanModifierRequest): PlanModifierResponse;
}

/**
 * "Keep the prior value" (the framework's UseStateForUnknown): a computed
 * attribute that would be planned as unknown on update keeps its value from
 * state. On an `id`: the id is kept on update.
 */
export const keepPriorValue: PlanModifier = {
  name: 'keep the prior value',
  modify: ({ planned, prior, creating }) =>
    !creating && planned instanceof Unknown && prior !== null ? { planned: prior } : {},
};

/**
 * "Requires replace": a change of this attribute (on update) destroys and
 * re-creates the resource. A value unknown at plan counts as a change, as in
 * terraform-plugin-framework: Terraform plans again at apply, and a
 * replacement that appears only then is an invalid plan.
 */
export const requiresReplace: PlanModifier = requiresReplaceIf(
  'requires replace',
  ({ planned, prior }) => planned instanceof Unknown || !valuesEqual(planned, prior),
);

/**
 * "Requires replace when <condition>": as {@link requiresReplace}, only when
 * `condition` holds (it sees unknown values too, and decides for them).
 */
export function requiresReplaceIf(
  name: string,
  condition: (request: PlanModifierRequest) => boolean,
): PlanModifier {
  return {
    name,
    modify: (request) => (!request.creating && condition(request) ? { requiresReplace: true } : {}),
  };
}
