/**
 * Target 1, synth: an app of 1,000 inputs x 20 tables (one in ten taking
 * its server and port from Terraform variables) synthesizes in at most 2x
 * the time of the same app with 10 inputs plus 1 s, and grows linearly
 * (1,000 vs 100 inputs: ratio <= 12).
 *
 * Each synth is a fresh `node -r ts-node/register/transpile-only
 * bench/synth-app.ts`, the command cdktf.json gives `cdktf synth`, timed
 * from spawn to exit; sizes are interleaved (rotated per round) and the
 * median of the rounds is compared.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runOk } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { formatMs, formatSample, median } from '../lib/stats';

const ROOT = path.resolve(__dirname, '../..');
const APP = path.join(ROOT, 'bench/synth-app.ts');
const TABLES = 20;
/** Every Nth input of the benchmark app uses Terraform references. */
export const REFERENCE_EVERY = 10;

/** One synth of `inputs` inputs in a fresh process. */
export interface SynthRun {
  readonly inputs: number;
  /** Spawn to exit. */
  readonly wallMs: number;
  /** App code + app.synth(), measured inside the process. */
  readonly synthMs: number;
  /** The stack directory (cdk.tf.json and assets). */
  readonly stackDir: string;
  /** What the app printed (the live report, when it ran). */
  readonly stdout: string;
}

/** Synthesizes the benchmark app into `outdir` (kept: the caller owns it). */
export async function synthApp(
  outdir: string,
  inputs: number,
  extraEnv: NodeJS.ProcessEnv = {},
  nodeArgs: readonly string[] = [],
): Promise<SynthRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CHECKPOINT_DISABLE: '1',
    // No credentials are passed: no synth-time live report, like a synth in CI.
    ALOOMA_LIVE_DIFF: 'off',
    CDKTF_OUTDIR: outdir,
    BENCH_INPUTS: String(inputs),
    BENCH_TABLES: String(TABLES),
    // One input in ten takes values from Terraform references (issue 11's 100 of 1,000).
    BENCH_REFERENCE_EVERY: String(REFERENCE_EVERY),
    ...extraEnv,
  };
  fs.mkdirSync(outdir, { recursive: true });
  const result = await runOk(
    process.execPath,
    [...nodeArgs, '-r', 'ts-node/register/transpile-only', APP],
    { cwd: ROOT, env },
  );
  const match = /synth-ms ([\d.]+)/.exec(result.stdout);
  const stackDir = path.join(outdir, 'stacks', 'bench-inputs');
  const config = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
  // terraform_data: one per input and the reconciler; provider: one alooma_database_input per input.
  const [type, expected] =
    env.BENCH_ENGINE === 'provider'
      ? ['alooma_database_input', inputs]
      : ['terraform_data', inputs + 1];
  const resources = Object.keys(config.resource?.[type] ?? {}).length;
  if (resources !== expected) {
    throw new Error(
      `synth of ${inputs} inputs gave ${resources} ${type} resources, expected ${expected}`,
    );
  }
  return {
    inputs,
    wallMs: result.ms,
    synthMs: match ? Number(match[1]) : NaN,
    stackDir,
    stdout: result.stdout,
  };
}

/** Runs target 1; `rounds` synths of each size. */
export async function benchSynth(
  rounds: number,
  log: (line: string) => void,
): Promise<TargetResult[]> {
  const sizes = [10, 100, 1000];
  const wall = new Map<number, number[]>(sizes.map((n) => [n, []]));
  const inner = new Map<number, number[]>(sizes.map((n) => [n, []]));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-synth-'));
  try {
    // One untimed synth first: warms the disk cache for node_modules.
    await synthApp(path.join(tmp, 'warmup'), 10);
    for (let round = 0; round < rounds; round++) {
      const order = sizes.map((_, i) => sizes[(i + round) % sizes.length]);
      for (const n of order) {
        const outdir = path.join(tmp, `r${round}-n${n}`);
        const run = await synthApp(outdir, n);
        wall.get(n)!.push(run.wallMs);
        inner.get(n)!.push(run.synthMs);
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const [t10, t100, t1000] = sizes.map((n) => median(wall.get(n)!));
  const [s10, s100, s1000] = sizes.map((n) => median(inner.get(n)!));
  for (const n of sizes) {
    log(
      `  synth ${n} inputs x ${TABLES} tables: wall ${formatSample(wall.get(n)!)}, ` +
        `in-process (app code + app.synth()) ${formatSample(inner.get(n)!)}`,
    );
  }
  const budget = 2 * t10 + 1000;
  const ratio = t1000 / t100;
  const perInput = (s1000 - s100) / 900;
  return [
    {
      id: '1a',
      name: 'synth 1000 vs 10 inputs (x20 tables, fresh node)',
      measured: `${formatMs(t1000)} vs ${formatMs(t10)} (x${(t1000 / t10).toFixed(2)})`,
      target: `<= 2 x ${formatMs(t10)} + 1 s = ${formatMs(budget)}`,
      pass: t1000 <= budget,
      details: [
        `in-process synth: ${formatMs(s1000)} vs ${formatMs(s10)}; the rest of the wall time is node + ts-node + module loading`,
      ],
    },
    {
      id: '1b',
      name: 'synth growth 1000 vs 100 inputs',
      measured: `${formatMs(t1000)} / ${formatMs(t100)} = ${ratio.toFixed(2)}`,
      target: '<= 12',
      pass: ratio <= 12,
      details: [
        `in-process: ${formatMs(s1000)} / ${formatMs(s100)} = ${(s1000 / s100).toFixed(2)}; ` +
          `marginal cost ${perInput.toFixed(2)} ms per input of ${TABLES} tables`,
      ],
    },
  ];
}
