/**
 * Computes what apply would do, from the desired inputs and ONE read of the
 * live structure. Pure: no I/O, so `plan`, `apply`, the synth-time live diff
 * and the tests all share it.
 */
import { InputSpec, Manifest, OwnershipMarker } from '../protocol';
import { canonicalConfig, toApiConfiguration } from '../../alooma/canonical';
import { changedSecretDestination, maskedSecretPaths } from '../../alooma/secret-destination';
import { isParameter, parameterOfSecretPath } from '../../alooma/secret-fields';
import { isInputNode, isSystemInputType } from '../../alooma/input-types';
import { readOwnershipMarker } from '../../alooma/ownership-marker';
import { hasReferences } from '../references';
import { ConfigDiff, diffConfig, hasChanges } from './diff';

/** A live input as read from the structure (the subset the engine needs). */
export interface LiveInput {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly category?: string;
  readonly configuration: Readonly<Record<string, unknown>>;
  readonly paused?: boolean;
}

/** What happens to one input. */
export type ActionKind =
  'create' | 'update' | 'pause' | 'resume' | 'unchanged' | 'delete' | 'conflict';

/** The plan for one input. */
export interface InputPlan {
  readonly name: string;
  readonly kind: ActionKind;
  /** Desired spec (absent for delete). */
  readonly spec?: InputSpec;
  /** Live input (absent for create). */
  readonly live?: LiveInput;
  /** Configuration diff live -> desired, over the keys the code manages. */
  readonly diff?: ConfigDiff;
  /** Paused state change, when there is one. */
  readonly pausedChange?: { readonly from: boolean; readonly to: boolean };
  /**
   * Secret paths whose value must be (re)written: on create, when their
   * version changed, or when the update changes their destination.
   */
  readonly secretsToWrite: readonly string[];
  /**
   * Stored secrets whose destination (server, user, URL...) this update
   * changes (src/alooma/secret-destination.ts): the stored value may not
   * follow, so each is sent again (`declared`: the code names its source),
   * or, when the code does not declare it, apply stops before any write.
   */
  readonly movedSecrets?: readonly MovedSecretPlan[];
  /** The live input exists but carries no ownership marker: apply adopts it. */
  readonly adopt?: boolean;
  /** Why a `conflict` input is left alone. */
  readonly reason?: string;
  /**
   * Fields whose desired value is a Terraform reference not resolved yet (the
   * synth-time live diff, a `plan` run by hand): not compared, reported as
   * "resolved at apply", never drift.
   */
  readonly resolvedAtApply?: readonly string[];
}

/** A stored secret whose destination an update changes. */
export interface MovedSecretPlan {
  /** `password`, `parameters.<name>.value`. */
  readonly path: string;
  /** The destination fields that change, e.g. `server`, `port`. */
  readonly fields: readonly string[];
  /** Whether the manifest declares the secret (so the runtime can send it again). */
  readonly declared: boolean;
}

/** Plans for every input, in manifest order, then deletions. */
export interface Plan {
  readonly owner: string;
  readonly inputs: readonly InputPlan[];
}

/** Counts per action kind. */
export type PlanSummary = Record<ActionKind, number>;

/** Reads the ownership marker of a live input, tolerating a JSON-string form. */
export function readMarker(live: LiveInput): OwnershipMarker | undefined {
  return readOwnershipMarker(live.configuration);
}

/** The secret version the marker records for a path, if any. */
export function markedSecretVersion(
  marker: OwnershipMarker | undefined,
  path: string,
): string | undefined {
  const versions = marker?.secretVersions;
  return Array.isArray(versions) ? versions.find((v) => v?.path === path)?.version : undefined;
}

/** Indexes live inputs by name (system inputs excluded: never ours to touch). */
export function indexByName(live: readonly LiveInput[]): Map<string, LiveInput[]> {
  // The API accepts several inputs with one name: a name finds a list.
  const byName = new Map<string, LiveInput[]>();
  for (const input of live) {
    if (!isInputNode(input)) continue;
    const list = byName.get(input.name);
    if (list) list.push(input);
    else byName.set(input.name, [input]);
  }
  return byName;
}

/**
 * The live input a declared input is planned against, among the live inputs
 * of its name: the one carrying this owner's marker (several: a conflict);
 * else the only other one (adoption, or a conflict planInput explains); none
 * when the name is free. Two or more that this owner does not manage make
 * adoption ambiguous: a conflict listing their ids, and nothing is touched.
 */
function matchLive(
  owner: string,
  spec: InputSpec,
  candidates: readonly LiveInput[],
): { live?: LiveInput; conflict?: InputPlan } {
  const ours = candidates.filter((c) => readMarker(c)?.owner === owner);
  if (ours.length === 1) return { live: ours[0] };
  const ids = (inputs: readonly LiveInput[]) => inputs.map((i) => i.id).join(', ');
  if (ours.length > 1) {
    return {
      conflict: conflict(
        spec,
        ours[0],
        `"${spec.name}" exists ${ours.length} times with this stack's marker (ids ${ids(ours)}); remove the extra ones in Alooma`,
      ),
    };
  }
  if (candidates.length <= 1) return { live: candidates[0] };
  return {
    conflict: conflict(
      spec,
      candidates[0],
      `"${spec.name}" matches ${candidates.length} inputs this stack does not manage (ids ${ids(candidates)}); adopting one would be a guess: rename or remove the others in Alooma`,
    ),
  };
}

/** Plans one desired input against its live counterpart (if any). */
export function planInput(owner: string, spec: InputSpec, live: LiveInput | undefined): InputPlan {
  const secretPaths = Object.keys(spec.secrets ?? {}).sort();
  if (!live) {
    return { name: spec.name, kind: 'create', spec, secretsToWrite: secretPaths };
  }
  if (isSystemInputType(live.type)) {
    return conflict(
      spec,
      live,
      `"${spec.name}" is a ${live.type} system input, which must never be modified`,
    );
  }
  if (live.type !== spec.type) {
    return conflict(
      spec,
      live,
      `"${spec.name}" exists with type ${live.type}, the code declares ${spec.type}; rename one of them`,
    );
  }
  const marker = readMarker(live);
  if (marker && marker.owner !== owner) {
    return conflict(spec, live, `"${spec.name}" is managed by "${marker.owner}", not "${owner}"`);
  }
  // Fields whose value Terraform gives only at apply are compared then, not now.
  const resolvedAtApply = Object.keys(spec.configuration)
    .filter((key) => hasReferences(spec.configuration[key]))
    .sort();
  const known = Object.keys(spec.configuration).filter((key) => !resolvedAtApply.includes(key));
  const diff = diffConfig(
    canonicalConfig(live.configuration, known),
    canonicalConfig(spec.configuration, known),
  );
  const pausedUnknown = hasReferences(spec.paused);
  if (pausedUnknown) resolvedAtApply.push('paused');
  const movedSecrets = movedStoredSecrets(spec, live, known);
  const secretsToWrite = secretPaths.filter((path) => {
    // A secret whose destination changes is sent again, whatever its version.
    if (movedSecrets.some((m) => m.path === path)) return true;
    const ref = spec.secrets![path];
    // A fingerprint is computed at apply, from the value; before that it is unknown.
    if (ref.fingerprint && ref.version === undefined) return false;
    return markedSecretVersion(marker, path) !== (ref.version ?? undefined);
  });
  const livePaused = live.paused === true;
  const pausedChange =
    !pausedUnknown && spec.paused !== undefined && spec.paused !== livePaused
      ? { from: livePaused, to: spec.paused }
      : undefined;

  const configChanged = hasChanges(diff) || secretsToWrite.length > 0 || !marker;
  const kind: ActionKind = configChanged
    ? 'update'
    : pausedChange
      ? pausedChange.to
        ? 'pause'
        : 'resume'
      : 'unchanged';
  return {
    name: spec.name,
    kind,
    spec,
    live,
    diff,
    pausedChange,
    secretsToWrite,
    adopt: !marker,
    ...(movedSecrets.length > 0 ? { movedSecrets } : {}),
    ...(resolvedAtApply.length > 0 ? { resolvedAtApply } : {}),
  };
}

/**
 * Whether the configuration apply sends carries the live value (the mask) at
 * secret `path`, or a value of the code's: true unless the code replaces the
 * field (a top-level field it sets, a parameter list without that parameter).
 */
function keepsLiveSecret(spec: InputSpec, path: string): boolean {
  if (spec.secrets?.[path] !== undefined) return true;
  const parameter = parameterOfSecretPath(path);
  if (parameter === undefined) return !(path.split('.')[0] in spec.configuration);
  const parameters = spec.configuration.parameters;
  if (!Array.isArray(parameters)) return true;
  return parameters.some((p) => isParameter(p) && p.parameter === parameter);
}

/**
 * The secrets stored on `live` (read back masked) whose destination the
 * desired configuration changes, over the fields the code manages and knows
 * now (`known`); fields left to the live input keep their value.
 */
function movedStoredSecrets(
  spec: InputSpec,
  live: LiveInput,
  known: readonly string[],
): MovedSecretPlan[] {
  const desired: Record<string, unknown> = { ...live.configuration };
  const managed = Object.fromEntries(known.map((key) => [key, spec.configuration[key]]));
  Object.assign(desired, toApiConfiguration(managed));
  const moved: MovedSecretPlan[] = [];
  for (const path of maskedSecretPaths(live.configuration)) {
    if (!keepsLiveSecret(spec, path)) continue;
    const fields = changedSecretDestination(spec.type, path, live.configuration, desired);
    if (fields.length > 0)
      moved.push({ path, fields, declared: spec.secrets?.[path] !== undefined });
  }
  return moved;
}

function conflict(spec: InputSpec, live: LiveInput, reason: string): InputPlan {
  return { name: spec.name, kind: 'conflict', spec, live, secretsToWrite: [], reason };
}

/**
 * Plans the whole manifest against the live inputs. Inputs that are live but
 * not in the manifest are not touched here: deleting is `planPrune`'s job,
 * and only for names this stack managed before.
 */
export function planManifest(manifest: Manifest, live: readonly LiveInput[]): Plan {
  const byName = indexByName(live);
  return {
    owner: manifest.owner,
    inputs: manifest.inputs.map((spec) => {
      const match = matchLive(manifest.owner, spec, byName.get(spec.name) ?? []);
      return match.conflict ?? planInput(manifest.owner, spec, match.live);
    }),
  };
}

/**
 * Plans the deletion of inputs the previous apply managed (`previousNames`)
 * that the manifest no longer declares. Only inputs whose ownership marker
 * names this owner are deleted; a missing input is already gone.
 */
export function planPrune(
  manifest: Manifest,
  previousNames: readonly string[],
  live: readonly LiveInput[],
): Plan {
  const keep = new Set(manifest.inputs.map((i) => i.name));
  const byName = indexByName(live);
  const inputs: InputPlan[] = [];
  for (const name of [...new Set(previousNames)].sort()) {
    if (keep.has(name)) continue;
    inputs.push(...planDeleteNamed(manifest.owner, byName.get(name) ?? []));
  }
  return { owner: manifest.owner, inputs };
}

/**
 * Plans the deletion of this owner's inputs among the live inputs of one name
 * (never another one of the same name); when none is this owner's, one
 * conflict says why nothing is deleted.
 */
export function planDeleteNamed(owner: string, candidates: readonly LiveInput[]): InputPlan[] {
  const plans = candidates.map((live) => planDelete(owner, live));
  const deletes = plans.filter((p) => p.kind === 'delete');
  return deletes.length > 0 ? deletes : plans.slice(0, 1);
}

/** Plans the deletion of one live input, refusing inputs this owner does not manage. */
export function planDelete(owner: string, live: LiveInput): InputPlan {
  const base = { name: live.name, live, secretsToWrite: [] };
  if (isSystemInputType(live.type)) {
    return { ...base, kind: 'conflict', reason: `"${live.name}" is a ${live.type} system input` };
  }
  const marker = readMarker(live);
  if (!marker || marker.owner !== owner) {
    const by = marker ? `managed by "${marker.owner}"` : 'not managed by alooma-cdktf';
    return { ...base, kind: 'conflict', reason: `"${live.name}" is ${by}; left in place` };
  }
  return { ...base, kind: 'delete' };
}

/** Counts the plan's inputs per action kind. */
export function summarize(plan: Plan): PlanSummary {
  const summary: PlanSummary = {
    create: 0,
    update: 0,
    pause: 0,
    resume: 0,
    unchanged: 0,
    delete: 0,
    conflict: 0,
  };
  for (const input of plan.inputs) summary[input.kind] += 1;
  return summary;
}

/** True when applying the plan would write anything. */
export function planHasChanges(plan: Plan): boolean {
  return plan.inputs.some((i) => i.kind !== 'unchanged' && i.kind !== 'conflict');
}
