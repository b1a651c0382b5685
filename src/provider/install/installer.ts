/**
 * Installs the provider into a Terraform working directory: the package in
 * Terraform's implied local mirror (`terraform.d/plugins/...`) for each
 * platform, and its entry in `.terraform.lock.hcl`, merged into the file
 * that is there. `terraform init` then installs it with no registry, no
 * network and no CLI configuration, and leaves the lock file as it is.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AloomaErrorCode } from '../../alooma/errors';
import {
  LOCK_FILE_NAME,
  PLATFORM_PATTERN,
  PROVIDER_PLATFORMS,
  PROVIDER_SOURCE,
  mirrorPackageDir,
} from './address';
import { ProviderInstallError } from './errors';
import { PackageFile, packageHashV1 } from './hash';
import { mergeLockEntry } from './lock-file';
import { ProviderPackage, ProviderPackageOptions, providerPackage } from './package';

/** How to install the provider. */
export interface InstallProviderOptions extends ProviderPackageOptions {
  /**
   * Platforms (`<os>_<arch>`) to install the package for.
   * @default PROVIDER_PLATFORMS (macOS and Linux, amd64 and arm64)
   */
  readonly platforms?: readonly string[];
  /**
   * The version constraint of the configuration's `required_providers`
   * entry, which the lock entry must repeat.
   * @default - the exact version, as `providerRequirement()` declares it
   */
  readonly constraints?: string;
  /**
   * The package to install, when the caller has built it already (one read
   * of the bundle for several stacks).
   * @default - built from the other options with providerPackage()
   */
  readonly package?: ProviderPackage;
}

/** What an install wrote. */
export interface InstalledProvider {
  /** The source address (`required_providers`). */
  readonly source: string;
  /** The installed version. */
  readonly version: string;
  /** The version constraint recorded in the lock file. */
  readonly constraints: string;
  /** The package's `h1:` hash, recorded in the lock file. */
  readonly hash: string;
  /** The platforms it was installed for. */
  readonly platforms: readonly string[];
  /** Absolute path of each platform's package directory. */
  readonly packageDirs: readonly string[];
  /** Absolute path of the lock file. */
  readonly lockFile: string;
  /** Whether the lock file's content changed. */
  readonly lockFileChanged: boolean;
}

/** What `required_providers` declares for the provider of a given version. */
export function providerRequirement(version: string): { source: string; version: string } {
  return { source: PROVIDER_SOURCE, version };
}

/** Installs the provider into the Terraform working directory `dir`. */
export function installProvider(
  dir: string,
  options: InstallProviderOptions = {},
): InstalledProvider {
  const pkg = options.package ?? providerPackage(options);
  const platforms = checkPlatforms(options.platforms ?? PROVIDER_PLATFORMS);
  const constraints = options.constraints ?? providerRequirement(pkg.version).version;
  const hash = packageHashV1(pkg.files);
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });

  const packageDirs = platforms.map((platform) => {
    const target = path.join(root, mirrorPackageDir(pkg.version, platform));
    writePackageDir(target, pkg);
    return target;
  });

  const lockFile = path.join(root, LOCK_FILE_NAME);
  const existing = fs.existsSync(lockFile) ? fs.readFileSync(lockFile, 'utf8') : undefined;
  const merged = mergeLockEntry(
    existing,
    { address: PROVIDER_SOURCE, version: pkg.version, constraints, hashes: [hash] },
    lockFile,
  );
  const lockFileChanged = merged !== existing;
  if (lockFileChanged) writeFileAtomic(lockFile, merged);

  return {
    source: PROVIDER_SOURCE,
    version: pkg.version,
    constraints,
    hash,
    platforms,
    packageDirs,
    lockFile,
    lockFileChanged,
  };
}

function checkPlatforms(platforms: readonly string[]): string[] {
  if (platforms.length === 0) {
    throw new ProviderInstallError(
      AloomaErrorCode.INVALID_PROPERTY,
      'no platform to install the provider for',
      `name at least one platform, e.g. ${PROVIDER_PLATFORMS.join(', ')}`,
    );
  }
  for (const platform of platforms) {
    if (!PLATFORM_PATTERN.test(platform)) {
      throw new ProviderInstallError(
        AloomaErrorCode.INVALID_PROPERTY,
        `"${platform}" is not a platform name`,
        'platforms are written <os>_<arch>, as Terraform does: linux_amd64, darwin_arm64',
      );
    }
    if (platform.startsWith('windows_')) {
      throw new ProviderInstallError(
        AloomaErrorCode.INVALID_PROPERTY,
        `the provider cannot be installed for ${platform}`,
        'its launcher is a #!/bin/sh script; on Windows run Terraform under WSL (linux_amd64)',
      );
    }
  }
  return [...new Set(platforms)].sort();
}

/**
 * Makes `target` hold exactly the package's files (a file left there by
 * another version would change the hash): written into a fresh sibling
 * directory, then swapped in.
 */
function writePackageDir(target: string, pkg: ProviderPackage): void {
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const file of pkg.files) writePackageFile(staging, file, file.name === pkg.executable);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function writePackageFile(dir: string, file: PackageFile, executable: boolean): void {
  const full = path.join(dir, ...file.name.split('/'));
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, file.content);
  fs.chmodSync(full, executable ? 0o755 : 0o644); // explicit: the umask must not decide
}

function writeFileAtomic(file: string, content: string): void {
  const staging = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(staging, content);
    fs.renameSync(staging, file);
  } finally {
    fs.rmSync(staging, { force: true });
  }
}
