/**
 * The move from the provisioner engine: a stack deployed with the
 * `terraform_data` engine holds one `terraform_data` per input (its
 * `triggers_replace` = `{name, type}`, its `input` = the planned
 * configuration and `removal_policy`). Switched to engine `provider`, the
 * constructs declare a `moved {}` block from each of them to the input's
 * provider resource, and Terraform asks the provider to take the state over
 * (MoveResourceState).
 *
 * Terraform calls MoveResourceState before it configures the provider, so
 * the move cannot reach Alooma, and the `terraform_data` holds no Alooma id.
 * So the move returns what it knows (name, type for `alooma_input`,
 * `retain_on_delete` from the old `removal_policy`) with an empty id and a
 * private mark, and the Read that follows (the provider is configured by
 * then) finds the input in the provider's one structure read: this owner's
 * input of that name and type (the ownership marker says whose it is), and
 * completes the state as Read does (the live values, secret versions from
 * the marker). Nothing is written. The plan then compares that state with
 * the configuration like any other: an input deployed as declared plans no
 * change. (With `-refresh=false` no Read runs: plan the move with refresh.)
 */
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';
import { readOwnershipMarker } from '../../alooma/ownership-marker';
import { DEFAULT_SECRET_VERSION, parameterSecretPath } from '../../alooma/secret-fields';
import type { ObjectValue, Resource, ResourceContext, StateResult, Value } from '../framework';
import { databaseInputKind } from './database-input';
import { genericInputKind } from './input';
import { PARAMETER_ATTRIBUTES, SECRET_MAP_ATTRIBUTES } from './fields';
import { COMMON_ATTRIBUTES, type InputKind, unattributedConfiguration } from './input-resource';
import { mixpanelInputKind } from './mixpanel-input';
import { restInputKind } from './rest-input';
import { s3InputKind } from './s3-input';
import type { AloomaProviderData } from './provider-data';

/** The source type this move takes over. */
export const TERRAFORM_DATA_TYPE = 'terraform_data';

/** Terraform's built-in provider, which serves `terraform_data`. */
export const BUILTIN_TERRAFORM_PROVIDER = 'terraform.io/builtin/terraform';

/**
 * The private mark of a moved state whose input the next Read looks up. It
 * carries the old engine's secrets (path -> the variable's name, for
 * `fromEnv`, and the version): that engine recorded a version in the
 * marker only when the code named one, and kept the variable's name in
 * `input`, not in Alooma, so the Read takes them from here.
 */
interface MovedMark {
  readonly moved_from: typeof TERRAFORM_DATA_TYPE;
  readonly secrets: Readonly<Record<string, MovedSecret>>;
}

/** A secret the provisioner engine managed: its variable (`fromEnv`) and the version it wrote. */
interface MovedSecret {
  readonly env?: string;
  readonly version: string;
}

function movedMark(secrets: Readonly<Record<string, MovedSecret>>): Buffer {
  const mark: MovedMark = { moved_from: TERRAFORM_DATA_TYPE, secrets };
  return Buffer.from(JSON.stringify(mark));
}

function readMovedMark(priv: Buffer): MovedMark | undefined {
  if (priv.length === 0) return undefined;
  try {
    const mark = JSON.parse(priv.toString('utf8')) as Partial<MovedMark>;
    return mark.moved_from === TERRAFORM_DATA_TYPE
      ? ({ moved_from: TERRAFORM_DATA_TYPE, secrets: record(mark.secrets) ?? {} } as MovedMark)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The secrets of a `terraform_data` input (`input.secrets`: path ->
 * `{env, version?}` for `fromEnv`, `{from, version?}` for `fromTerraform`),
 * each with the version it was written at: its own, or the version the
 * constructs give a secret that names none.
 */
function movedSecrets(input: Record<string, unknown> | undefined): Record<string, MovedSecret> {
  const out: Record<string, MovedSecret> = {};
  for (const [path, ref] of Object.entries(record(input?.secrets) ?? {})) {
    const r = record(ref);
    if (r === undefined) continue;
    out[path] = {
      ...(typeof r.env === 'string' ? { env: r.env } : {}),
      version: typeof r.version === 'string' ? r.version : DEFAULT_SECRET_VERSION,
    };
  }
  return out;
}

/**
 * A typed kind's `extra_configuration` from the old `input`'s configuration:
 * the fields no attribute holds, spelled as the constructs spell them, so
 * the Read that follows keeps it (the keys it manages are known) and the
 * move plans no change of it. The generic kind's open `configuration` needs
 * none: its Read takes every live field.
 */
function extraConfiguration(
  kind: InputKind,
  configuration: Record<string, unknown> | undefined,
): ObjectValue {
  if (kind.openConfiguration || configuration === undefined) return {};
  const rest = unattributedConfiguration(kind, configuration);
  return Object.keys(rest).length === 0 ? {} : { [A.extraConfiguration]: JSON.stringify(rest) };
}

/**
 * The state Read made of a moved input, completed with the old engine's
 * secrets where Alooma's marker records no version and the state has no
 * variable name: what the constructs render for the same secret, so the
 * move plans no secret write.
 */
function withMovedSecretState(
  kind: InputKind,
  state: ObjectValue,
  secrets: Readonly<Record<string, MovedSecret>>,
): ObjectValue {
  const out: ObjectValue = { ...state };
  for (const s of kind.secrets) {
    const moved = secrets[s.api];
    if (moved === undefined) continue;
    out[s.versionAttribute] = out[s.versionAttribute] ?? moved.version;
    if (moved.env !== undefined) out[s.envAttribute] = out[s.envAttribute] ?? moved.env;
  }
  const parameters = record(out[A.parameters]);
  if (kind.parameters && parameters !== undefined) {
    const P = PARAMETER_ATTRIBUTES;
    const next: ObjectValue = {};
    for (const [name, value] of Object.entries(parameters)) {
      const moved = secrets[parameterSecretPath(name)];
      const p = record(value) as ObjectValue | undefined;
      next[name] =
        moved === undefined || p === undefined
          ? (value as Value)
          : {
              ...p,
              [P.secretValueVersion]: p[P.secretValueVersion] ?? moved.version,
              ...(moved.env === undefined
                ? {}
                : { [P.secretValueEnv]: p[P.secretValueEnv] ?? moved.env }),
            };
    }
    out[A.parameters] = next;
  }
  if (kind.openConfiguration) {
    const S = SECRET_MAP_ATTRIBUTES;
    const versions: ObjectValue = { ...(record(out[S.version]) as ObjectValue | undefined) };
    const envs: ObjectValue = { ...(record(out[S.env]) as ObjectValue | undefined) };
    const paths = Object.keys(secrets).filter((path) => !path.includes('.'));
    for (const path of paths) {
      versions[path] = versions[path] ?? secrets[path].version;
      const env = secrets[path].env;
      if (env !== undefined) envs[path] = envs[path] ?? env;
    }
    if (paths.length > 0) out[S.version] = versions;
    if (Object.keys(envs).length > 0) out[S.env] = envs;
  }
  return out;
}

const A = COMMON_ATTRIBUTES;

/** The `move` of an input resource: takes over the `terraform_data` of the provisioner engine. */
export function moveFromTerraformData(
  kind: InputKind,
): NonNullable<Resource<AloomaProviderData>['move']> {
  return (request): StateResult | undefined => {
    if (
      request.sourceTypeName !== TERRAFORM_DATA_TYPE ||
      !request.sourceProviderAddress.endsWith(BUILTIN_TERRAFORM_PROVIDER)
    )
      return undefined;
    const identity = record(dynamicValue(request.sourceState.triggers_replace));
    const input = record(dynamicValue(request.sourceState.input));
    const name = identity?.name;
    const type = identity?.type;
    if (typeof name !== 'string' || typeof type !== 'string') {
      throw new AloomaCdktfError(
        AloomaErrorCode.INVALID_PROPERTY,
        'the terraform_data has no triggers_replace.name and .type: it is not an input of the alooma-cdktf terraform_data engine',
        'remove the moved {} block that names it',
      );
    }
    if (kind.apiType !== undefined ? type !== kind.apiType : kind.refusedTypes?.has(type)) {
      throw new AloomaCdktfError(
        AloomaErrorCode.CONFLICTING_PROPERTIES,
        `the terraform_data holds a ${type} input, which ${kind.typeName} does not manage`,
        'move it to the resource type of its input type',
      );
    }
    return {
      state: {
        [A.id]: '',
        [A.name]: name,
        ...(kind.apiType === undefined ? { [A.type]: type } : {}),
        [A.retainOnDelete]: input?.removal_policy === 'retain',
        ...extraConfiguration(kind, record(input?.configuration)),
      },
      private: movedMark(movedSecrets(input)),
    };
  };
}

/**
 * `resource` with {@link moveFromTerraformData} as its `move`, and a Read
 * that first finds the input of a state just moved (then reads as before).
 */
export function withMoveFromTerraformData(
  resource: Resource<AloomaProviderData>,
  kind: InputKind,
): Resource<AloomaProviderData> {
  return {
    ...resource,
    move: moveFromTerraformData(kind),
    async read(request, ctx) {
      const mark = readMovedMark(request.private);
      if (mark === undefined || request.state[A.id] !== '') return resource.read(request, ctx);
      const id = await movedInputId(request.state, ctx);
      const result = await resource.read(
        { state: { ...request.state, [A.id]: id }, private: Buffer.alloc(0) },
        ctx,
      );
      // the mark is spent: an empty private replaces it
      return result === null
        ? null
        : {
            ...result,
            state: withMovedSecretState(kind, result.state, mark.secrets),
            private: result.private ?? Buffer.alloc(0),
          };
    },
  };
}

/** The id of this owner's one live input of the moved state's name and type. */
async function movedInputId(
  state: ObjectValue,
  ctx: ResourceContext<AloomaProviderData>,
): Promise<string> {
  const data = ctx.provider;
  if (data === undefined) {
    throw new AloomaCdktfError(
      AloomaErrorCode.CONFIG,
      'the provider is not configured, so the moved input cannot be looked up',
      'run the plan again; report this if it persists',
    );
  }
  const name = state[A.name];
  const type = state[A.type];
  const ours = [...(await data.liveInputs()).values()].filter(
    (n) =>
      n.name === name &&
      (typeof type !== 'string' || n.type === type) &&
      readOwnershipMarker(n.configuration ?? {})?.owner === data.owner,
  );
  if (ours.length !== 1) {
    throw new AloomaCdktfError(
      ours.length === 0 ? AloomaErrorCode.INPUT_NOT_FOUND : AloomaErrorCode.AMBIGUOUS_INPUT_NAME,
      ours.length === 0
        ? `the input moved from terraform_data is not in Alooma under owner "${data.owner}"; nothing was changed`
        : `${ours.length} inputs of the moved input's name are owned by "${data.owner}" (ids ${ours.map((n) => n.id).join(', ')}); nothing was changed`,
      ours.length === 0
        ? 'check the provider owner (the old connection owner, by default the stack name); or drop the moved resource from state (terraform state rm) and let the provider create or import the input'
        : 'delete the duplicate in Alooma, or import the right id with an import {} block',
    );
  }
  ctx.log.info('moved from terraform_data', { id: ours[0].id });
  return ours[0].id;
}

/**
 * A dynamic attribute (`terraform_data`'s `input` and `triggers_replace`)
 * as state JSON stores it: `{"value": ..., "type": ...}`; a plain value is
 * taken as is.
 */
function dynamicValue(value: Value | undefined): unknown {
  const r = record(value);
  return r !== undefined && 'value' in r && 'type' in r ? r.value : value;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

const KINDS: ReadonlyMap<string, InputKind> = new Map(
  [databaseInputKind, restInputKind, s3InputKind, mixpanelInputKind, genericInputKind].map((k) => [
    k.typeName,
    k,
  ]),
);

/** Every input resource of `resources` with {@link withMoveFromTerraformData}; others as they are. */
export function withMovesFromTerraformData(
  resources: readonly Resource<AloomaProviderData>[],
): Resource<AloomaProviderData>[] {
  return resources.map((r) => {
    const kind = KINDS.get(r.typeName);
    return kind === undefined ? r : withMoveFromTerraformData(r, kind);
  });
}
