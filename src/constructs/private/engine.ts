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
  call,
  conditional,
  Fn,
  Lazy,
  LocalExecProvisioner,
  Op,
  TerraformProvider,
  TerraformResource,
  Token,
} from './core';
import { Construct, IConstruct } from 'constructs';
import type * as NullProviderModule from '@cdktf/provider-null';
import { EnvVar } from '../../runtime/protocol';
import * as errors from '../errors';
import {
  escapeTemplates,
  isReference,
  jsonTemplate,
  sha256,
  stableJson,
  stringPieces,
  stringTokens,
  templateString,
} from './render';
import { containsReference } from './references';
import { TerraformData } from './terraform-data';

/**
 * What the stack synthesizes to.
 * - `provider` (the default): the Alooma Terraform provider (shipped with
 *   this package and installed next to the stack at synth): one `alooma_*`
 *   resource per input, Terraform's own plan, refresh, drift and import;
 *   needs Terraform 1.11 and `node` where Terraform runs. See
 *   private/provider-engine.ts.
 * - `terraform_data`: a provisioner engine on Terraform's built-in resource
 *   (Terraform 1.4+, 1.8+ with references: `issensitive`); a reconciler runs the runtime with `node` where
 *   Terraform runs; configuration changes are in-place updates.
 * - `null_resource`: the same from `@cdktf/provider-null` (install it); its
 *   triggers are strings, so configuration is shown as JSON and a change is
 *   a (harmless) replacement.
 */
export type AloomaEngine = 'terraform_data' | 'null_resource' | 'provider';

/** The engine of a stack that declares no `engine`: the Alooma provider. */
export const DEFAULT_ENGINE: AloomaEngine = 'provider';

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
  /** Who owns the stack's inputs in Alooma (salts the secrets' hashes). Called at synth time. */
  readonly owner: () => string;
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
   * a salted SHA-256 of each sensitive one goes into the triggers (a changed
   * value re-applies; see {@link secretHash}). Called at synth time.
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
        input: escapeTemplates(hideSensitiveReferences(spec.input())) as Record<string, unknown>,
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
            name: templateString(name),
            type: templateString(type),
            // With references the JSON is built by Terraform, which knows their values.
            input: containsReference(input)
              ? jsonTemplate(hideSensitiveReferences(input))
              : templateString(stableJson(input).trimEnd()),
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
    if (!secret.ephemeral) secretHashes[secret.label] = secretHash(spec.owner(), secret);
  }
  // Keys are ids made of input names, values references: one escaping for both engines (render.ts).
  const asTrigger = (map: Readonly<Record<string, unknown>>) =>
    engine === 'terraform_data' ? escapeTemplates(map) : jsonTemplate(map);
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
 * The trigger of a sensitive secret from Terraform: SHA-256 of the value
 * after a salt made of the owner and `<input>/<path>`, so that equal
 * passwords of two inputs or stacks differ and no table of unsalted hashes
 * applies. The salt is hex, so no user text enters the expression.
 * sensitive(): a value that Terraform does not mark sensitive must not show
 * its hash either.
 */
export function secretHash(owner: string, secret: { label: string; value: string }): string {
  const salt = sha256(`alooma-cdktf\u0000secrets_sha256\u0000${owner}\u0000${secret.label}`);
  return Fn.sensitive(Fn.sha256(Fn.join(':', [salt, secret.value])));
}

/** How a field from Terraform is shown when Terraform may hold it secret. */
export const FROM_TERRAFORM = '(from Terraform)';

/**
 * A copy of an input's state where each reference that Terraform holds
 * sensitive is replaced: by null where it is a whole value, by "(from
 * Terraform)" inside a string. `terraform_data` copies `input` into `output`
 * without Terraform's sensitive marks, so the next plan would print it.
 * The connection's references stay: the destroy provisioner needs them.
 */
export function hideSensitiveReferences(
  input: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const hide = (value: unknown): unknown => {
    if (typeof value === 'string' && isReference(value)) {
      const pieces = stringPieces(value);
      if (pieces.length === 1) return conditional(isSensitive(value), null, value);
      return pieces
        .map((piece) =>
          'literal' in piece
            ? piece.literal
            : Token.asString(conditional(isSensitive(piece.token), FROM_TERRAFORM, piece.token)),
        )
        .join('');
    }
    if (isReference(value)) return conditional(isSensitive(value), null, value);
    if (Array.isArray(value)) return value.map(hide);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v)]));
    return value;
  };
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [
      key,
      key === CONNECTION_REFERENCES_KEY ? value : hide(value),
    ]),
  );
}

function isSensitive(value: unknown) {
  return call('issensitive', [value]);
}

/**
 * By reference id, an expression that is true when Terraform knows the value
 * not to be sensitive (every reference in it, for a string that mixes text
 * and references). The report shows other values as "(from Terraform)".
 */
function plainFlags(references: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const plain = (value: unknown) => Op.not(isSensitive(value));
  return Object.fromEntries(
    Object.entries(references).map(([id, value]) => {
      const tokens = typeof value === 'string' ? stringTokens(value) : [];
      const flag = tokens.length > 1 ? Fn.alltrue(tokens.map(plain)) : plain(tokens[0] ?? value);
      return [id, flag];
    }),
  );
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
        [EnvVar.PLAIN_REFERENCES]: jsonTemplate(
          plainFlags({ ...spec.references(), ...spec.connectionReferences() }),
        ),
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
          { digest: spec.digest(), names: spec.names().map((name) => templateString(name)) },
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
            { digest: spec.digest(), names: templateString(JSON.stringify(spec.names())) },
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
