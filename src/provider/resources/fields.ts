/**
 * How an attribute of an input resource maps to a field of the Alooma
 * input: which API key it is, how a Terraform value becomes the API's
 * stored form and back, and when a live value means the same as the
 * state's (so Read keeps the state's spelling). Each resource file declares
 * its fields with these; the shared implementation (input-resource.ts) reads
 * nothing else.
 */
import { canonicalField } from '../../alooma/canonical';
import { types, type Attributes } from '../framework';
import { parseLiveJsonField } from '../../alooma/canonical';
import { isPlainObject as isJsonObject } from '../../alooma/json';
import { numberValue, REST_PARAMETER_TYPES } from '../../alooma/rules';
import { isParameter, isSecretParameter } from '../../alooma/secret-fields';
import {
  containsUnknown,
  isPlainObject,
  Unknown,
  UNKNOWN,
  type ObjectValue,
  type Path,
  type Value,
} from '../wire/values';

/** The ways a Terraform value is stored by the API. */
export type FieldCodec =
  /** A string, stored as sent (a non-string live value reads back as its text). */
  | 'string'
  /** A number; the API stores a number or a decimal string. */
  | 'number'
  /** A boolean; the API stores `true` or `"true"`. */
  | 'bool'
  /** A `map(string)` the API stores as the JSON text of an object (ODBC `tables`). */
  | 'json_map'
  /** A string of JSON text the API stores as an object or as that text (`ssh`, `configuration`). */
  | 'json_text'
  /** A `list(string)`, stored as a list. */
  | 'string_list'
  /** A string of JSON text the API stores as the value it spells (REST `headers`, a list of objects). */
  | 'json_value';

/** One attribute that is one top-level configuration field. */
export interface ConfigurationField {
  /** The attribute's name (snake_case, from the schema). */
  readonly attribute: string;
  /** The configuration key in the API (`port`, `awsBucketName`). */
  readonly api: string;
  readonly codec: FieldCodec;
}

/**
 * The generic input's secrets inside its free-form configuration, keyed by
 * top-level configuration key: a write-only map of values, a map of
 * environment variable names, and a map of versions (a path's secret is
 * written on create, when the path is new, or when its version changes).
 */
export const SECRET_MAP_ATTRIBUTES = {
  values: 'secrets',
  env: 'secrets_env',
  version: 'secrets_version',
} as const;

/** The schema of {@link SECRET_MAP_ATTRIBUTES}. */
export function secretMapAttributes(): Attributes {
  const S = SECRET_MAP_ATTRIBUTES;
  return {
    [S.values]: {
      type: types.map(types.string),
      optional: true,
      sensitive: true,
      writeOnly: true,
      description:
        `Secret configuration fields, by top-level configuration key (write-only: never in state or plan). ` +
        `A key's value is written on create, when the key is new, and when its ${S.version} entry changes; ` +
        'otherwise the stored value is kept. Use ephemeral values.',
    },
    [S.env]: {
      type: types.map(types.string),
      optional: true,
      description:
        'Secret configuration fields whose values are in environment variables of the provider process ' +
        `(Terraform passes its own environment): configuration key to variable name, instead of ${S.values}. ` +
        `Checked at plan and read at apply only when that key is written. The names are in state; the values never are.`,
    },
    [S.version]: {
      type: types.map(types.string),
      optional: true,
      description: `Any label per secret key of ${S.values} or ${S.env} (required for each); change one to write that secret again (rotation).`,
    },
  };
}

/** A write-only secret attribute and the attribute whose change writes it again. */
export interface SecretField {
  /** The write-only attribute (`password`). */
  readonly attribute: string;
  /** Its version attribute (`password_version`). */
  readonly versionAttribute: string;
  /**
   * The attribute naming an environment variable of the provider's process
   * that holds the secret instead (`password_env`): read at apply, only when
   * the secret is written.
   */
  readonly envAttribute: string;
  /** The configuration key that holds it (`password`, `awsSecretAccessKey`). */
  readonly api: string;
}

/**
 * A write-only secret, written once for every resource that has one: its
 * three attributes (the value, `<name>_env`, `<name>_version`) with their
 * descriptions, and the {@link SecretField} that maps them to the API key.
 *
 * @param attribute the write-only attribute (`password`)
 * @param api the configuration key that holds it (`awsSecretAccessKey`)
 * @param what what it is, for people (`the password of the database user`)
 */
export function writeOnlySecret(
  attribute: string,
  api: string,
  what: string,
  options: {
    /** Another attribute the secret replaces (a REST parameter's `value`): the variable conflicts with it too. */
    readonly insteadOf?: string;
  } = {},
): { readonly attributes: Attributes; readonly field: SecretField } {
  const field: SecretField = {
    attribute,
    versionAttribute: `${attribute}_version`,
    envAttribute: `${attribute}_env`,
    api,
  };
  return {
    field,
    attributes: {
      [attribute]: {
        type: types.string,
        optional: true,
        sensitive: true,
        writeOnly: true,
        description:
          `${capitalized(what)} (write-only: never in state or plan; \`${api}\`)` +
          `${options.insteadOf === undefined ? '' : `, instead of ${options.insteadOf}`}. Written on create and ` +
          `when ${field.versionAttribute} changes. Use an ephemeral variable.`,
      },
      [field.envAttribute]: {
        type: types.string,
        optional: true,
        description:
          'Name of an environment variable of the provider process (Terraform passes its own ' +
          `environment) that holds ${what}, instead of ${attribute}: checked at plan and read at ` +
          `apply only when ${attribute} is written (create, or ${field.versionAttribute} changed). ` +
          `The name is in state; the value never is. Conflicts with ${attribute}` +
          `${options.insteadOf === undefined ? '' : ` and ${options.insteadOf}`}.`,
      },
      [field.versionAttribute]: {
        type: types.string,
        optional: true,
        description: `Any label of ${what}; change it to write ${attribute} again (rotation).`,
      },
    },
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A Terraform value in the API's stored form; an unknown (anywhere inside) stays {@link UNKNOWN}. */
export function toApiValue(codec: FieldCodec, value: Value): unknown {
  if (value === null) return undefined;
  if (containsUnknown(value)) return UNKNOWN;
  switch (codec) {
    case 'json_map':
      return JSON.stringify(value);
    case 'json_text':
      return value;
    case 'json_value':
      // text that is not JSON is sent as it is, for the rules to refuse
      return typeof value === 'string' ? parse(value) : value;
    default:
      return value;
  }
}

/** A live configuration value as Terraform's; undefined (absent) reads as null. */
export function fromApiValue(codec: FieldCodec, live: unknown): Value {
  if (live === undefined || live === null) return null;
  switch (codec) {
    case 'string':
      return typeof live === 'string' ? live : JSON.stringify(live);
    case 'number':
      return numberValue(live) ?? null;
    case 'bool':
      return live === true || live === 'true' || live === 'True';
    case 'json_map': {
      const parsed = parseLiveJsonField(live);
      if (!parsed) return null;
      const out: ObjectValue = {};
      for (const [k, v] of Object.entries(parsed))
        out[k] = typeof v === 'string' ? v : JSON.stringify(v);
      return out;
    }
    case 'json_text': {
      if (typeof live !== 'string') return JSON.stringify(live);
      // compact, as jsonencode() and the constructs write it: an import plans no whitespace change
      try {
        return JSON.stringify(JSON.parse(live));
      } catch {
        return live;
      }
    }
    case 'json_value':
      return typeof live === 'string' ? live : JSON.stringify(live);
    case 'string_list':
      return Array.isArray(live) ? live.map((v) => (typeof v === 'string' ? v : String(v))) : null;
  }
}

/**
 * True when a state value and a live value of one API field mean the same
 * (the canonical forms of src/alooma/canonical.ts are equal): Read then
 * keeps the state's spelling. An empty map or object means the same as none.
 */
export function sameMeaning(api: string, codec: FieldCodec, state: Value, live: unknown): boolean {
  const canonical = (v: unknown): string => {
    const c = canonicalField(api, codec === 'json_text' && typeof v === 'string' ? parse(v) : v);
    const empty = c === undefined || c === null || (isJsonObject(c) && Object.keys(c).length === 0);
    return empty ? 'null' : JSON.stringify(c);
  };
  return canonical(toApiValue(codec, state)) === canonical(live);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A REST parameter's write-only secret value: the same three attributes as
 * every other secret ({@link writeOnlySecret}), inside the parameter's entry.
 */
export const PARAMETER_SECRET = writeOnlySecret(
  'secret_value',
  'value',
  'the secret value of the parameter',
  { insteadOf: 'value' },
);

/**
 * REST parameters: Terraform's map keyed by name of `{type, value, template,
 * secret_value, secret_value_version, secret_value_env}` and the API's list of
 * `{parameter, type, value, template?, secret?}`.
 */
export const PARAMETER_ATTRIBUTES = {
  type: 'type',
  value: 'value',
  template: 'template',
  secretValue: PARAMETER_SECRET.field.attribute,
  secretValueVersion: PARAMETER_SECRET.field.versionAttribute,
  secretValueEnv: PARAMETER_SECRET.field.envAttribute,
} as const;

/**
 * The parameters as the API stores them, sorted by name; a secret value is
 * `secretValues.get(name)` when it is written now, else the live value (the
 * mask, which keeps the stored secret), else undefined.
 */
export function parametersToApi(
  parameters: Value,
  secretValues: ReadonlyMap<string, unknown>,
  live: unknown,
): unknown {
  if (parameters === null) return undefined;
  if (parameters instanceof Unknown || !isPlainObject(parameters)) return UNKNOWN;
  const liveByName = new Map(
    (Array.isArray(live) ? live : []).filter(isParameter).map((p) => [p.parameter, p]),
  );
  return Object.keys(parameters)
    .sort()
    .map((name) => {
      const p = parameters[name];
      if (p instanceof Unknown || !isPlainObject(p)) return UNKNOWN;
      const secret =
        secretValues.has(name) ||
        (p[PARAMETER_ATTRIBUTES.secretValue] ?? null) !== null ||
        (p[PARAMETER_ATTRIBUTES.secretValueEnv] ?? null) !== null ||
        liveIsSecret(liveByName.get(name));
      const type = p[PARAMETER_ATTRIBUTES.type];
      // unset (in configuration, at validation): the attribute's default
      const out: Record<string, unknown> = {
        parameter: name,
        type: type ?? REST_PARAMETER_TYPES[0],
      };
      if (secret) {
        out.secret = true;
        out.value = secretValues.has(name) ? secretValues.get(name) : liveByName.get(name)?.value;
      } else {
        out.value = daysPastNumber(type, p[PARAMETER_ATTRIBUTES.value]);
      }
      if (p[PARAMETER_ATTRIBUTES.template] !== null)
        out.template = p[PARAMETER_ATTRIBUTES.template];
      for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
      return out;
    });
}

function liveIsSecret(p: unknown): boolean {
  return isParameter(p) && p.secret === true;
}

/** A `Days Past` value of digits is sent as the number it is. */
function daysPastNumber(type: Value, value: Value): unknown {
  if (value === null) return undefined;
  if (type === 'Days Past' && typeof value === 'string' && /^\d+$/.test(value.trim()))
    return Number(value.trim());
  return value;
}

/** The live parameters as Terraform's map; secret values are never read (null), versions from the marker. */
export function parametersFromApi(
  live: unknown,
  versionOf: (name: string) => string | null,
): Value {
  if (!Array.isArray(live)) return null;
  const out: ObjectValue = {};
  for (const p of live) {
    if (!isParameter(p)) continue;
    const secret = isSecretParameter(p);
    out[p.parameter] = {
      [PARAMETER_ATTRIBUTES.type]: typeof p.type === 'string' ? p.type : 'Text',
      [PARAMETER_ATTRIBUTES.value]:
        secret || p.value === undefined || p.value === null
          ? null
          : typeof p.value === 'string'
            ? p.value
            : JSON.stringify(p.value),
      [PARAMETER_ATTRIBUTES.template]: typeof p.template === 'string' ? p.template : null,
      [PARAMETER_ATTRIBUTES.secretValue]: null,
      [PARAMETER_ATTRIBUTES.secretValueVersion]: secret ? versionOf(p.parameter) : null,
      [PARAMETER_ATTRIBUTES.secretValueEnv]: null,
    };
  }
  return Object.keys(out).length === 0 ? null : out;
}

/** The path of an attribute, or of one key of a map attribute. */
export function attributePath(attribute: string, ...rest: Path): Path {
  return [{ attribute }, ...rest];
}
