/**
 * Bundles a provider entry point the way scripts/bundle-runtime.js bundles
 * dist/provider.js (one file, the .proto texts inline), for tests that run
 * a provider under real Terraform, and writes the `#!/bin/sh` wrapper
 * Terraform executes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');
const PROTO_DIR = path.join(ROOT, 'src', 'provider', 'wire', 'proto');

/** Bundles `entry` (a path under the repository) into `outfile`. */
export async function bundleProvider(entry: string, outfile: string): Promise<void> {
  const protos = Object.fromEntries(
    fs
      .readdirSync(PROTO_DIR)
      .filter((f) => f.endsWith('.proto'))
      .map((f) => [f, fs.readFileSync(path.join(PROTO_DIR, f), 'utf8')]),
  );
  await esbuild.build({
    entryPoints: [path.join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    define: { __PROVIDER_PROTOS__: JSON.stringify(protos) },
  });
}

/**
 * Writes `<dir>/terraform-provider-<name>`: a shell wrapper that execs node
 * on `bundle` (the same process id, so Terraform manages node directly).
 */
export function writeWrapper(dir: string, name: string, bundle: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const wrapper = path.join(dir, `terraform-provider-${name}`);
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)} "$@"\n`,
    {
      mode: 0o755,
    },
  );
  return wrapper;
}
