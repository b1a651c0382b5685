/**
 * The one implementation under every Alooma input resource type: each
 * resource file (database-input.ts, rest-input.ts, ...) declares an
 * {@link InputKind} (its attributes and how they map to the input's
 * configuration) and gets its Schema, ValidateConfig, Read, Create, Update,
 * Delete and ImportState from {@link inputResource}.
 *
 * - Read serves every resource of the process from one structure read
 *   (provider-data.ts), keeps the state's spelling when the live value means
 *   the same, and says "gone" only when the input is absent from that read.
 * - Apply reads only the input it writes, just before the PUT, sends the
 *   fields it does not change back exactly as read (masked secrets keep the
 *   stored values), and writes nothing when nothing differs.
 * - A secret is written on create, when its `_version` changes, or when
 *   the write moves it to a new destination ({@link withMovedSecrets}); the
 *   versions written are recorded in the ownership marker, so a Read (an
 *   import) knows them. No secret, and no hash of one, is ever in state.
 */
import { randomUUID } from 'node:crypto';
import { canonicalConfig, canonicalField, sortKeys, type Json } from '../../alooma/canonical';
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';
import { MARKER_FIELD } from '../../alooma/fields';
import { inputTypeProblem, isSystemInputType } from '../../alooma/input-types';
import { isPlainObject as isJsonObject } from '../../alooma/json';
import { nameProblem, NAME_RULE } from '../../alooma/names';
import {
  adoptableInput,
  liveSecretVersion,
  readOwnershipMarker,
  type OwnershipMarker,
} from '../../alooma/ownership-marker';
import { configurationProblem, type FieldProblem } from '../../alooma/rules';
import { movedMaskedSecrets } from '../../alooma/secret-destination';
import {
  isParameter,
  findSecrets,
  isSecretKey,
  parameterSecretPath,
  SECRET_MASK,
} from '../../alooma/secret-fields';
import { AloomaNotFoundError } from '../../runtime/client/errors';
import type { Sighting } from '../../runtime/client/poller';
import type { AloomaNode } from '../../runtime/client/types';
import {
  errorDiagnostic,
  keepPriorValue,
  types,
  type Attributes,
  type Diagnostic,
  type ObjectValue,
  type Path,
  type Resource,
  type ResourceContext,
  type Value,
} from '../framework';
import { formatPath, isPlainObject, Unknown, UNKNOWN } from '../wire/values';
import {
  fromApiValue,
  PARAMETER_ATTRIBUTES,
  SECRET_MAP_ATTRIBUTES,
  parametersFromApi,
  parametersToApi,
  sameMeaning,
  toApiValue,
  type ConfigurationField,
  type SecretField,
} from './fields';
import type { AloomaProviderData } from './provider-data';

/** What one resource type declares; the rest is {@link inputResource}'s. */
export interface InputKind {
  /** `alooma_database_input`. */
  readonly typeName: string;
  /** What the resource is, for people. */
  readonly description: string;
  /** The Alooma input type; undefined: the `type` attribute says (the generic `alooma_input`). */
  readonly apiType?: string;
  /** The type's own attributes (the common ones are added). */
  readonly attributes: Attributes;
  /** Attributes that are one configuration field each. */
  readonly fields: readonly ConfigurationField[];
  /** Write-only secrets at top-level configuration keys. */
  readonly secrets: readonly SecretField[];
  /** True: a `parameters` attribute holds REST parameters keyed by name. */
  readonly parameters?: boolean;
  /** True: a `configuration` attribute (JSON text) holds every field no other attribute manages. */
  readonly openConfiguration?: boolean;
  /**
   * True: secrets at any top-level key, in the map attributes of
   * {@link SECRET_MAP_ATTRIBUTES} (the generic `alooma_input`).
   */
  readonly secretMap?: boolean;
  /** Input types this resource refuses (the generic one: those with a type of their own). */
  readonly refusedTypes?: ReadonlyMap<string, string>;
}

/** Attribute names every input resource has. */
export const COMMON_ATTRIBUTES = {
  id: 'id',
  name: 'name',
  type: 'type',
  paused: 'paused',
  autoMap: 'auto_map',
  defaultSchema: 'default_schema',
  retainOnDelete: 'retain_on_delete',
  parameters: 'parameters',
  configuration: 'configuration',
  extraConfiguration: 'extra_configuration',
} as const;

const A = COMMON_ATTRIBUTES;

/** Fields every input has. */
const COMMON_FIELDS: readonly ConfigurationField[] = [
  { attribute: A.autoMap, api: 'auto_map', codec: 'bool' },
  { attribute: A.defaultSchema, api: 'input_default_schema', codec: 'string' },
];

/** The attributes every input resource has, and `type` for the generic one. */
function commonAttributes(kind: InputKind): Attributes {
  return {
    [A.id]: {
      type: types.string,
      computed: true,
      description:
        'The input id Alooma gave the input; kept for the life of the resource (a rename keeps it).',
      planModifiers: [keepPriorValue],
    },
    [A.name]: {
      type: types.string,
      required: true,
      description: `The input's name: ${NAME_RULE}. A rename is an in-place update (same id).`,
    },
    ...(kind.apiType === undefined
      ? {
          [A.type]: {
            type: types.string,
            required: true,
            description:
              'The Alooma input type (e.g. RESTAPI for a webhook). A change replaces the input.',
            planModifiers: [
              {
                name: 'requires replace',
                modify: ({ planned, prior, creating }) =>
                  !creating && !(planned instanceof Unknown) && planned !== prior
                    ? { requiresReplace: true }
                    : {},
              },
            ],
          },
        }
      : {}),
    [A.paused]: {
      type: types.bool,
      optional: true,
      computed: true,
      default: false,
      description:
        'Whether the input is paused. Default false: a pause made in Alooma shows as drift.',
    },
    [A.autoMap]: {
      type: types.bool,
      optional: true,
      computed: true,
      default: true,
      description:
        'Whether Alooma maps new event types to tables automatically (`auto_map`). Default true.',
    },
    [A.defaultSchema]: {
      type: types.string,
      optional: true,
      description: "Target schema of the input's tables (`input_default_schema`).",
    },
    [A.retainOnDelete]: {
      type: types.bool,
      optional: true,
      computed: true,
      default: false,
      description:
        'True: destroying the resource (or removing its block) leaves the input in Alooma. Stored in state, so it holds after the block is removed.',
    },
    ...(kind.openConfiguration
      ? {}
      : {
          [A.extraConfiguration]: {
            type: types.string,
            optional: true,
            description:
              'Further configuration fields that no attribute of this resource manages, as the JSON text of an object ' +
              '(jsonencode({...})). Only the keys given are managed (a change made in Alooma to one shows as drift); ' +
              'a key removed from it stays in Alooma as it is, a key set to null is removed from Alooma. Not for secrets.',
          },
        }),
  };
}

/** Every configuration field of a kind, common ones included. */
function allFields(kind: InputKind): readonly ConfigurationField[] {
  return [...COMMON_FIELDS, ...kind.fields];
}

/** The field (an attribute of its own, the common ones included) that holds the API field `key` of a `kind` input. */
export function fieldOfApiKey(kind: InputKind, key: string): ConfigurationField | undefined {
  return allFields(kind).find((f) => f.api === key);
}

/**
 * The fields of an API configuration that no attribute of `kind` holds
 * (neither a field of its own nor REST `parameters`), with their keys sorted
 * at every depth: a typed kind's `extra_configuration`, the generic
 * `configuration`. Sorted as `jsonencode()` writes an object, so the
 * constructs and the move from `terraform_data` spell it alike.
 */
export function unattributedConfiguration(
  kind: InputKind,
  configuration: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(configuration)) {
    if (value === undefined || fieldOfApiKey(kind, key) !== undefined) continue;
    if (key === 'parameters' && kind.parameters) continue;
    rest[key] = value;
  }
  return sortKeys(rest as Json) as Record<string, unknown>;
}

/** The managed resource of an input kind. */
export function inputResource(kind: InputKind): Resource<AloomaProviderData> {
  const attributes: Attributes = { ...commonAttributes(kind), ...kind.attributes };
  return {
    typeName: kind.typeName,
    schema: { version: 0, description: kind.description, attributes },

    validate: ({ config }) => validateInput(kind, config),

    plan({ config, prior, planned }) {
      // a secret from the environment, due now: its variable must be set (checked, never read)
      const diagnostics = dueSecrets(kind, config, planned, prior)
        .filter((d) => d.env !== undefined && envValue(process.env, d.env.name) === undefined)
        .map((d) => missingEnvDiagnostic(d.env!));
      return { diagnostics };
    },

    async read({ state }, ctx) {
      const data = providerData(ctx);
      const node = (await data.liveInputs()).get(state[A.id] as string);
      if (node === undefined) {
        ctx.log.info('input is gone', { type: kind.typeName });
        return null;
      }
      return { state: stateFromLive(kind, node, state) };
    },

    async create({ config, planned }, ctx) {
      const data = providerData(ctx);
      const type = apiType(kind, planned);
      const secrets = secretsToWrite(kind, config, planned, null);
      const name = planned[A.name] as string;
      checkAtApply(
        kind,
        type,
        desiredConfiguration(kind, planned, undefined, secrets, data.owner),
        planned,
      );
      const node = await writeTurn(ctx, async () => {
        // the name as the process's one structure read for creates saw it (shared by all
        // its creates); an input of the name shown only later is met after the create
        let existing = (await namesAtStart(data)).get(name) ?? [];
        // taken then: decide on a read from now (shared with concurrent creates)
        if (existing.length > 0) existing = await data.client.inputsNamed(name);
        const adoptable = adoptableInput(existing, data.owner, type);
        if (adoptable !== undefined) {
          // an earlier create of ours landed (its answer lost, a retry, a migration): adopt it
          ctx.log.info('adopting an input this owner created', { id: adoptable.id });
          await writeInput(kind, data, adoptable, config, planned, secrets);
          return adoptable;
        }
        if (existing.length > 0) throw nameTaken(existing, data.owner);
        // stopped while the name was looked up: the create has not begun
        throwIfStopped(ctx);
        // this create's own id in the marker: it confirms its own input, never another create's
        const createId = randomUUID();
        const configuration = desiredConfiguration(kind, planned, undefined, secrets, data.owner);
        configuration[MARKER_FIELD] = {
          ...(configuration[MARKER_FIELD] as OwnershipMarker),
          createId,
        } satisfies OwnershipMarker;
        const created = await data.client.createInputSighted(
          { name, type, configuration },
          {
            existingIds: new Set(),
            isOurs: (n) => {
              const marker = readOwnershipMarker(n.configuration);
              return marker?.owner === data.owner && marker.createId === createId;
            },
          },
        );
        const kept = await keepNameOrYield(data, created, type, createId);
        if (kept !== created.node) {
          // an earlier create of ours showed late (a lost answer posted again): keep that one
          ctx.log.info('adopting an input this owner created', { id: kept.id });
          await writeInput(kind, data, kept, config, planned, secrets);
          return kept;
        }
        if (planned[A.paused] === true && kept.paused !== true)
          await data.client.setPaused({ id: kept.id, type }, true);
        return kept;
      });
      ctx.log.info('created input', { id: node.id });
      return { state: { ...planned, [A.id]: node.id } };
    },

    async update({ config, planned, prior }, ctx) {
      const data = providerData(ctx);
      const id = prior[A.id] as string;
      const secrets = secretsToWrite(kind, config, planned, prior);
      await writeTurn(ctx, async () => {
        // the one read of apply: this input, just before its PUT
        const live = await data.client.getNode(id);
        const marker = readOwnershipMarker(live.configuration);
        if (marker && marker.owner !== data.owner) {
          throw new AloomaCdktfError(
            AloomaErrorCode.CONFLICT,
            `input ${id} is managed by owner "${marker.owner}", not "${data.owner}"; nothing was written`,
            'two configurations manage one input: remove it from one of them (terraform state rm)',
          );
        }
        await writeInput(kind, data, live, config, planned, secrets);
      });
      return { state: planned };
    },

    async delete({ prior }, ctx) {
      const data = providerData(ctx);
      const id = prior[A.id] as string;
      if (prior[A.retainOnDelete] === true) {
        ctx.log.info('retain_on_delete: the input stays in Alooma', { id });
        return;
      }
      try {
        await writeTurn(ctx, () => data.client.deleteInput({ id, type: apiType(kind, prior) }));
      } catch (error) {
        // already gone: what a delete wants
        if (!(error instanceof AloomaNotFoundError)) throw error;
      }
      ctx.log.info('deleted input', { id });
    },

    async import({ id }, ctx) {
      const data = providerData(ctx);
      const live = await data.liveInputs();
      let node = live.get(id);
      if (node === undefined) {
        const named = [...live.values()].filter((n) => n.name === id);
        if (named.length > 1) {
          throw new AloomaCdktfError(
            AloomaErrorCode.AMBIGUOUS_INPUT_NAME,
            `${named.length} inputs carry that name (ids ${named.map((n) => n.id).join(', ')})`,
            'import by id',
          );
        }
        node = named[0];
      }
      if (node === undefined) {
        throw new AloomaCdktfError(
          AloomaErrorCode.INPUT_NOT_FOUND,
          'no live input has that id or name',
          'check the id (terraform import ADDRESS ID) or the exact name',
        );
      }
      if (isSystemInputType(node.type)) {
        throw new AloomaCdktfError(
          AloomaErrorCode.SYSTEM_INPUT,
          `input ${node.id} is a ${node.type} input: system inputs are managed by Alooma and cannot be imported`,
          'import only inputs that clients create',
        );
      }
      const refused = kind.refusedTypes?.get(node.type);
      if (refused !== undefined || (kind.apiType !== undefined && node.type !== kind.apiType)) {
        throw new AloomaCdktfError(
          AloomaErrorCode.CONFLICT,
          `input ${node.id} is of type ${node.type}, which ${kind.typeName} does not manage`,
          refused ??
            'import it into the resource type of its kind (alooma_input for the generic types)',
        );
      }
      const marker = readOwnershipMarker(node.configuration);
      if (marker && marker.owner !== data.owner) {
        throw new AloomaCdktfError(
          AloomaErrorCode.CONFLICT,
          `input ${node.id} is managed by owner "${marker.owner}", not "${data.owner}"`,
          'import it in the configuration of its owner, or remove it from there first',
        );
      }
      return { state: { [A.id]: node.id } };
    },
  };
}

/**
 * The live inputs by name as one structure read of the process saw them,
 * made at its first create and shared by all its creates: a create looks its
 * name up there instead of reading the structure (a bulk apply would read it
 * once per input). An input of the name that shows only later (another
 * configuration's create of this moment, an earlier create of ours that
 * landed late) is met by the look after the create (keepNameOrYield).
 */
const createLookups = new WeakMap<AloomaProviderData, Promise<Map<string, AloomaNode[]>>>();

function namesAtStart(data: AloomaProviderData): Promise<Map<string, AloomaNode[]>> {
  let lookup = createLookups.get(data);
  if (lookup === undefined) {
    lookup = data.client.listInputs().then((inputs) => {
      const byName = new Map<string, AloomaNode[]>();
      for (const n of inputs) byName.set(n.name, [...(byName.get(n.name) ?? []), n]);
      return byName;
    });
    // a failed read is not kept: the next create reads again
    lookup.catch(() => createLookups.delete(data));
    createLookups.set(data, lookup);
  }
  return lookup;
}

function providerData(ctx: ResourceContext<AloomaProviderData>): AloomaProviderData {
  if (!ctx.provider) throw new Error('the provider is not configured');
  return ctx.provider;
}

/**
 * Runs one input's writes under the provider's concurrency limit, unless
 * Terraform has asked the provider to stop (StopProvider, on Ctrl-C) by the
 * time their turn comes: then nothing is written and the call fails, so a
 * stop waits only for the writes already in flight.
 */
function writeTurn<T>(
  ctx: ResourceContext<AloomaProviderData>,
  write: () => Promise<T>,
): Promise<T> {
  return providerData(ctx).limitWrites(async () => {
    throwIfStopped(ctx);
    return write();
  });
}

/** Fails, with nothing written, once Terraform has asked the provider to stop. */
function throwIfStopped(ctx: ResourceContext<AloomaProviderData>): void {
  if (ctx.signal.aborted) {
    throw new AloomaCdktfError(
      AloomaErrorCode.STOPPED,
      'Terraform asked the provider to stop before this input was written; nothing was written to it',
      'run terraform apply again: it carries on from what the state records',
    );
  }
}

function apiType(kind: InputKind, value: ObjectValue): string {
  return kind.apiType ?? (value[A.type] as string);
}

/** The one PUT (when anything differs) and the pause call (when paused differs) of an input. */
async function writeInput(
  kind: InputKind,
  data: AloomaProviderData,
  live: AloomaNode,
  config: ObjectValue,
  planned: ObjectValue,
  due: SecretsToWrite,
): Promise<void> {
  const secrets = withMovedSecrets(kind, config, planned, live, due, data.owner);
  const configuration = desiredConfiguration(kind, planned, live, secrets, data.owner);
  checkAtApply(kind, live.type, configuration, planned);
  const name = planned[A.name] as string;
  if (name !== live.name || JSON.stringify(configuration) !== JSON.stringify(live.configuration)) {
    await data.client.updateInput({ ...live, name, configuration });
  }
  const paused = planned[A.paused] === true;
  if ((live.paused === true) !== paused)
    await data.client.setPaused({ id: live.id, type: live.type }, paused);
}

/** Secret values to write now: top-level by API key, parameters by parameter name. */
export interface SecretsToWrite {
  readonly fields: ReadonlyMap<string, unknown>;
  readonly parameters: ReadonlyMap<string, unknown>;
}

/** A secret due to be written: its value, or the environment variable that holds it. */
export interface DueSecret {
  /** Top-level (its API key) or a REST parameter (its name). */
  readonly at: { readonly api: string } | { readonly parameter: string };
  /** The configured value (write-only attribute); undefined when `env` names the variable. */
  readonly value?: Value;
  /** The variable's name and the path of the attribute that names it. */
  readonly env?: { readonly name: string; readonly path: Path; readonly secretAttribute: string };
}

/**
 * The secrets due: each configured secret (a value or an `_env` variable
 * name) on create, or when its version differs from the prior state's (a
 * parameter new to the input counts as created). No variable is read here.
 */
export function dueSecrets(
  kind: InputKind,
  config: ObjectValue,
  planned: ObjectValue,
  prior: ObjectValue | null,
): DueSecret[] {
  const out: DueSecret[] = [];
  const source = (
    o: ObjectValue,
    attribute: string,
    envAttribute: string,
    path: Path,
  ): Pick<DueSecret, 'value' | 'env'> | undefined => {
    const value = o[attribute] ?? null;
    if (value !== null) return { value };
    const name = o[envAttribute] ?? null;
    if (typeof name === 'string')
      return {
        env: { name, path: [...path, { attribute: envAttribute }], secretAttribute: attribute },
      };
    return undefined;
  };
  for (const s of kind.secrets) {
    const from = source(config, s.attribute, s.envAttribute, []);
    if (from === undefined) continue;
    if (
      prior === null ||
      (planned[s.versionAttribute] ?? null) !== (prior[s.versionAttribute] ?? null)
    )
      out.push({ at: { api: s.api }, ...from });
  }
  if (kind.secretMap) {
    const S = SECRET_MAP_ATTRIBUTES;
    const values = config[S.values] ?? null;
    const names = config[S.env] ?? null;
    const plannedVersions = planned[S.version] ?? null;
    const priorVersions = prior?.[S.version] ?? null;
    for (const path of secretMapPaths(config)) {
      const value = isPlainObject(values) ? (values[path] ?? null) : null;
      const name = isPlainObject(names) ? (names[path] ?? null) : null;
      const from: Pick<DueSecret, 'value' | 'env'> | undefined =
        value !== null
          ? { value }
          : typeof name === 'string'
            ? {
                env: {
                  name,
                  path: [{ attribute: S.env }, { key: path }],
                  secretAttribute: `${S.values}[${JSON.stringify(path)}]`,
                },
              }
            : undefined;
      if (from === undefined) continue;
      // a key new to the input counts as created
      const versionOf = (o: Value) => (isPlainObject(o) ? (o[path] ?? null) : null);
      if (
        prior === null ||
        versionOf(priorVersions) === null ||
        versionOf(plannedVersions) !== versionOf(priorVersions)
      )
        out.push({ at: { api: path }, ...from });
    }
  }
  const configured = config[A.parameters];
  if (kind.parameters && isPlainObject(configured)) {
    const plannedParameters = isPlainObject(planned[A.parameters]) ? planned[A.parameters] : {};
    const priorParameters = prior && isPlainObject(prior[A.parameters]) ? prior[A.parameters] : {};
    for (const [name, p] of Object.entries(configured)) {
      if (!isPlainObject(p)) continue;
      const from = source(
        p,
        PARAMETER_ATTRIBUTES.secretValue,
        PARAMETER_ATTRIBUTES.secretValueEnv,
        [{ attribute: A.parameters }, { key: name }],
      );
      if (from === undefined) continue;
      const version = (plannedParameters as ObjectValue)[name];
      const before = (priorParameters as ObjectValue)[name];
      const versionOf = (o: Value | undefined) =>
        isPlainObject(o) ? (o[PARAMETER_ATTRIBUTES.secretValueVersion] ?? null) : undefined;
      if (prior === null || !isPlainObject(before) || versionOf(version) !== versionOf(before))
        out.push({ at: { parameter: name }, ...from });
    }
  }
  return out;
}

/** The value of an environment variable a due secret names; unset and empty are the same. */
function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The diagnostic of a due secret whose variable is unset: its path and name, never a value. */
function missingEnvDiagnostic(env: NonNullable<DueSecret['env']>): Diagnostic {
  return errorDiagnostic(
    'Secret environment variable not set',
    `${formatPath(env.path)} names the environment variable ${env.name}, which is unset or empty where Terraform runs, and ${env.secretAttribute} is written by this change (create, or its version changed). Set ${env.name} in the environment of terraform (or cdktf), or leave the version unchanged.`,
    env.path,
  );
}

/**
 * The secrets to write now, values read: a variable named by an `_env`
 * attribute is read here, at apply, and only for a secret that is due.
 */
export function secretsToWrite(
  kind: InputKind,
  config: ObjectValue,
  planned: ObjectValue,
  prior: ObjectValue | null,
  env: NodeJS.ProcessEnv = process.env,
): SecretsToWrite {
  const fields = new Map<string, unknown>();
  const parameters = new Map<string, unknown>();
  for (const due of dueSecrets(kind, config, planned, prior)) {
    let value: unknown = due.value;
    if (due.env) {
      value = envValue(env, due.env.name);
      if (value === undefined)
        throw new AloomaCdktfError(
          AloomaErrorCode.MISSING_SECRET,
          `${formatPath(due.env.path)} names the environment variable ${due.env.name}, which is unset or empty at apply; nothing was written to this input`,
          `set ${due.env.name} in the environment of terraform (or cdktf)`,
        );
    }
    if ('api' in due.at) fields.set(due.at.api, value);
    else parameters.set(due.at.parameter, value);
  }
  return { fields, parameters };
}

/**
 * `secrets` plus each secret whose destination this write changes
 * (src/alooma/secret-destination.ts: a new server, port, database or user,
 * a new origin of a REST base URL): the stored value may not follow it, the
 * API refuses the mask there, so the secret is sent again from its source
 * in the configuration (the write-only attribute's value, or the variable
 * its `_env` attribute names, read now), as for a rotation. Refused before
 * any write when the configuration has no source for it.
 */
export function withMovedSecrets(
  kind: InputKind,
  config: ObjectValue,
  planned: ObjectValue,
  live: AloomaNode,
  secrets: SecretsToWrite,
  owner: string,
  env: NodeJS.ProcessEnv = process.env,
): SecretsToWrite {
  const desired = desiredConfiguration(kind, planned, live, secrets, owner);
  const moved = movedMaskedSecrets(live.type, live.configuration, desired);
  if (moved.length === 0) return secrets;
  // every secret the configuration sources, as on create (no variable read yet)
  const sourced = dueSecrets(kind, config, planned, null);
  const fields = new Map(secrets.fields);
  const parameters = new Map(secrets.parameters);
  for (const { path, fields: changed } of moved) {
    const source = sourced.find((d) =>
      'api' in d.at ? d.at.api === path : parameterSecretPath(d.at.parameter) === path,
    );
    if (source === undefined) {
      throw new AloomaCdktfError(
        AloomaErrorCode.SECRET_DESTINATION_CHANGED,
        `changing ${changed.join(', ')} of input ${live.id} moves its stored ${path}, which may not follow it, and the configuration gives no value to send again; nothing was written`,
        'set the secret in the configuration (its write-only attribute or its _env variable) so it is sent with the new destination',
      );
    }
    const value = source.env ? envValue(env, source.env.name) : source.value;
    if (value === undefined) {
      throw new AloomaCdktfError(
        AloomaErrorCode.MISSING_SECRET,
        `${formatPath(source.env!.path)} names the environment variable ${source.env!.name}, which is unset or empty at apply, and changing ${changed.join(', ')} moves the stored ${path}, which must be sent again; nothing was written to this input`,
        `set ${source.env!.name} in the environment of terraform (or cdktf)`,
      );
    }
    if ('api' in source.at) fields.set(source.at.api, value);
    else parameters.set(source.at.parameter, value);
  }
  return { fields, parameters };
}

/**
 * The configuration to send: the live one (fields this resource does not
 * manage kept as read, masked secrets included), each managed field set to
 * the planned value unless the live one already means it (then kept as
 * read), fields planned null removed, due secrets written, the ownership
 * marker recording the owner and the secret versions.
 */
export function desiredConfiguration(
  kind: InputKind,
  planned: ObjectValue,
  live: AloomaNode | undefined,
  secrets: SecretsToWrite,
  owner: string,
): Record<string, unknown> {
  const liveConfiguration = live?.configuration ?? {};
  const out: Record<string, unknown> = { ...liveConfiguration };
  for (const field of allFields(kind)) {
    const value = planned[field.attribute] ?? null;
    if (value === null) {
      delete out[field.api];
      continue;
    }
    if (
      field.api in liveConfiguration &&
      sameMeaning(field.api, field.codec, value, liveConfiguration[field.api])
    )
      continue;
    // absent in a live input reads as the default (stateFromLive): nothing to write
    if (
      live !== undefined &&
      !(field.api in liveConfiguration) &&
      value === (kind.attributes[field.attribute]?.default ?? COMMON_DEFAULTS[field.attribute])
    )
      continue;
    out[field.api] = toApiValue(field.codec, value);
  }
  if (kind.openConfiguration)
    setOpenConfiguration(
      out,
      planned[A.configuration] ?? null,
      liveConfiguration,
      new Set([...secretMapPaths(planned), ...markedPaths(readOwnershipMarker(liveConfiguration))]),
    );
  else setExtraConfiguration(out, planned[A.extraConfiguration] ?? null, liveConfiguration);
  for (const [key, value] of secrets.fields) out[key] = value;
  if (kind.parameters) {
    const parameters = parametersToApi(
      planned[A.parameters] ?? null,
      secrets.parameters,
      liveConfiguration.parameters,
    );
    if (parameters === undefined) delete out.parameters;
    else if (
      secrets.parameters.size > 0 ||
      !('parameters' in liveConfiguration) ||
      JSON.stringify(canonicalField('parameters', parameters) ?? null) !==
        JSON.stringify(canonicalField('parameters', liveConfiguration.parameters) ?? null)
    )
      out.parameters = parameters;
  }
  const liveMarker = readOwnershipMarker(liveConfiguration);
  const marker: OwnershipMarker = {
    owner,
    ...secretVersions(kind, planned),
    // which create made the input: kept (dropping it would be a write of its own)
    ...(liveMarker?.owner === owner && typeof liveMarker.createId === 'string'
      ? { createId: liveMarker.createId }
      : {}),
  };
  if (
    !liveMarker ||
    JSON.stringify(sortKeys(liveMarker as unknown as Json)) !==
      JSON.stringify(sortKeys(marker as unknown as Json))
  )
    out[MARKER_FIELD] = marker;
  return out;
}

/** The generic resource's `configuration`: every field no attribute manages, secrets apart. */
function setOpenConfiguration(
  out: Record<string, unknown>,
  text: Value,
  live: Readonly<Record<string, unknown>>,
  secretPaths: ReadonlySet<string>,
): void {
  const desired =
    typeof text === 'string' ? parseObject(text) : text instanceof Unknown ? undefined : {};
  if (desired === undefined) return;
  for (const key of Object.keys(out))
    if (isOpenKey(key) && !secretPaths.has(key) && !(key in desired)) delete out[key];
  for (const [key, value] of Object.entries(desired)) {
    if (
      key in live &&
      JSON.stringify(canonicalField(key, live[key]) ?? null) ===
        JSON.stringify(canonicalField(key, value) ?? null)
    )
      continue;
    out[key] = value;
  }
}

/**
 * A typed resource's `extra_configuration`: each key given set (kept as read
 * when the live value means the same), a key set to null removed; keys not
 * given are not touched.
 */
function setExtraConfiguration(
  out: Record<string, unknown>,
  text: Value,
  live: Readonly<Record<string, unknown>>,
): void {
  const desired = typeof text === 'string' ? parseObject(text) : undefined;
  if (desired === undefined) return;
  for (const [key, value] of Object.entries(desired)) {
    if (value === null) delete out[key];
    else if (!(key in live) || !sameField(key, live[key], value)) out[key] = value;
  }
}

/** Two values of one configuration field mean the same (their canonical forms are equal). */
function sameField(key: string, a: unknown, b: unknown): boolean {
  return (
    JSON.stringify(canonicalField(key, a ?? undefined) ?? null) ===
    JSON.stringify(canonicalField(key, b ?? undefined) ?? null)
  );
}

/** The keys of the generic resource's secret maps (values and variable names), sorted; unknown maps give none. */
function secretMapPaths(o: ObjectValue): string[] {
  const S = SECRET_MAP_ATTRIBUTES;
  const keys = new Set<string>();
  for (const attribute of [S.values, S.env, S.version]) {
    const map = o[attribute];
    if (isPlainObject(map)) for (const key of Object.keys(map)) keys.add(key);
  }
  return [...keys].sort();
}

/** The secret paths a marker records versions of. */
function markedPaths(marker: OwnershipMarker | undefined): string[] {
  const versions = marker?.secretVersions;
  return Array.isArray(versions)
    ? versions.map((v) => v?.path).filter((p): p is string => typeof p === 'string')
    : [];
}

/** A key of the generic `configuration` (not the marker, not a secret, not an attribute of its own). */
function isOpenKey(key: string): boolean {
  return key !== MARKER_FIELD && !isSecretKey(key) && !COMMON_FIELDS.some((f) => f.api === key);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return isJsonObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `secretVersions` of the marker: the planned version of every secret that has one, sorted by path. */
function secretVersions(
  kind: InputKind,
  planned: ObjectValue,
): Pick<OwnershipMarker, 'secretVersions'> {
  const versions: Array<{ path: string; version: string }> = [];
  for (const s of kind.secrets) {
    const version = planned[s.versionAttribute];
    if (typeof version === 'string') versions.push({ path: s.api, version });
  }
  const mapVersions = planned[SECRET_MAP_ATTRIBUTES.version];
  if (kind.secretMap && isPlainObject(mapVersions))
    for (const [path, version] of Object.entries(mapVersions))
      if (typeof version === 'string') versions.push({ path, version });
  const parameters = planned[A.parameters];
  if (kind.parameters && isPlainObject(parameters)) {
    for (const [name, p] of Object.entries(parameters)) {
      const version = isPlainObject(p) ? p[PARAMETER_ATTRIBUTES.secretValueVersion] : null;
      if (typeof version === 'string') versions.push({ path: parameterSecretPath(name), version });
    }
  }
  versions.sort((a, b) => a.path.localeCompare(b.path));
  return versions.length > 0 ? { secretVersions: versions } : {};
}

/**
 * The version a Read gives a secret: the marker's (or, in an input no
 * marker claims, "1" for a secret that is set: see liveSecretVersion), else
 * the prior state's.
 * The provider records every version it writes, so a marker without one
 * means the secret was written otherwise (by the provisioner engine, whose
 * versionless secrets the move from it takes as version "1"): the prior
 * version stands, as a variable's name does.
 */
function readVersion(
  marker: OwnershipMarker | undefined,
  path: string,
  live: unknown,
  prior: Value,
): Value {
  return liveSecretVersion(marker, path, live) ?? (typeof prior === 'string' ? prior : null);
}

/**
 * The state of a live input: the live values, with the prior state's
 * spelling kept where the live value means the same (`"5432"` for 5432,
 * `{}` for no tables), write-only values null, secret versions from the
 * marker ("1" for a secret set in an input no one marked: see
 * `liveSecretVersion`), `retain_on_delete` from the prior state (Alooma has
 * no such field).
 */
export function stateFromLive(
  kind: InputKind,
  node: AloomaNode,
  prior: ObjectValue | null,
): ObjectValue {
  const live = node.configuration ?? {};
  const marker = readOwnershipMarker(live);
  const attributes = kind.attributes;
  const out: ObjectValue = {
    [A.id]: node.id,
    [A.name]: node.name,
    [A.paused]: node.paused === true,
    [A.retainOnDelete]: prior?.[A.retainOnDelete] ?? false,
  };
  if (kind.apiType === undefined) out[A.type] = node.type;
  for (const field of allFields(kind)) {
    const before = prior?.[field.attribute] ?? null;
    const value = live[field.api];
    const fallback = attributes[field.attribute]?.default ?? COMMON_DEFAULTS[field.attribute];
    // an absent field is at the API's default (the attribute's default)
    if (value === undefined && fallback !== undefined) out[field.attribute] = fallback;
    else if (prior && sameMeaning(field.api, field.codec, before, value))
      out[field.attribute] = before;
    else out[field.attribute] = fromApiValue(field.codec, value);
  }
  for (const s of kind.secrets) {
    out[s.attribute] = null;
    out[s.versionAttribute] = readVersion(
      marker,
      s.api,
      live[s.api],
      prior?.[s.versionAttribute] ?? null,
    );
    // a variable's name, not in Alooma: kept from the prior state, as retain_on_delete
    out[s.envAttribute] = prior?.[s.envAttribute] ?? null;
  }
  if (kind.parameters)
    out[A.parameters] = parametersState(live.parameters, marker, prior?.[A.parameters] ?? null);
  if (kind.openConfiguration) {
    const S = SECRET_MAP_ATTRIBUTES;
    // an input no marker claims (an import): its secret fields set in Alooma, each read as
    // version "1" as a typed secret is (liveSecretVersion), so importing it plans no write
    const paths =
      marker === undefined
        ? Object.keys(live).filter((k) => isSecretKey(k) && liveSecretVersion(marker, k, live[k]))
        : markedPaths(marker);
    out[A.configuration] = openConfigurationState(
      live,
      prior?.[A.configuration] ?? null,
      new Set([...paths, ...(prior ? secretMapPaths(prior) : [])]),
    );
    out[S.values] = null;
    // versions from the marker (an import knows them); names of variables kept from the prior state
    const versions: ObjectValue = {};
    const priorVersions = prior?.[S.version] ?? null;
    const priorVersionOf = (path: string): Value =>
      isPlainObject(priorVersions) ? (priorVersions[path] ?? null) : null;
    for (const path of paths) versions[path] = liveSecretVersion(marker, path, live[path]) ?? null;
    // a secret the marker records no version of keeps the prior one (see readVersion)
    for (const path of prior ? secretMapPaths(prior) : []) {
      const version = readVersion(marker, path, live[path], priorVersionOf(path));
      if (!(path in versions) && version !== null) versions[path] = version;
    }
    // none recorded: the prior `{}` kept (null and `{}` mean the same), else null
    out[S.version] =
      Object.keys(versions).length > 0
        ? versions
        : isPlainObject(priorVersions) && Object.keys(priorVersions).length === 0
          ? priorVersions
          : null;
    out[S.env] = prior?.[S.env] ?? null;
  } else {
    out[A.extraConfiguration] = extraConfigurationState(
      live,
      prior?.[A.extraConfiguration] ?? null,
    );
  }
  return out;
}

/**
 * `extra_configuration` as read: the live values of the keys the prior
 * state gives (a key absent in Alooma reads as null), the prior text kept
 * when they mean the same. No prior text (an import): null, as the keys
 * managed are not known.
 */
function extraConfigurationState(live: Readonly<Record<string, unknown>>, prior: Value): Value {
  if (typeof prior !== 'string') return null;
  const before = parseObject(prior);
  if (before === undefined) return prior;
  const now: Record<string, unknown> = {};
  for (const key of Object.keys(before)) now[key] = live[key] ?? null;
  const same = Object.keys(before).every((key) => sameField(key, now[key], before[key]));
  return same ? prior : JSON.stringify(sortKeys(now as Json));
}

/** Defaults of the common attributes, planned when unset: an absent live field reads as its default. */
const COMMON_DEFAULTS: Readonly<Record<string, Value>> = { [A.autoMap]: true };

function parametersState(live: unknown, marker: OwnershipMarker | undefined, prior: Value): Value {
  const fromLive = parametersFromApi(live, (name) => {
    const before = isPlainObject(prior) ? prior[name] : null;
    const version = readVersion(
      marker,
      parameterSecretPath(name),
      (Array.isArray(live) ? live : []).find((p) => isParameter(p) && p.parameter === name)?.value,
      isPlainObject(before) ? (before[PARAMETER_ATTRIBUTES.secretValueVersion] ?? null) : null,
    );
    return typeof version === 'string' ? version : null;
  });
  if (!isPlainObject(prior)) return fromLive;
  if (fromLive === null) return Object.keys(prior).length === 0 ? prior : null;
  const out: ObjectValue = {};
  const liveByName = new Map(
    (Array.isArray(live) ? live : []).filter(isParameter).map((p) => [p.parameter, p]),
  );
  for (const [name, entry] of Object.entries(fromLive as ObjectValue)) {
    const before = prior[name];
    const same =
      isPlainObject(before) &&
      JSON.stringify(
        canonicalField(
          'parameters',
          parametersToApi({ [name]: before }, new Map(), [liveByName.get(name)]),
        ) ?? null,
      ) === JSON.stringify(canonicalField('parameters', [liveByName.get(name)]) ?? null);
    out[name] = same
      ? {
          ...(before as ObjectValue),
          [PARAMETER_ATTRIBUTES.secretValue]: null,
          [PARAMETER_ATTRIBUTES.secretValueVersion]: (entry as ObjectValue)[
            PARAMETER_ATTRIBUTES.secretValueVersion
          ],
        }
      : {
          ...(entry as ObjectValue),
          [PARAMETER_ATTRIBUTES.secretValueEnv]: isPlainObject(before)
            ? (before[PARAMETER_ATTRIBUTES.secretValueEnv] ?? null)
            : null,
        };
  }
  return out;
}

function openConfigurationState(
  live: Readonly<Record<string, unknown>>,
  prior: Value,
  secretPaths: ReadonlySet<string>,
): Value {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(live).sort())
    if (isOpenKey(key) && !secretPaths.has(key)) rest[key] = live[key];
  // sorted: the same fields in any key order are the same configuration
  const canonicalLive = JSON.stringify(sortKeys(canonicalConfig(rest)));
  if (typeof prior === 'string') {
    const before = parseObject(prior);
    if (before && JSON.stringify(sortKeys(canonicalConfig(before))) === canonicalLive) return prior;
  }
  if (Object.keys(rest).length === 0) return prior === '{}' ? prior : null;
  return JSON.stringify(sortKeys(rest as Json));
}

// ---- validation ----

/** Problems of a configuration by the src/alooma rules, each with its attribute path; unknown values pass. */
export function validateInput(kind: InputKind, config: ObjectValue): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = config[A.name];
  if (!(name instanceof Unknown)) {
    const problem = nameProblem(name);
    if (problem) out.push(invalid([{ attribute: A.name }], problem));
  }
  const type = kind.apiType ?? config[A.type];
  if (type instanceof Unknown) return out;
  if (kind.apiType === undefined) {
    const problem = inputTypeProblem(type);
    if (problem) {
      out.push(invalid([{ attribute: A.type }], problem));
      return out;
    }
    const refused = kind.refusedTypes?.get(type as string);
    if (refused)
      out.push(invalid([{ attribute: A.type }], `is managed by its own resource type: ${refused}`));
  }
  if (kind.openConfiguration) {
    const text = config[A.configuration];
    if (typeof text === 'string' && parseObject(text) === undefined) {
      out.push(
        invalid(
          [{ attribute: A.configuration }],
          'must be the JSON text of an object (use jsonencode({...}))',
        ),
      );
      return out;
    }
  }
  if (!kind.openConfiguration) out.push(...validateExtraConfiguration(kind, config));
  if (kind.secretMap) out.push(...validateSecretMap(config));
  for (const s of kind.secrets) {
    if ((config[s.attribute] ?? null) !== null && (config[s.envAttribute] ?? null) !== null)
      out.push(
        invalid(
          [{ attribute: s.envAttribute }],
          `must not be set with ${s.attribute}: the secret comes from one of them`,
        ),
      );
    else if (
      (config[s.envAttribute] ?? null) !== null &&
      (config[s.versionAttribute] ?? null) === null
    )
      out.push(
        invalid(
          [{ attribute: s.versionAttribute }],
          `is required with ${s.envAttribute}: change it to write ${s.attribute} again`,
        ),
      );
    if ((config[s.attribute] ?? null) !== null && (config[s.versionAttribute] ?? null) === null)
      out.push(
        invalid(
          [{ attribute: s.versionAttribute }],
          `is required with ${s.attribute}: change it to write ${s.attribute} again`,
        ),
      );
  }
  const parameters = config[A.parameters];
  if (kind.parameters && isPlainObject(parameters)) {
    for (const [key, p] of Object.entries(parameters)) {
      if (!isPlainObject(p)) continue;
      const at: Path = [{ attribute: A.parameters }, { key }];
      const fromEnv = p[PARAMETER_ATTRIBUTES.secretValueEnv] ?? null;
      if (fromEnv !== null && (p[PARAMETER_ATTRIBUTES.secretValue] ?? null) !== null)
        out.push(
          invalid(
            [...at, { attribute: PARAMETER_ATTRIBUTES.secretValueEnv }],
            'must not be set with secret_value: the secret comes from one of them',
          ),
        );
      // a value from the environment is a secret value as far as the rules below go
      const secret = p[PARAMETER_ATTRIBUTES.secretValue] ?? fromEnv;
      const plain = p[PARAMETER_ATTRIBUTES.value] ?? null;
      if (secret !== null && plain !== null)
        out.push(
          invalid(
            [...at, { attribute: PARAMETER_ATTRIBUTES.value }],
            `must not be set with ${fromEnv !== null ? 'secret_value_env' : 'secret_value'}`,
          ),
        );
      if (secret === null && plain !== null && isSecretKey(key))
        out.push(
          invalid(
            [...at, { attribute: PARAMETER_ATTRIBUTES.value }],
            'holds a secret (the parameter name says so): set secret_value (write-only) and secret_value_version instead',
          ),
        );
      if (secret !== null && (p[PARAMETER_ATTRIBUTES.secretValueVersion] ?? null) === null)
        out.push(
          invalid(
            [...at, { attribute: PARAMETER_ATTRIBUTES.secretValueVersion }],
            `is required with ${fromEnv !== null ? 'secret_value_env' : 'secret_value'}: change it to write the secret value again`,
          ),
        );
    }
  }
  if (out.length > 0) return out;
  const configuration = desiredConfiguration(
    kind,
    config,
    undefined,
    standInSecrets(kind, config),
    '-',
  );
  const problem = configurationProblem(type as string, configuration, {
    isUnknown: (v) => v instanceof Unknown,
  });
  if (problem) out.push(invalid(problemPath(kind, config, problem), problem.problem));
  return out;
}

/** `extra_configuration`: the JSON text of an object, no key another attribute manages, no secret. */
function validateExtraConfiguration(kind: InputKind, config: ObjectValue): Diagnostic[] {
  const text = config[A.extraConfiguration] ?? null;
  if (typeof text !== 'string') return [];
  const at: Path = [{ attribute: A.extraConfiguration }];
  const extra = parseObject(text);
  if (extra === undefined)
    return [invalid(at, 'must be the JSON text of an object (use jsonencode({...}))')];
  const out: Diagnostic[] = [];
  for (const key of Object.keys(extra).sort()) {
    const managing =
      allFields(kind).find((f) => f.api === key)?.attribute ??
      kind.secrets.find((s) => s.api === key)?.attribute ??
      (kind.parameters && key === 'parameters' ? A.parameters : undefined);
    if (managing !== undefined)
      out.push(
        invalid(at, `sets ${JSON.stringify(key)}, which ${managing} manages: set ${managing}`),
      );
    else if (key === MARKER_FIELD)
      out.push(invalid(at, `sets ${JSON.stringify(key)}, where the provider records the owner`));
    else
      // a secret at any depth (`auth.password`): its value would be in state
      for (const secret of findSecrets({ [key]: extra[key] }))
        out.push(
          invalid(
            at,
            `sets ${JSON.stringify(secret.path)}, a secret field: extra_configuration is in state, secrets go through write-only attributes`,
          ),
        );
  }
  return out;
}

/** The generic resource's secret maps: one source and a version per key, keys of their own. */
function validateSecretMap(config: ObjectValue): Diagnostic[] {
  const S = SECRET_MAP_ATTRIBUTES;
  const values = config[S.values] ?? null;
  const names = config[S.env] ?? null;
  const versions = config[S.version] ?? null;
  if (values instanceof Unknown || names instanceof Unknown || versions instanceof Unknown)
    return [];
  const text = config[A.configuration];
  const configurationKeys = typeof text === 'string' ? Object.keys(parseObject(text) ?? {}) : [];
  const out: Diagnostic[] = [];
  for (const path of secretMapPaths(config)) {
    const key = JSON.stringify(path);
    const hasValue = isPlainObject(values) && (values[path] ?? null) !== null;
    const hasName = isPlainObject(names) && (names[path] ?? null) !== null;
    const hasVersion = isPlainObject(versions) && (versions[path] ?? null) !== null;
    if (hasValue && hasName)
      out.push(
        invalid(
          [{ attribute: S.env }, { key: path }],
          `must not be set with ${S.values}[${key}]: the secret comes from one of them`,
        ),
      );
    if ((hasValue || hasName) && !hasVersion)
      out.push(
        invalid(
          [{ attribute: S.version }],
          `has no entry for ${key}: each secret needs one (change it to write the secret again)`,
        ),
      );
    if (!hasValue && !hasName)
      out.push(
        invalid(
          [{ attribute: S.version }, { key: path }],
          `is the version of no secret: set ${S.values}[${key}] or ${S.env}[${key}], or remove it`,
        ),
      );
    if (path === MARKER_FIELD || COMMON_FIELDS.some((f) => f.api === path))
      out.push(
        invalid(
          [{ attribute: hasName ? S.env : S.values }, { key: path }],
          'is not a secret field: it is managed by the provider or an attribute of its own',
        ),
      );
    if (configurationKeys.includes(path))
      out.push(
        invalid(
          [{ attribute: A.configuration }],
          `sets ${key}, which is a secret of ${S.values}/${S.env}: keep it there only`,
        ),
      );
  }
  return out;
}

/** Every configured secret, with a stand-in that passes (its value is judged at apply). */
function standInSecrets(kind: InputKind, config: ObjectValue): SecretsToWrite {
  const fields = new Map<string, unknown>();
  for (const s of kind.secrets)
    if ((config[s.attribute] ?? null) !== null || (config[s.envAttribute] ?? null) !== null)
      fields.set(s.api, UNKNOWN);
  if (kind.secretMap) for (const path of secretMapPaths(config)) fields.set(path, UNKNOWN);
  const parameters = new Map<string, unknown>();
  const configured = config[A.parameters];
  if (kind.parameters && isPlainObject(configured))
    for (const [name, p] of Object.entries(configured))
      if (
        isPlainObject(p) &&
        ((p[PARAMETER_ATTRIBUTES.secretValue] ?? null) !== null ||
          (p[PARAMETER_ATTRIBUTES.secretValueEnv] ?? null) !== null)
      )
        parameters.set(name, UNKNOWN);
  return { fields, parameters };
}

/**
 * Checks at apply, before the input is written, what plan could not: values
 * known only now (references to other resources), and the secret values
 * themselves. The message names the attribute, never its value.
 */
function checkAtApply(
  kind: InputKind,
  type: string,
  configuration: Record<string, unknown>,
  planned: ObjectValue,
): void {
  const checked = { ...configuration };
  // a secret parameter kept as stored (the mask) is judged as the valid value it is
  if (Array.isArray(checked.parameters))
    checked.parameters = checked.parameters.map((p: unknown) =>
      isParameter(p) && p.value === SECRET_MASK ? { ...p, value: 0 } : p,
    );
  const problem = configurationProblem(type, checked);
  if (problem) {
    throw new AloomaCdktfError(
      AloomaErrorCode.INVALID_PROPERTY,
      `${formatPath(problemPath(kind, planned, problem))} ${problem.problem}; nothing was written to this input`,
      'fix the value (it was unknown at plan, or it is a secret read only at apply)',
    );
  }
}

/** The attribute path of a rule's problem (`tables.orders` -> tables["orders"]). */
function problemPath(kind: InputKind, config: ObjectValue, problem: FieldProblem): Path {
  const match = /^([A-Za-z_]+)(?:\[(\d+)\])?(?:\.(.+))?$/.exec(problem.field);
  if (!match) return [];
  const [, api, index, rest] = match;
  if (api === 'parameters' && kind.parameters) {
    const names = isPlainObject(config[A.parameters])
      ? Object.keys(config[A.parameters] as ObjectValue).sort()
      : [];
    const name = index === undefined ? undefined : names[Number(index)];
    if (name === undefined) return [{ attribute: A.parameters }];
    const at: Path = [{ attribute: A.parameters }, { key: name }];
    if (rest === undefined || rest === 'parameter') return at;
    const entry = (config[A.parameters] as ObjectValue)[name];
    const secret =
      isPlainObject(entry) && (entry[PARAMETER_ATTRIBUTES.secretValue] ?? null) !== null;
    const fromEnv =
      isPlainObject(entry) && (entry[PARAMETER_ATTRIBUTES.secretValueEnv] ?? null) !== null;
    const secretAttribute = fromEnv
      ? PARAMETER_ATTRIBUTES.secretValueEnv
      : secret
        ? PARAMETER_ATTRIBUTES.secretValue
        : undefined;
    return [...at, { attribute: rest === 'value' && secretAttribute ? secretAttribute : rest }];
  }
  const field = allFields(kind).find((f) => f.api === api);
  if (field)
    return rest === undefined
      ? [{ attribute: field.attribute }]
      : [{ attribute: field.attribute }, { key: rest }];
  if (kind.secretMap && secretMapPaths(config).includes(api)) {
    const names = config[SECRET_MAP_ATTRIBUTES.env];
    const fromEnv = isPlainObject(names) && (names[api] ?? null) !== null;
    return [
      {
        attribute: fromEnv ? SECRET_MAP_ATTRIBUTES.env : SECRET_MAP_ATTRIBUTES.values,
      },
      { key: api },
    ];
  }
  // no rule of src/alooma judges a key without an attribute today; one that does is reported here
  const extra = config[A.extraConfiguration];
  if (!kind.openConfiguration && typeof extra === 'string' && api in (parseObject(extra) ?? {}))
    return [{ attribute: A.extraConfiguration }];
  const secret = kind.secrets.find((s) => s.api === api);
  if (secret)
    return [
      {
        attribute:
          (config[secret.envAttribute] ?? null) !== null ? secret.envAttribute : secret.attribute,
      },
    ];
  if (kind.openConfiguration) return [{ attribute: A.configuration }];
  return [];
}

function invalid(path: Path, problem: string): Diagnostic {
  return errorDiagnostic(
    'Invalid Alooma input configuration',
    `${formatPath(path)} ${problem}. (The value is not shown: it may be sensitive.)`,
    path,
  );
}

/**
 * Two configurations that create one name at the same moment (two teams,
 * two states) both find the name free before either create shows in the
 * structure. After its create each looks again: the input created first
 * keeps the name, and a later one is deleted again by its own creator
 * (nothing of it is recorded), so the name is never doubled. Both sides
 * decide alike: the structure lists inputs of a name by creation time, and
 * each create knows its own input by the `createId` in its marker (two
 * states of one owner create inputs that differ in nothing else). The look
 * is the structure read that confirmed the create (`named`, shared by the
 * creates of that moment): a read that shows the new input shows every
 * input of the name created before it, which is all the decision needs. The
 * input kept is returned when it is this owner's (an earlier create of ours,
 * or the other state's); another owner's is a conflict.
 */
async function keepNameOrYield(
  data: AloomaProviderData,
  { node: created, named }: Sighting,
  type: string,
  createId: string,
): Promise<AloomaNode> {
  const first = named[0];
  const mine = (n: AloomaNode) =>
    readOwnershipMarker(n.configuration)?.owner === data.owner && n.type === type;
  if (first === undefined || !named.some((n) => n.id === created.id)) return created;
  if (first.id === created.id) {
    // A lost answer posted again can land twice: the first keeps the name, the later
    // ones of this create go. (Another create's later input is its creator's to delete:
    // it confirms it by its own createId and finds this one first.)
    const again = (n: AloomaNode) => readOwnershipMarker(n.configuration)?.createId === createId;
    for (const later of named.slice(1).filter(again)) await deleteIfPresent(data, later.id, type);
    return created;
  }
  await deleteIfPresent(data, created.id, type);
  if (mine(first)) return first;
  throw new AloomaCdktfError(
    AloomaErrorCode.CONFLICT,
    `another configuration created an input with this name at the same time (${first.id}, ${ownerOf(first)}); it was first and keeps the name, and the input created here (${created.id}) was deleted again`,
    'give each configuration its own input names; to manage the kept input here, import it (terraform import) from the configuration of its owner',
  );
}

async function deleteIfPresent(data: AloomaProviderData, id: string, type: string): Promise<void> {
  try {
    await data.client.deleteInput({ id, type });
  } catch (error) {
    if (!(error instanceof AloomaNotFoundError)) throw error;
  }
}

function ownerOf(node: AloomaNode): string {
  const marker = readOwnershipMarker(node.configuration);
  return marker ? `owner "${marker.owner}"` : 'no owner';
}

/** An input of the name exists already and is not ours to adopt. */
function nameTaken(existing: readonly AloomaNode[], owner: string): AloomaCdktfError {
  const owners = existing.map((n) => {
    const marker = readOwnershipMarker(n.configuration);
    return `${n.id} (${marker ? `owner "${marker.owner}"` : 'no owner'}${marker?.owner === owner ? `, type ${n.type}` : ''})`;
  });
  return new AloomaCdktfError(
    AloomaErrorCode.CONFLICT,
    `an input with this name exists already and is not this owner's to adopt: ${owners.join(', ')}; nothing was created`,
    'rename this resource, or adopt the input with an import {} block (terraform import) when it is meant to be managed here',
  );
}
