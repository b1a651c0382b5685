/**
 * Terraform values as plain JavaScript, and their wire encodings.
 *
 * A value travels as a `DynamicValue`: msgpack (what Terraform sends and
 * expects) or JSON (stored state, in UpgradeResourceState and
 * MoveResourceState). Neither encoding carries its type: both are read and
 * written against a cty type from the schema. In JavaScript:
 * null is `null`; an unknown value (known only after apply) is the
 * {@link UNKNOWN} marker; string, number and bool are themselves; list, set
 * and tuple are arrays; map and object are plain objects.
 */
import { decode, encode, ExtensionCodec } from '@msgpack/msgpack';

/** The marker for a value Terraform does not know yet ("known after apply"). */
export class Unknown {
  /** @internal one instance per process: compare with `instanceof` or `===` {@link UNKNOWN}. */
  constructor() {}
  /** How an unknown prints in logs and messages. */
  toString(): string {
    return '(known after apply)';
  }
}

/** The one {@link Unknown} value. */
export const UNKNOWN = new Unknown();

/** A Terraform value in JavaScript. */
export type Value = null | Unknown | string | number | boolean | Value[] | { [key: string]: Value };

/** An object or map value. */
export type ObjectValue = { [key: string]: Value };

/**
 * A cty type, in the JSON form the protocol uses (`"string"`,
 * `["map","string"]`, `["object",{"id":"string"}]`).
 */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | readonly ['list' | 'set' | 'map', CtyType]
  | readonly ['object', { readonly [name: string]: CtyType }]
  | readonly ['object', { readonly [name: string]: CtyType }, readonly string[]]
  | readonly ['tuple', readonly CtyType[]];

/** One step of a path into a value: an attribute name, a map key, or a list index. */
export type PathStep =
  { readonly attribute: string } | { readonly key: string } | { readonly index: number };

/** A path into a value, from the resource's root object. */
export type Path = readonly PathStep[];

/** Renders a path the way Terraform writes it: `tables["users"]`, `parameters["since"].value`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const step of path) {
    if ('attribute' in step) out += out ? `.${step.attribute}` : step.attribute;
    else if ('key' in step) out += `[${JSON.stringify(step.key)}]`;
    else out += `[${step.index}]`;
  }
  return out;
}

/**
 * A value that does not fit its type. The message names the path and the
 * expected type, never the value (it may be sensitive).
 */
export class ValueCodecError extends Error {
  /** Stable error code. */
  readonly code = 'provider_value_codec';
  constructor(
    readonly path: Path,
    what: string,
  ) {
    super(`${path.length ? formatPath(path) : 'the value'}: ${what}`);
    this.name = 'ValueCodecError';
  }
}

/** msgpack extension 0 is cty's unknown; extension 12 an unknown with refinements (treated the same). */
const UNKNOWN_EXT = 0;
const REFINED_UNKNOWN_EXT = 12;

const extensions = new ExtensionCodec();
extensions.register({
  type: UNKNOWN_EXT,
  // cty writes an unknown as fixext1 with type 0 and one zero byte.
  encode: (input: unknown) => (input instanceof Unknown ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
extensions.register({
  type: REFINED_UNKNOWN_EXT,
  encode: () => null,
  decode: () => UNKNOWN,
});

/** Encodes `value` as msgpack against `type`: every object attribute present, nothing extra. */
export function encodeMsgpack(value: Value, type: CtyType): Uint8Array {
  return encode(conform(value, type, [], true), { extensionCodec: extensions });
}

/** Decodes msgpack bytes against `type` (as Terraform sends them, unknowns included). */
export function decodeMsgpack(bytes: Uint8Array, type: CtyType): Value {
  if (bytes.length === 0) return null;
  const raw = decode(bytes, { extensionCodec: extensions }) as Value;
  return conform(raw, type, [], true);
}

/** Decodes JSON bytes (stored state) against `type`; JSON has no unknowns. */
export function decodeJson(bytes: Uint8Array, type: CtyType): Value {
  if (bytes.length === 0) return null;
  return conform(JSON.parse(Buffer.from(bytes).toString('utf8')) as Value, type, [], false);
}

/**
 * Checks `value` against `type` and returns it in canonical form: objects
 * carry exactly their type's attributes (a missing one is null), numbers are
 * numbers. Throws {@link ValueCodecError} with the path on a mismatch.
 */
export function conform(
  value: Value | undefined,
  type: CtyType,
  path: Path,
  allowUnknown: boolean,
): Value {
  if (value === null || value === undefined) return null;
  if (value instanceof Unknown) {
    if (!allowUnknown)
      throw new ValueCodecError(path, 'is unknown where a known value is required');
    return UNKNOWN;
  }
  if (type === 'dynamic')
    throw new ValueCodecError(path, 'has a dynamic type, which this provider does not use');
  if (type === 'string') {
    if (typeof value !== 'string') throw new ValueCodecError(path, 'must be a string');
    return value;
  }
  if (type === 'number') {
    // cty may write a number that does not fit a float64 as its decimal string
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
      return Number(value);
    if (typeof value !== 'number') throw new ValueCodecError(path, 'must be a number');
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') throw new ValueCodecError(path, 'must be a bool');
    return value;
  }
  const [kind, inner] = type;
  switch (kind) {
    case 'list':
    case 'set':
      if (!Array.isArray(value)) throw new ValueCodecError(path, `must be a ${kind}`);
      return value.map((v, index) =>
        conform(v, inner as CtyType, [...path, { index }], allowUnknown),
      );
    case 'tuple': {
      const types = inner as readonly CtyType[];
      if (!Array.isArray(value) || value.length !== types.length) {
        throw new ValueCodecError(path, `must be a tuple of ${types.length} elements`);
      }
      return value.map((v, index) => conform(v, types[index], [...path, { index }], allowUnknown));
    }
    case 'map': {
      if (!isPlainObject(value)) throw new ValueCodecError(path, 'must be a map');
      const out: ObjectValue = {};
      for (const key of Object.keys(value).sort()) {
        out[key] = conform(value[key], inner as CtyType, [...path, { key }], allowUnknown);
      }
      return out;
    }
    case 'object': {
      if (!isPlainObject(value)) throw new ValueCodecError(path, 'must be an object');
      const attributes = inner as { readonly [name: string]: CtyType };
      const extra = Object.keys(value).filter((name) => !(name in attributes));
      if (extra.length > 0) {
        throw new ValueCodecError(
          path,
          `has attributes the schema does not define: ${extra.sort().join(', ')}`,
        );
      }
      const out: ObjectValue = {};
      for (const name of Object.keys(attributes)) {
        out[name] = conform(
          value[name],
          attributes[name],
          [...path, { attribute: name }],
          allowUnknown,
        );
      }
      return out;
    }
  }
}

/** True for a map or object value (not an array, not the unknown marker). */
export function isPlainObject(value: unknown): value is ObjectValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Unknown)
  );
}

/** True when `value` is unknown or holds an unknown anywhere inside. */
export function containsUnknown(value: Value): boolean {
  if (value instanceof Unknown) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isPlainObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * The paths of every unknown inside `value`, read against `type` so that an
 * object's attribute and a map's key are told apart (the value itself: an
 * empty path).
 */
export function unknownPaths(value: Value, type: CtyType, path: Path = []): Path[] {
  if (value instanceof Unknown) return [path];
  if (value === null || typeof type === 'string') return [];
  const [kind, inner] = type;
  if (Array.isArray(value)) {
    return value.flatMap((v, index) =>
      unknownPaths(
        v,
        kind === 'tuple' ? (inner as readonly CtyType[])[index] : (inner as CtyType),
        [...path, { index }],
      ),
    );
  }
  if (!isPlainObject(value)) return [];
  if (kind === 'object') {
    const attributes = inner as { readonly [name: string]: CtyType };
    return Object.keys(attributes).flatMap((name) =>
      unknownPaths(value[name] ?? null, attributes[name], [...path, { attribute: name }]),
    );
  }
  return Object.keys(value).flatMap((key) =>
    unknownPaths(value[key], inner as CtyType, [...path, { key }]),
  );
}

/** Deep equality of two values (sets compared as arrays: callers keep their order). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || a instanceof Unknown || b instanceof Unknown) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => valuesEqual(v, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && valuesEqual(a[k], b[k]));
  }
  return false;
}
