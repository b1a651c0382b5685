/**
 * The `provider` engine: every input is a resource of the Alooma provider
 * (`alooma_database_input`, `alooma_rest_input`, `alooma_s3_input`,
 * `alooma_mixpanel_input`, `alooma_input`), the stack declares the provider
 * (`provider "alooma"`, `required_providers`, `required_version >= 1.11`)
 * and its synthesis installs the provider next to `cdk.tf.json` (the synth
 * hook of src/provider/install), so `cdktf diff/deploy/destroy` run offline
 * with no CLI configuration. There is no reconciler and no runtime asset:
 * Terraform's own plan, refresh and apply do the work.
 *
 * The attribute names come from the provider's schema
 * (src/provider/resources: each kind's `fields`, `secrets`, the common
 * attributes and the parameter attributes), never from a copy here: the
 * construct renders its input in the API's shape (the manifest's), and this
 * module maps each API field to the attribute the kind declares for it.
 * The provider's modules are loaded on first use, so stacks of the other
 * engines never load the provider's code (gRPC and all).
 */
import {
  Fn,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  anyToHclTerraform,
  anyToTerraform,
  hashMapper,
  hashMapperHcl,
} from './core';
import { IConstruct, Node } from 'constructs';
import type * as ProviderModule from '../../provider/provider';
import type * as ResourcesModule from '../../provider/resources';
import type * as FieldsModule from '../../provider/resources/fields';
import type { InputKind } from '../../provider/resources';
import {
  PROVIDER_SOURCE,
  PROVIDER_TYPE,
  installProviderOnSynth,
  packageVersion,
  providerRequirement,
} from '../../provider/install';
import { DEFAULT_SECRET_VERSION, parameterSecretPath } from '../../alooma/secret-fields';
import * as errors from '../errors';
import { RemovalPolicy } from '../removal-policy';
import type { AloomaSecret } from '../secret';
import { escapeTemplates } from './render';
import { containsReference, escapeForHcl, isReference } from './references';
import { registerProviderLiveReport } from './live-diff';
import { connectionOf } from './registry';
import { TerraformVersionCheck } from './terraform-data';

/** Oldest Terraform the provider runs on: write-only attributes arrived in 1.11. */
export const PROVIDER_MINIMUM_TERRAFORM: readonly [number, number, number] = [1, 11, 0];

/** `required_version` of a stack of the provider engine. */
export const PROVIDER_REQUIRED_VERSION = '>= 1.11';

/** Construct id of the stack's provider block. */
export const PROVIDER_ID = 'AloomaProvider';

/** The provider's modules, loaded once, on first use. */
interface ProviderSchema {
  readonly resources: typeof ResourcesModule;
  readonly provider: typeof ProviderModule;
  readonly fields: typeof FieldsModule;
}

let loaded: ProviderSchema | undefined;

function providerSchema(): ProviderSchema {
  if (loaded === undefined) {
    loaded = {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      resources: require('../../provider/resources') as typeof ResourcesModule,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      provider: require('../../provider/provider') as typeof ProviderModule,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      fields: require('../../provider/resources/fields') as typeof FieldsModule,
    };
  }
  return loaded;
}

/** The kind (schema and field mapping) of the resource that holds an input of `type`. */
export function providerKindOf(type: string): InputKind {
  const { resources } = providerSchema();
  const kinds = [
    resources.databaseInputKind,
    resources.restInputKind,
    resources.s3InputKind,
    resources.mixpanelInputKind,
  ];
  return kinds.find((k) => k.apiType === type) ?? resources.genericInputKind;
}

/** The `alooma` provider block of a stack. */
class AloomaTerraformProvider extends TerraformProvider {
  constructor(
    scope: TerraformStack,
    id: string,
    version: string,
    private readonly attributes: () => Record<string, unknown>,
  ) {
    super(scope, id, {
      terraformResourceType: PROVIDER_TYPE,
      terraformProviderSource: PROVIDER_SOURCE,
      terraformGeneratorMetadata: {
        providerName: PROVIDER_TYPE,
        providerVersionConstraint: providerRequirement(version).version,
      },
    });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return this.attributes();
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return hashMapperHcl(anyToHclTerraform)(this.attributes()) as { [name: string]: unknown };
  }
}

/** A resource of the Alooma provider whose attributes are rendered at synth time. */
export class AloomaProviderResource extends TerraformResource {
  constructor(
    scope: IConstruct & { node: Node },
    id: string,
    typeName: string,
    provider: TerraformProvider,
    private readonly render: () => Record<string, unknown>,
  ) {
    super(scope as never, id, {
      terraformResourceType: typeName,
      terraformGeneratorMetadata: { providerName: PROVIDER_TYPE },
      provider,
    });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return hashMapper(anyToTerraform)(this.render()) as { [name: string]: unknown };
  }

  protected synthesizeHclAttributes(): { [name: string]: unknown } {
    return hashMapperHcl(anyToHclTerraform)(this.render()) as { [name: string]: unknown };
  }
}

const providers = new WeakMap<TerraformStack, TerraformProvider>();

/**
 * The stack's `alooma` provider block, declared on first use with
 * `required_version`, the synth hook that installs the provider, the
 * Terraform version check and the `removed` block that forgets the
 * reconciler of the provisioner engine (see {@link forgetReconciler}).
 */
export function aloomaProviderOf(scope: IConstruct): TerraformProvider {
  const stack = TerraformStack.of(scope);
  let provider = providers.get(stack);
  if (provider !== undefined) return provider;
  const P = providerSchema().provider.PROVIDER_ATTRIBUTES;
  provider = new AloomaTerraformProvider(stack, PROVIDER_ID, packageVersion(), () => {
    const connection = connectionOf(stack);
    const spec = connection?.spec ?? {};
    const apiKey = connection?.terraformApiKey;
    return escapeTemplates({
      ...(spec.apiUrl === undefined ? {} : { [P.apiUrl]: spec.apiUrl }),
      ...(spec.account === undefined ? {} : { [P.account]: spec.account }),
      ...(apiKey === undefined ? {} : { [P.apiKey]: apiKey.terraformValue }),
      // variables of other names than the runtime's defaults (the spec names only those)
      ...(spec.apiKeyEnv === undefined || spec.apiKeyFromTerraform === true
        ? {}
        : { [P.apiKeyEnv]: spec.apiKeyEnv }),
      ...(spec.usernameEnv === undefined ? {} : { [P.usernameEnv]: spec.usernameEnv }),
      ...(spec.passwordEnv === undefined ? {} : { [P.passwordEnv]: spec.passwordEnv }),
      [P.owner]: connection?.owner ?? stack.node.id,
      ...(connection?.concurrency === undefined ? {} : { [P.concurrency]: connection.concurrency }),
    }) as Record<string, unknown>;
  });
  providers.set(stack, provider);
  stack.addOverride('terraform.required_version', PROVIDER_REQUIRED_VERSION);
  forgetReconciler(stack);
  installProviderOnSynth(stack);
  // the synth-time live report: what Terraform's refresh cannot show
  registerProviderLiveReport(provider, {
    providerSource: PROVIDER_SOURCE,
    providerType: PROVIDER_TYPE,
    attributes: providerSchema().resources.COMMON_ATTRIBUTES,
  });
  provider.node.addValidation(
    new TerraformVersionCheck(provider, {
      minimum: PROVIDER_MINIMUM_TERRAFORM,
      feature: 'write-only attributes, which the Alooma provider uses',
      fix: "Install Terraform 1.11 or newer where cdktf runs Terraform (or set TERRAFORM_BINARY_NAME), or set engine: 'terraform_data' on the stack's AloomaConnection, declared before its inputs (Terraform 1.4+)",
    }),
  );
  return provider;
}

/**
 * A stack that moves from the `terraform_data` engine has its reconciler
 * (`terraform_data.<AloomaReconciler>`) in state. Removing that block from
 * the configuration would plan a destroy of it; Terraform runs no
 * destroy-time provisioner of a block that is gone, so its prune would not
 * run anyway, but a `removed` block with `destroy = false` says what
 * happens: Terraform forgets it, nothing is deleted and the plan shows no
 * destroy. A `removed` block whose resource is not in state does nothing.
 */
function forgetReconciler(stack: TerraformStack): void {
  // The address the provisioner engine gave its reconciler: `<stack>/AloomaReconciler/Default`.
  const id = stack.getLogicalId({
    scopes: [stack, { node: { id: 'AloomaReconciler' } }, { node: { id: 'Default' } }],
  } as unknown as Node);
  stack.addOverride('removed', [{ from: `terraform_data.${id}`, lifecycle: { destroy: false } }]);
}

/** What an input construct gives the provider engine to render. */
export interface ProviderInputSource {
  /** Alooma input type. */
  readonly inputType: string;
  /** Name of the input in Alooma. */
  readonly inputName: string;
  readonly paused: unknown;
  readonly removalPolicy: RemovalPolicy;
  /** Non-secret configuration in the API's shape, auto_map and input_default_schema included. */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** Secrets by path (`password`, `parameters.<name>.value`). */
  readonly secrets: Readonly<Record<string, AloomaSecret>>;
}

/**
 * The attributes of an input's provider resource: each API field at the
 * attribute the kind declares for it, the fields without one in the JSON
 * text of `configuration` (generic) or `extra_configuration` (typed), each
 * secret at its write-only attribute (or its `_env` variable name), a
 * secret of the free-form configuration in the generic resource's maps
 * keyed by configuration key. Throws a construct error for a secret the
 * kind has no attribute for (the typed constructs give none).
 */
export function providerAttributes(
  scope: IConstruct,
  kind: InputKind,
  input: ProviderInputSource,
): Record<string, unknown> {
  const { resources } = providerSchema();
  const A = resources.COMMON_ATTRIBUTES;
  const out: Record<string, unknown> = {
    [A.name]: input.inputName,
    ...(kind.apiType === undefined ? { [A.type]: input.inputType } : {}),
    [A.paused]: input.paused,
    [A.retainOnDelete]: input.removalPolicy === RemovalPolicy.RETAIN,
  };
  for (const [key, value] of Object.entries(input.configuration)) {
    if (value === undefined) continue;
    const field = resources.fieldOfApiKey(kind, key);
    if (field) out[field.attribute] = attributeValue(field.codec, value);
    else if (key === 'parameters' && kind.parameters)
      out[A.parameters] = parametersAttribute(value, input.secrets);
  }
  // fields no attribute of their own holds: the generic `configuration`, a typed kind's `extra_configuration`
  const rest = resources.unattributedConfiguration(kind, input.configuration);
  if (Object.keys(rest).length > 0)
    out[kind.openConfiguration ? A.configuration : A.extraConfiguration] = jsonText(rest);
  const S = providerSchema().fields.SECRET_MAP_ATTRIBUTES;
  const secretMap: Record<
    typeof S.values | typeof S.env | typeof S.version,
    Record<string, unknown>
  > = { [S.values]: {}, [S.env]: {}, [S.version]: {} };
  for (const [path, secret] of Object.entries(input.secrets)) {
    if (kind.parameters && parameterPathName(path) !== undefined) continue;
    const field = kind.secrets.find((s) => s.api === path);
    if (field !== undefined) {
      Object.assign(out, secretAttributes(secret, field.attribute, field.envAttribute));
      out[field.versionAttribute] = secret.version ?? DEFAULT_SECRET_VERSION;
    } else if (kind.secretMap) {
      // a secret at a key of the free-form configuration: the maps keyed by that key
      Object.assign(secretMap[secret.terraformValue === undefined ? S.env : S.values], {
        [path]: secret.terraformValue ?? secret.envName,
      });
      secretMap[S.version][path] = secret.version ?? DEFAULT_SECRET_VERSION;
    } else {
      throw errors.notOnProviderEngine(
        scope,
        `the ${kind.typeName} resource has no write-only attribute for the secret at ${JSON.stringify(path)}`,
        'Declare the secret with the prop of its own (password, secretAccessKey, ...)',
      );
    }
  }
  for (const [attribute, map] of Object.entries(secretMap))
    if (Object.keys(map).length > 0) out[attribute] = map;
  return escapeTemplates(out) as Record<string, unknown>;
}

/**
 * A secret's attributes: the write-only attribute set to the Terraform
 * expression (`fromTerraform`), or the `_env` attribute set to the
 * variable's name (`fromEnv`: the provider checks it at plan and reads it at
 * apply, only when it writes the secret; the value is never in cdk.tf.json).
 */
function secretAttributes(
  secret: AloomaSecret,
  attribute: string,
  envAttribute: string,
): Record<string, string> {
  return secret.terraformValue === undefined
    ? { [envAttribute]: secret.envName }
    : { [attribute]: secret.terraformValue };
}

/** A configuration value as the attribute of `codec` holds it. */
function attributeValue(codec: string, value: unknown): unknown {
  switch (codec) {
    case 'json_text':
      return typeof value === 'string' ? value : jsonText(value);
    case 'json_value':
      return jsonText(value);
    case 'json_map':
      return isReference(value) ? value : stringMap(value);
    default:
      return value;
  }
}

/** JSON text of a value; with Terraform references inside, `jsonencode(...)` so Terraform builds it. */
function jsonText(value: unknown): string {
  return containsReference(value)
    ? (Fn.jsonencode(escapeForHcl(value)) as string)
    : JSON.stringify(value);
}

/** A map(string): values that are not strings become their JSON text (a reference stays itself). */
function stringMap(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    out[k] = typeof v === 'string' || isReference(v) ? v : JSON.stringify(v);
  return out;
}

/** The parameter name of a secret path `parameters.<name>.value`, else undefined. */
function parameterPathName(path: string): string | undefined {
  const prefix = parameterSecretPath('\u0000').split('\u0000');
  if (!path.startsWith(prefix[0]) || !path.endsWith(prefix[1])) return undefined;
  return path.slice(prefix[0].length, path.length - prefix[1].length);
}

/** REST parameters (the API's list) as the map keyed by name the provider's schema declares. */
function parametersAttribute(
  value: unknown,
  secrets: Readonly<Record<string, AloomaSecret>>,
): unknown {
  if (!Array.isArray(value)) return value;
  const P = providerSchema().fields.PARAMETER_ATTRIBUTES;
  const out: Record<string, unknown> = {};
  for (const p of value as Array<Record<string, unknown>>) {
    const name = p.parameter as string;
    const path = parameterSecretPath(name);
    const secret = secrets[path];
    out[name] = {
      [P.type]: p.type,
      ...(secret === undefined
        ? {
            [P.value]:
              typeof p.value === 'string' || isReference(p.value) || p.value === undefined
                ? p.value
                : JSON.stringify(p.value),
          }
        : {
            ...secretAttributes(secret, P.secretValue, P.secretValueEnv),
            [P.secretValueVersion]: secret.version ?? DEFAULT_SECRET_VERSION,
          }),
      ...(p.template === undefined ? {} : { [P.template]: p.template }),
    };
  }
  return out;
}
