#!/usr/bin/env node
/**
 * `alooma-cdktf`: the command line. Bundled into dist/runtime.js, which is
 * what terraform's local-exec runs, so startup stays small: the emulator is a
 * separate bundle loaded only by its subcommand.
 */
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { AloomaClient as AloomaClientType } from '../client';
import { EmulatorDefaults, EnvVar, Manifest, Subcommand } from '../protocol';
import type * as LiveDiffCommandModule from './live-diff-command';
import { CliError, formatError } from './errors';
import { addInputsCommands } from './inputs-commands';
import type * as ImportCommandModule from './import-command';
import { IMPORT_ENGINES, type ImportEngine } from '../import/codegen';
import { addProviderCommands } from './provider-command';
import { LoadManifestOptions, loadManifest } from './manifest';
import { OutputCapture, printReport } from './report-file';
import { assertConnectionResolved } from '../references';
import type * as ReconcileCommandsModule from './reconcile-commands';
import type { CommandContext } from './reconcile-commands';

/**
 * The API client, loaded on first use: axios and its dependencies are most of
 * the bundle, and `--help`, `--version` or a usage error should not pay for
 * them (terraform runs this CLI once per provisioner).
 */
function loadClient(): typeof AloomaClientType {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (start-up time)
  return (require('../client') as typeof import('../client')).AloomaClient;
}

/**
 * The commands' modules, loaded when their command runs, for the same reason
 * (the reconcile engine, the live diff and the import code generator are the
 * rest of the bundle's weight).
 */
function reconcileCommands(): typeof ReconcileCommandsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (start-up time)
  return require('./reconcile-commands') as typeof ReconcileCommandsModule;
}

function liveDiffCommand(): typeof LiveDiffCommandModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (start-up time)
  return require('./live-diff-command') as typeof LiveDiffCommandModule;
}

function importCommands(): typeof ImportCommandModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use (start-up time)
  return require('./import-command') as typeof ImportCommandModule;
}

declare const __PACKAGE_VERSION__: string | undefined;

/** Version printed by `--version`; injected by the bundler, read from package.json otherwise. */
function packageVersion(): string {
  if (typeof __PACKAGE_VERSION__ === 'string') return __PACKAGE_VERSION__;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- unbundled runs only: the bundle has __PACKAGE_VERSION__
  return (require('../../../package.json') as { version: string }).version;
}

/** Builds the command tree; `run` receives each action's exit code. */
export function buildProgram(run: (action: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('alooma-cdktf')
    .description('Manage Alooma inputs as code with CDK for Terraform')
    .version(packageVersion(), '-v, --version')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const manifestOption = () =>
    new Option(
      '-m, --manifest <file>',
      'manifest.json synthesized by the stack',
    ).makeOptionMandatory();

  const withContext = (
    manifestFile: string,
    fn: (ctx: CommandContext) => Promise<number>,
    options: LoadManifestOptions = {},
  ) =>
    run(async () => {
      const manifest = loadManifest(manifestFile, options);
      // Created on first use: a prune with nothing to delete needs no credentials
      // (destroy-time steps get none from Terraform).
      let client: AloomaClientType | undefined;
      return fn({
        get api() {
          assertConnectionResolved(manifest);
          client ??= loadClient().fromEnv(process.env, manifest.connection, {
            defaultUrl: EmulatorDefaults.URL,
          });
          return client;
        },
        manifest,
        out: { log: (line) => process.stdout.write(`${line}\n`) },
        env: process.env,
        colour: colourEnabled(),
      });
    });

  program
    .command(Subcommand.PLAN)
    .description('print what apply would change in Alooma (exit 0: in sync, 2: changes, 1: error)')
    .addOption(manifestOption())
    .option('--show-matching', 'also list fields that already match')
    .option('--compact', 'one line per input that differs (the report cdktf diff prints)')
    .action((opts: { manifest: string; showMatching?: boolean; compact?: boolean }) =>
      withContext(
        opts.manifest,
        (ctx) =>
          reconcileCommands().planCommand(ctx, {
            showMatching: opts.showMatching,
            compact: opts.compact,
          }),
        { references: 'available' },
      ),
    );

  program
    .command(Subcommand.LIVE_DIFF)
    .description(
      '(used by synth) read manifests as a JSON array on stdin, print the live report as JSON',
    )
    .option('--timeout-ms <ms>', 'give up after this long', '5000')
    .action((opts: { timeoutMs: string }) =>
      run(async () => {
        const { liveDiff, readStdin } = liveDiffCommand();
        const manifests = JSON.parse(await readStdin()) as Manifest[];
        const result = await liveDiff(manifests, process.env, Number(opts.timeoutMs));
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return 0;
      }),
    );

  program
    .command(Subcommand.APPLY)
    .description('make Alooma match the manifest (one structure read, writes only what differs)')
    .addOption(manifestOption())
    .action((opts: { manifest: string }) =>
      withContext(opts.manifest, reconcileCommands().applyCommand, {
        references: 'all',
        checkInputs: true,
      }),
    );

  program
    .command(Subcommand.REPORT)
    .description(`print the report the apply wrote to $${EnvVar.REPORT_FILE}; fail when it failed`)
    .option('-m, --manifest <file>', 'ignored (the stack passes it to every subcommand)')
    .action(() => run(async () => printReport(process.env[EnvVar.REPORT_FILE])));

  program
    .command(Subcommand.PRUNE)
    .description('delete inputs the previous apply managed that the manifest no longer declares')
    .addOption(manifestOption())
    .action((opts: { manifest: string }) =>
      withContext(opts.manifest, reconcileCommands().pruneCommand),
    );

  program
    .command(Subcommand.DELETE)
    .description('delete one input this stack manages (name from --name or the environment)')
    .addOption(manifestOption())
    .option('-n, --name <name>', 'input name (default: $ALOOMA_CDKTF_INPUT_NAME)')
    .action((opts: { manifest: string; name?: string }) =>
      withContext(opts.manifest, (ctx) => reconcileCommands().deleteCommand(ctx, opts.name)),
    );

  addInputsCommands(program, {
    client: () => loadClient().fromEnv(process.env, {}, { defaultUrl: EmulatorDefaults.URL }),
    print: (line) => process.stdout.write(`${line}\n`),
    colour: colourEnabled,
    run,
  });

  program
    .command('import')
    .description(
      'print construct code (or --hcl: HCL with import blocks) for live inputs; deploying it changes nothing',
    )
    .argument('[names...]', 'inputs to import')
    .option('--all', 'import every input (system inputs excluded)')
    .addOption(
      new Option('--core <core>', 'CDK core of the app: cdktf, or cdktn (CDK Terrain)')
        .choices(['cdktf', 'cdktn'])
        .default('cdktf'),
    )
    .option('--module <name>', "module to import the constructs from (default: the core's build)")
    .option('--function <name>', 'name of the generated function', 'importedInputs')
    .addOption(
      new Option(
        '--engine <engine>',
        'engine of the stack: provider (import blocks by id) or a provisioner engine (adopted by name)',
      )
        .choices([...IMPORT_ENGINES])
        .default('provider'),
    )
    .option(
      '--hcl',
      'print a plain Terraform configuration instead: import {} blocks for the provider, with the terraform plan -generate-config-out steps',
    )
    .option('--owner <name>', "with --hcl: the provider block's owner")
    .action(
      (
        names: string[],
        opts: {
          all?: boolean;
          core: 'cdktf' | 'cdktn';
          module?: string;
          function: string;
          engine: ImportEngine;
          hcl?: boolean;
          owner?: string;
        },
      ) =>
        run(async () => {
          const client = loadClient().fromEnv(
            process.env,
            {},
            { defaultUrl: EmulatorDefaults.URL },
          );
          if (opts.hcl) {
            const hcl = await importCommands().importHclCommand(client, names, {
              ...opts,
              providerVersion: packageVersion(),
            });
            process.stdout.write(hcl.hcl);
            for (const notice of hcl.notices) process.stderr.write(`${notice}\n`);
            return 0;
          }
          const result = await importCommands().importCommand(client, names, opts);
          process.stdout.write(result.code);
          for (const notice of result.notices) process.stderr.write(`${notice}\n`);
          return 0;
        }),
    );

  addProviderCommands(program, {
    print: (line) => process.stdout.write(`${line}\n`),
    warn: (line) => process.stderr.write(`${line}\n`),
    run,
  });

  program
    .command(Subcommand.EMULATOR)
    .description('run the local Alooma-compatible API server (see `alooma-cdktf emulator --help`)')
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[flags...]')
    .action(() =>
      run(async () => {
        const args = process.argv.slice(process.argv.indexOf(Subcommand.EMULATOR) + 1);
        const emulatorBundle = path.join(__dirname, 'emulator.js');
        let emulator: { main(argv: string[]): Promise<unknown> };
        try {
          // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file beside the bundle, loaded only for this subcommand
          emulator = require(emulatorBundle) as typeof emulator;
        } catch (error) {
          if (/better-sqlite3/.test(String((error as Error).message))) {
            throw new CliError(
              'emulator_unavailable',
              'the emulator needs better-sqlite3, which is not installed',
              'npm install better-sqlite3 (an optional dependency of alooma-cdktf: it builds a native addon)',
            );
          }
          throw error;
        }
        await emulator.main([process.argv[0], emulatorBundle, ...args]);
        return -1; // keeps running until signalled
      }),
    );

  return program;
}

function colourEnabled(): boolean {
  return !process.env.NO_COLOR && process.stdout.isTTY === true;
}

/** Runs the CLI; resolves to the exit code (-1: a server keeps running). */
export async function main(argv: string[] = process.argv): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(async (action) => {
    exitCode = await action();
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`${formatError(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
  return exitCode;
}

if (require.main === module) {
  // The apply step of a stack that holds secrets from Terraform: report to a file (report-file.ts).
  const reportFile = process.env[EnvVar.REPORT_FILE];
  const capture =
    reportFile && process.argv[2] === Subcommand.APPLY ? new OutputCapture() : undefined;
  const done = (code: number) => {
    if (capture && reportFile) {
      capture.finish(reportFile, code);
      process.exitCode = 0;
    } else if (code >= 0) process.exitCode = code;
  };
  main().then(done, (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    done(1);
  });
}
