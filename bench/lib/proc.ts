/**
 * Child processes for the benchmarks: wall time from spawn to exit, output
 * captured, and the child's peak RSS read from `/usr/bin/time -f %M` when
 * that exists (GNU time), else from a preloaded hook that reports
 * `process.resourceUsage().maxRSS` at exit (node children only).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { msSince } from './stats';

/** What one child run gave. */
export interface RunResult {
  readonly code: number;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size of the child in KiB, when asked for. */
  readonly maxRssKb?: number;
}

/** Options of {@link run}. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Measure the child's peak RSS. */
  readonly maxRss?: boolean;
  /** Kill the child after this many ms. @default 300000 */
  readonly timeoutMs?: number;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = fs.existsSync(GNU_TIME);

/** Runs `command args` and resolves when it exits (never rejects for a non-zero exit). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  let argv = [command, ...args];
  let rssFile: string | undefined;
  const env = { ...(options.env ?? process.env) };
  if (options.maxRss) {
    rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-rss-')), 'rss');
    if (hasGnuTime) {
      argv = [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv];
    } else if (command === process.execPath || command === 'node') {
      env.ALOOMA_BENCH_RSS_FILE = rssFile;
      argv = [command, '-r', path.join(__dirname, 'rss-hook.js'), ...args];
    }
  }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      const ms = msSince(started);
      clearTimeout(timer);
      let maxRssKb: number | undefined;
      if (rssFile && fs.existsSync(rssFile)) {
        // GNU time may print "Command exited with non-zero status N" before the number.
        const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
        maxRssKb = Number(lines[lines.length - 1]);
        fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
      }
      resolve({ code: code ?? (signal ? 128 : -1), ms, stdout, stderr, maxRssKb });
    });
  });
}

/** Like {@link run}, but rejects with the output when the exit code is not 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.code}:\n${tail(result.stdout)}\n${tail(result.stderr)}`,
    );
  }
  return result;
}

/** The last lines of a long output. */
export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
