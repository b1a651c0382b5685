/**
 * Reads the manifest a stack was synthesized with. The constructs write it,
 * so a malformed file means a version mismatch or a hand edit: say which.
 */
import * as fs from 'node:fs';
import { EnvVar, Manifest, MANIFEST_VERSION } from '../protocol';
import { checkInputSpec } from '../reconcile/check-input';
import { resolveReferences } from '../references';
import { CliError } from './errors';

/** Options of {@link loadManifest}. */
export interface LoadManifestOptions {
  /** Where the values of Terraform references are read (`EnvVar.REFERENCES`). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Which Terraform references must be resolved: `all` (apply), `connection`
   * (prune, delete), or `available` (plan run by hand: without values,
   * referenced fields are reported as resolved at apply).
   * @default 'connection'
   */
  readonly references?: 'all' | 'connection' | 'available';
  /** Check every input against the API's rules (apply). @default false */
  readonly checkInputs?: boolean;
}

/**
 * Loads and checks a manifest file: its format, then puts the values of
 * Terraform references in place and, with `checkInputs` (apply), checks every
 * input against the API's rules (`checkInputSpec`) before anything is
 * written: resolved values get the same checks as literal ones. Prune and
 * delete skip that: a bad input elsewhere in the manifest must not block
 * deleting another one.
 */
export function loadManifest(
  file: string,
  { env = process.env, references = 'connection', checkInputs = false }: LoadManifestOptions = {},
): Manifest {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(
      'manifest_unreadable',
      `cannot read manifest ${file}: ${(error as Error).message}`,
      'pass the manifest.json synthesized by cdktf (cdktf.out/stacks/<stack>/assets/...)',
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      'manifest_invalid',
      `manifest ${file} is not valid JSON: ${(error as Error).message}`,
      'run cdktf synth again; do not edit synthesized files',
    );
  }
  const manifest = data as Manifest;
  if (manifest === null || typeof manifest !== 'object' || manifest.version !== MANIFEST_VERSION) {
    throw new CliError(
      'manifest_version',
      `manifest ${file} has version ${String((manifest as { version?: unknown })?.version)}, this runtime reads version ${MANIFEST_VERSION}`,
      'synthesize with the same alooma-cdktf version as the runtime',
    );
  }
  if (typeof manifest.owner !== 'string' || !manifest.owner || !Array.isArray(manifest.inputs)) {
    throw new CliError(
      'manifest_invalid',
      `manifest ${file} lacks "owner" or "inputs"`,
      'run cdktf synth again; do not edit synthesized files',
    );
  }
  for (const [index, input] of manifest.inputs.entries()) {
    if (
      typeof input?.name !== 'string' ||
      typeof input.type !== 'string' ||
      typeof input.configuration !== 'object'
    ) {
      throw new CliError(
        'manifest_invalid',
        `manifest ${file}: inputs[${index}] lacks name, type or configuration`,
        'run cdktf synth again; do not edit synthesized files',
      );
    }
  }
  const only =
    references === 'available' ? (env[EnvVar.REFERENCES] ? 'all' : 'connection') : references;
  const resolved = resolveReferences(manifest, env, { only });
  if (checkInputs) resolved.inputs.forEach(checkInputSpec);
  return resolved;
}

/** Reads the JSON array of names a destroy provisioner passes through the environment. */
export function parseNameList(raw: string | undefined, variable: string): string[] {
  if (raw === undefined || raw === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new CliError(
      'bad_environment',
      `${variable} is not a JSON array of names`,
      'this variable is set by the synthesized stack; do not set it by hand',
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((n) => typeof n === 'string')) {
    throw new CliError(
      'bad_environment',
      `${variable} must be a JSON array of strings`,
      'this variable is set by the synthesized stack; do not set it by hand',
    );
  }
  return parsed;
}
