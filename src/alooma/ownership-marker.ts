/**
 * The ownership marker: what the runtime records on an input it manages, in
 * the configuration field {@link MARKER_FIELD}. The runtime reads it to plan
 * (whose input is it, which secret versions were written), the emulator's
 * console to show the owner. One reader for both.
 */
import { parseLiveJsonField } from './canonical';
import { MARKER_FIELD } from './fields';
import { DEFAULT_SECRET_VERSION } from './secret-fields';

/** Content of {@link MARKER_FIELD}. */
export interface OwnershipMarker {
  /** Owner id of the stack that manages the input (`Manifest.owner`). */
  readonly owner: string;
  /**
   * Version last written per secret path, e.g. `[{ path: "password", version: "2" }]`.
   * A list, not a map keyed by path: a key named `password` would itself be
   * treated (and masked) as a secret by the API.
   */
  readonly secretVersions?: ReadonlyArray<{ readonly path: string; readonly version: string }>;
  /**
   * Fingerprint of the live state the last apply corrected; keeps the
   * stack's drift token stable once drift is fixed (see runtime/reconcile/drift.ts).
   */
  readonly syncFingerprint?: string;
  /**
   * Random id of the provider's create that made the input: a create
   * confirms its own input by it, never another create's of the same name
   * and owner (another state of the owner applying at the same moment).
   */
  readonly createId?: string;
}

/**
 * The ownership marker of an input's configuration, stored as an object or
 * as its JSON text; undefined when there is none or it names no owner.
 */
export function readOwnershipMarker(
  configuration: Readonly<Record<string, unknown>>,
): OwnershipMarker | undefined {
  const marker = parseLiveJsonField(configuration[MARKER_FIELD]);
  return typeof marker?.owner === 'string' ? (marker as unknown as OwnershipMarker) : undefined;
}

/**
 * The version a secret at `path` of a live input is at: the one its marker
 * records; {@link DEFAULT_SECRET_VERSION} when the input has no marker and
 * the secret is set (made through the API or the console: nothing records
 * which value it holds, so it reads as the version the constructs and the
 * README's HCL give a secret by default, and an import plans no secret
 * write; `live` is what the API shows there: the mask); else undefined
 * (nothing written that a version could name).
 */
export function liveSecretVersion(
  marker: OwnershipMarker | undefined,
  path: string,
  live: unknown,
): string | undefined {
  const versions = marker?.secretVersions;
  const recorded = Array.isArray(versions)
    ? versions.find((v) => v?.path === path)?.version
    : undefined;
  if (recorded !== undefined) return recorded;
  return marker === undefined && live !== undefined && live !== null && live !== ''
    ? DEFAULT_SECRET_VERSION
    : undefined;
}

/**
 * The input a create of `type` adopts among the live inputs of its name:
 * the one input of the name, when it carries `owner`'s marker and is of that
 * type (an earlier create that landed: a lost answer, a retry, a migration).
 * Anything else is not adopted: another owner's input, an unmarked one,
 * several, or another type (the create then fails with `conflict`). The
 * provider's create decides by it, and the live report predicts with it.
 */
export function adoptableInput<
  T extends { readonly type: string; readonly configuration?: Readonly<Record<string, unknown>> },
>(named: readonly T[], owner: string, type: string): T | undefined {
  const only = named.length === 1 ? named[0] : undefined;
  return only !== undefined &&
    only.type === type &&
    readOwnershipMarker(only.configuration ?? {})?.owner === owner
    ? only
    : undefined;
}
