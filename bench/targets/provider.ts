/**
 * Target 5, the provider engine beside the terraform_data engine (issue 18).
 *
 * The benchmark app (1,000 database inputs of 20 tables, one in ten taking
 * server and port from Terraform variables) is synthesized four times: each
 * engine, each variant (variant 1 changes one table of the first 10 inputs).
 * The provider engine's synth installs the provider next to the stack; every
 * Terraform command runs with TF_CLI_CONFIG_FILE=/dev/null (no registry, no
 * CLI configuration) against one emulator process.
 *
 * Setup (not measured): the terraform_data stack creates the 1,000 inputs
 * (the runtime, one process); its state is copied to the provider stack,
 * whose first apply moves every input over with its `moved` blocks (as a
 * user switching engines does; asserted: 0 writes).
 *
 * 5a: `terraform plan` of variant 1 (10 inputs changed), provider vs
 *     terraform_data, interleaved rounds, medians: <= 1.5x.
 * 5b: `terraform apply` of variant 1 on each side: exactly 10 writes
 *     (`PUT inputs/:id`, nothing else), and structure reads: the
 *     terraform_data runtime makes 1; the provider makes exactly one per
 *     provider process that serves ReadResource (counted from the provider's
 *     trace log), and that is 1 for an apply. Between the two applies the
 *     terraform_data stack applies variant 0 again, so the provider's apply
 *     finds the same 10 inputs to change.
 * 5c: provider processes per Terraform command (plan, apply) and their
 *     start-to-handshake and Shutdown-to-exit times, from Terraform's log
 *     (TF_LOG_PROVIDER, see ../lib/provider-log.ts); every process must
 *     have received Shutdown (none killed).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runtimeEnv, startEmulator } from '../lib/emulator';
import { ProviderProcess, providerProcesses } from '../lib/provider-log';
import { runOk, tail } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { formatMs, formatSample, median } from '../lib/stats';
import { synthApp } from './synth';

/** Inputs of the app (`--provider-inputs` changes it for quick checks). */
export const PROVIDER_INPUTS = 1000;
const CHANGED = 10;
const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';
const PASSWORD = 'bench-secret';
const STRUCTURE_READ = 'GET plumbing';
/** A provider process must be gone this soon after Shutdown (go-plugin kills it after 2 s). */
const SHUTDOWN_EXIT_MS = 1000;

type Engine = 'terraform_data' | 'provider';

/** Writes among the emulator's counters: POST/PUT/DELETE except login/logout. */
export function writesOf(stats: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stats).filter(
      ([route, n]) => n > 0 && /^(POST|PUT|DELETE) /.test(route) && !/log(in|out)/.test(route),
    ),
  );
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Reads other than the structure read, by route. */
function otherReads(stats: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(stats).filter(
      ([route, n]) => n > 0 && /^GET /.test(route) && route !== STRUCTURE_READ,
    ),
  );
}

const describe = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([route, n]) => `${n} ${route}`)
    .join(', ') || 'none';

/** Copies a synthesized stack into `dst` (state and .terraform kept), with its state in `dst`. */
export function syncStack(src: string, dst: string): void {
  fs.mkdirSync(dst, { recursive: true });
  for (const entry of fs.readdirSync(src)) {
    if (entry === 'cdk.tf.json') continue;
    fs.rmSync(path.join(dst, entry), { recursive: true, force: true });
    fs.cpSync(path.join(src, entry), path.join(dst, entry), { recursive: true });
  }
  const config = JSON.parse(fs.readFileSync(path.join(src, 'cdk.tf.json'), 'utf8'));
  // cdktf writes an absolute state path into the project; keep each copy's state in its own directory.
  config.terraform.backend = { local: { path: 'terraform.tfstate' } };
  fs.writeFileSync(path.join(dst, 'cdk.tf.json'), JSON.stringify(config, null, 2));
}

/** One Terraform command with the provider's log captured. */
interface Command {
  readonly ms: number;
  readonly stdout: string;
  readonly processes: ProviderProcess[];
}

/** Summary of the provider processes of one kind of command. */
function processLine(label: string, runs: readonly ProviderProcess[][]): string {
  const counts = runs.map((r) => r.length);
  const all = runs.flat();
  const start = all.map((p) => p.startToHandshakeMs);
  const stop = all.flatMap((p) => (p.shutdownToExitMs === undefined ? [] : [p.shutdownToExitMs]));
  return (
    `${label}: ${counts.join(', ')} provider process(es) per command; ` +
    `start-to-handshake median ${formatMs(median(start))} (max ${formatMs(Math.max(...start))}), ` +
    `Shutdown-to-exit median ${formatMs(median(stop))} (max ${formatMs(Math.max(...stop))})`
  );
}

/** Runs targets 5a, 5b and 5c. */
export async function benchProvider(
  rounds: number,
  log: (line: string) => void,
  inputs = PROVIDER_INPUTS,
): Promise<TargetResult[]> {
  if (inputs < CHANGED) throw new Error(`the provider section needs at least ${CHANGED} inputs`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-provider-'));
  const emulator = await startEmulator();
  try {
    const synth = (engine: Engine, variant: number) =>
      synthApp(path.join(tmp, `synth-${engine}-${variant}`), inputs, {
        BENCH_ENGINE: engine,
        BENCH_VARIANT: String(variant),
        BENCH_CHANGED: String(CHANGED),
        // The same password on both sides: an ephemeral variable with version "1".
        BENCH_SECRET: 'terraform',
      });
    // Two at a time: two cores.
    const [td0, td1] = await Promise.all([synth('terraform_data', 0), synth('terraform_data', 1)]);
    const [pv0, pv1] = await Promise.all([synth('provider', 0), synth('provider', 1)]);
    log(
      `  synth of ${inputs} inputs: terraform_data ${formatSample([td0.wallMs, td1.wallMs])}, provider ${formatSample([pv0.wallMs, pv1.wallMs])}`,
    );
    const stacks = {
      terraform_data: { dir: path.join(tmp, 'terraform_data'), variants: [td0, td1] },
      provider: { dir: path.join(tmp, 'provider'), variants: [pv0, pv1] },
    };
    const use = (engine: Engine, variant: number) =>
      syncStack(stacks[engine].variants[variant].stackDir, stacks[engine].dir);

    const env: NodeJS.ProcessEnv = {
      ...runtimeEnv(emulator),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      // Offline: no CLI configuration, no registry; the provider is the one the synth hook installed.
      TF_CLI_CONFIG_FILE: '/dev/null',
      // The provider engine's password: an ephemeral variable, written through a write-only attribute.
      TF_VAR_pg_password: PASSWORD,
    };
    let logs = 0;
    /** A Terraform command; with `providerLog`, TF_LOG_PROVIDER at that level into a file that is parsed. */
    const terraform = async (
      engine: Engine,
      args: string[],
      providerLog?: 'debug' | 'trace',
    ): Promise<Command> => {
      const logFile = path.join(tmp, `terraform-${++logs}.log`);
      const result = await runOk(TERRAFORM, [...args, '-no-color'], {
        cwd: stacks[engine].dir,
        env: providerLog ? { ...env, TF_LOG_PROVIDER: providerLog, TF_LOG_PATH: logFile } : env,
        timeoutMs: 900_000,
      });
      const processes = providerLog ? providerProcesses(fs.readFileSync(logFile, 'utf8')) : [];
      return { ms: result.ms, stdout: result.stdout, processes };
    };
    const statsSince = async (action: () => Promise<Command>) => {
      await emulator.resetStats();
      const command = await action();
      return { command, stats: await emulator.stats() };
    };

    // Setup: the inputs created by the terraform_data engine, then moved to the provider.
    use('terraform_data', 0);
    use('provider', 0);
    await terraform('terraform_data', ['init', '-input=false']);
    await terraform('provider', ['init', '-input=false']);
    const created = await terraform('terraform_data', [
      'apply',
      '-auto-approve',
      '-input=false',
      '-parallelism=50',
    ]);
    fs.copyFileSync(
      path.join(stacks.terraform_data.dir, 'terraform.tfstate'),
      path.join(stacks.provider.dir, 'terraform.tfstate'),
    );
    const moved = await statsSince(() =>
      terraform('provider', ['apply', '-auto-approve', '-input=false', '-parallelism=50'], 'debug'),
    );
    const moveWrites = writesOf(moved.stats);
    if (sum(moveWrites) !== 0 || !/0 added, 0 changed, 0 destroyed/.test(moved.command.stdout)) {
      throw new Error(
        `moving the inputs to the provider was not free (writes: ${describe(moveWrites)}):\n${tail(moved.command.stdout)}`,
      );
    }
    log(
      `  setup: ${inputs} inputs created by terraform_data in ${formatMs(created.ms)}; moved to the provider in ${formatMs(moved.command.ms)} (0 writes, ${moved.stats[STRUCTURE_READ] ?? 0} structure read(s))`,
    );

    // 5a: plans of variant 1, interleaved.
    use('terraform_data', 1);
    use('provider', 1);
    const plans: Record<Engine, number[]> = { terraform_data: [], provider: [] };
    const planProcesses: ProviderProcess[][] = [];
    const planReads: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order: Engine[] =
        round % 2 === 0 ? ['terraform_data', 'provider'] : ['provider', 'terraform_data'];
      for (const engine of order) {
        const { command, stats } = await statsSince(() =>
          terraform(engine, ['plan', '-input=false'], 'debug'),
        );
        const expected =
          engine === 'provider'
            ? `Plan: 0 to add, ${CHANGED} to change, 0 to destroy`
            : `${CHANGED} to change`;
        if (!command.stdout.includes(expected)) {
          throw new Error(`${engine} plan is not "${expected}":\n${tail(command.stdout)}`);
        }
        if (sum(writesOf(stats)) !== 0)
          throw new Error(`${engine} plan wrote: ${describe(writesOf(stats))}`);
        plans[engine].push(command.ms);
        if (engine === 'provider') {
          planProcesses.push(command.processes);
          planReads.push(stats[STRUCTURE_READ] ?? 0);
        } else if (command.processes.length > 0 || (stats.total ?? 0) > 0) {
          throw new Error('the terraform_data plan started a provider or called the API');
        }
      }
    }
    const planTd = median(plans.terraform_data);
    const planPv = median(plans.provider);
    log(
      `  terraform plan, ${CHANGED} of ${inputs} changed: terraform_data ${formatSample(plans.terraform_data)}, provider ${formatSample(plans.provider)} (structure reads per provider plan: ${planReads.join(', ')})`,
    );

    // 5b: applies of variant 1; terraform_data first, then back to variant 0 so the provider finds the same change.
    const tdApply = await statsSince(() =>
      terraform('terraform_data', ['apply', '-auto-approve', '-input=false']),
    );
    use('terraform_data', 0);
    await terraform('terraform_data', ['apply', '-auto-approve', '-input=false']);
    const pvApply = await statsSince(() =>
      terraform('provider', ['apply', '-auto-approve', '-input=false'], 'trace'),
    );
    if (!pvApply.command.stdout.includes(`0 added, ${CHANGED} changed, 0 destroyed`)) {
      throw new Error(
        `the provider's apply was not ${CHANGED} in-place updates:\n${tail(pvApply.command.stdout)}`,
      );
    }
    const tdWrites = writesOf(tdApply.stats);
    const pvWrites = writesOf(pvApply.stats);
    const tdReads = tdApply.stats[STRUCTURE_READ] ?? 0;
    const pvReads = pvApply.stats[STRUCTURE_READ] ?? 0;
    const readers = pvApply.command.processes.filter((p) => (p.rpcs.ReadResource ?? 0) > 0);
    const loggedReads = pvApply.command.processes.reduce((n, p) => n + p.structureReads, 0);
    const tenPuts = (w: Record<string, number>) =>
      sum(w) === CHANGED && w['PUT inputs/:id'] === CHANGED;
    log(
      `  terraform apply, ${CHANGED} changed: terraform_data ${formatMs(tdApply.command.ms)}, provider ${formatMs(pvApply.command.ms)}`,
    );
    log(
      `  provider apply: ${pvApply.command.processes.length} processes, ${readers.length} served ReadResource (${readers.map((p) => p.rpcs.ReadResource).join(', ')} calls), ${loggedReads} structure read(s) logged, other reads: ${describe(otherReads(pvApply.stats))}`,
    );

    // 5c: provider processes per command.
    const applyProcesses = [moved.command.processes, pvApply.command.processes];
    const all = [...planProcesses, ...applyProcesses].flat();
    // go-plugin kills a plugin still running 2 s after Shutdown; under 1 s is an exit of its own.
    const unshut = all.filter(
      (p) => p.shutdownToExitMs === undefined || p.shutdownToExitMs >= SHUTDOWN_EXIT_MS,
    );
    const details5c = [
      processLine('plan', planProcesses),
      processLine('apply (move, then 10 changes)', applyProcesses),
      `lifetimes of the provider apply's processes: ${formatSample(pvApply.command.processes.map((p) => p.lifetimeMs))} vs the whole command ${formatMs(pvApply.command.ms)}`,
    ];
    const perPlan = planProcesses.map((p) => p.length);
    return [
      {
        id: '5a',
        name: `terraform plan, ${CHANGED} of ${inputs} inputs changed: provider vs terraform_data`,
        measured: `${formatMs(planPv)} vs ${formatMs(planTd)} = x${(planPv / planTd).toFixed(2)}`,
        target: '<= x1.50',
        pass: planPv / planTd <= 1.5,
        details: [
          `the provider plan refreshes the ${inputs} inputs from ${planReads.join(', ')} structure read(s) per plan; terraform_data's plan calls no API (it has no live truth)`,
        ],
      },
      {
        id: '5b',
        name: `terraform apply, ${CHANGED} of ${inputs} changed: writes and structure reads`,
        measured:
          `provider ${sum(pvWrites)} writes, ${pvReads} structure read(s) for ${readers.length} ReadResource process(es); ` +
          `terraform_data ${sum(tdWrites)} writes, ${tdReads} structure read(s)`,
        target: `${CHANGED} PUTs each; reads = 1 per ReadResource process (1); terraform_data 1`,
        pass:
          tenPuts(pvWrites) &&
          tenPuts(tdWrites) &&
          readers.length === 1 &&
          pvReads === readers.length &&
          loggedReads === pvReads &&
          tdReads === 1 &&
          planReads.every((n) => n === 1),
        details: [
          `writes: provider ${describe(pvWrites)}; terraform_data ${describe(tdWrites)}`,
          `other reads: provider ${describe(otherReads(pvApply.stats))}; terraform_data ${describe(otherReads(tdApply.stats))}`,
        ],
      },
      {
        id: '5c',
        name: 'provider processes per terraform command, start and Shutdown',
        measured:
          `plan ${[...new Set(perPlan)].join('/')}, apply ${pvApply.command.processes.length}; ` +
          `start-to-handshake ${formatMs(median(all.map((p) => p.startToHandshakeMs)))}, ` +
          `Shutdown-to-exit ${formatMs(median(all.flatMap((p) => (p.shutdownToExitMs === undefined ? [] : [p.shutdownToExitMs]))))} (medians)`,
        target: `every process exits < ${formatMs(SHUTDOWN_EXIT_MS)} after Shutdown`,
        pass: all.length > 0 && unshut.length === 0,
        details: unshut.length
          ? [
              ...details5c,
              `${unshut.length} process(es) exited without Shutdown or late: ${unshut.map((p) => `pid ${p.pid} ${p.shutdownToExitMs === undefined ? 'no Shutdown' : formatMs(p.shutdownToExitMs)}`).join(', ')}`,
            ]
          : details5c,
      },
    ];
  } finally {
    await emulator.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
