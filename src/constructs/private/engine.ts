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
import { Lazy, TerraformProvider, TerraformResource, Token } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import type * as NullProviderModule from '@cdktf/provider-null';
import { EnvVar } from '../../runtime/protocol';
import * as errors from '../errors';
import { escapeTemplate, escapeTemplates, stableJson } from './render';
import { TerraformData } from './terraform-data';

/**
 * What the stack synthesizes to.
 * - `terraform_data`: Terraform's built-in resource; needs no provider, so it
 *   works offline; configuration changes are in-place updates.
 * - `null_resource`: from `@cdktf/provider-null` (install it); its triggers
 *   are strings, so configuration is shown as JSON and a change is a
 *   (harmless) replacement.
 */
export type AloomaEngine = 'terraform_data' | 'null_resource';

/** Every {@link AloomaEngine}, for validating `engine` props. */
export const ENGINES: readonly AloomaEngine[] = ['terraform_data', 'null_resource'];

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
  /** Command of the create-time provisioner. */
  readonly applyCommand: string;
  /** Command of the destroy-time provisioner. */
  readonly pruneCommand: string;
  /** Provider of a `null_resource`. */
  readonly provider?: TerraformProvider;
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
          return {
            name: escapeTemplate(name),
            type: escapeTemplate(type),
            input: escapeTemplate(stableJson(spec.input()).trimEnd()),
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

/** Adds the drift token when the live diff ran (offline output stays as it was). */
function withDrift<T extends Record<string, unknown>>(
  spec: ReconcilerResourceSpec,
  triggers: T,
): T & { drift?: string } {
  const drift = spec.drift();
  return drift === undefined ? triggers : { ...triggers, drift };
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
        triggers_replace: withDrift(spec, {
          digest: spec.digest(),
          names: spec.names().map(escapeTemplate),
        }),
      }),
      {
        provisioners: [
          { type: 'local-exec', command: spec.applyCommand },
          {
            type: 'local-exec',
            when: 'destroy',
            command: spec.pruneCommand,
            environment: { [EnvVar.PREVIOUS_NAMES]: '${jsonencode(self.triggers_replace.names)}' },
          },
        ],
      },
    );
  }
  const { resource } = loadNullProvider(scope);
  return new resource.Resource(scope, id, {
    provider: spec.provider,
    triggers: Token.asStringMap(
      Lazy.anyValue({
        produce: () =>
          withDrift(spec, {
            digest: spec.digest(),
            names: escapeTemplate(JSON.stringify(spec.names())),
          }),
      }),
    ),
    provisioners: [
      { type: 'local-exec', command: spec.applyCommand },
      {
        type: 'local-exec',
        when: 'destroy',
        command: spec.pruneCommand,
        environment: { [EnvVar.PREVIOUS_NAMES]: '${self.triggers.names}' },
      },
    ],
  });
}

/** Loads @cdktf/provider-null, an optional peer dependency needed only by this engine. */
export function loadNullProvider(scope: IConstruct): typeof NullProviderModule {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@cdktf/provider-null') as typeof NullProviderModule;
  } catch (e) {
    throw errors.engineUnavailable(scope, (e as Error).message.split('\n')[0]);
  }
}
