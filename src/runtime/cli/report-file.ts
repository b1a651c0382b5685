/**
 * The apply's report, handed from the step that holds secrets to the step
 * that prints. Terraform replaces the whole output of a provisioner whose
 * configuration holds a sensitive or ephemeral value with "(output
 * suppressed ...)", so a stack whose apply step gets secrets from Terraform
 * runs it with `EnvVar.REPORT_FILE` set: everything the runtime would print
 * goes to that file with the exit status, and the next provisioner (no
 * secrets, so its output shows) runs `report`, which prints it and fails the
 * apply when the apply failed. The runtime never prints a secret, so the file
 * holds none.
 */
import * as fs from 'node:fs';
import { AloomaErrorCode } from '../../alooma/errors';
import { CliError } from './errors';

interface Report {
  readonly exitCode: number;
  readonly output: ReadonlyArray<{ readonly stream: 'stdout' | 'stderr'; readonly text: string }>;
}

/** Diverts stdout and stderr into memory until {@link OutputCapture.finish}. */
export class OutputCapture {
  private readonly output: Array<{ stream: 'stdout' | 'stderr'; text: string }> = [];
  private readonly restore: () => void;

  constructor() {
    const stdoutWrite = process.stdout.write.bind(process.stdout);
    const stderrWrite = process.stderr.write.bind(process.stderr);
    const capture =
      (stream: 'stdout' | 'stderr') =>
      (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
        this.output.push({
          stream,
          text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'),
        });
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      };
    process.stdout.write = capture('stdout') as typeof process.stdout.write;
    process.stderr.write = capture('stderr') as typeof process.stderr.write;
    this.restore = () => {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
    };
  }

  /** Stops capturing and writes the report (output and `exitCode`) to `file`. */
  public finish(file: string, exitCode: number): void {
    this.restore();
    const report: Report = { exitCode, output: this.output };
    fs.writeFileSync(file, JSON.stringify(report), { mode: 0o600 });
  }
}

/**
 * `report`: prints the report the apply wrote to `file`, removes it, and
 * returns the apply's exit status.
 */
export function printReport(file: string | undefined): number {
  if (!file) {
    throw new CliError(
      AloomaErrorCode.BAD_ENVIRONMENT,
      'no report file given',
      'this command is run by the synthesized stack after its apply step',
    );
  }
  let report: Report;
  try {
    report = JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
  } catch {
    throw new CliError(
      AloomaErrorCode.BAD_ENVIRONMENT,
      `the apply step left no report (${file})`,
      'it did not start or was killed: check that node is on PATH and deploy again (a re-run converges)',
    );
  }
  for (const { stream, text } of report.output) process[stream].write(text);
  fs.rmSync(file, { force: true });
  return report.exitCode;
}
