/**
 * The provider package: the files Terraform installs and runs. A `#!/bin/sh`
 * wrapper named as Terraform expects, which runs the bundle that sits next
 * to it with `node`, and the bundle itself (dist/provider.js, built with the
 * package). Nothing in them depends on the machine (no absolute path, no
 * time, no user): the same package version gives the same bytes, and so the
 * same `h1:` hash, everywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AloomaErrorCode } from '../../alooma/errors';
import { PROVIDER_VERSION_PATTERN, providerExecutableName } from './address';
import { ProviderInstallError } from './errors';
import { PackageFile } from './hash';

/** The package whose root holds the provider bundle. */
const PACKAGE_NAME = 'alooma-cdktf';

/** The provider bundle (built by scripts/bundle-runtime.js), relative to the package root. */
export const PROVIDER_BUNDLE_PATH = 'dist/provider.js';

/**
 * Files the bundle loads from its own directory, relative to the package
 * root; each is copied next to the bundle under its base name. Empty while
 * the bundle carries everything it needs.
 */
export const PROVIDER_SIDE_FILES: readonly string[] = [];

/** The bundle's name inside the package, next to the wrapper. */
export const PACKAGE_BUNDLE_NAME = 'provider.js';

/**
 * Environment variable naming the `node` the wrapper runs (default: `node`
 * on Terraform's PATH), for machines where Node is not on PATH.
 */
export const NODE_ENV_VAR = 'ALOOMA_CDKTF_NODE';

/** What a provider package is built from. */
export interface ProviderPackageOptions {
  /**
   * The provider bundle.
   * @default - dist/provider.js of the installed alooma-cdktf package
   */
  readonly bundle?: string;
  /**
   * Files the bundle needs next to it, copied under their base names.
   * @default - PROVIDER_SIDE_FILES of the installed package (with the default bundle only)
   */
  readonly sideFiles?: readonly string[];
  /**
   * The provider's version.
   * @default - the version of the installed alooma-cdktf package
   */
  readonly version?: string;
}

/** A provider package, ready to be written into a mirror. */
export interface ProviderPackage {
  /** The provider's version. */
  readonly version: string;
  /** Name of the executable (the wrapper). */
  readonly executable: string;
  /** Every file of the package, the wrapper included. */
  readonly files: readonly PackageFile[];
}

/**
 * The wrapper Terraform starts. It finds the bundle through its own path
 * (`$0`, which Terraform always gives with a directory), never through an
 * absolute path written at install time. Where node cannot run it prints
 * one line with the fix on stderr and on stdout too, and exits 1: Terraform
 * shows nothing of a plugin's stderr, but shows a line it reads on stdout
 * in place of the handshake (`Unrecognized remote plugin message: ...`).
 */
export function providerWrapperScript(version: string): string {
  return [
    '#!/bin/sh',
    `# Terraform provider for Alooma ${version}, installed by alooma-cdktf.`,
    `# Runs ${PACKAGE_BUNDLE_NAME}, next to this file, with node (or $${NODE_ENV_VAR}).`,
    'case "$0" in',
    '  */*) here="${0%/*}" ;;',
    '  *) here=. ;;',
    'esac',
    `node="\${${NODE_ENV_VAR}:-node}"`,
    'if ! command -v "$node" >/dev/null 2>&1; then',
    `  line="alooma-cdktf provider: cannot run '$node': install Node.js >= 20 where Terraform runs, or set ${NODE_ENV_VAR} to its path"`,
    '  echo "$line" >&2',
    '  echo "$line"',
    '  exit 1',
    'fi',
    `exec "$node" "$here/${PACKAGE_BUNDLE_NAME}" "$@"`,
    '',
  ].join('\n');
}

/** Reads the provider's files and builds its package. */
export function providerPackage(options: ProviderPackageOptions = {}): ProviderPackage {
  const version = options.version ?? packageVersion();
  if (!PROVIDER_VERSION_PATTERN.test(version)) {
    throw new ProviderInstallError(
      AloomaErrorCode.INVALID_PROPERTY,
      `"${version}" is not a provider version Terraform accepts`,
      'use a semantic version such as 1.2.3 (no "v", no build metadata)',
    );
  }
  const bundle = options.bundle ?? path.join(packageRootDir(), PROVIDER_BUNDLE_PATH);
  const sideFiles =
    options.sideFiles ??
    (options.bundle === undefined
      ? PROVIDER_SIDE_FILES.map((f) => path.join(packageRootDir(), f))
      : []);
  const executable = providerExecutableName(version);
  const files: PackageFile[] = [
    { name: executable, content: Buffer.from(providerWrapperScript(version)) },
    { name: PACKAGE_BUNDLE_NAME, content: readPackageFile(bundle) },
    ...sideFiles.map((file) => ({ name: path.basename(file), content: readPackageFile(file) })),
  ];
  const names = files.map((f) => f.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    throw new ProviderInstallError(
      AloomaErrorCode.INVALID_PROPERTY,
      `two provider files would be named "${twice}" in the package`,
      'give the files next to the bundle distinct base names',
    );
  }
  return { version, executable, files };
}

function readPackageFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new ProviderInstallError(
      AloomaErrorCode.PROVIDER_PACKAGE_MISSING,
      `cannot read the provider file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'build the package (npm run build writes dist/provider.js), or reinstall alooma-cdktf',
    );
  }
}

let packageRoot: string | undefined;

/** Absolute root of the alooma-cdktf package this module belongs to (from lib/, dist/ or src/). */
export function packageRootDir(): string {
  if (packageRoot === undefined) {
    let dir = __dirname;
    for (;;) {
      const manifest = path.join(dir, 'package.json');
      if (readPackageJson(manifest)?.name === PACKAGE_NAME) break;
      const parent = path.dirname(dir);
      if (parent === dir) {
        throw new ProviderInstallError(
          AloomaErrorCode.PROVIDER_PACKAGE_MISSING,
          `no package.json named "${PACKAGE_NAME}" above ${__dirname}`,
          'run alooma-cdktf from its installed package',
        );
      }
      dir = parent;
    }
    packageRoot = dir;
  }
  return packageRoot;
}

/** The installed package's version: the provider ships with it, so it is the provider's version too. */
export function packageVersion(): string {
  const version = readPackageJson(path.join(packageRootDir(), 'package.json'))?.version;
  if (typeof version !== 'string') {
    throw new ProviderInstallError(
      AloomaErrorCode.PROVIDER_PACKAGE_MISSING,
      `the package.json of ${PACKAGE_NAME} has no version`,
      'reinstall alooma-cdktf',
    );
  }
  return version;
}

function readPackageJson(file: string): { name?: string; version?: unknown } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: unknown };
  } catch {
    return undefined;
  }
}
