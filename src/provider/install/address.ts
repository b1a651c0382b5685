/**
 * Where Terraform finds the Alooma provider without a registry, a network or
 * a CLI configuration: its source address, the platforms it is installed
 * for, and the layout of Terraform's implied local mirror
 * (`terraform.d/plugins` in the working directory).
 */

/**
 * The provider's registry host. `.invalid` is reserved (RFC 2606) and never
 * resolves, so `terraform init` can only ever find the provider in a local
 * mirror and fails closed without one: nobody can publish a look-alike
 * provider under this address on a public registry.
 */
export const PROVIDER_HOST = 'alooma-cdktf.invalid';
/** The provider's namespace. */
export const PROVIDER_NAMESPACE = 'alooma';
/** The provider's type: resource types are `alooma_<kind>`. */
export const PROVIDER_TYPE = 'alooma';
/** The source address for `required_providers`, as Terraform writes it in the lock file. */
export const PROVIDER_SOURCE = `${PROVIDER_HOST}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;

/**
 * The platforms the mirror holds the provider for. The package is the same
 * bytes on every platform (a `#!/bin/sh` wrapper and JavaScript), so its
 * `h1:` hash is the same too and one lock entry serves all of them: a stack
 * synthesized on a Mac (darwin_arm64) plans unchanged in a Linux CI runner
 * (linux_amd64) or on an arm64 one. Windows is left out: Terraform there
 * runs `terraform-provider-<type>_v<version>.exe`, which a shell script
 * cannot be.
 */
export const PROVIDER_PLATFORMS: readonly string[] = [
  'darwin_amd64',
  'darwin_arm64',
  'linux_amd64',
  'linux_arm64',
];

/** Terraform's implied local mirror, relative to the working directory. */
export const IMPLIED_MIRROR_DIR = 'terraform.d/plugins';

/** Terraform's dependency lock file, in the working directory. */
export const LOCK_FILE_NAME = '.terraform.lock.hcl';

/** Name of the executable Terraform starts: `terraform-provider-<type>_v<version>`. */
export function providerExecutableName(version: string): string {
  return `terraform-provider-${PROVIDER_TYPE}_v${version}`;
}

/**
 * The unpacked package directory for one platform, relative to the working
 * directory: `terraform.d/plugins/<host>/<namespace>/<type>/<version>/<os>_<arch>`.
 */
export function mirrorPackageDir(version: string, platform: string): string {
  return [
    IMPLIED_MIRROR_DIR,
    PROVIDER_HOST,
    PROVIDER_NAMESPACE,
    PROVIDER_TYPE,
    version,
    platform,
  ].join('/');
}

/** Terraform's name (`<os>_<arch>`) of the platform this process runs on, or undefined when it has none. */
export function currentPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  const os: Partial<Record<NodeJS.Platform, string>> = {
    darwin: 'darwin',
    linux: 'linux',
    freebsd: 'freebsd',
    openbsd: 'openbsd',
    win32: 'windows',
  };
  const cpu: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };
  return os[platform] && cpu[arch] ? `${os[platform]}_${cpu[arch]}` : undefined;
}

/** A Terraform provider version: semantic version, no `v`, no build metadata. */
export const PROVIDER_VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** `<os>_<arch>` as Terraform spells platforms. */
export const PLATFORM_PATTERN = /^[a-z0-9]+_[a-z0-9]+$/;
