/**
 * Target 5d/5e: creating N inputs from nothing with `terraform apply`,
 * through the provider and through the terraform_data engine (issue 18).
 *
 * Every provider create used to read the whole structure twice (the name
 * look-up before the create and the check after it): 1,000 creates took
 * 283 s and 1,896 structure reads, against 134 reads for the runtime's
 * creates of the same inputs. Now a create looks its name up in one structure
 * read of its process, and its confirmation and the check after it go
 * through the client's shared structure poller, whose reads serve every
 * create waiting at that moment.
 *
 * The benchmark app (N database inputs of 20 tables, one in ten taking
 * server and port from Terraform variables, the password from one ephemeral
 * variable) is synthesized once per engine. Each side applies its stack from
 * nothing against its own fresh emulator process (the same names on both
 * sides: an emulator shared by the two would make the second side adopt the
 * first's inputs), with Terraform's default parallelism, as `cdktf deploy`
 * runs it.
 *
 * 5d: structure reads (`GET plumbing`) of the provider's apply: <= N/5, so a
 *     regression to one read per create (N) or two (2N) fails; the runtime's
 *     reads for its creates of the same N are printed beside them.
 * 5e: wall time of the provider's apply vs the terraform_data engine's apply
 *     of the same N: <= 1.5x. Both end with every input live once and
 *     recorded in state.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Emulator, runtimeEnv, startEmulator } from '../lib/emulator';
import { runOk, tail } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { formatMs } from '../lib/stats';
import { syncStack, writesOf } from './provider';
import { synthApp } from './synth';

/** Inputs created per side (`--create-inputs` changes it for quick checks). */
export const CREATE_INPUTS = 1000;
/** Structure reads allowed per provider create. */
export const READS_PER_CREATE = 1 / 5;
/** Provider apply time over terraform_data apply time allowed. */
export const CREATE_TIME_RATIO = 1.5;
const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';
const STRUCTURE_READ = 'GET plumbing';

type Engine = 'terraform_data' | 'provider';

/** What one side's apply did. */
interface CreateRun {
  readonly ms: number;
  readonly stats: Record<string, number>;
}

const creates = (stats: Record<string, number>) =>
  (stats['POST plumbing/inputs'] ?? 0) + (stats['POST inputs'] ?? 0);

const describe = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([route, n]) => `${n} ${route}`)
    .join(', ') || 'none';

/** Live client inputs of the emulator, counted by name. */
async function namesLive(emulator: Emulator): Promise<Map<string, number>> {
  const res = await fetch(`${emulator.url}/rest/plumbing/?resolution=1min`, {
    headers: { authorization: 'API demo-key', connection: 'close' },
  });
  if (!res.ok) throw new Error(`structure read for the check: ${res.status}`);
  const { nodes } = (await res.json()) as {
    nodes: Array<{ name: string; category: string; deleted?: boolean; type: string }>;
  };
  const counts = new Map<string, number>();
  for (const n of nodes)
    if (n.category === 'INPUT' && n.deleted !== true && n.name.startsWith('bench'))
      counts.set(n.name, (counts.get(n.name) ?? 0) + 1);
  return counts;
}

/** Applies the engine's stack from nothing against a fresh emulator; checks every input exists once. */
async function createAll(
  engine: Engine,
  stackDir: string,
  workDir: string,
  inputs: number,
): Promise<CreateRun> {
  syncStack(stackDir, workDir);
  const emulator = await startEmulator();
  try {
    const env: NodeJS.ProcessEnv = {
      ...runtimeEnv(emulator),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      TF_CLI_CONFIG_FILE: '/dev/null',
      TF_VAR_pg_password: 'bench-secret',
    };
    const terraform = (args: string[]) =>
      runOk(TERRAFORM, [...args, '-no-color'], { cwd: workDir, env, timeoutMs: 1_800_000 });
    await terraform(['init', '-input=false']);
    await emulator.resetStats();
    const apply = await terraform(['apply', '-auto-approve', '-input=false']);
    const stats = await emulator.stats();
    const resources = engine === 'provider' ? inputs : inputs + 1;
    if (!apply.stdout.includes(`Apply complete! Resources: ${resources} added, 0 changed`))
      throw new Error(`${engine} apply did not add ${resources}:\n${tail(apply.stdout)}`);
    const names = await namesLive(emulator);
    const doubled = [...names].filter(([, n]) => n !== 1);
    if (names.size !== inputs || doubled.length > 0)
      throw new Error(
        `${engine} apply left ${names.size} names live (expected ${inputs}), doubled: ${doubled.length}`,
      );
    return { ms: apply.ms, stats };
  } finally {
    await emulator.stop();
  }
}

/** Runs targets 5d and 5e. */
export async function benchProviderCreate(
  log: (line: string) => void,
  inputs = CREATE_INPUTS,
): Promise<TargetResult[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-create-'));
  try {
    const synth = (engine: Engine) =>
      synthApp(path.join(tmp, `synth-${engine}`), inputs, {
        BENCH_ENGINE: engine,
        BENCH_SECRET: 'terraform',
      });
    const [td, pv] = await Promise.all([synth('terraform_data'), synth('provider')]);
    const run: Partial<Record<Engine, CreateRun>> = {};
    for (const [engine, synthRun] of [
      ['terraform_data', td],
      ['provider', pv],
    ] as const) {
      run[engine] = await createAll(engine, synthRun.stackDir, path.join(tmp, engine), inputs);
      const r = run[engine]!;
      log(
        `  ${engine}: ${inputs} inputs created in ${formatMs(r.ms)}; ${r.stats[STRUCTURE_READ] ?? 0} structure reads, ${creates(r.stats)} creates, writes: ${describe(writesOf(r.stats))}`,
      );
    }
    const tdRun = run.terraform_data!;
    const pvRun = run.provider!;
    const pvReads = pvRun.stats[STRUCTURE_READ] ?? 0;
    const tdReads = tdRun.stats[STRUCTURE_READ] ?? 0;
    const readBound = Math.floor(inputs * READS_PER_CREATE);
    const ratio = pvRun.ms / tdRun.ms;
    return [
      {
        id: '5d',
        name: `terraform apply creating ${inputs} inputs through the provider: structure reads`,
        measured: `${pvReads} reads (${(pvReads / inputs).toFixed(3)} per create; runtime ${tdReads} for the same creates)`,
        target: `<= ${readBound} (N/${Math.round(1 / READS_PER_CREATE)})`,
        pass: pvReads <= readBound && creates(pvRun.stats) === inputs,
        details: [
          `creates posted: provider ${creates(pvRun.stats)}, terraform_data ${creates(tdRun.stats)}`,
        ],
      },
      {
        id: '5e',
        name: `terraform apply creating ${inputs} inputs: provider vs terraform_data`,
        measured: `${formatMs(pvRun.ms)} vs ${formatMs(tdRun.ms)} = x${ratio.toFixed(2)}`,
        target: `<= x${CREATE_TIME_RATIO.toFixed(2)}`,
        pass: ratio <= CREATE_TIME_RATIO,
      },
    ];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
