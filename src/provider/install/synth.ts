/**
 * The synth hook: makes synthesizing a stack also install the provider into
 * the stack's working directory (`cdktf.out/stacks/<stack>/`), where the
 * cdktf and cdktn CLIs run Terraform, so `cdktf diff`/`deploy`/`destroy`
 * find it with no registry and no `terraform providers lock` step.
 *
 * How: a stack's `synthesizer` (a public, writable property of
 * `TerraformStack` in cdktf 0.21 and cdktn 0.24) is wrapped; after the
 * stack's own synthesis has written `cdk.tf.json`, the wrapper installs the
 * provider into `session.outdir` + `session.manifest.forStack(stack).workingDirectory`,
 * the folder `App.synth()` and `Testing.fullSynth()` create for the stack.
 * (`TerraformAsset` writes its files through a custom-synthesis symbol
 * instead, but that is marked internal to the core, and an asset's files
 * land under `assets/`, never at `terraform.d/` where Terraform looks.)
 *
 * The hook touches the stack only through the structural types below, so
 * this module imports neither core: the same compiled file serves the
 * cdktf build and the cdktn build, and the runtime may import this folder
 * without pulling a core in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AloomaErrorCode } from '../../alooma/errors';
import { PROVIDER_SOURCE } from './address';
import { ProviderInstallError } from './errors';
import { InstallProviderOptions, InstalledProvider, installProvider } from './installer';
import { providerPackage } from './package';

/** The synthesis session a core passes to a stack synthesizer (its `ISynthesisSession`). */
export interface StackSynthesisSession {
  /** The output directory (`cdktf.out`). */
  readonly outdir: string;
  /** The app's manifest, which names each stack's working directory. */
  readonly manifest: {
    forStack(stack: never): StackManifestPaths;
  };
}

/** Where a stack's files go, relative to `outdir` (a core's `StackManifest`). */
export interface StackManifestPaths {
  /** The folder Terraform runs in: `stacks/<stack>`. */
  readonly workingDirectory: string;
  /** The synthesized configuration: `stacks/<stack>/cdk.tf.json`. */
  readonly synthesizedStackPath: string;
}

/** The part of a core's `TerraformStack` the hook uses. */
export interface SynthesizableStack {
  /** The stack's synthesizer, wrapped by the hook. */
  synthesizer: { synthesize(session: StackSynthesisSession): void };
}

interface HookState {
  options: InstallProviderOptions;
  last?: InstalledProvider;
}

const hooked = new WeakMap<object, HookState>();

/**
 * Installs the provider (mirror and lock entry) into `stack`'s working
 * directory each time the stack is synthesized to disk. Calling it again
 * for the same stack only replaces the options (every construct of a stack
 * may call it). `Testing.synth()`, which writes no files, installs nothing.
 */
export function installProviderOnSynth(
  stack: SynthesizableStack,
  options: InstallProviderOptions = {},
): void {
  const state = hooked.get(stack);
  if (state) {
    state.options = options;
    return;
  }
  const fresh: HookState = { options };
  hooked.set(stack, fresh);
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: StackSynthesisSession): void {
      inner.synthesize(session);
      const forStack = session.manifest.forStack as (s: SynthesizableStack) => StackManifestPaths;
      const paths = forStack.call(session.manifest, stack);
      const pkg = fresh.options.package ?? providerPackage(fresh.options);
      const declared = declaredVersion(path.join(session.outdir, paths.synthesizedStackPath));
      if (declared !== undefined && declared !== pkg.version) {
        throw new ProviderInstallError(
          AloomaErrorCode.CONFLICTING_PROPERTIES,
          `${paths.workingDirectory} requires ${PROVIDER_SOURCE} version "${declared}", but the provider it ships is ${pkg.version}`,
          `require exactly version "${pkg.version}" (providerRequirement() gives it): the lock entry repeats it and the local mirror holds only that version`,
        );
      }
      fresh.last = installProvider(path.join(session.outdir, paths.workingDirectory), {
        ...fresh.options,
        package: pkg,
      });
    },
  };
}

/**
 * The version the synthesized configuration requires of the provider, or
 * undefined when it does not require it (or is not JSON: HCL output).
 */
function declaredVersion(configFile: string): string | undefined {
  let config: { terraform?: { required_providers?: Record<string, unknown> } };
  try {
    config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  for (const requirement of Object.values(config.terraform?.required_providers ?? {})) {
    const { source, version } = (requirement ?? {}) as { source?: unknown; version?: unknown };
    if (typeof source === 'string' && source.toLowerCase() === PROVIDER_SOURCE) {
      return typeof version === 'string' ? version : '';
    }
  }
  return undefined;
}

/** What the hook installed at the stack's last synthesis, if it ran. */
export function installedOnSynth(stack: SynthesizableStack): InstalledProvider | undefined {
  return hooked.get(stack)?.last;
}
