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
 *
 * A value from Terraform in a plain field is no secret of ours, but Terraform
 * may hold it sensitive: the stack tells which references Terraform knows
 * not to be sensitive (`EnvVar.PLAIN_REFERENCES`), and every other
 * referenced value is replaced in the report by "(from Terraform)".
 */
import * as fs from 'node:fs';
import { AloomaErrorCode } from '../../alooma/errors';
import { isPlainObject } from '../../alooma/json';
import { EnvVar } from '../protocol';
import { FROM_TERRAFORM, hideFieldsFromTerraform } from '../reconcile/report';
import { CliError } from './errors';

/** Shortest prefix of a hidden value that is hidden where a long value is cut short ("abc..."). */
const MIN_HIDDEN_PREFIX = 8;

interface Report {
  readonly exitCode: number;
  readonly output: ReadonlyArray<{ readonly stream: 'stdout' | 'stderr'; readonly text: string }>;
}

/**
 * The Terraform references (id -> value) that Terraform did not mark as
 * known not to be sensitive: all of them when the stack says nothing.
 */
export function hiddenReferences(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const references = parseObject(env[EnvVar.REFERENCES]);
  const plain = parseObject(env[EnvVar.PLAIN_REFERENCES]);
  return Object.fromEntries(Object.entries(references).filter(([id]) => plain[id] !== true));
}

/**
 * The texts to hide in the report, wherever they appear (an error quoting a
 * value, say): every value of {@link hiddenReferences}, as it may be printed
 * (the value, each string or number in it, JSON-escaped or not, whole JSON).
 * Longest first.
 */
export function hiddenReferenceValues(env: NodeJS.ProcessEnv): string[] {
  const hidden = new Set<string>();
  const add = (text: string) => {
    if (text === '') return;
    hidden.add(text);
    hidden.add(JSON.stringify(text).slice(1, -1));
  };
  const visit = (value: unknown): void => {
    if (typeof value === 'string') add(value);
    else if (typeof value === 'number' || typeof value === 'boolean') add(String(value));
    else if (Array.isArray(value) || isPlainObject(value)) {
      add(JSON.stringify(value));
      Object.values(value).forEach(visit);
    }
  };
  Object.values(hiddenReferences(env)).forEach(visit);
  return [...hidden].sort((a, b) => b.length - a.length);
}

/** `text` with every one of `hidden` (and a long one's prefix cut short by "...") replaced. */
export function hideValues(text: string, hidden: readonly string[]): string {
  let out = text;
  for (const value of hidden) {
    out = out.split(value).join(FROM_TERRAFORM);
    for (let n = value.length - 1; n >= MIN_HIDDEN_PREFIX; n--)
      out = out.split(`${value.slice(0, n)}...`).join(`${FROM_TERRAFORM}...`);
  }
  return out;
}

function parseObject(text: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = text === undefined ? undefined : JSON.parse(text);
    return isPlainObject(value) ? value : {};
  } catch {
    return {};
  }
}

/**
 * Diverts stdout and stderr into memory until {@link OutputCapture.finish},
 * which writes them with the values of {@link hiddenReferenceValues} hidden.
 * Meanwhile the plan's renderings show the fields of
 * {@link hiddenReferences} (their old, live values too) as "(from Terraform)".
 */
export class OutputCapture {
  private readonly output: Array<{ stream: 'stdout' | 'stderr'; text: string }> = [];
  private readonly restore: () => void;
  private readonly hidden: readonly string[];

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.hidden = hiddenReferenceValues(env);
    hideFieldsFromTerraform(Object.keys(hiddenReferences(env)));
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
    const output = this.output.map(({ stream, text }) => ({
      stream,
      text: hideValues(text, this.hidden),
    }));
    const report: Report = { exitCode, output };
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
