/**
 * The live report printed during synth (so during `cdktf diff` and
 * `cdktf deploy`): live Alooma state vs the code, per input that differs,
 * and a drift token per stack for the reconciler's triggers (drift makes the
 * next deploy re-apply; see runtime/reconcile/drift.ts).
 *
 * Once per app, whatever the number of stacks and inputs: the first stack to
 * resolve its reconciler runs one runtime process (`live-diff`) with every
 * stack's manifest on stdin; it reads the structure once per connection.
 * Never breaks synth: no credentials -> one hint line; unreachable or slow ->
 * one warning within the timeout; off by `ALOOMA_LIVE_DIFF=off` or the
 * context key `alooma-cdktf:liveDiff` = false. When it does not run, no
 * token is synthesized, so offline output stays byte-identical run to run.
 */
import { spawnSync } from 'node:child_process';
import { IConstruct } from 'constructs';
import { EnvVar, Manifest, resolveCredentials, Subcommand } from '../../runtime/protocol';

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
  if (!manifests.some((m) => hasCredentials(m, env))) {
    say(
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
  const warn = (reason: string) => {
    say(
      `warning: live diff skipped after ${((Date.now() - started) / 1000).toFixed(1)}s: ${reason} (synth continues)`,
    );
    return {};
  };
  if (child.error) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return warn(timedOut ? `no answer within the ${timeoutMs} ms timeout` : child.error.message);
  }
  let parsed: {
    ok: boolean;
    message?: string;
    stacks?: Record<string, { token: string; lines: string[] }>;
  };
  try {
    parsed = JSON.parse(child.stdout);
  } catch {
    return warn((child.stderr || child.stdout || `exit ${child.status}`).trim().split('\n')[0]);
  }
  if (!parsed.ok || !parsed.stacks) return warn(parsed.message ?? 'unknown error');
  const tokens = new Map<LiveDiffParticipant, string>();
  for (const [owner, stack] of Object.entries(parsed.stacks)) {
    const participant = byOwner.get(owner);
    if (participant && stack.token) tokens.set(participant, stack.token);
    for (const line of stack.lines) say(line, false);
  }
  return { tokens };
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

function say(line: string, prefixed = true): void {
  process.stdout.write(`${prefixed ? 'alooma-cdktf: ' : ''}${line}\n`);
}
