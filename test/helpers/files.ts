import * as fs from 'node:fs';
import * as path from 'node:path';
import { planFileText } from './plan-file';

/**
 * Every regular file under `dir`, recursively. Symbolic links are neither
 * listed nor followed: `terraform init` links the provider's mirror into
 * `.terraform/`, and a link to a directory is no file to read (what it
 * points to under `dir` is listed where it is).
 */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/**
 * A file's text as latin1 (every byte one character, so nothing hides in an
 * encoding); a Terraform plan file (named `plan`, a zip archive) inflated
 * first, so nothing hides in its compression either.
 */
export function fileText(file: string): string {
  return path.basename(file) === 'plan' ? planFileText(file) : fs.readFileSync(file, 'latin1');
}

/**
 * The files under `dir` that contain any of `secrets` (read as bytes, so
 * nothing hides in an encoding), with what each contains; `[]` when clean.
 * `secretsFor` narrows the list per file.
 */
export function filesHoldingSecrets(
  dir: string,
  secrets: readonly string[],
  secretsFor: (file: string) => readonly string[] = () => secrets,
): Array<{ file: string; found: string[] }> {
  return filesUnder(dir)
    .map((file) => {
      const text = fs.readFileSync(file, 'latin1');
      return { file, found: secretsFor(file).filter((s) => text.includes(s)) };
    })
    .filter((hit) => hit.found.length > 0);
}
