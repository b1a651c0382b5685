/**
 * The live report of synth (so of `cdktf diff` and `cdktf deploy`): live
 * Alooma state vs the code, per input that differs, and a drift token per
 * stack for the reconciler's triggers (drift makes the next deploy re-apply;
 * see runtime/reconcile/drift.ts).
 *
 * Once per app, whatever the number of stacks and inputs: the first stack
 * whose aspects run starts one runtime process (`live-diff`) with every
 * stack's manifest on stdin; it reads the structure once per connection.
 * Everything it has to say goes through cdktf's annotations, where the cdktf
 * CLI prints them, never on stdout:
 * - each stack's report on its reconciler: a warning when inputs differ from
 *   live Alooma, an info line when they are in sync;
 * - an error on the reconciler when the next deploy writes a secret whose
 *   environment variable is not set (that deploy would fail);
 * - one warning per synth when it cannot run: no credentials, or Alooma
 *   unreachable or slow (within the timeout). Synth goes on.
 * Off by `ALOOMA_LIVE_DIFF=off` or the context key `alooma-cdktf:liveDiff` =
 * false. When it does not run, no token is synthesized, so offline output
 * stays byte-identical run to run.
 */
import { spawnSync } from 'node:child_process';
import { IConstruct } from 'constructs';
import { AnnotationMetadataEntryType, IAspect } from './core';
import {
  EnvVar,
  LiveDiffAnswer,
  Manifest,
  MissingSecret,
  resolveCredentials,
  Subcommand,
} from '../../runtime/protocol';

/** Context key: `false` or `"off"` disables the live diff. */
export const LIVE_DIFF_CONTEXT_KEY = 'alooma-cdktf:liveDiff';
/** Context key: timeout of the live diff in milliseconds. */
export const LIVE_DIFF_TIMEOUT_CONTEXT_KEY = 'alooma-cdktf:liveDiffTimeoutMs';
/** Default timeout of the live diff. */
export const DEFAULT_LIVE_DIFF_TIMEOUT_MS = 5000;

/** A stack's part of the app's live diff. */
export interface LiveDiffParticipant extends IConstruct {
  /** The stack's manifest. */
  manifest(): Manifest;
  /** The runtime bundle to run. */
  readonly runtimeBundlePath: string;
}

interface AppLiveDiff {
  /** Drift token per participating stack; absent when the diff did not run. */
  readonly tokens?: ReadonlyMap<LiveDiffParticipant, string>;
}

const results = new WeakMap<IConstruct, AppLiveDiff>();

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
  const root = participant.node.root;
  let result = results.get(root);
  if (!result) {
    result = runLiveDiff(participant, all());
    results.set(root, result);
  }
  return result.tokens?.get(participant);
}

function runLiveDiff(scope: LiveDiffParticipant, participants: LiveDiffParticipant[]): AppLiveDiff {
  const env = process.env;
  const contextSwitch: unknown = scope.node.tryGetContext(LIVE_DIFF_CONTEXT_KEY);
  if (env[EnvVar.LIVE_DIFF] === 'off' || contextSwitch === false || contextSwitch === 'off')
    return {};
  const byOwner = new Map<string, LiveDiffParticipant>();
  const manifests: Manifest[] = [];
  for (const participant of participants) {
    const manifest = participant.manifest();
    if (manifest.inputs.length === 0) continue;
    manifests.push(manifest);
    byOwner.set(manifest.owner, participant);
  }
  if (manifests.length === 0) return {};
  // Said once per synth, on the stack that ran the diff.
  const warn = (message: string) => annotate(scope, AnnotationMetadataEntryType.WARN, message);
  if (!manifests.some((m) => hasCredentials(m, env))) {
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
    [scope.runtimeBundlePath, Subcommand.LIVE_DIFF, '--timeout-ms', String(timeoutMs)],
    {
      input: JSON.stringify(manifests),
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
  const tokens = new Map<LiveDiffParticipant, string>();
  for (const [owner, stack] of Object.entries(answer.stacks)) {
    const participant = byOwner.get(owner);
    if (!participant) continue;
    if (stack.token) tokens.set(participant, stack.token);
    const { INFO, WARN, ERROR } = AnnotationMetadataEntryType;
    annotate(participant, stack.inSync ? INFO : WARN, stack.lines.join('\n'));
    if (stack.missingSecrets.length > 0)
      annotate(participant, ERROR, missingSecretsMessage(owner, stack.missingSecrets));
  }
  return { tokens };
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
    `. The deploy would fail: export ${variables.join(', ')} where cdktf diff and cdktf deploy run ` +
    `(or set ${EnvVar.LIVE_DIFF}=off to synthesize without comparing with live Alooma).`
  );
}

/**
 * Whether the runtime's client would find credentials (the same reading,
 * `resolveCredentials`); contradictory ones count, so the runtime reports them.
 */
function hasCredentials(manifest: Manifest, env: NodeJS.ProcessEnv): boolean {
  const { kind } = resolveCredentials(env, manifest.connection);
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
