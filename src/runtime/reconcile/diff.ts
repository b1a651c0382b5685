/**
 * Field-level diff of two canonical configurations, grouped like
 * managealooma's `preview_input_changes`: changed / removed / added /
 * matching. Objects are compared key by key down to leaves (`tables.orders`);
 * arrays are compared whole, since only parameters carry identity and those
 * are canonicalised to a map first.
 *
 * Hand-written rather than a generic deep-diff library because the
 * "matching" group and whole-array comparison are the semantics we need, and
 * both are a few lines here.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Json, JsonObject } from '../../alooma/canonical';

/** How one path differs. */
export type ChangeKind = 'changed' | 'removed' | 'added' | 'matching';

/** One leaf of a diff. `from` is the live value, `to` the desired one. */
export interface FieldChange {
  readonly kind: ChangeKind;
  /** Path from the configuration root, e.g. `['tables', 'orders']`. */
  readonly path: readonly string[];
  readonly from?: Json;
  readonly to?: Json;
}

/** Grouped result of {@link diffConfig}. */
export interface ConfigDiff {
  readonly changed: FieldChange[];
  readonly removed: FieldChange[];
  readonly added: FieldChange[];
  readonly matching: FieldChange[];
}

/** True when the diff has anything but matching fields. */
export function hasChanges(diff: ConfigDiff): boolean {
  return diff.changed.length + diff.removed.length + diff.added.length > 0;
}

/** Diff `live` against `desired`; both canonical (see canonical.ts). */
export function diffConfig(live: JsonObject, desired: JsonObject): ConfigDiff {
  const diff: ConfigDiff = { changed: [], removed: [], added: [], matching: [] };
  walk(live, desired, [], diff);
  return diff;
}

function walk(
  live: Json | undefined,
  desired: Json | undefined,
  path: string[],
  out: ConfigDiff,
): void {
  if (isObject(live) && isObject(desired)) {
    const keys = new Set([...Object.keys(live), ...Object.keys(desired)]);
    for (const key of [...keys].sort()) walk(live[key], desired[key], [...path, key], out);
    return;
  }
  if (live === undefined && desired === undefined) return;
  if (live === undefined) out.added.push({ kind: 'added', path, to: desired });
  else if (desired === undefined) out.removed.push({ kind: 'removed', path, from: live });
  else if (isDeepStrictEqual(live, desired))
    out.matching.push({ kind: 'matching', path, from: live, to: desired });
  else out.changed.push({ kind: 'changed', path, from: live, to: desired });
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
