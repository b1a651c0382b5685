import * as path from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';
// Types of cdktf's jest matchers (toHaveResourceWithProperties, ...), as cdktf's project template imports them.
import 'cdktf/lib/testing/adapters/jest';
import { RUNTIME_BUNDLE_CONTEXT_KEY } from '../../src/constructs/private/runtime-bundle';
import { AloomaConnection } from '../../src/constructs';

Testing.setupJest();

/** Stand-in runtime bundle with a stable content hash. */
export const RUNTIME_STUB = path.join(__dirname, 'fixtures', 'runtime-stub.js');

/** A test app (temporary outdir) shipping the stub runtime. */
export function testApp(context: Record<string, unknown> = {}): App {
  return Testing.app({ context: { [RUNTIME_BUNDLE_CONTEXT_KEY]: RUNTIME_STUB, ...context } });
}

/** A provisioner engine, which a stack only gets from its connection. */
export type ProvisionerEngine = 'terraform_data' | 'null_resource';

/**
 * A stack in a fresh test app. With `engine`, its AloomaConnection (id
 * `Alooma`) is declared first and chooses that provisioner engine; without,
 * the stack has no connection and its inputs use the default engine, the
 * provider.
 */
export function testStack(
  id = 'stack',
  app = testApp(),
  engine?: ProvisionerEngine,
): TerraformStack {
  const stack = new TerraformStack(app, id);
  if (engine !== undefined) new AloomaConnection(stack, 'Alooma', { engine });
  return stack;
}

/** A stack of the `terraform_data` engine (see {@link testStack}). */
export function terraformDataStack(id = 'stack', app = testApp()): TerraformStack {
  return testStack(id, app, 'terraform_data');
}

/** Synthesized JSON of a stack built by `build`, without running validations. */
export function synth(build: (stack: TerraformStack) => void, engine?: ProvisionerEngine): string {
  const stack = testStack('stack', testApp(), engine);
  build(stack);
  return Testing.synth(stack);
}

/** Synthesized config of a stack, parsed. */
export function synthJson(
  build: (stack: TerraformStack) => void,
  engine?: ProvisionerEngine,
): TerraformJson {
  return JSON.parse(synth(build, engine)) as TerraformJson;
}

/** Runs the stack's validations, as `cdktf synth` does; throws their messages. */
export function validate(stack: TerraformStack): void {
  Testing.synth(stack, true);
}

/** The resource blocks of a synthesized config, by type then logical id. */
export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, any>>>;
  provider?: Record<string, unknown>;
  terraform?: Record<string, any>;
  moved?: Array<{ from: string; to: string }>;
  removed?: Array<{ from: string; lifecycle: { destroy: boolean } }>;
}

import { filesUnder } from '../helpers/files';

export { filesUnder };

/** The manifest asset a full synth wrote for `stackName`. */
export function manifestAsset(outdir: string, stackName: string): string {
  const file = filesUnder(path.join(outdir, 'stacks', stackName)).find((f) =>
    f.endsWith(`${path.sep}manifest.json`),
  );
  if (!file) throw new Error(`no manifest asset under ${outdir}/stacks/${stackName}`);
  return file;
}

/** Replaces asset hashes (hex directory names) so snapshots survive content changes. */
export function redactHashes(text: string): string {
  return text.replace(/\/[0-9A-F]{32}\//g, '/<hash>/');
}
