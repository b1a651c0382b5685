import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmulatorDefaults } from '../../src/runtime/protocol';

/** Path of the bundled emulator; `npm test` builds it first (pretest). */
export const EMULATOR_BUNDLE = path.resolve(__dirname, '../../dist/emulator.js');
/** Path of the bundled runtime CLI; `npm test` builds it first (pretest). */
export const RUNTIME_BUNDLE = path.resolve(__dirname, '../../dist/runtime.js');

/** Fault injection knobs, as flags of `alooma-cdktf emulator` and `PUT /_emulator/faults`. */
export interface EmulatorFaults {
  latencyMs?: number;
  errorRate?: number;
  throttleRate?: number;
  retryAfterS?: number;
  createDelayMs?: number;
  /** Fraction of writes applied but answered 503 (a lost response). */
  errorAfterWriteRate?: number;
}

export interface EmulatorProcessOptions {
  /** Data directory; a new temporary one by default. Reuse it to test persistence. */
  dataDir?: string;
  /** Listening port; 0 (a free one) by default. */
  port?: number;
  faults?: EmulatorFaults;
  sessionTtlS?: number;
  extraArgs?: string[];
}

/** A real emulator process on loopback, as the tests use it. */
export interface EmulatorProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly child: ChildProcess;
  /** Output the process printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  /** Control API: change faults at run time. */
  setFaults(faults: EmulatorFaults): Promise<void>;
  /** Control API: request counters by route, e.g. `{"GET plumbing": 3}`. */
  stats(): Promise<Record<string, number>>;
  resetStats(): Promise<void>;
  /** Control API: whether a stored secret of a node equals `value`, without it ever being returned. */
  secretMatches(nodeId: string, path: string, value: string): Promise<boolean>;
}

/**
 * Starts `node dist/emulator.js` with the control API enabled and waits for
 * its "listening on" line. Fails loudly when the bundle is missing: tests
 * that need the emulator never skip.
 */
export async function startEmulatorProcess(
  options: EmulatorProcessOptions = {},
): Promise<EmulatorProcess> {
  if (!fs.existsSync(EMULATOR_BUNDLE)) {
    throw new Error(
      `${EMULATOR_BUNDLE} is missing: run "npm run bundle" (npm test does it first).`,
    );
  }
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-emu-'));
  const faults = options.faults ?? {};
  const args = [
    EMULATOR_BUNDLE,
    '--host',
    EmulatorDefaults.HOST,
    '--port',
    String(options.port ?? 0),
    '--data-dir',
    dataDir,
    '--enable-control',
    ...flag('--latency-ms', faults.latencyMs),
    ...flag('--error-rate', faults.errorRate),
    ...flag('--throttle-rate', faults.throttleRate),
    ...flag('--retry-after', faults.retryAfterS),
    ...flag('--create-delay-ms', faults.createDelayMs),
    ...flag('--error-after-write-rate', faults.errorAfterWriteRate),
    ...flag('--session-ttl', options.sessionTtlS),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start:\n${output}`)), 15000);
    const onData = () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1].replace(/\/$/, ''));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}:\n${output}`));
    });
  });
  const port = Number(new URL(url).port);

  const control = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}/_emulator/${route}`, {
      method,
      // a fresh connection per call (see liveInputs in runtime-cli.ts)
      headers:
        body === undefined
          ? { connection: 'close' }
          : { 'content-type': 'application/json', connection: 'close' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(`${method} /_emulator/${route}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };

  return {
    url,
    port,
    dataDir,
    child,
    output: () => output,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    setFaults: async (f) => void (await control('PUT', 'faults', f)),
    stats: () => control('GET', 'stats'),
    resetStats: async () => void (await control('DELETE', 'stats')),
    secretMatches: async (nodeId, path, value) =>
      ((await control('POST', 'secrets/check', { nodeId, path, value })) as { matches: boolean })
        .matches,
  };
}

function flag(name: string, value: number | undefined): string[] {
  return value === undefined ? [] : [name, String(value)];
}
