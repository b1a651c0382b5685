/**
 * Where the constructs find the runtime CLI they ship with every stack.
 */
import * as path from 'node:path';
// One finder of the package root for everything the package ships (runtime bundle, provider).
import { packageRootDir } from '../../provider/install/package';

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

/** Absolute path of the runtime bundle shipped by default. */
export function defaultRuntimeBundle(): string {
  return path.join(packageRootDir(), RUNTIME_BUNDLE_PATH);
}
