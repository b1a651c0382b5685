/**
 * The two engines a stack can synthesize to. Both give the same guarantees
 * (docs/ARCHITECTURE.md, "The resource model"): identity in replace-triggers, a destroy-time
 * provisioner that finds its input name through `self`, a reconciler that
 * applies the whole manifest and prunes what the previous apply managed.
 *
 * - `terraform_data` (built in, default): nested values, so a configuration
 *   change is an in-place update of `input`.
 * - `null_resource` (@cdktf/provider-null): triggers are a map of strings, so
 *   nested values go in as JSON and any change is a replacement; with
 *   create_before_destroy no destroy provisioner runs for the replaced
 *   object, so a replacement never deletes the input.
 */
import {
  CDK_CORE,
  Fn,
  Lazy,
  LocalExecProvisioner,
  TerraformProvider,
  TerraformResource,
  Token,
} from './core';
import { Construct, IConstruct } from 'constructs';
import type * as NullProviderModule from '@cdktf/provider-null';
import { EnvVar } from '../../runtime/protocol';
import * as errors from '../errors';
import { escapeTemplate, escapeTemplates, stableJson } from './render';
import { containsReference, escapeForHcl } from './references';
import { TerraformData } from './terraform-data';

/**
 * What the stack synthesizes to.
 * - `terraform_data`: Terraform's built-in resource; needs no provider, so it
 *   works offline; configuration changes are in-place updates.
 * - `null_resource`: from `@cdktf/provider-null` (install it); its triggers
 *   are strings, so configuration is shown as JSON and a change is a
 *   (harmless) replacement.
 * - `provider`: the Alooma Terraform provider (shipped with this package and
 *   installed next to the stack at synth): one `alooma_*` resource per input,
 *   Terraform's own plan, refresh, drift and import; needs Terraform 1.11
 *   and `node` where Terraform runs. See private/provider-engine.ts.
 */
export type AloomaEngine = 'terraform_data' | 'null_resource' | 'provider';

/** The engines of the provisioner model (a reconciler resource and per-input `terraform_data`/`null_resource`). */
export type ProvisionerEngine = Exclude<AloomaEngine, 'provider'>;

/** Every {@link AloomaEngine}, for validating `engine` props. */
export const ENGINES: readonly AloomaEngine[] = ['terraform_data', 'null_resource', 'provider'];

/** What an input's resource is made of. */
export interface InputResourceSpec {
  /** Identity: a change replaces the resource. Called at synth time. */
  readonly identity: () => { readonly name: string; readonly type: string };
  /** Desired non-secret state: a change updates the resource. Called at synth time. */
  readonly input: () => Readonly<Record<string, unknown>>;
  /** Command of the destroy-time provisioner; none (RETAIN) when undefined. */
  readonly destroyCommand?: string;
  /** Provider of a `null_resource`. */
  readonly provider?: TerraformProvider;
}

/** What the stack's reconciler resource is made of. */
export interface ReconcilerResourceSpec {
  /** SHA-256 of the manifest. Called at synth time. */
  readonly digest: () => string;
  /** Names the stack may delete (not RETAIN), sorted. Called at synth time. */
  readonly names: () => readonly string[];
  /** Drift token of the synth-time live diff; undefined when it did not run. Called at synth time. */
  readonly drift: () => string | undefined;
  /**
   * Expressions of the connection's Terraform references (URL, account), by
   * placeholder id: kept apart because prune, a destroy-time step, needs them
   * and nothing else. Called at synth time.
   */
  readonly connectionReferences: () => Readonly<Record<string, unknown>>;
  /**
   * Expressions of the inputs' Terraform references, by placeholder id.
   * They go into the triggers (a changed value re-applies) and from there,
   * through `self`, into the provisioners' environment. Called at synth time.
   */
  readonly references: () => Readonly<Record<string, unknown>>;
  /**
   * Secrets Terraform supplies: variable name -> expression and whether it is
   * ephemeral. Their values go to the apply provisioner's environment only;
   * a SHA-256 of each sensitive one goes into the triggers (a changed value
   * re-applies). Called at synth time.
   */
  readonly secrets: () => ReadonlyArray<{
    readonly env: string;
    /** `<input>/<path>`: how the plan names the secret. */
    readonly label: string;
    readonly value: string;
    readonly ephemeral: boolean;
  }>;
  /** Command of the create-time provisioner. */
  readonly applyCommand: string;
  /**
   * Command that prints the report the apply wrote and fails when the apply
   * failed (used when the apply provisioner's output is suppressed).
   */
  readonly reportCommand: string;
  /** Command of the destroy-time provisioner. */
  readonly pruneCommand: string;
  /** Provider of a `null_resource`. */
  readonly provider?: TerraformProvider;
}

/** Key, in a per-input resource's `input`, of the connection's references (see {@link inputDestroyProvisioners}). */
export const CONNECTION_REFERENCES_KEY = 'connection_references';

/** The resource's own triggers map, as a provisioner may reference it (`self` only). */
function selfTriggers(engine: AloomaEngine): string {
  return engine === 'terraform_data' ? 'self.triggers_replace' : 'self.triggers';
}

/**
 * The per-input destroy provisioner when the connection takes its URL or
 * account from Terraform: a destroy-time provisioner may reference only
 * `self`, so the values come from the resource's own `input`.
 */
export function inputDestroyProvisioners(
  engine: AloomaEngine,
  destroyCommand: string,
): LocalExecProvisioner[] {
  const name = `\${${selfTriggers(engine)}.name}`;
  // try(): a resource created before the connection used references has none in its state.
  const references =
    engine === 'terraform_data'
      ? `\${jsonencode(try(self.input.${CONNECTION_REFERENCES_KEY}, {}))}`
      : `\${jsonencode(try(jsondecode(self.triggers.input).${CONNECTION_REFERENCES_KEY}, {}))}`;
  return [
    {
      type: 'local-exec',
      when: 'destroy',
      command: destroyCommand,
      environment: { [EnvVar.INPUT_NAME]: name, [EnvVar.REFERENCES]: references },
    },
  ];
}

/** Creates the per-input resource. */
export function createInputResource(
  scope: Construct,
  id: string,
  engine: AloomaEngine,
  spec: InputResourceSpec,
): TerraformResource {
  const lifecycle = { createBeforeDestroy: true };
  if (engine === 'terraform_data') {
    const provisioners = spec.destroyCommand
      ? [
          {
            type: 'local-exec' as const,
            when: 'destroy' as const,
            command: spec.destroyCommand,
            environment: { [EnvVar.INPUT_NAME]: '${self.triggers_replace.name}' },
          },
        ]
      : undefined;
    return new TerraformData(
      scope,
      id,
      () => ({
        triggers_replace: escapeTemplates(spec.identity()) as Record<string, unknown>,
        input: escapeTemplates(spec.input()) as Record<string, unknown>,
      }),
      { lifecycle, provisioners },
    );
  }
  const { resource } = loadNullProvider(scope);
  return new resource.Resource(scope, id, {
    provider: spec.provider,
    lifecycle,
    triggers: Token.asStringMap(
      Lazy.anyValue({
        produce: () => {
          const { name, type } = spec.identity();
          const input = spec.input();
          return {
            name: escapeTemplate(name),
            type: escapeTemplate(type),
            // With references the JSON is built by Terraform, which knows their values.
            input: containsReference(input)
              ? Fn.jsonencode(escapeForHcl(input))
              : escapeTemplate(stableJson(input).trimEnd()),
          };
        },
      }),
    ),
    provisioners: spec.destroyCommand
      ? [
          {
            type: 'local-exec',
            when: 'destroy',
            command: spec.destroyCommand,
            environment: { [EnvVar.INPUT_NAME]: '${self.triggers.name}' },
          },
        ]
      : undefined,
  });
}

/**
 * Adds the drift token when the live diff ran, and the references when there
 * are any (a stack without them synthesizes as it always did).
 */
function withDriftAndReferences<T extends Record<string, unknown>>(
  spec: ReconcilerResourceSpec,
  triggers: T,
  engine: AloomaEngine,
): T & { drift?: string; references?: unknown } {
  const drift = spec.drift();
  const secretHashes: Record<string, string> = {};
  for (const secret of spec.secrets()) {
    // sensitive(): a value that Terraform does not mark sensitive must not show its hash either.
    if (!secret.ephemeral) secretHashes[secret.label] = Fn.sensitive(Fn.sha256(secret.value));
  }
  // Keys are ids made of input names: escaped like names; values are expressions.
  const asTrigger = (map: Readonly<Record<string, unknown>>) =>
    engine === 'terraform_data'
      ? Object.fromEntries(Object.entries(map).map(([k, v]) => [escapeTemplate(k), v]))
      : Fn.jsonencode(escapeForHcl(map));
  const optional = (key: string, map: Readonly<Record<string, unknown>>) =>
    Object.keys(map).length === 0 ? {} : { [key]: asTrigger(map) };
  return {
    ...triggers,
    ...(drift === undefined ? {} : { drift }),
    ...optional('references', spec.references()),
    ...optional(CONNECTION_REFERENCES_KEY, spec.connectionReferences()),
    ...optional('secrets_sha256', secretHashes),
  };
}

/**
 * Where the apply writes its report for the report step: in the stack's
 * working directory, named after this reconciler instance (a new one on every
 * change), so a report can never be mistaken for another run's.
 */
const REPORT_FILE = '.alooma-cdktf-report-${self.id}.json';

/**
 * The reconciler's provisioners: apply on create, prune on destroy. With
 * references, both get their values through `self` (a destroy-time
 * provisioner may reference nothing else), never through the command line.
 * Set again at synth, when the manifest is final (see AloomaReconciler).
 */
export function reconcilerProvisioners(
  engine: AloomaEngine,
  spec: ReconcilerResourceSpec,
): LocalExecProvisioner[] {
  const triggers = selfTriggers(engine);
  // try()/lookup(): the previous reconciler, whose destroy step reads its own (old) triggers, may have none.
  const triggerMap = (key: string) =>
    engine === 'terraform_data'
      ? `try(${triggers}.${key}, {})`
      : `jsondecode(lookup(${triggers}, "${key}", "{}"))`;
  const hasReferences =
    Object.keys(spec.references()).length + Object.keys(spec.connectionReferences()).length > 0;
  // Apply gets every value; prune (destroy time) only where Alooma is.
  const applyReferences: Record<string, string> = hasReferences
    ? {
        [EnvVar.REFERENCES]: `\${jsonencode(merge(${triggerMap('references')}, ${triggerMap(CONNECTION_REFERENCES_KEY)}))}`,
      }
    : {};
  const pruneReferences: Record<string, string> = hasReferences
    ? { [EnvVar.REFERENCES]: `\${jsonencode(${triggerMap(CONNECTION_REFERENCES_KEY)})}` }
    : {};
  const previousNames =
    engine === 'terraform_data' ? `\${jsonencode(${triggers}.names)}` : `\${${triggers}.names}`;
  const secrets = spec.secrets();
  const apply: LocalExecProvisioner[] =
    secrets.length === 0 && !hasReferences
      ? [{ type: 'local-exec', command: spec.applyCommand }]
      : [
          // Terraform hides ALL output of a provisioner whose configuration holds a
          // sensitive or ephemeral value, and a reference may be one. So the apply
          // writes its report to a file and never fails this step; the next
          // provisioner, which holds no secret, prints the report and fails the
          // apply when the apply failed.
          {
            type: 'local-exec',
            command: spec.applyCommand,
            environment: {
              ...applyReferences,
              ...Object.fromEntries(secrets.map((s) => [s.env, Fn.sensitive(s.value)])),
              [EnvVar.REPORT_FILE]: REPORT_FILE,
            },
            // cdktf 0.21's type lacks Terraform's on_failure; it renders as on_failure.
            ...({ onFailure: 'continue' } as object),
          },
          {
            type: 'local-exec',
            command: spec.reportCommand,
            environment: { [EnvVar.REPORT_FILE]: REPORT_FILE },
          },
        ];
  return [
    ...apply,
    {
      type: 'local-exec',
      when: 'destroy',
      command: spec.pruneCommand,
      environment: { [EnvVar.PREVIOUS_NAMES]: previousNames, ...pruneReferences },
    },
  ];
}

/** Creates the per-stack reconciler resource (no create_before_destroy: its prune must run on replacement). */
export function createReconcilerResource(
  scope: Construct,
  id: string,
  engine: AloomaEngine,
  spec: ReconcilerResourceSpec,
): TerraformResource {
  if (engine === 'terraform_data') {
    return new TerraformData(
      scope,
      id,
      () => ({
        triggers_replace: withDriftAndReferences(
          spec,
          { digest: spec.digest(), names: spec.names().map(escapeTemplate) },
          engine,
        ),
      }),
      { provisioners: reconcilerProvisioners(engine, spec) },
    );
  }
  const { resource } = loadNullProvider(scope);
  return new resource.Resource(scope, id, {
    provider: spec.provider,
    triggers: Token.asStringMap(
      Lazy.anyValue({
        produce: () =>
          withDriftAndReferences(
            spec,
            { digest: spec.digest(), names: escapeTemplate(JSON.stringify(spec.names())) },
            engine,
          ),
      }),
    ),
    provisioners: reconcilerProvisioners(engine, spec),
  });
}

/** Loads @cdktf/provider-null, an optional peer dependency needed only by this engine. */
export function loadNullProvider(scope: IConstruct): typeof NullProviderModule {
  if (CDK_CORE === 'cdktn') {
    // There is no @cdktn/provider-null: the null_resource engine exists for cdktf only.
    throw errors.engineUnavailable(
      scope,
      'it exists for cdktf only; there is no @cdktn/provider-null',
      'Use the default engine "terraform_data" with cdktn',
    );
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@cdktf/provider-null') as typeof NullProviderModule;
  } catch (e) {
    throw errors.engineUnavailable(scope, (e as Error).message.split('\n')[0]);
  }
}
