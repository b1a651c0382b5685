/**
 * Schemas, as terraform-plugin-framework declares them: every attribute
 * with a description and whether it is required, optional or computed,
 * sensitive or write-only, its default and its plan modifiers. The schema is
 * the one definition of a resource's attribute names: the wire format, the
 * planning rules and (later) the constructs all read it.
 */
import type { CtyType, Value } from '../wire/values';
import type { SchemaAttributeMessage, SchemaMessage } from '../wire/messages';
import type { PlanModifier } from './plan-modifiers';

/** The primitive and collection types of attributes. */
export const types = {
  string: 'string',
  number: 'number',
  bool: 'bool',
  list: (element: CtyType): CtyType => ['list', element],
  set: (element: CtyType): CtyType => ['set', element],
  map: (element: CtyType): CtyType => ['map', element],
} as const;

/** How a nested attribute holds its objects. */
export type Nesting = 'single' | 'list' | 'set' | 'map';

/** One attribute of a schema. Exactly one of `required`, `optional`, `computed` (or optional + computed). */
export interface Attribute {
  /** Its type; or `nested` for an attribute made of objects with attributes of their own. */
  readonly type?: CtyType;
  /** Attributes of the objects this attribute holds, e.g. REST parameters keyed by name. */
  readonly nested?: { readonly nesting: Nesting; readonly attributes: Attributes };
  /** What it is, for people: shown by `terraform providers schema` and in docs. */
  readonly description: string;
  /** Must be set in configuration. */
  readonly required?: boolean;
  /** May be set in configuration. */
  readonly optional?: boolean;
  /** The provider may set it (alone: only the provider; with optional: the provider when unset). */
  readonly computed?: boolean;
  /** Terraform hides its value in plans and output. */
  readonly sensitive?: boolean;
  /** Never stored: seen only in configuration at plan and apply, null in every state. */
  readonly writeOnly?: boolean;
  /**
   * The value planned when configuration leaves it unset (needs optional +
   * computed). Drift on the attribute then shows even when it is unset.
   */
  readonly default?: Value;
  /** Named plan rules, run in order after the framework's own planning. */
  readonly planModifiers?: readonly PlanModifier[];
  /** Deprecated: Terraform warns when it is set. */
  readonly deprecated?: boolean;
}

/** Attributes by name. */
export type Attributes = { readonly [name: string]: Attribute };

/** A resource's or the provider's schema. */
export interface Schema {
  /** Bumped on every change to stored state's shape; each old version needs an upgrader. @default 0 */
  readonly version?: number;
  /** What it is, for people. */
  readonly description: string;
  readonly attributes: Attributes;
}

/** A mistake in a schema's definition (a bug in the provider, found when it starts). */
export class SchemaDefinitionError extends Error {
  /** Stable error code. */
  readonly code = 'provider_schema_definition';
  constructor(where: string, what: string) {
    super(`schema ${where}: ${what}`);
    this.name = 'SchemaDefinitionError';
  }
}

/** Checks a schema's definition, recursively; throws {@link SchemaDefinitionError}. */
export function checkSchema(schema: Schema, where: string): void {
  checkAttributes(schema.attributes, where);
}

function checkAttributes(attributes: Attributes, where: string): void {
  for (const [name, a] of Object.entries(attributes)) {
    const at = `${where}.${name}`;
    if (!/^[a-z_][a-z0-9_]*$/.test(name))
      throw new SchemaDefinitionError(at, 'names are lower_snake_case');
    if (!a.description) throw new SchemaDefinitionError(at, 'every attribute needs a description');
    if ((a.type === undefined) === (a.nested === undefined)) {
      throw new SchemaDefinitionError(at, 'set exactly one of type and nested');
    }
    if (a.required && (a.optional || a.computed)) {
      throw new SchemaDefinitionError(at, 'required excludes optional and computed');
    }
    if (!a.required && !a.optional && !a.computed) {
      throw new SchemaDefinitionError(at, 'set required, optional or computed');
    }
    if (a.writeOnly && (a.computed || a.default !== undefined)) {
      throw new SchemaDefinitionError(
        at,
        'a write-only attribute is never computed and has no default',
      );
    }
    if (a.default !== undefined && !(a.optional && a.computed)) {
      throw new SchemaDefinitionError(at, 'a default needs optional + computed');
    }
    if (a.nested) checkAttributes(a.nested.attributes, at);
  }
}

/** The cty type of an attribute's value. */
export function attributeType(attribute: Attribute): CtyType {
  if (attribute.type !== undefined) return attribute.type;
  const object = objectType(attribute.nested!.attributes);
  switch (attribute.nested!.nesting) {
    case 'single':
      return object;
    case 'list':
      return ['list', object];
    case 'set':
      return ['set', object];
    case 'map':
      return ['map', object];
  }
}

/** The cty object type of a set of attributes. */
export function objectType(attributes: Attributes): CtyType {
  const out: { [name: string]: CtyType } = {};
  for (const [name, attribute] of Object.entries(attributes)) out[name] = attributeType(attribute);
  return ['object', out];
}

/** The cty type of a whole resource's (or the provider's) value. */
export function schemaType(schema: Schema): CtyType {
  return objectType(schema.attributes);
}

const NESTING_NUMBER: Record<Nesting, number> = { single: 1, list: 2, set: 3, map: 4 };

function attributeMessages(attributes: Attributes): SchemaAttributeMessage[] {
  return Object.entries(attributes).map(([name, a]) => ({
    name,
    ...(a.type !== undefined
      ? { type: Buffer.from(JSON.stringify(a.type)) }
      : {
          nested_type: {
            attributes: attributeMessages(a.nested!.attributes),
            nesting: NESTING_NUMBER[a.nested!.nesting],
          },
        }),
    description: a.description,
    required: a.required ?? false,
    optional: a.optional ?? false,
    computed: a.computed ?? false,
    sensitive: a.sensitive ?? false,
    description_kind: 0,
    deprecated: a.deprecated ?? false,
    write_only: a.writeOnly ?? false,
  }));
}

/** The protocol's `Schema` message. */
export function schemaMessage(schema: Schema): SchemaMessage {
  return {
    version: schema.version ?? 0,
    block: {
      version: schema.version ?? 0,
      attributes: attributeMessages(schema.attributes),
      block_types: [],
      description: schema.description,
      description_kind: 0,
      deprecated: false,
    },
  };
}
