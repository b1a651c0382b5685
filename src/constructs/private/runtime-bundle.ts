/**
 * Where the constructs find the runtime CLI they ship with every stack.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The package whose root holds the bundle. */
const PACKAGE_NAME = 'alooma-cdktf';

/**
 * The bundled runtime (built by scripts/bundle-runtime.js), relative to the
 * package root. The same path works from the repository (src/constructs, run
 * through ts-node or jest) and from the installed package
 * (lib/src/constructs), because it is resolved from the package root, not
 * from this file.
 */
export const RUNTIME_BUNDLE_PATH = 'dist/runtime.js';

/**
 * Context key that replaces the bundle with another file (a patched runtime,
 * or a stub in tests that should not depend on a build).
 */
export const RUNTIME_BUNDLE_CONTEXT_KEY = 'alooma-cdktf:runtimeBundle';

let packageRoot: string | undefined;

/** Absolute root of the alooma-cdktf package this module belongs to. */
export function packageRootDir(): string {
  if (packageRoot === undefined) {
    let dir = __dirname;
    for (;;) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) break;
      const parent = path.dirname(dir);
      if (parent === dir)
        throw new Error(`alooma-cdktf: no package.json named "${PACKAGE_NAME}" above ${__dirname}`);
      dir = parent;
    }
    packageRoot = dir;
  }
  return packageRoot;
}

function readPackageName(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** Absolute path of the runtime bundle shipped by default. */
export function defaultRuntimeBundle(): string {
  return path.join(packageRootDir(), RUNTIME_BUNDLE_PATH);
}
