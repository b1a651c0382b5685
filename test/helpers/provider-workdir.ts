/**
 * Shared pieces of the provider's plain-HCL e2e tests
 * (test/provider/alooma-*.e2e.test.ts): a working directory with its own
 * empty HOME and no CLI configuration, the provider installed offline by
 * `alooma-cdktf provider install`, a configuration written and edited,
 * terraform run in it, its diagnostics, and what the emulator holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EmulatorProcess } from './emulator-process';
import { liveInputs, runCli } from './runtime-cli';
import {
  spawnTerraform,
  terraform,
  type TerraformProcess,
  type TerraformResult,
} from './terraform';

/** The provider's bundle, which `alooma-cdktf provider install` copies; `npm run build` makes it. */
export const PROVIDER_BUNDLE = path.resolve(__dirname, '../../dist/provider.js');

/** The terraform block and the provider block of an owner. */
export function header(owner: string, concurrency?: number): string {
  return `terraform {
  required_version = ">= 1.11"
  required_providers {
    alooma = {
      source  = "alooma-cdktf.invalid/alooma/alooma"
      version = "0.1.0"
    }
  }
}

provider "alooma" {
  owner = "${owner}"
${concurrency === undefined ? '' : `  concurrency = ${concurrency}\n`}}
`;
}

/** `count` webhook inputs named `<prefix>-<i>`, as one counted resource `alooma_input.hooks`. */
export function hooks(prefix: string, count: number): string {
  return `
resource "alooma_input" "hooks" {
  count    = ${count}
  name     = "${prefix}-\${count.index}"
  type     = "RESTAPI"
  auto_map = false
}
`;
}

/** A working directory for terraform, with the configuration it was last given. */
export interface Workdir {
  readonly dir: string;
  /** The environment of every command (mutable: a step may set a variable for the rest). */
  readonly env: NodeJS.ProcessEnv;
  /** Every command's output, for the checks at the end. */
  readonly outputs: string[];
  /** Writes `main.tf`. */
  write(config: string): void;
  /** The text last written to `main.tf`. */
  config(): string;
  /** That text with `from` replaced by `to` once (throws when `from` is not there); writes nothing. */
  edit(from: string, to: string): string;
  tf(args: string[], extraEnv?: NodeJS.ProcessEnv): TerraformResult;
  /** {@link tf} that throws, with the output, unless the exit code is one of `codes`. */
  ok(args: string[], codes?: number[], extraEnv?: NodeJS.ProcessEnv): TerraformResult;
  spawn(args: string[], extraEnv?: NodeJS.ProcessEnv): TerraformProcess;
  /** `terraform.tfstate`'s resources, as `address -> id` (`alooma_input.hooks[3]`). */
  stateIds(): Map<string, string>;
  /** The raw text of `terraform.tfstate` ('' when there is none). */
  stateText(): string;
}

/**
 * `<root>/<name>`, created with an empty HOME inside, run with no CLI
 * configuration (TF_CLI_CONFIG_FILE=/dev/null) and the emulator's URL and
 * key: nothing installed, no configuration written yet.
 */
export function hclWorkdir(
  root: string,
  name: string,
  emulator: EmulatorProcess,
  extraEnv: NodeJS.ProcessEnv = {},
): Workdir {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, 'home'), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    TF_CLI_CONFIG_FILE: '/dev/null',
    HOME: path.join(dir, 'home'),
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    ...extraEnv,
  };
  const outputs: string[] = [];
  let config = '';
  const write = (text: string) => {
    config = text;
    fs.writeFileSync(path.join(dir, 'main.tf'), text);
  };
  const tf = (args: string[], more: NodeJS.ProcessEnv = {}) => {
    const result = terraform(dir, [args[0], '-no-color', ...args.slice(1)], { ...env, ...more });
    outputs.push(result.output);
    return result;
  };
  const ok = (args: string[], codes = [0], more: NodeJS.ProcessEnv = {}) => {
    const result = tf(args, more);
    if (!codes.includes(result.code))
      throw new Error(
        `terraform ${args.join(' ')} in ${name} exited ${result.code}:\n${result.output}`,
      );
    return result;
  };
  const stateText = () => {
    const file = path.join(dir, 'terraform.tfstate');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  };
  return {
    dir,
    env,
    outputs,
    write,
    config: () => config,
    edit: (from, to) => {
      if (!config.includes(from))
        throw new Error(`the configuration has no ${JSON.stringify(from)}`);
      return config.replace(from, to);
    },
    tf,
    ok,
    spawn: (args, more = {}) =>
      spawnTerraform(dir, [args[0], '-no-color', ...args.slice(1)], { ...env, ...more }),
    stateText,
    stateIds: () => {
      const text = stateText();
      const ids = new Map<string, string>();
      if (!text.trim()) return ids;
      const state = JSON.parse(text) as {
        resources?: Array<{
          mode: string;
          type: string;
          name: string;
          instances: Array<{ index_key?: number | string; attributes: { id: string } }>;
        }>;
      };
      for (const r of state.resources ?? []) {
        if (r.mode !== 'managed') continue;
        for (const i of r.instances) {
          const key = i.index_key === undefined ? '' : `[${JSON.stringify(i.index_key)}]`;
          ids.set(`${r.type}.${r.name}${key}`, i.attributes.id);
        }
      }
      return ids;
    },
  };
}

/** {@link hclWorkdir} with the provider installed by the CLI, `main.tf` written, `terraform init` done. */
export function makeWorkdir(
  root: string,
  name: string,
  emulator: EmulatorProcess,
  config: string,
  extraEnv: NodeJS.ProcessEnv = {},
): Workdir {
  const work = hclWorkdir(root, name, emulator, extraEnv);
  const install = runCli(['provider', 'install', '--dir', work.dir]);
  if (install.code !== 0) throw new Error(`provider install failed:\n${install.stderr}`);
  work.write(config);
  work.ok(['init', '-input=false']);
  return work;
}

/** The diagnostics of a `-json` command's output. */
export function diagnostics(result: TerraformResult): Array<Record<string, any>> {
  return result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; diagnostic?: Record<string, any> })
    .filter((m) => m.type === 'diagnostic')
    .map((m) => m.diagnostic!);
}

/** The emulator's client inputs, counted by name. */
export async function countByName(emulator: EmulatorProcess): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const node of await liveInputs(emulator.url))
    counts.set(node.name as string, (counts.get(node.name as string) ?? 0) + 1);
  return counts;
}

/** The emulator's client inputs: name -> ids. */
export async function idsByName(emulator: EmulatorProcess): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const node of await liveInputs(emulator.url))
    out.set(node.name as string, [...(out.get(node.name as string) ?? []), node.id as string]);
  return out;
}

/** Create calls (POST inputs) the emulator has answered or applied since its stats were reset. */
export async function createCalls(emulator: EmulatorProcess): Promise<number> {
  const stats = await emulator.stats();
  return (stats['POST inputs'] ?? 0) + (stats['POST plumbing/inputs'] ?? 0);
}

/** Waits (bounded) until `predicate` holds, polling every 50 ms. */
export async function waitFor(
  what: string,
  predicate: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Fails loudly when the bundles the e2e tests run are missing. */
export function requireBundles(files: readonly string[]): void {
  for (const file of files)
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
}
