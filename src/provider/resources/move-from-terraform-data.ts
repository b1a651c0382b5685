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
import type { ObjectValue, Resource, ResourceContext, StateResult, Value } from '../framework';
import { databaseInputKind } from './database-input';
import { genericInputKind } from './input';
import { COMMON_ATTRIBUTES, type InputKind } from './input-resource';
import { mixpanelInputKind } from './mixpanel-input';
import { restInputKind } from './rest-input';
import { s3InputKind } from './s3-input';
import type { AloomaProviderData } from './provider-data';

/** The source type this move takes over. */
export const TERRAFORM_DATA_TYPE = 'terraform_data';

/** Terraform's built-in provider, which serves `terraform_data`. */
export const BUILTIN_TERRAFORM_PROVIDER = 'terraform.io/builtin/terraform';

/** The private mark of a moved state whose input the next Read looks up. */
const MOVED_MARK = Buffer.from(JSON.stringify({ moved_from: TERRAFORM_DATA_TYPE }));

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
      },
      private: MOVED_MARK,
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
      if (!request.private.equals(MOVED_MARK) || request.state[A.id] !== '')
        return resource.read(request, ctx);
      const id = await movedInputId(request.state, ctx);
      const result = await resource.read(
        { state: { ...request.state, [A.id]: id }, private: Buffer.alloc(0) },
        ctx,
      );
      // the mark is spent: an empty private replaces it
      return result === null ? null : { ...result, private: result.private ?? Buffer.alloc(0) };
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
