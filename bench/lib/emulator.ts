/**
 * A real emulator process (`node dist/emulator.js`) on loopback, with its own
 * temporary data directory and the control API (request counters), as the
 * tests start it. Source validation is turned off when the emulator has a
 * flag for it, so benchmarks never depend on a reachable database.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The bundled emulator and runtime (built by scripts/bundle-runtime.js). */
export const EMULATOR_BUNDLE = path.resolve(__dirname, '../../dist/emulator.js');
export const RUNTIME_BUNDLE = path.resolve(__dirname, '../../dist/runtime.js');

/** Account and key of the emulator's default account. */
export const ACCOUNT = 'demo';
export const API_KEY = 'demo-key';

/** A running emulator. */
export interface Emulator {
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Extra flags it was started with (e.g. `--no-source-validation`). */
  readonly flags: readonly string[];
  /** Request counters by route, e.g. `{"GET plumbing": 1, "PUT inputs/:id": 10}`. */
  stats(): Promise<Record<string, number>>;
  resetStats(): Promise<void>;
  /** SIGTERM, wait for exit, remove the data directory. */
  stop(): Promise<void>;
}

let noValidationFlag: string[] | undefined;

/**
 * The flags that turn source validation off in this emulator build:
 * `--source-validation off` (the current option), `--no-source-validation`
 * (older builds). A build with neither fails: validating a source resolves
 * its host, and the benchmarks' made-up hosts would time the resolver.
 */
export function sourceValidationFlags(): string[] {
  if (noValidationFlag === undefined) {
    const help = execFileSync(process.execPath, [EMULATOR_BUNDLE, '--help'], { encoding: 'utf8' });
    if (/--source-validation <mode>/.test(help)) noValidationFlag = ['--source-validation', 'off'];
    else if (help.includes('--no-source-validation')) noValidationFlag = ['--no-source-validation'];
    else throw new Error(`${EMULATOR_BUNDLE} has no flag to turn source validation off`);
  }
  return noValidationFlag;
}

/** Options of {@link startEmulator}. */
export interface StartOptions {
  /** Flags for node itself, e.g. `['--cpu-prof', '--cpu-prof-dir', DIR]`. */
  readonly nodeArgs?: readonly string[];
  /** Another build of the emulator (e.g. a patched copy to compare). @default dist/emulator.js */
  readonly bundle?: string;
  /** Extra environment (e.g. NODE_PATH for a copy outside the repository). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts an emulator on a free loopback port with a fresh data directory. */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  if (!fs.existsSync(EMULATOR_BUNDLE)) {
    throw new Error(`${EMULATOR_BUNDLE} is missing: run "npm run bundle" first (npm run bench does)`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-emu-'));
  const flags = sourceValidationFlags();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), options.bundle ?? EMULATOR_BUNDLE, '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--enable-control', ...flags],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 15_000);
    const onData = () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(match[1].replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });
  const control = async (method: string, route: string) => {
    const res = await fetch(`${url}/_emulator/${route}`, { method });
    if (!res.ok) throw new Error(`${method} /_emulator/${route}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, number>>;
  };
  return {
    url,
    dataDir,
    child,
    flags,
    stats: () => control('GET', 'stats'),
    resetStats: async () => void (await control('DELETE', 'stats')),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Environment for the runtime CLI against `emulator`. */
export function runtimeEnv(emulator: Emulator, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ALOOMA_API_URL: emulator.url,
    ALOOMA_ACCOUNT: ACCOUNT,
    ALOOMA_API_KEY: API_KEY,
    PG_PASSWORD: 'bench-secret',
    NO_COLOR: '1',
    ...extra,
  };
}
