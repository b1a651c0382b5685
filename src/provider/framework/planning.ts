/**
 * The framework's planning and the protocol's rules on values, walked over
 * a schema: what PlanResourceChange proposes before a resource's own `plan`,
 * and the checks on what a resource returns. Each rule here exists because
 * Terraform fails users with "Provider produced inconsistent result" (or an
 * invalid plan) when it is missed.
 */
import { errorDiagnostic, type Diagnostic } from '../wire/diagnostics';
import {
  isPlainObject,
  Unknown,
  UNKNOWN,
  valuesEqual,
  type CtyType,
  type ObjectValue,
  type Path,
  type Value,
} from '../wire/values';
import type { Attribute, Attributes } from './schema';

/** The framework's plan of one resource change, before the resource's `plan`. */
export interface FrameworkPlan {
  readonly planned: ObjectValue;
  /** Attributes whose change replaces the resource (from `requiresReplace` plan modifiers). */
  readonly requiresReplace: Path[];
}

/**
 * Plans an update or create: configured values as configured, write-only
 * values null, unset optional + computed attributes at their default, other
 * unset computed attributes unknown when the resource is created or changes
 * (as terraform-plugin-framework does), then each attribute's plan modifiers.
 */
export function planChange(
  attributes: Attributes,
  config: ObjectValue,
  prior: ObjectValue | null,
  proposed: ObjectValue,
): FrameworkPlan {
  const creating = prior === null;
  if (!creating) {
    // First plan as if nothing changed (unset computed values kept): when that
    // plan is the prior state, there is no change and computed values stay known.
    const still = planObject(attributes, config, prior, proposed, [], {
      creating,
      changing: false,
      requiresReplace: [],
    });
    if (valuesEqual(nullWriteOnly(attributes, still), nullWriteOnly(attributes, prior))) {
      return { planned: still, requiresReplace: [] };
    }
  }
  const requiresReplace: Path[] = [];
  const planned = planObject(attributes, config, prior, proposed, [], {
    creating,
    changing: true,
    requiresReplace,
  });
  return { planned, requiresReplace };
}

interface PlanWalk {
  readonly creating: boolean;
  readonly changing: boolean;
  readonly requiresReplace: Path[];
}

function planObject(
  attributes: Attributes,
  config: ObjectValue,
  prior: ObjectValue | null,
  proposed: ObjectValue | null,
  path: Path,
  walk: PlanWalk,
): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const at = [...path, { attribute: name }];
    const c = config[name] ?? null;
    const p = prior?.[name] ?? null;
    let planned = planAttribute(attribute, c, p, proposed?.[name] ?? null, at, walk);
    for (const modifier of attribute.planModifiers ?? []) {
      const result = modifier.modify({
        path: at,
        config: c,
        prior: p,
        planned,
        creating: walk.creating,
      });
      if (result.planned !== undefined) planned = result.planned;
      if (result.requiresReplace) walk.requiresReplace.push(at);
    }
    out[name] = planned;
  }
  return out;
}

function planAttribute(
  attribute: Attribute,
  config: Value,
  prior: Value,
  proposed: Value,
  path: Path,
  walk: PlanWalk,
): Value {
  if (attribute.writeOnly) return null;
  if (attribute.nested && config !== null && !(config instanceof Unknown)) {
    return planNested(attribute, config, prior, proposed, path, walk);
  }
  if (!attribute.computed || config !== null) return config;
  if (attribute.default !== undefined) return attribute.default;
  if (walk.creating || walk.changing) return UNKNOWN;
  return proposed;
}

function planNested(
  attribute: Attribute,
  config: Value,
  prior: Value,
  proposed: Value,
  path: Path,
  walk: PlanWalk,
): Value {
  const { nesting, attributes } = attribute.nested!;
  const object = (c: Value, p: Value, pr: Value, at: Path): Value =>
    isPlainObject(c)
      ? planObject(
          attributes,
          c,
          isPlainObject(p) ? p : null,
          isPlainObject(pr) ? pr : null,
          at,
          walk,
        )
      : c;
  switch (nesting) {
    case 'single':
      return object(config, prior, proposed, path);
    case 'map': {
      if (!isPlainObject(config)) return config;
      const out: ObjectValue = {};
      for (const key of Object.keys(config)) {
        out[key] = object(
          config[key],
          isPlainObject(prior) ? (prior[key] ?? null) : null,
          isPlainObject(proposed) ? (proposed[key] ?? null) : null,
          [...path, { key }],
        );
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(config)) return config;
      return config.map((c, index) =>
        object(
          c,
          Array.isArray(prior) ? (prior[index] ?? null) : null,
          Array.isArray(proposed) ? (proposed[index] ?? null) : null,
          [...path, { index }],
        ),
      );
    case 'set':
      // set elements have no identity to pair with prior ones: Terraform's proposal stands
      return proposed;
  }
}

/** Sets every write-only attribute, at any depth, to null: they are never stored. */
export function nullWriteOnly(attributes: Attributes, value: ObjectValue): ObjectValue {
  const out: ObjectValue = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const v = value[name] ?? null;
    if (attribute.writeOnly) out[name] = null;
    else if (attribute.nested)
      out[name] = mapNested(attribute, v, (o) => nullWriteOnly(attribute.nested!.attributes, o));
    else out[name] = v;
  }
  return out;
}

function mapNested(attribute: Attribute, value: Value, f: (o: ObjectValue) => ObjectValue): Value {
  const each = (v: Value): Value => (isPlainObject(v) ? f(v) : v);
  if (value === null || value instanceof Unknown) return value;
  switch (attribute.nested!.nesting) {
    case 'single':
      return each(value);
    case 'map': {
      if (!isPlainObject(value)) return value;
      const out: ObjectValue = {};
      for (const key of Object.keys(value)) out[key] = each(value[key]);
      return out;
    }
    case 'list':
    case 'set':
      return Array.isArray(value) ? value.map(each) : value;
  }
}

/**
 * Rule: a non-computed attribute is planned exactly as configured (an
 * unknown stays unknown). Returns an error per attribute a resource's `plan`
 * changed anyway.
 */
export function checkPlannedAsConfigured(
  attributes: Attributes,
  config: ObjectValue,
  planned: ObjectValue,
  path: Path = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, attribute] of Object.entries(attributes)) {
    const at = [...path, { attribute: name }];
    const c = config[name] ?? null;
    const p = planned[name] ?? null;
    if (attribute.writeOnly || attribute.computed) {
      if (
        attribute.nested &&
        isPlainObject(c) &&
        isPlainObject(p) &&
        attribute.nested.nesting === 'single'
      ) {
        out.push(...checkPlannedAsConfigured(attribute.nested.attributes, c, p, at));
      }
      continue;
    }
    if (attribute.nested && c !== null && !(c instanceof Unknown)) {
      out.push(...checkNestedAsConfigured(attribute, c, p, at));
    } else if (!sameOrBothUnknown(c, p)) {
      out.push(providerBug(at, 'is not computed, so it must be planned exactly as configured'));
    }
  }
  return out;
}

function checkNestedAsConfigured(
  attribute: Attribute,
  config: Value,
  planned: Value,
  path: Path,
): Diagnostic[] {
  const { nesting, attributes } = attribute.nested!;
  const pairs: Array<[Value, Value, Path]> = [];
  if (nesting === 'single') pairs.push([config, planned, path]);
  else if (nesting === 'map' && isPlainObject(config)) {
    if (
      !isPlainObject(planned) ||
      !valuesEqual(Object.keys(config).sort(), Object.keys(planned).sort())
    ) {
      return [providerBug(path, 'must be planned with exactly the configured keys')];
    }
    for (const key of Object.keys(config))
      pairs.push([config[key], planned[key], [...path, { key }]]);
  } else if (nesting === 'list' && Array.isArray(config)) {
    if (!Array.isArray(planned) || planned.length !== config.length) {
      return [providerBug(path, 'must be planned with exactly the configured elements')];
    }
    config.forEach((c, index) => pairs.push([c, planned[index], [...path, { index }]]));
  } else {
    return [];
  }
  return pairs.flatMap(([c, p, at]) =>
    isPlainObject(c) && isPlainObject(p)
      ? checkPlannedAsConfigured(attributes, c, p, at)
      : sameOrBothUnknown(c, p)
        ? []
        : [providerBug(at, 'must be planned exactly as configured')],
  );
}

function sameOrBothUnknown(a: Value, b: Value): boolean {
  return (a instanceof Unknown && b instanceof Unknown) || valuesEqual(a, b);
}

/**
 * Rule: apply returns exactly the planned known values (Terraform rejects
 * anything else after the fact). Returns an error per attribute that differs.
 */
export function checkMatchesPlan(
  type: CtyType,
  planned: Value,
  actual: Value,
  path: Path = [],
): Diagnostic[] {
  if (planned instanceof Unknown) return [];
  if (typeof type !== 'string' && isPlainObject(planned) && isPlainObject(actual)) {
    const [kind, inner] = type;
    if (kind === 'object') {
      const attributes = inner as { readonly [name: string]: CtyType };
      return Object.keys(attributes).flatMap((name) =>
        checkMatchesPlan(attributes[name], planned[name] ?? null, actual[name] ?? null, [
          ...path,
          { attribute: name },
        ]),
      );
    }
    if (kind === 'map' && valuesEqual(Object.keys(planned).sort(), Object.keys(actual).sort())) {
      return Object.keys(planned).flatMap((key) =>
        checkMatchesPlan(inner as CtyType, planned[key], actual[key], [...path, { key }]),
      );
    }
  }
  if (
    typeof type !== 'string' &&
    type[0] === 'list' &&
    Array.isArray(planned) &&
    Array.isArray(actual)
  ) {
    if (planned.length === actual.length) {
      return planned.flatMap((p, index) =>
        checkMatchesPlan(type[1] as CtyType, p, actual[index], [...path, { index }]),
      );
    }
  }
  return valuesEqual(planned, actual)
    ? []
    : [providerBug(path, 'was applied with a value other than the planned one')];
}

function providerBug(path: Path, what: string): Diagnostic {
  return errorDiagnostic(
    'Provider produced an invalid result',
    `This attribute ${what}. This is a bug in the provider; please report it. (The value is not shown: it may be sensitive.)`,
    path,
  );
}
