import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
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
