/**
 * Target 1c, the synth-time live diff: synthesizing the 1,000-input app with
 * the live report on (credentials set; the report reads live Alooma once and
 * compares every input) costs at most 25% more than with it off. Both sides
 * are the same entry point users run (`node -r ts-node/register/transpile-only
 * bench/synth-app.ts`, what `cdktf synth` / `cdktf diff` start), interleaved,
 * medians compared. The 1,000 inputs exist and are in sync: the runtime
 * creates them first from the app's own manifest.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REFERENCE_KEY } from '../../src/runtime/protocol';
import { RUNTIME_BUNDLE, runtimeEnv, startEmulator } from '../lib/emulator';
import { runOk } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { formatMs, formatSample, median } from '../lib/stats';
import { synthApp } from './synth';

const INPUTS = 1000;
const MAX_EXTRA = 0.25;

/** Values for the app's references, as its variables' defaults give them. */
function referenceValues(manifest: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    const id = (value as Record<string, unknown>)[REFERENCE_KEY];
    if (typeof id === 'string') {
      const server = /^bench_db_(\d+)\/configuration\/server$/.exec(id);
      if (server) values[id] = `db${Number(server[1])}.dev.internal.example`;
      else if (id.endsWith('/configuration/port')) values[id] = 5432;
      else throw new Error(`unexpected reference ${id} in the benchmark app`);
      return;
    }
    Object.values(value).forEach(walk);
  };
  walk(manifest);
  return values;
}

/** Runs target 1c. */
export async function benchLiveDiff(
  rounds: number,
  log: (line: string) => void,
): Promise<TargetResult[]> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-livediff-'));
  const emulator = await startEmulator();
  try {
    const seed = await synthApp(path.join(tmp, 'seed'), INPUTS);
    const manifestDir = fs
      .readdirSync(path.join(seed.stackDir, 'assets'))
      .find((d) => d.includes('Manifest'));
    const manifestFile = path.join(seed.stackDir, 'assets', manifestDir!, 'v1', 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    await runOk(process.execPath, [RUNTIME_BUNDLE, 'apply', '--manifest', manifestFile], {
      env: runtimeEnv(emulator, {
        ALOOMA_CDKTF_REFERENCES: JSON.stringify(referenceValues(manifest)),
      }),
      timeoutMs: 600_000,
    });
    const on: NodeJS.ProcessEnv = {
      ALOOMA_LIVE_DIFF: 'on',
      ALOOMA_API_URL: emulator.url,
      ALOOMA_API_KEY: runtimeEnv(emulator).ALOOMA_API_KEY,
      ALOOMA_LIVE_DIFF_TIMEOUT_MS: '60000',
    };
    const off: number[] = [];
    const withDiff: number[] = [];
    // In-process time (app code + app.synth(), where the live diff runs): less noisy than wall time.
    const offInner: number[] = [];
    const onInner: number[] = [];
    let report = '';
    // At least 5 rounds: one synth is ~2 s of wall time that varies by +-10% on its own.
    for (let round = 0; round < Math.max(rounds, 5); round++) {
      const sides = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const side of sides) {
        const outdir = path.join(tmp, `r${round}-${side}`);
        const run = await synthApp(outdir, INPUTS, side === 'on' ? on : {});
        if (side === 'on') {
          // The report is a cdktf annotation of the stack (cdktf.out/manifest.json), not stdout.
          report = annotationsText(outdir);
          if (!/input\(s\) in sync with live Alooma/.test(report))
            throw new Error(`the live diff did not report:\n${report.slice(0, 2000)}`);
          withDiff.push(run.wallMs);
          onInner.push(run.synthMs);
        } else {
          off.push(run.wallMs);
          offInner.push(run.synthMs);
        }
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
    const tOff = median(off);
    const tOn = median(withDiff);
    const extra = tOn / tOff - 1;
    log(
      `  synth ${INPUTS} inputs, live diff off: ${formatSample(off)}; on: ${formatSample(withDiff)}`,
    );
    log(`  report: ${report.split('\n').find((l) => l.startsWith('alooma ('))}`);
    return [
      {
        id: '1c',
        name: `synth-time live diff, ${INPUTS} inputs (on vs off)`,
        measured: `${formatMs(tOn)} vs ${formatMs(tOff)} (${extra >= 0 ? '+' : ''}${(extra * 100).toFixed(1)}%)`,
        target: `<= +${MAX_EXTRA * 100}%`,
        pass: extra <= MAX_EXTRA,
        details: [
          `in-process synth: ${formatMs(median(onInner))} vs ${formatMs(median(offInner))} ` +
            `(the live diff itself: +${formatMs(median(onInner) - median(offInner))})`,
        ],
      },
    ];
  } finally {
    await emulator.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The messages of every annotation of the app synthesized into `outdir`, one per line. */
function annotationsText(outdir: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
    stacks: Record<string, { annotations?: Array<{ message: string }> }>;
  };
  return Object.values(manifest.stacks)
    .flatMap((stack) => (stack.annotations ?? []).map((a) => a.message))
    .join('\n');
}
