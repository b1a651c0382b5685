import * as path from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';
// Types of cdktf's jest matchers (toHaveResourceWithProperties, ...), as cdktf's project template imports them.
import 'cdktf/lib/testing/adapters/jest';
import { RUNTIME_BUNDLE_CONTEXT_KEY } from '../../src/constructs/private/runtime-bundle';

Testing.setupJest();

/** Stand-in runtime bundle with a stable content hash. */
export const RUNTIME_STUB = path.join(__dirname, 'fixtures', 'runtime-stub.js');

/** A test app (temporary outdir) shipping the stub runtime. */
export function testApp(context: Record<string, unknown> = {}): App {
  return Testing.app({ context: { [RUNTIME_BUNDLE_CONTEXT_KEY]: RUNTIME_STUB, ...context } });
}

/** A stack in a fresh test app. */
export function testStack(id = 'stack', app = testApp()): TerraformStack {
  return new TerraformStack(app, id);
}

/** Synthesized JSON of a stack built by `build`, without running validations. */
export function synth(build: (stack: TerraformStack) => void): string {
  const stack = testStack();
  build(stack);
  return Testing.synth(stack);
}

/** Synthesized config of a stack, parsed. */
export function synthJson(build: (stack: TerraformStack) => void): TerraformJson {
  return JSON.parse(synth(build)) as TerraformJson;
}

/** Runs the stack's validations, as `cdktf synth` does; throws their messages. */
export function validate(stack: TerraformStack): void {
  Testing.synth(stack, true);
}

/** The resource blocks of a synthesized config, by type then logical id. */
export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, any>>>;
  provider?: Record<string, unknown>;
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
