import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** The project's cdktf CLI (cdktf-cli 0.21), run as a user would. */
export const CDKTF_BIN = path.join(ROOT, 'node_modules/.bin/cdktf');

/** Result of one cdktf command. */
export interface CdktfResult {
  readonly code: number;
  readonly output: string;
}

/**
 * A throwaway cdktf app: `main.ts` written by the test, the repo's constructs
 * imported by absolute path, run by ts-node like `cdktf init` apps are.
 */
export interface CdktfApp {
  readonly dir: string;
  /**
   * The HOME the CLI runs with: a throwaway folder holding a canary file, so
   * a command built from user data (`rm -rf ~`) can never reach the real one,
   * and a test can check that it did not run.
   */
  readonly home: string;
  /** Replaces main.ts (and optional extra files). */
  write(files: Record<string, string>): void;
  /** Runs `cdktf <args>` in the app directory with the given environment. */
  cdktf(args: string[], env?: NodeJS.ProcessEnv): CdktfResult;
  /** Path of the synthesized stack directory. */
  stackDir(stack: string): string;
}

/** Creates a cdktf app directory. */
export function createCdktfApp(prefix = 'alooma-app-'): CdktfApp {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}home-`));
  fs.writeFileSync(path.join(home, HOME_CANARY), 'if this file is gone, something ran rm -rf ~');
  const tsNode = require.resolve('ts-node/register/transpile-only');
  fs.writeFileSync(
    path.join(dir, 'cdktf.json'),
    JSON.stringify({
      language: 'typescript',
      app: `node -r ${tsNode} main.ts`,
      sendCrashReports: 'false',
      terraformProviders: [],
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'commonjs',
        target: 'ES2022',
        esModuleInterop: true,
        strict: true,
      },
    }),
  );
  return {
    dir,
    home,
    write(files) {
      for (const [name, content] of Object.entries(files))
        fs.writeFileSync(path.join(dir, name), content);
    },
    cdktf(args, env = {}) {
      if (!fs.existsSync(CDKTF_BIN)) throw new Error(`${CDKTF_BIN} is missing: run npm install`);
      const result = spawnSync(CDKTF_BIN, args, {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: home,
          CHECKPOINT_DISABLE: '1',
          CI: '1',
          NO_COLOR: '1',
          FORCE_COLOR: '0',
          DISABLE_VERSION_CHECK: '1',
          // resolve cdktf/constructs of the app from the repo
          NODE_PATH: path.join(ROOT, 'node_modules'),
          ...env,
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 300_000,
      });
      if (result.error) throw result.error;
      return { code: result.status ?? -1, output: (result.stdout ?? '') + (result.stderr ?? '') };
    },
    stackDir: (stack) => path.join(dir, 'cdktf.out', 'stacks', stack),
  };
}

/** A file every throwaway HOME starts with. */
export const HOME_CANARY = 'canary.txt';

/** Absolute import path of the repo's constructs, for generated app code. */
export const CONSTRUCTS_MODULE = path.join(ROOT, 'src/constructs');
/** Absolute import path of the repo's cdktf dependency. */
export const CDKTF_MODULE = path.join(ROOT, 'node_modules/cdktf');
