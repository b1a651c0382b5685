/**
 * Versions of Terraform-sourced secrets that have none: a fingerprint of the
 * value, recorded in the input's ownership marker like any version, so a
 * changed value is written again and an unchanged one is not.
 *
 * The marker is readable by anyone with API access to the account, so the
 * fingerprint is scrypt (a slow, memory-hard hash) of the value, salted with
 * the owner, input and path: no lookup tables, and each guess at a weak
 * password costs a scrypt run. Users who want no fingerprint at all give the
 * secret a `version`.
 */
import { scryptSync } from 'node:crypto';
import { Manifest } from './protocol';

/** Version prefix of fingerprints (and of their parameters, should they ever change). */
export const FINGERPRINT_PREFIX = 'fp1:';

/** The fingerprint of `value` for `owner`'s input `input` at `path`. */
export function secretFingerprint(
  owner: string,
  input: string,
  path: string,
  value: string,
): string {
  const salt = `alooma-cdktf\u0000${owner}\u0000${input}\u0000${path}`;
  return FINGERPRINT_PREFIX + scryptSync(value, salt, 16, { N: 1 << 14 }).toString('hex');
}

/**
 * The manifest with a fingerprint as the version of every secret marked
 * `fingerprint` whose value is in `env`. Missing values are left alone: the
 * missing-secret check reports them before any write.
 */
export function withSecretFingerprints(manifest: Manifest, env: NodeJS.ProcessEnv): Manifest {
  if (!manifest.inputs.some((i) => Object.values(i.secrets ?? {}).some((s) => s.fingerprint)))
    return manifest;
  return {
    ...manifest,
    inputs: manifest.inputs.map((input) => {
      if (!input.secrets) return input;
      const secrets = Object.fromEntries(
        Object.entries(input.secrets).map(([path, ref]) => {
          const value = env[ref.env];
          if (!ref.fingerprint || ref.version !== undefined || !value) return [path, ref];
          return [
            path,
            { ...ref, version: secretFingerprint(manifest.owner, input.name, path, value) },
          ];
        }),
      );
      return { ...input, secrets };
    }),
  };
}
