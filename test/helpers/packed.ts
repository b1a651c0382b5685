/**
 * The package as other projects get it: `npm pack` of the repo, and commands
 * run in the apps that install it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Result of a command. */
export interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/** Runs `command` in `cwd` with the test's environment plus `env`; stdout then stderr. */
export function runCommand(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): CommandResult {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 << 20,
    timeout: 600_000,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** {@link runCommand} that throws, with the output, unless the command succeeds. */
export function runCommandOk(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): string {
  const result = runCommand(command, args, cwd, env);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  return result.output;
}

/** `npm pack`s the repo (prepack builds it) into `dir`; returns the tarball's path. */
export function packRepo(dir: string): string {
  runCommandOk('npm', ['pack', '--pack-destination', dir, '--silent'], ROOT);
  const tarball = fs.readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${dir}`);
  return path.join(dir, tarball);
}
