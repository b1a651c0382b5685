import { ChildProcess, spawn, spawnSync } from 'node:child_process';

/** The terraform binary the e2e tests drive; they fail (never skip) when it is missing. */
export const TERRAFORM = process.env.TERRAFORM_BIN ?? 'terraform';

/**
 * The environment terraform runs with: the caller's `env` (credentials for
 * the provisioners) on top of a minimal base, never the test's own
 * environment by accident.
 */
export function terraformEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    ...env,
  };
}

/** Result of one terraform command. */
export interface TerraformResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout + stderr, for asserting on what a user would read. */
  readonly output: string;
}

/**
 * Runs `terraform <args>` in a synthesized stack directory. Terraform
 * inherits `env` (credentials for the provisioners), never the test's own
 * environment by accident.
 */
export function terraform(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): TerraformResult {
  const result = spawnSync(TERRAFORM, args, {
    cwd: dir,
    encoding: 'utf8',
    env: terraformEnv(env),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    throw new Error(
      `cannot run ${TERRAFORM}: ${result.error.message} (e2e tests need Terraform 1.11 on PATH)`,
    );
  }
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { code: result.status ?? -1, stdout, stderr, output: stdout + stderr };
}

/** Runs terraform and throws with its output unless it exits with one of `okCodes`. */
export function terraformOk(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  okCodes = [0],
): TerraformResult {
  const result = terraform(dir, args, env);
  if (!okCodes.includes(result.code)) {
    throw new Error(`terraform ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  }
  return result;
}

/** Like {@link terraform}, without blocking the test's event loop (to act while it runs). */
export function terraformAsync(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<TerraformResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(TERRAFORM, args, {
      cwd: dir,
      env: terraformEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', (error) => reject(new Error(`cannot run ${TERRAFORM}: ${error.message}`)));
    child.once('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }),
    );
  });
}

/** A terraform process started by {@link spawnTerraform}. */
export interface TerraformProcess {
  /** The terraform process itself (the leader of its own process group). */
  readonly child: ChildProcess;
  /** Resolves when terraform exits, with what it printed. */
  readonly done: Promise<TerraformResult>;
}

/**
 * Like {@link terraformAsync}, but hands out the child process, so a test can
 * signal terraform itself mid-apply. Terraform runs in its own process group
 * (`detached`): `process.kill(-child.pid)` then reaches what it spawned too
 * (the provisioners' shells and runtimes), which SIGKILL of terraform alone
 * leaves running.
 */
export function spawnTerraform(
  dir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): TerraformProcess {
  const child = spawn(TERRAFORM, args, {
    cwd: dir,
    detached: true,
    env: terraformEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<TerraformResult>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`cannot run ${TERRAFORM}: ${error.message}`)));
    // a signal-killed terraform has no exit code: -1, and child.signalCode says which signal
    child.once('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }),
    );
  });
  return { child, done };
}
