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
import * as path from 'node:path';
import { InstallProviderOptions, InstalledProvider, installProvider } from './installer';

/** The synthesis session a core passes to a stack synthesizer (its `ISynthesisSession`). */
export interface StackSynthesisSession {
  /** The output directory (`cdktf.out`). */
  readonly outdir: string;
  /** The app's manifest, which names each stack's working directory. */
  readonly manifest: {
    forStack(stack: never): { readonly workingDirectory: string };
  };
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
      const forStack = session.manifest.forStack as (s: SynthesizableStack) => {
        readonly workingDirectory: string;
      };
      const workingDirectory = path.join(
        session.outdir,
        forStack.call(session.manifest, stack).workingDirectory,
      );
      fresh.last = installProvider(workingDirectory, fresh.options);
    },
  };
}

/** What the hook installed at the stack's last synthesis, if it ran. */
export function installedOnSynth(stack: SynthesizableStack): InstalledProvider | undefined {
  return hooked.get(stack)?.last;
}
