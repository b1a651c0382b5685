import { IResolvable, TerraformResource, TerraformStack } from './private/core';
import { Construct } from 'constructs';
import {
  InputSpec,
  isReferencePlaceholder,
  MARKER_FIELD,
  SecretRef,
  Subcommand,
} from '../runtime/protocol';
import { inputProblem } from '../alooma/input-check';
import * as errors from './errors';
import { AloomaConstructError } from './errors';
import { AloomaReconciler, IManagedInput } from './reconciler';
import { RemovalPolicy } from './removal-policy';
import { AloomaSecret } from './secret';
import {
  checkBoolean,
  checkCdkCore,
  checkJson,
  checkName,
  checkNoPlainSecrets,
  checkOneOf,
  checkRecord,
  checkString,
} from './private/checks';
import { CONNECTION_REFERENCES_KEY, createInputResource } from './private/engine';
import { extractReferences } from './private/references';
import {
  AloomaProviderResource,
  aloomaProviderOf,
  providerAttributes,
  providerKindOf,
} from './private/provider-engine';
import {
  connectionOf,
  engineOf,
  otherInputsNamed,
  registerDefaultEngineUse,
  registerInputName,
} from './private/registry';
import { COMMON_INPUT_PROPS } from '../alooma/input-props';

/** Properties every input construct has. */
export interface AloomaInputCommonProps {
  /**
   * Name of the input in Alooma, unique within the app (checked at synth).
   * Alooma itself allows several inputs of one name: the runtime finds the
   * one this stack manages by its ownership marker (the only unmarked input
   * of the name is adopted; an input another stack owns, or several unmarked
   * ones, are a conflict left alone). With the provisioner engines
   * (`terraform_data`, `null_resource`) renaming creates the new input and
   * deletes the old one; with engine `provider` a rename is an in-place
   * update of the same input (same id, tables kept).
   * 1 to 200 characters, no control characters, no surrounding spaces.
   */
  readonly name: string;
  /**
   * Whether Alooma maps new event types to tables automatically (`auto_map`).
   * May be a Terraform reference (`variable.booleanValue`).
   *
   * @default true
   */
  readonly autoMap?: boolean | IResolvable;
  /**
   * Target schema of the input's tables (`input_default_schema`).
   *
   * @default - not managed: Alooma's choice stays
   */
  readonly defaultSchema?: string;
  /**
   * Whether the input is paused (pulls no data). Pausing or resuming is an
   * in-place update. May be a Terraform reference (`variable.booleanValue`).
   *
   * @default false
   */
  readonly paused?: boolean | IResolvable;
  /**
   * What removing the input from the code, or destroying the stack, does to
   * the input in Alooma.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** What an input renders, at synth time. */
export interface RenderedInput {
  /** Non-secret configuration in the manifest's shape (ODBC `tables` as an object). */
  readonly configuration: Readonly<Record<string, unknown>>;
  /** Secrets by path: `password`, `parameters.<name>.value`. */
  readonly secrets: Readonly<Record<string, AloomaSecret>>;
}

/**
 * Base of the input constructs: the name rule, the per-input Terraform
 * resource, registration with the stack's reconciler and the duplicate-name
 * check. Subclasses render their configuration.
 */
export abstract class AloomaInputBase extends Construct implements IManagedInput {
  /** Name of the input in Alooma. */
  public readonly inputName: string;
  /** Alooma input type, e.g. `ODBC`. */
  public readonly inputType: string;
  /** What removal does to the input in Alooma. */
  public readonly removalPolicy: RemovalPolicy;
  /** Desired paused state. */
  public readonly paused: boolean;
  /**
   * The per-input Terraform resource, an escape hatch for overrides. Its
   * type depends on the stack's engine. With the default engine, the
   * provider, it is the provider's resource (`alooma_database_input`,
   * `alooma_rest_input`, `alooma_s3_input`, `alooma_mixpanel_input` or
   * `alooma_input`, whose attributes are the provider schema's). Before the
   * provider became the default it was a `terraform_data` (the input in its
   * `input`), which it still is with engine `terraform_data`, and a
   * `null_resource` (the input in its `triggers`) with engine
   * `null_resource`. An override written for one engine does not fit
   * another: an override written for the old default needs
   * `engine: 'terraform_data'` on the AloomaConnection, or rewriting against
   * the provider's attributes.
   */
  public readonly resource: TerraformResource;

  private readonly autoMap: boolean;
  private importedFrom?: string;
  private readonly defaultSchema?: string;

  protected constructor(scope: Construct, id: string, type: string, props: AloomaInputCommonProps) {
    super(scope, id);
    checkCdkCore(this);
    if (props === null || typeof props !== 'object')
      throw errors.invalidProperty(this, 'props', props, 'an object');
    this.inputName = checkName(this, 'props.name', props.name);
    this.inputType = type;
    this.autoMap =
      props.autoMap === undefined ? true : checkBoolean(this, 'props.autoMap', props.autoMap);
    this.defaultSchema =
      props.defaultSchema === undefined
        ? undefined
        : checkString(this, 'props.defaultSchema', props.defaultSchema);
    this.paused =
      props.paused === undefined ? false : checkBoolean(this, 'props.paused', props.paused);
    this.removalPolicy =
      props.removalPolicy === undefined
        ? RemovalPolicy.DESTROY
        : checkOneOf(this, 'props.removalPolicy', props.removalPolicy, [
            RemovalPolicy.DESTROY,
            RemovalPolicy.RETAIN,
          ]);

    const stack = TerraformStack.of(this);
    if (engineOf(stack) === 'provider') {
      if (connectionOf(stack) === undefined) registerDefaultEngineUse(stack, this);
      this.resource = this.createProviderResource();
    } else {
      const reconciler = AloomaReconciler.of(this);
      this.resource = createInputResource(this, 'Default', reconciler.engine, {
        identity: () => ({ name: this.inputName, type: this.inputType }),
        input: () => this.terraformInput(),
        destroyCommand:
          this.removalPolicy === RemovalPolicy.RETAIN
            ? undefined
            : reconciler.command(Subcommand.DELETE),
        provider: reconciler.resource.provider,
      });
      reconciler.registerInput(this);
    }
    registerInputName(this, this.inputName);
    this.node.addValidation({ validate: () => this.validateUniqueName() });
    this.node.addValidation({ validate: () => this.validateApiRules() });
  }

  /**
   * Adopts the existing Alooma input `id` (its id, or its name where no other
   * input carries it) with an `import {}` block on the provider resource
   * (Terraform 1.5+; the Alooma provider needs 1.11): the next
   * `cdktf deploy` takes it into state without writing to Alooma, and plans
   * only what differs from these props. The provider refuses a system input,
   * an input of another kind and one another owner manages (`conflict`).
   * Once the input is in state the block changes nothing and may stay.
   * `alooma-cdktf import` writes this call for you.
   *
   * Engine `provider` only: the provisioner engines (`terraform_data`,
   * `null_resource`) adopt an input by its name and the stack's ownership
   * marker on the first deploy, with no import, so there it throws rather
   * than do nothing (the id would be silently ignored).
   */
  public importFrom(id: string): void {
    if (typeof id !== 'string' || id.trim() === '')
      throw errors.invalidProperty(this, 'importFrom(id)', id, 'the id or name of a live input');
    if (!(this.resource instanceof AloomaProviderResource)) {
      throw new AloomaConstructError(
        errors.AloomaErrorCode.CONFLICTING_PROPERTIES,
        this.node.path,
        'importFrom() needs engine "provider"; this stack\'s engine adopts an existing input by its name and ownership marker on the first deploy',
        'Remove the importFrom() call (the input of this name is adopted without it), or set engine: "provider" on the AloomaConnection',
      );
    }
    this.resource.importFrom(id);
    this.importedFrom = id;
  }

  /** The id (or name) given to {@link importFrom}, if it was called. */
  public get importId(): string | undefined {
    return this.importedFrom;
  }

  /** The input as the manifest records it. */
  public toInputSpec(): InputSpec {
    const { configuration, secrets } = this.render();
    const refs: Record<string, SecretRef> = {};
    for (const [path, secret] of Object.entries(secrets))
      refs[path] = secret.toSecretRef(this.inputName, path);
    return {
      name: this.inputName,
      type: this.inputType,
      configuration,
      ...(Object.keys(refs).length > 0 ? { secrets: refs } : {}),
      paused: this.paused,
      removalPolicy: this.removalPolicy,
      constructPath: this.node.path,
    };
  }

  /**
   * The planned state of the input (the `input` of its Terraform resource):
   * non-secret configuration, paused state, removal policy and the secret
   * references (variable names and versions, never values). Identity (name,
   * type) is not part of it: it is in the replace-triggers.
   */
  public terraformInput(): Record<string, unknown> {
    const { configuration, secrets: bySecretPath } = this.render();
    const secrets: Record<string, unknown> = {};
    for (const [path, secret] of Object.entries(bySecretPath)) {
      const ref = secret.toSecretRef(this.inputName, path);
      // No hash of the value here: `input` is copied to `output`, which Terraform prints in
      // clear on later plans. The reconciler's triggers carry it (shown as sensitive).
      secrets[path] = secret.fromTerraform
        ? {
            from: secret.ephemeral ? 'ephemeral' : 'terraform',
            ...(ref.version === undefined ? {} : { version: ref.version }),
          }
        : ref;
    }
    const connectionReferences = AloomaReconciler.of(this).connectionReferences();
    return {
      ...(Object.keys(connectionReferences).length === 0
        ? {}
        : { [CONNECTION_REFERENCES_KEY]: connectionReferences }),
      configuration: this.planConfiguration(configuration),
      paused: this.paused,
      removal_policy: this.removalPolicy,
      ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
    };
  }

  /**
   * The secrets that Terraform supplies ({@link AloomaSecret.fromTerraform}),
   * with the variable the stack hands each to the runtime through.
   */
  public terraformSecrets(): Array<{
    readonly env: string;
    readonly path: string;
    readonly secret: AloomaSecret;
  }> {
    return Object.entries(this.render().secrets)
      .filter(([, secret]) => secret.fromTerraform)
      .map(([path, secret]) => ({
        env: secret.toSecretRef(this.inputName, path).env,
        path,
        secret,
      }));
  }

  /**
   * The attributes of the input's provider resource (engine `provider`),
   * named by the provider's schema.
   */
  public providerAttributes(): Record<string, unknown> {
    const { configuration, secrets } = this.render();
    return providerAttributes(this, providerKindOf(this.inputType), {
      inputName: this.inputName,
      inputType: this.inputType,
      paused: this.paused,
      removalPolicy: this.removalPolicy,
      configuration,
      secrets,
    });
  }

  /**
   * The provider resource, with a `moved` block from the `terraform_data`
   * this input had under the `terraform_data` engine, the default before the
   * provider (same construct path, so the
   * same logical id): a stack switched to `provider` carries each input over
   * (the provider's MoveResourceState finds it by name and owner) instead of
   * creating it again. A `moved` block whose source is not in state does
   * nothing.
   */
  private createProviderResource(): TerraformResource {
    const kind = providerKindOf(this.inputType);
    const resource = new AloomaProviderResource(
      this,
      'Default',
      kind.typeName,
      aloomaProviderOf(this),
      () => this.providerAttributes(),
    );
    resource.moveFromId(`terraform_data.${resource.friendlyUniqueId}`);
    // What the schema cannot hold is reported with the other validation problems.
    this.node.addValidation({
      validate: () => {
        try {
          this.providerAttributes();
          return [];
        } catch (e) {
          if (e instanceof AloomaConstructError) return [e.message];
          throw e;
        }
      },
    });
    return resource;
  }

  /** Renders the type-specific configuration and secrets. */
  protected abstract renderInput(): RenderedInput;

  /**
   * The configuration as the plan shows it; by default the manifest's.
   * Lists whose items have an identity are better shown as maps.
   */
  protected planConfiguration(
    configuration: Readonly<Record<string, unknown>>,
  ): Readonly<Record<string, unknown>> {
    return configuration;
  }

  /**
   * Checks a free-form configuration (`AloomaInput.configuration`, the typed
   * inputs' `extraConfiguration`): plain JSON known at synth time, no key the
   * typed props or the runtime manage, no plain secrets. Returns a copy
   * (`{}` when the prop is not given).
   */
  protected checkConfiguration(
    field: string,
    value: unknown,
    typedKeys: readonly string[],
  ): Record<string, unknown> {
    if (value === undefined) return {};
    const configuration = checkJson(this, field, checkRecord(this, field, value)) as Record<
      string,
      unknown
    >;
    for (const key of Object.keys(configuration)) {
      if (key === MARKER_FIELD) {
        throw errors.reservedField(
          this,
          key,
          'the runtime records the owning stack and secret versions there',
        );
      }
      const commonProp = commonPropOf(key);
      if (commonProp !== undefined) {
        throw errors.conflictingProperties(
          this,
          `${field} sets ${JSON.stringify(key)}, which props.${commonProp} manages`,
          `Use props.${commonProp} instead`,
        );
      }
      if (typedKeys.includes(key)) {
        throw errors.conflictingProperties(
          this,
          `${field} sets ${JSON.stringify(key)}, which a typed property of ${this.constructor.name} manages`,
          'Use the typed property instead',
        );
      }
    }
    checkNoPlainSecrets(this, field, configuration);
    return configuration;
  }

  private render(): RenderedInput {
    const { configuration, secrets } = this.renderInput();
    return {
      configuration: {
        ...configuration,
        [COMMON_INPUT_PROPS.autoMap]: this.autoMap,
        ...(this.defaultSchema === undefined
          ? {}
          : { [COMMON_INPUT_PROPS.defaultSchema]: this.defaultSchema }),
      },
      secrets,
    };
  }

  /**
   * Problems the API would refuse the whole input for, with the rules the
   * runtime and the emulator apply too. Field checks of the props catch most
   * at once; this sees what only the rendered input shows (required fields of
   * a free-form configuration, tables added later).
   */
  protected apiRuleProblem(): AloomaConstructError | undefined {
    // References are checked by the runtime once resolved; here they only count as present.
    const spec = extractReferences(this.toInputSpec(), this.inputName, {}) as InputSpec;
    const problem = inputProblem(
      { ...spec, secretPaths: Object.keys(spec.secrets ?? {}) },
      { isUnknown: isReferencePlaceholder },
    );
    return problem ? errors.refusedByApiRules(this, problem) : undefined;
  }

  private validateApiRules(): string[] {
    const problem = this.apiRuleProblem();
    return problem ? [problem.message] : [];
  }

  private validateUniqueName(): string[] {
    const others = otherInputsNamed(this, this.inputName);
    return others.length === 0
      ? []
      : [
          errors.duplicateInputName(
            this,
            this.inputName,
            others.map((o) => o.node.path),
          ).message,
        ];
  }
}

/** The common prop that manages an API field, if any (`auto_map` -> `autoMap`). */
function commonPropOf(field: string): keyof typeof COMMON_INPUT_PROPS | undefined {
  return (Object.keys(COMMON_INPUT_PROPS) as (keyof typeof COMMON_INPUT_PROPS)[]).find(
    (prop) => COMMON_INPUT_PROPS[prop] === field,
  );
}
