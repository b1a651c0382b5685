/**
 * The subcommands the synthesized stack runs (`apply`, `prune`, `delete`)
 * and `plan`. Each reads the live structure exactly once.
 */
import type { AloomaClient } from '../client/client';
import { withSecretFingerprints } from '../secret-fingerprint';
import { EnvVar, Manifest } from '../protocol';
import { applyPlan, InputOutcome, InputsApi, MissingSecretError } from '../reconcile/apply';
import {
  Plan,
  indexByName,
  planDeleteNamed,
  planHasChanges,
  planManifest,
  planPrune,
  summarize,
} from '../reconcile/plan';
import {
  compactLine,
  formatPlan,
  headingLine,
  liveReportLines,
  palette,
  Palette,
} from '../reconcile/report';
import { CliError, formatError } from './errors';
import { missingEnvSecrets } from './live-diff-command';
import { parseNameList } from './manifest';

/**
 * What the commands need of the client: one structure read plus the writes,
 * and its counters (`metrics`, retries reported in the summary).
 */
export type ReconcileApi = InputsApi & Pick<AloomaClient, 'listInputs' | 'metrics'>;

/** Where a command writes; injectable for tests. */
export interface Output {
  log(line: string): void;
}

/** Shared inputs of every reconcile command. */
export interface CommandContext {
  readonly api: ReconcileApi;
  readonly manifest: Manifest;
  readonly out: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly colour?: boolean;
}

/**
 * `plan`: prints the diff; returns 0 when in sync, 2 when apply would change
 * something. Fails (as the apply would) when a secret it writes has no value.
 */
export async function planCommand(
  ctx: CommandContext,
  options: { showMatching?: boolean; compact?: boolean } = {},
): Promise<number> {
  const plan = planManifest(ctx.manifest, await ctx.api.listInputs());
  if (options.compact) for (const line of liveReportLines(plan)) ctx.out.log(line);
  else
    ctx.out.log(
      formatPlan(plan, { palette: palette(ctx.colour), showMatching: options.showMatching }),
    );
  const missing = missingEnvSecrets(plan, ctx.env);
  if (missing.length > 0) throw new MissingSecretError(missing);
  return planHasChanges(plan) ? 2 : 0;
}

/** `apply`: makes Alooma match the manifest. Returns the exit code. */
export async function applyCommand(ctx: CommandContext): Promise<number> {
  const manifest = withSecretFingerprints(ctx.manifest, ctx.env);
  const plan = planManifest(manifest, await ctx.api.listInputs());
  // A declared input left alone means code and Alooma stay apart: the deploy fails.
  return execute(ctx, plan, 'Apply', { failOnConflict: true });
}

/** `prune`: deletes inputs the previous apply managed that the manifest dropped. */
export async function pruneCommand(ctx: CommandContext): Promise<number> {
  const previous = parseNameList(ctx.env[EnvVar.PREVIOUS_NAMES], EnvVar.PREVIOUS_NAMES);
  const kept = new Set(ctx.manifest.inputs.map((i) => i.name));
  if (previous.every((name) => kept.has(name))) {
    ctx.out.log(`Prune: nothing to delete (${ctx.manifest.owner}).`);
    return 0;
  }
  const plan = planPrune(ctx.manifest, previous, await ctx.api.listInputs());
  return execute(ctx, plan, 'Prune');
}

/** `delete`: deletes one input this stack owns (a per-input destroy provisioner). */
export async function deleteCommand(
  ctx: CommandContext,
  name: string | undefined,
): Promise<number> {
  const target = name ?? ctx.env[EnvVar.INPUT_NAME];
  if (!target) {
    throw new CliError(
      'missing_name',
      `no input name given`,
      `pass --name NAME or set ${EnvVar.INPUT_NAME} (the synthesized stack sets it)`,
    );
  }
  // Several inputs may carry the name: only this stack's (by marker) are deleted.
  const named = indexByName(await ctx.api.listInputs()).get(target) ?? [];
  if (named.length === 0) {
    ctx.out.log(`Delete: "${target}" does not exist in Alooma; nothing to do.`);
    return 0;
  }
  return execute(
    ctx,
    { owner: ctx.manifest.owner, inputs: planDeleteNamed(ctx.manifest.owner, named) },
    'Delete',
  );
}

/**
 * Applies `plan`, printing a line per input and a summary. Conflicts are never
 * written; with `failOnConflict` (apply) they also fail the command, with one
 * `error[conflict]` line naming the owner. Prune and delete leave another
 * owner's input in place and succeed: that is their right outcome.
 */
async function execute(
  ctx: CommandContext,
  plan: Plan,
  label: string,
  options: { failOnConflict?: boolean } = {},
): Promise<number> {
  const p = palette(ctx.colour);
  const started = Date.now();
  for (const input of plan.inputs) {
    if (input.kind === 'conflict') ctx.out.log(`${headingLine(input, p)}: ${input.reason}`);
  }
  const total = plan.inputs.filter((i) => i.kind !== 'unchanged' && i.kind !== 'conflict').length;
  let done = 0;
  const outcomes = await applyPlan(ctx.api, plan, {
    concurrency: ctx.manifest.concurrency,
    env: ctx.env,
    listener: {
      onDone: (outcome) => {
        done += 1;
        ctx.out.log(progressLine(outcome, done, total, p));
      },
    },
  });
  const failed = outcomes.filter((o) => !o.ok);
  const conflicts = options.failOnConflict ? plan.inputs.filter((i) => i.kind === 'conflict') : [];
  // Count what was done, not what was planned: a failed input is only "failed".
  const failedNames = new Set(failed.map((o) => o.plan.name));
  const s = summarize({ ...plan, inputs: plan.inputs.filter((i) => !failedNames.has(i.name)) });
  const writes = outcomes.reduce((n, o) => n + o.writes, 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  ctx.out.log(
    `${label} ${failed.length || conflicts.length ? 'failed' : 'complete'} (${plan.owner}): ${s.create} created, ${s.update} updated, ` +
      `${s.pause} paused, ${s.resume} resumed, ${s.delete} deleted, ${s.unchanged} unchanged` +
      `${s.conflict ? `, ${s.conflict} left alone` : ''}${failed.length ? `, ${failed.length} failed` : ''}; ` +
      `${writes} write(s) in ${seconds}s${ctx.api.metrics ? `; retries: ${ctx.api.metrics.retries}` : ''}.`,
  );
  if (conflicts.length) {
    ctx.out.log(
      p.red(`error[conflict]: ${conflicts.map((c) => c.reason).join('; ')}`) +
        `\n  hint: rename the input in this stack, or remove it from the code that manages it; ` +
        `nothing was written to ${conflicts.length === 1 ? 'it' : 'them'}.`,
    );
  }
  if (failed.length) {
    ctx.out.log(
      `  hint: fix the errors above and run the deploy again; inputs already applied are kept and re-checked.`,
    );
  }
  return failed.length || conflicts.length ? 1 : 0;
}

function progressLine(outcome: InputOutcome, done: number, total: number, p: Palette): string {
  const prefix = `[${done}/${total}]`;
  const input = outcome.plan;
  if (!outcome.ok)
    return p.red(
      `${prefix} ${input.name} failed: ${formatError(outcome.error).replace('\n ', ';')}`,
    );
  const heading = headingLine(input, p).replace(/will be (\w+)( in place)?/, '$1$2');
  if (input.kind === 'create' || input.kind === 'delete') return `${prefix} ${heading}`;
  return `${prefix} ${heading}: ${compactLine(input).slice(input.name.length + 2)}`;
}
