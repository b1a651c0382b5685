/**
 * `alooma-cdktf provider install`: puts the Alooma provider into a plain
 * Terraform working directory (the implied local mirror and the lock file
 * entry), so `terraform init` installs it with no registry, no network and
 * no CLI configuration. cdktf and cdktn stacks get the same at synth.
 */
import * as path from 'node:path';
import { Command } from 'commander';
import {
  IMPLIED_MIRROR_DIR,
  PROVIDER_PLATFORMS,
  currentPlatform,
} from '../../provider/install/address';
import type * as HclModule from '../../provider/install/hcl';
import type * as InstallerModule from '../../provider/install/installer';

/**
 * The installer, loaded when the command runs: it needs node:crypto (the
 * `h1:` hash), which `--version` and `--help` should not load.
 */
function installer(): typeof InstallerModule & typeof HclModule {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use (start-up time) */
  return {
    ...(require('../../provider/install/installer') as typeof InstallerModule),
    ...(require('../../provider/install/hcl') as typeof HclModule),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** What the command needs from the CLI around it. */
export interface ProviderCommandDeps {
  /** Prints one line on stdout. */
  readonly print: (line: string) => void;
  /** Prints one line on stderr. */
  readonly warn: (line: string) => void;
  /** Runs an action and records its exit code. */
  readonly run: (action: () => Promise<number>) => Promise<void>;
}

/** Adds `provider install` to the program. */
export function addProviderCommands(program: Command, deps: ProviderCommandDeps): void {
  const provider = program
    .command('provider')
    .description('the Alooma Terraform provider: install it into a Terraform working directory');

  provider
    .command('install')
    .description(
      `write the provider into DIR/${IMPLIED_MIRROR_DIR} and its entry into DIR/.terraform.lock.hcl (other providers' entries are kept)`,
    )
    .option('-d, --dir <dir>', 'the Terraform working directory', '.')
    .option(
      '--platform <os_arch...>',
      `platforms to install for (default: ${PROVIDER_PLATFORMS.join(' ')})`,
    )
    .option('--bundle <file>', 'the provider bundle to install (default: the one in this package)')
    .action((opts: { dir: string; platform?: string[]; bundle?: string }) =>
      deps.run(async () => {
        const { installProvider, requiredProvidersHcl } = installer();
        const result = installProvider(opts.dir, {
          ...(opts.platform ? { platforms: opts.platform } : {}),
          ...(opts.bundle ? { bundle: path.resolve(opts.bundle) } : {}),
        });
        const dir = path.resolve(opts.dir);
        deps.print(
          `Installed ${result.source} ${result.version} into ${path.join(dir, IMPLIED_MIRROR_DIR)} for ${result.platforms.join(', ')}`,
        );
        deps.print(
          `${result.lockFileChanged ? 'Wrote' : 'Kept'} its entry in ${result.lockFile} (${result.hash})`,
        );
        const here = currentPlatform();
        if (here && !result.platforms.includes(here)) {
          deps.warn(
            here.startsWith('windows_')
              ? `warning: Terraform on ${here} cannot run this provider (its launcher is a shell script): run Terraform under WSL`
              : `warning: this machine is ${here}, which was not installed for: add --platform ${here} to run Terraform here`,
          );
        }
        deps.print('');
        deps.print('Declare it in the configuration, then run terraform init:');
        deps.print('');
        for (const line of requiredProvidersHcl(result.version).trimEnd().split('\n'))
          deps.print(line);
        return 0;
      }),
    );
}
