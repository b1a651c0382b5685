/**
 * Target 3, deploy overhead.
 *
 * 3a: `terraform apply` of a one-input change in a synthesized 500-input
 * stack takes at most 1.5x the same apply with the runtime replaced by
 * `true`. Two copies of the stack directory, each with its own state:
 * A runs the real runtime against an emulator, B has every
 * `node <runtime.js>` of cdk.tf.json rewritten to `true`. The initial state
 * is made once in A and copied to B; then each round switches both to the
 * other variant of the app (one input's table differs) and times
 * `terraform apply` in A and in B, alternating which goes first.
 *
 * 3b: `node dist/runtime.js --version` starts in at most 2x `node -e 0`
 * (medians of interleaved runs).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RUNTIME_BUNDLE, runtimeEnv, startEmulator } from '../lib/emulator';
import { run, runOk, tail } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { formatMs, formatSample, median } from '../lib/stats';
import { synthApp } from './synth';

const INPUTS = 500;
const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';
const RUNTIME_COMMAND = /node assets\/[A-Za-z0-9_./-]+\/runtime\.js/g;

/** Copies a synthesized stack into `dst` (state and .terraform kept), optionally without the runtime. */
function syncStack(src: string, dst: string, withoutRuntime: boolean): void {
  fs.mkdirSync(dst, { recursive: true });
  fs.rmSync(path.join(dst, 'assets'), { recursive: true, force: true });
  fs.cpSync(path.join(src, 'assets'), path.join(dst, 'assets'), { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(src, 'cdk.tf.json'), 'utf8'));
  // cdktf writes an absolute state path into the project; keep each copy's state in its own directory.
  config.terraform.backend = { local: { path: 'terraform.tfstate' } };
  let text = JSON.stringify(config, null, 2);
  if (withoutRuntime) {
    const before = text;
    text = text.replace(RUNTIME_COMMAND, 'true');
    if (text === before) throw new Error('no runtime command found in cdk.tf.json to replace');
  }
  fs.writeFileSync(path.join(dst, 'cdk.tf.json'), text);
}

/** Runs targets 3a and 3b. */
export async function benchDeploy(
  rounds: number,
  log: (line: string) => void,
): Promise<TargetResult[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-deploy-'));
  const emulator = await startEmulator();
  try {
    const variants = await Promise.all(
      [0, 1].map((v) =>
        synthApp(path.join(tmp, `synth-${v}`), INPUTS, { BENCH_VARIANT: String(v) }),
      ),
    );
    const dirA = path.join(tmp, 'with-runtime');
    const dirB = path.join(tmp, 'runtime-is-true');
    const env: NodeJS.ProcessEnv = {
      ...runtimeEnv(emulator),
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
    };
    const terraform = (dir: string, args: string[]) =>
      runOk(TERRAFORM, [...args, '-no-color'], { cwd: dir, env, timeoutMs: 600_000 });

    syncStack(variants[0].stackDir, dirA, false);
    syncStack(variants[0].stackDir, dirB, true);
    const init = await terraform(dirA, ['init', '-input=false']);
    await terraform(dirB, ['init', '-input=false']);
    log(`  terraform init: ${formatMs(init.ms)}`);
    // Initial state: created once, with the real runtime (it creates the inputs), copied to B.
    const created = await terraform(dirA, [
      'apply',
      '-auto-approve',
      '-input=false',
      '-parallelism=50',
    ]);
    fs.copyFileSync(path.join(dirA, 'terraform.tfstate'), path.join(dirB, 'terraform.tfstate'));
    log(`  initial apply of ${INPUTS} inputs (setup, not measured): ${formatMs(created.ms)}`);

    const timesA: number[] = [];
    const timesB: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const variant = variants[(round + 1) % 2];
      syncStack(variant.stackDir, dirA, false);
      syncStack(variant.stackDir, dirB, true);
      const order = round % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const side of order) {
        const dir = side === 'A' ? dirA : dirB;
        const result = await terraform(dir, ['apply', '-auto-approve', '-input=false']);
        if (!/Resources: 1 added, 1 changed, 1 destroyed/.test(result.stdout)) {
          throw new Error(`apply in ${side} was not a one-input change:\n${tail(result.stdout)}`);
        }
        if (side === 'A') {
          if (!/Apply complete \(bench-inputs\): 0 created, 1 updated/.test(result.stdout)) {
            throw new Error(
              `the runtime did not update exactly one input:\n${tail(result.stdout)}`,
            );
          }
          timesA.push(result.ms);
        } else {
          timesB.push(result.ms);
        }
      }
    }
    const a = median(timesA);
    const b = median(timesB);
    log(
      `  terraform apply, one-input change: with runtime ${formatSample(timesA)}, runtime = true ${formatSample(timesB)}`,
    );

    const startup = await benchStartup(15);
    log(
      `  startup: node dist/runtime.js --version ${formatSample(startup.runtime)}, node -e 0 ${formatSample(startup.bare)}`,
    );
    const r = median(startup.runtime);
    const n = median(startup.bare);
    return [
      {
        id: '3a',
        name: `terraform apply, 1 of ${INPUTS} inputs changed: runtime vs true`,
        measured: `${formatMs(a)} vs ${formatMs(b)} = x${(a / b).toFixed(2)}`,
        target: '<= x1.50',
        pass: a / b <= 1.5,
        details: [
          `runtime adds ${formatMs(a - b)} per deploy: two node processes, prune (nothing to delete: no API call) and apply (one structure read of ${INPUTS} inputs, one PUT)`,
        ],
      },
      {
        id: '3b',
        name: 'startup node dist/runtime.js --version vs node -e 0',
        measured: `${formatMs(r)} vs ${formatMs(n)} = x${(r / n).toFixed(2)}`,
        target: '<= x2.00',
        pass: r / n <= 2,
      },
    ];
  } finally {
    await emulator.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Interleaved start-up times of the bundled runtime and of bare node. */
export async function benchStartup(runs: number): Promise<{ runtime: number[]; bare: number[] }> {
  const runtime: number[] = [];
  const bare: number[] = [];
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  // One untimed run of each: page cache.
  await runOk(process.execPath, [RUNTIME_BUNDLE, '--version'], { env });
  await runOk(process.execPath, ['-e', '0'], { env });
  for (let i = 0; i < runs; i++) {
    const pair: Array<[number[], string[]]> = [
      [runtime, [RUNTIME_BUNDLE, '--version']],
      [bare, ['-e', '0']],
    ];
    if (i % 2 === 1) pair.reverse();
    for (const [sample, args] of pair) {
      const result = await run(process.execPath, args, { env });
      if (result.code !== 0)
        throw new Error(`node ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
      sample.push(result.ms);
    }
  }
  return { runtime, bare };
}
