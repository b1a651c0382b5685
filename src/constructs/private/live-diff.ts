/**
 * The live report of synth (so of `cdktf diff` and `cdktf deploy`), once per
 * app, whatever the number of stacks and inputs: the first participating
 * stack whose aspects run starts one runtime process (`live-diff`) with
 * every stack's request on stdin; it reads the structure once per
 * connection. Two kinds of participant:
 * - a provisioner engine's reconciler (`terraform_data`, `null_resource`):
 *   the full report, live Alooma vs the code per input that differs, and a
 *   drift token per stack for the reconciler's triggers (drift makes the
 *   next deploy re-apply; see runtime/reconcile/drift.ts);
 * - a `provider` stack's provider block: only what Terraform's refresh
 *   cannot show (runtime/reconcile/provider-report.ts): a create that
 *   adopts, a create that fails with `conflict`, orphans of the stack's
 *   owner, removals RETAIN keeps. It reads the stack's Terraform state
 *   (local backend) to know what Terraform will create.
 * Everything it has to say goes through cdktf's annotations, where the cdktf
 * CLI prints them, never on stdout:
 * - each stack's report on its participant: a warning when something
 *   differs or will fail, an info line otherwise;
 * - what would make the next deploy fail (a secret it writes whose
 *   environment variable is not set; a create whose name another owner
 *   holds) is a warning plus a `precondition` on the resource concerned, so
 *   Terraform's plan stops before any write: `cdktf diff` and `cdktf deploy`
 *   fail, while `cdktf destroy` (whose plan never evaluates preconditions)
 *   works. An error annotation would stop every cdktf command, destroy too;
 * - one warning per synth when it cannot run: no credentials, or Alooma
 *   unreachable or slow (within the timeout). Synth goes on.
 * Off by `ALOOMA_LIVE_DIFF=off` or the context key `alooma-cdktf:liveDiff` =
 * false. When it does not run, no token or precondition is synthesized, so
 * offline output stays byte-identical run to run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IConstruct } from 'constructs';
import {
  AnnotationMetadataEntryType,
  App,
  Aspects,
  IAspect,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
} from './core';
import {
  ConnectionSpec,
  EnvVar,
  LiveDiffAnswer,
  LiveDiffStack,
  Manifest,
  MissingSecret,
  ProviderCodeInput,
  ProviderLiveDiffStack,
  ProviderStateInput,
  resolveCredentials,
  Subcommand,
} from '../../runtime/protocol';
import { extractReferences } from './references';
import { connectionOf } from './registry';
import { escapeTemplates } from './render';
import { defaultRuntimeBundle, RUNTIME_BUNDLE_CONTEXT_KEY } from './runtime-bundle';

/** Context key: `false` or `"off"` disables the live diff. */
export const LIVE_DIFF_CONTEXT_KEY = 'alooma-cdktf:liveDiff';
/** Context key: timeout of the live diff in milliseconds. */
export const LIVE_DIFF_TIMEOUT_CONTEXT_KEY = 'alooma-cdktf:liveDiffTimeoutMs';
/** Default timeout of the live diff. */
export const DEFAULT_LIVE_DIFF_TIMEOUT_MS = 5000;

/** A provisioner-engine stack's part of the app's live diff: its reconciler. */
export interface LiveDiffParticipant extends IConstruct {
  /** The stack's manifest. */
  manifest(): Manifest;
  /** The runtime bundle to run. */
  readonly runtimeBundlePath: string;
  /** The reconciler's resource: a missing secret stops its plan (a precondition). */
  readonly resource?: TerraformResource;
}

/** What the app's live diff asks of any participating stack. */
interface Participant {
  /** Where the stack's annotations go. */
  readonly construct: IConstruct;
  readonly runtimeBundlePath: string;
  /** The stack's request, or undefined when it has nothing to compare. */
  request(): LiveDiffStack | undefined;
  /** The resource a precondition goes on: the reconciler's, or an input's by address. */
  resourceAt(address?: string): TerraformResource | undefined;
}

interface AppLiveDiff {
  /** Drift token per participating stack; absent when the diff did not run. */
  readonly tokens?: ReadonlyMap<IConstruct, string>;
}

const results = new WeakMap<IConstruct, AppLiveDiff>();
/** Per app: the reconcilers, as the reconciler constructs list them. */
const reconcilerLists = new WeakMap<IConstruct, () => LiveDiffParticipant[]>();
/** Per app: the `provider` stacks' participants, registered by {@link registerProviderLiveReport}. */
const providerParticipants = new WeakMap<IConstruct, Participant[]>();

/**
 * Runs the app's live diff (if nothing has yet) when the aspects of
 * `participant`'s stack run, so its annotations exist before cdktf collects
 * them. `App.synth` resolves the drift token even earlier (its prepare pass);
 * `Testing.fullSynth` and the stack synthesizer alone do not. Add it to the
 * participant.
 */
export function liveDiffAspect(
  participant: LiveDiffParticipant,
  all: () => LiveDiffParticipant[],
): IAspect {
  // a provider stack's aspect may run first: it finds the reconcilers here
  reconcilerLists.set(participant.node.root, all);
  return {
    visit(node: IConstruct): void {
      if (node === participant) driftTokenOf(participant, all);
    },
  };
}

/**
 * The drift token of `participant`'s stack, running the app's live diff on
 * first call. `undefined` when the live diff did not run.
 */
export function driftTokenOf(
  participant: LiveDiffParticipant,
  all: () => LiveDiffParticipant[],
): string | undefined {
  reconcilerLists.set(participant.node.root, all);
  return appLiveDiff(participant.node.root, participant, participant.runtimeBundlePath).tokens?.get(
    participant,
  );
}

/** The app's live diff, run on first call (by whichever participant comes first). */
function appLiveDiff(root: IConstruct, scope: IConstruct, runtimeBundlePath: string): AppLiveDiff {
  let result = results.get(root);
  if (!result) {
    const reconcilers = (reconcilerLists.get(root)?.() ?? []).map(reconcilerParticipant);
    result = runLiveDiff(scope, runtimeBundlePath, [
      ...reconcilers,
      ...(providerParticipants.get(root) ?? []),
    ]);
    results.set(root, result);
  }
  return result;
}

function reconcilerParticipant(reconciler: LiveDiffParticipant): Participant {
  return {
    construct: reconciler,
    runtimeBundlePath: reconciler.runtimeBundlePath,
    request: () => {
      const manifest = reconciler.manifest();
      return manifest.inputs.length === 0 ? undefined : manifest;
    },
    resourceAt: () => reconciler.resource,
  };
}

/** How {@link registerProviderLiveReport} reads a `provider` stack. */
export interface ProviderLiveReportOptions {
  /** The provider's source address, as the state names it (`provider["<source>"]`). */
  readonly providerSource: string;
  /** The provider's type: its resource types start with `<type>_`. */
  readonly providerType: string;
  /** Names of the state attributes read: the input's id, name and `retain_on_delete`. */
  readonly attributes: {
    readonly id: string;
    readonly name: string;
    readonly retainOnDelete: string;
  };
}

/**
 * Makes a `provider` stack's provider block a participant of the app's live
 * report (what Terraform's refresh cannot show; see the module's comment).
 * Called once per stack, when its provider block is declared.
 */
export function registerProviderLiveReport(
  provider: TerraformProvider,
  options: ProviderLiveReportOptions,
): void {
  const stack = TerraformStack.of(provider);
  const inputs = () =>
    stack.node
      .findAll()
      .filter(isProviderInput)
      .filter((c) => c.resource.terraformResourceType.startsWith(`${options.providerType}_`));
  const address = (r: TerraformResource) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
  const participant: Participant = {
    construct: provider,
    runtimeBundlePath: path.resolve(
      (provider.node.tryGetContext(RUNTIME_BUNDLE_CONTEXT_KEY) as string | undefined) ??
        defaultRuntimeBundle(),
    ),
    request: () => {
      const found = inputs();
      const code: ProviderCodeInput[] = found.map((c) => ({
        name: c.inputName,
        type: c.inputType,
        address: address(c.resource),
        ...(c.importId === undefined ? {} : { importId: c.importId }),
      }));
      const connection = connectionOf(stack);
      const { others, ...state } = readProviderState(stack, options);
      if (code.length === 0 && (state.state?.length ?? 0) === 0) return undefined;
      // the `moved {}` source each input resource declares (see createProviderResource)
      const moving = found
        .filter((c) => others.has(`terraform_data.${c.resource.friendlyUniqueId}`))
        .map((c) => address(c.resource))
        .filter((at) => !state.state?.some((s) => s.address === at));
      const request: ProviderLiveDiffStack = {
        engine: 'provider',
        owner: connection?.owner ?? stack.node.id,
        connection: extractReferences(connection?.spec ?? {}, '@connection', {}) as ConnectionSpec,
        inputs: code,
        ...state,
        ...(moving.length > 0 ? { moving } : {}),
      };
      return request;
    },
    resourceAt: (at) => inputs().find((c) => address(c.resource) === at)?.resource,
  };
  const root = provider.node.root;
  providerParticipants.set(root, [...(providerParticipants.get(root) ?? []), participant]);
  Aspects.of(provider).add({
    visit(node: IConstruct): void {
      if (node === provider) appLiveDiff(root, provider, participant.runtimeBundlePath);
    },
  });
}

/** An input construct of a `provider` stack, as far as the report reads it. */
interface ProviderInputView extends IConstruct {
  readonly inputName: string;
  readonly inputType: string;
  readonly resource: TerraformResource;
  readonly importId?: string;
}

function isProviderInput(c: IConstruct): c is ProviderInputView {
  const view = c as Partial<ProviderInputView>;
  return (
    typeof view.inputName === 'string' &&
    typeof view.inputType === 'string' &&
    view.resource instanceof TerraformResource
  );
}

/**
 * The Alooma resources of the stack's Terraform state, when synth can read
 * it: the local backend (cdktf's default, `terraform.<stack>.tfstate`), in
 * the default workspace. A missing file is an empty state (nothing
 * deployed yet, or a lost state: every input is a create).
 */
function readProviderState(
  stack: TerraformStack,
  options: ProviderLiveReportOptions,
): Pick<ProviderLiveDiffStack, 'state' | 'stateUnread'> & { others: ReadonlySet<string> } {
  const none = new Set<string>();
  // The stack's backend if it declares one (cdktf adds the default local one
  // only at synthesis; adding it here would change what the tests see).
  const declared = stack.node.children.find(isBackend);
  const [type, config] = declared
    ? (Object.entries(declared.toTerraform().terraform?.backend ?? {})[0] ?? [])
    : ['local', { path: path.join(process.cwd(), `terraform.${stack.node.id}.tfstate`) }];
  if (type !== 'local') {
    return {
      stateUnread: `the stack's state is in a "${type ?? 'unknown'}" backend, which synth does not read`,
      others: none,
    };
  }
  const workspace = process.env.TF_WORKSPACE;
  if (workspace !== undefined && workspace !== '' && workspace !== 'default')
    return {
      stateUnread: `workspace "${workspace}" is not the default one, whose state synth reads`,
      others: none,
    };
  // Terraform resolves a relative path from the stack's folder in cdktf.out.
  const stackDir = path.join(path.resolve(App.of(stack).outdir), 'stacks', stack.node.id);
  const file = path.resolve(stackDir, config?.path ?? 'terraform.tfstate');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: [], others: none };
    return { stateUnread: `the state file ${file} cannot be read`, others: none };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return {
      state: providerStateInputs(parsed, options),
      others: new Set(otherStateAddresses(parsed, options)),
    };
  } catch {
    return { stateUnread: `the state file ${file} is not a Terraform state`, others: none };
  }
}

/** A backend block of a stack (every cdktf backend has the id `backend`). */
interface BackendView extends IConstruct {
  toTerraform(): {
    terraform?: { backend?: Record<string, { path?: string; workspace_dir?: string }> };
  };
}

function isBackend(c: IConstruct): c is BackendView {
  return c.node.id === 'backend' && typeof (c as Partial<BackendView>).toTerraform === 'function';
}

/** Addresses of the other managed resources of a state (a `moved {}` source, say). */
function otherStateAddresses(state: unknown, options: ProviderLiveReportOptions): string[] {
  const resources = (state as { resources?: Array<Record<string, unknown>> }).resources ?? [];
  return resources
    .filter((r) => r.mode === 'managed' && r.module === undefined)
    .filter((r) => r.provider !== `provider["${options.providerSource}"]`)
    .map((r) => `${String(r.type)}.${String(r.name)}`);
}

/** The provider's resources in a Terraform state (format version 4). */
export function providerStateInputs(
  state: unknown,
  options: ProviderLiveReportOptions,
): ProviderStateInput[] {
  const resources = (state as { resources?: unknown }).resources;
  if (!Array.isArray(resources)) throw new Error('no resources');
  const out: ProviderStateInput[] = [];
  for (const r of resources as Array<Record<string, unknown>>) {
    if (r.mode !== 'managed' || r.provider !== `provider["${options.providerSource}"]`) continue;
    if (r.module !== undefined) continue;
    for (const instance of (r.instances ?? []) as Array<Record<string, unknown>>) {
      const a = (instance.attributes ?? {}) as Record<string, unknown>;
      const key = instance.index_key;
      out.push({
        address: `${r.type}.${r.name}${key === undefined ? '' : `[${JSON.stringify(key)}]`}`,
        id: String(a[options.attributes.id]),
        name: String(a[options.attributes.name]),
        retain: a[options.attributes.retainOnDelete] === true,
      });
    }
  }
  return out;
}

function runLiveDiff(
  scope: IConstruct,
  runtimeBundlePath: string,
  participants: readonly Participant[],
): AppLiveDiff {
  const env = process.env;
  const contextSwitch: unknown = scope.node.tryGetContext(LIVE_DIFF_CONTEXT_KEY);
  if (env[EnvVar.LIVE_DIFF] === 'off' || contextSwitch === false || contextSwitch === 'off')
    return {};
  const byOwner = new Map<string, Participant>();
  const requests: LiveDiffStack[] = [];
  for (const participant of participants) {
    const request = participant.request();
    if (request === undefined) continue;
    requests.push(request);
    byOwner.set(request.owner, participant);
  }
  if (requests.length === 0) return {};
  // Said once per synth, on the stack that ran the diff.
  const warn = (message: string) => annotate(scope, AnnotationMetadataEntryType.WARN, message);
  if (!requests.some((m) => hasCredentials(m.connection, env))) {
    warn(
      `live diff skipped: no Alooma credentials (set ${EnvVar.API_KEY}, or ${EnvVar.USERNAME} and ${EnvVar.PASSWORD}, ` +
        `to compare with live Alooma; ${EnvVar.LIVE_DIFF}=off silences this)`,
    );
    return {};
  }
  const timeoutMs = timeoutOf(scope, env);
  const started = Date.now();
  const child = spawnSync(
    process.execPath,
    [runtimeBundlePath, Subcommand.LIVE_DIFF, '--timeout-ms', String(timeoutMs)],
    {
      input: JSON.stringify(requests),
      encoding: 'utf8',
      // the runtime gives up by itself; this bounds a hung process
      timeout: timeoutMs + 1000,
      env: { ...env, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const skipped = (reason: string) => {
    warn(
      `live diff skipped after ${((Date.now() - started) / 1000).toFixed(1)}s: ${reason} (synth continues)`,
    );
    return {};
  };
  if (child.error) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return skipped(timedOut ? `no answer within the ${timeoutMs} ms timeout` : child.error.message);
  }
  let answer: LiveDiffAnswer;
  try {
    answer = JSON.parse(child.stdout) as LiveDiffAnswer;
  } catch {
    return skipped((child.stderr || child.stdout || `exit ${child.status}`).trim().split('\n')[0]);
  }
  if (!answer.ok) return skipped(answer.message);
  const tokens = new Map<IConstruct, string>();
  for (const [owner, stack] of Object.entries(answer.stacks)) {
    const participant = byOwner.get(owner);
    if (!participant) continue;
    const construct = participant.construct;
    if (stack.token) tokens.set(construct, stack.token);
    const { INFO, WARN } = AnnotationMetadataEntryType;
    annotate(
      construct,
      stack.inSync || stack.level === 'info' ? INFO : WARN,
      stack.lines.join('\n'),
    );
    if (stack.missingSecrets.length > 0) {
      const message = missingSecretsMessage(owner, stack.missingSecrets);
      annotate(construct, WARN, message);
      stopPlan(participant.resourceAt(), message);
    }
    for (const blocked of stack.blocked ?? [])
      stopPlan(participant.resourceAt(blocked.address), blocked.message);
  }
  return { tokens };
}

/**
 * Makes Terraform's plan of `resource` fail with `message`: a precondition
 * that never holds. Terraform evaluates it when it plans the resource's
 * create or update, never in a destroy plan, so `cdktf destroy` still runs.
 * (A condition must refer to something: the workspace's name is never empty.)
 */
function stopPlan(resource: TerraformResource | undefined, message: string): void {
  resource?.addOverride('lifecycle.precondition', [
    {
      condition: '${terraform.workspace == ""}',
      error_message: escapeTemplates(message) as string,
    },
  ]);
}

/**
 * Adds a cdktf annotation, as `Annotations.of(scope).addInfo/addWarning/addError`
 * do, but without the stack trace they record: it would point into this
 * library, not the user's code, and the cdktf CLI prints it under an error.
 */
function annotate(scope: IConstruct, level: AnnotationMetadataEntryType, message: string): void {
  scope.node.addMetadata(level, message, { stackTrace: false });
}

/** Names each variable and what needs it; says how to fix it. */
function missingSecretsMessage(owner: string, missing: readonly MissingSecret[]): string {
  const variables = [...new Set(missing.map((m) => m.env))];
  return (
    `alooma (${owner}): the next deploy writes ${missing.length === 1 ? 'a secret whose variable is' : 'secrets whose variables are'} not set: ` +
    missing.map((m) => `${m.env} (input "${m.input}", ${m.path})`).join(', ') +
    `. The deploy would fail, so Terraform's plan stops before any write (cdktf destroy still works): ` +
    `export ${variables.join(', ')} where cdktf diff and cdktf deploy run.`
  );
}

/**
 * Whether the runtime's client would find credentials (the same reading,
 * `resolveCredentials`); contradictory ones count, so the runtime reports them.
 */
function hasCredentials(connection: ConnectionSpec, env: NodeJS.ProcessEnv): boolean {
  const { kind } = resolveCredentials(env, connection);
  return kind === 'apiKey' || kind === 'password' || kind === 'both';
}

function timeoutOf(scope: IConstruct, env: NodeJS.ProcessEnv): number {
  const raw =
    env[EnvVar.LIVE_DIFF_TIMEOUT_MS] ?? scope.node.tryGetContext(LIVE_DIFF_TIMEOUT_CONTEXT_KEY);
  const value = Number(raw);
  return raw !== undefined && Number.isFinite(value) && value > 0
    ? value
    : DEFAULT_LIVE_DIFF_TIMEOUT_MS;
}
