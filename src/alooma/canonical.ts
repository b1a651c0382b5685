/**
 * Canonical form of an input configuration, so that the same intent compares
 * equal however the API stored it. The Fivetran and Airbyte providers'
 * perpetual diffs come from exactly these differences: `"true"` vs `true`,
 * JSON strings vs objects, `"5432"` vs `5432`, key order, list order.
 */
import { BOOLEAN_FIELDS, JSON_STRING_FIELDS, MARKER_FIELD, NUMBER_FIELDS } from './fields';
import { Json, JsonObject, isPlainObject, parseJsonObject, sortKeys } from './json';
import { numberValue } from './rules';
import { isParameter, isSecretKey, isSecretParameter, RestParameter } from './secret-fields';

export type { Json, JsonObject } from './json';
export { sortKeys } from './json';

/**
 * Canonicalises one top-level configuration field. Parameters become a map
 * keyed by parameter name (their identity), so order and masked secret values
 * never produce a diff; secret parameter values are left out (the runtime
 * tracks them by version, see fields.MARKER_FIELD).
 */
export function canonicalField(key: string, value: unknown): Json | undefined {
  if (value === undefined) return undefined;
  if (JSON_STRING_FIELDS.has(key) && typeof value === 'string') {
    const parsed = parseJsonObject(value);
    return parsed === undefined ? value : sortKeys(parsed);
  }
  if (BOOLEAN_FIELDS.has(key)) {
    if (value === 'true' || value === 'True') return true;
    if (value === 'false' || value === 'False') return false;
  }
  if (NUMBER_FIELDS.has(key) && typeof value === 'string') {
    const number = numberValue(value);
    if (number !== undefined) return number;
  }
  if (key === 'parameters' && Array.isArray(value) && value.every(isParameter)) {
    return canonicalParameters(value);
  }
  return sortKeys(value as Json);
}

/** Parameters as `{ name: { type, value, template } }`, secret values left out. */
function canonicalParameters(parameters: RestParameter[]): JsonObject {
  const out: JsonObject = {};
  for (const p of parameters) {
    const entry: JsonObject = {};
    for (const [k, v] of Object.entries(p)) {
      if (k === 'parameter' || v === undefined) continue;
      if (k === 'value' && isSecretParameter(p)) continue;
      if (k === 'secret') continue;
      // A number of days is a number, whether stored as 3 or "3".
      entry[k] =
        k === 'value' && p.type === 'Days Past' && typeof v === 'string' && /^\d+$/.test(v.trim())
          ? Number(v.trim())
          : sortKeys(v as Json);
    }
    out[p.parameter] = entry;
  }
  // Sorted, so the same parameters compare equal whatever their order or key order.
  return sortKeys(out) as JsonObject;
}

/**
 * The canonical view of a configuration restricted to `keys` (the keys the
 * code manages). Secret keys and the ownership marker are never compared.
 */
export function canonicalConfig(
  configuration: Readonly<Record<string, unknown>>,
  keys: Iterable<string> = Object.keys(configuration),
): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    if (key === MARKER_FIELD || isSecretKey(key)) continue;
    const value = canonicalField(key, configuration[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Desired configuration in the shape the API stores: objects of
 * JSON-string fields (ODBC `tables`, `ssh`, `fileFormat`) become JSON strings.
 */
export function toApiConfiguration(
  configuration: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(configuration)) {
    if (value === undefined) continue;
    out[key] =
      JSON_STRING_FIELDS.has(key) && value !== null && typeof value === 'object'
        ? JSON.stringify(value)
        : value;
  }
  return out;
}

/**
 * Parses a live JSON-string field (e.g. ODBC `tables`) into an object, or
 * undefined when it is not a JSON object (bad live data is reported, not fatal).
 */
export function parseLiveJsonField(value: unknown): JsonObject | undefined {
  if (typeof value === 'string') return parseJsonObject(value);
  if (isPlainObject(value)) return value as JsonObject;
  return undefined;
}
