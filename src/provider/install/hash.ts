/**
 * Terraform's `h1:` package hash: what `terraform init` records in
 * `.terraform.lock.hcl` for a provider installed from an unpacked directory,
 * and checks on every later install. It is Go's `dirhash.Hash1` over the
 * package directory: for each file, in byte order of its slash-separated
 * path, the line `<sha256 of the bytes, hex>  <path>\n`; then `h1:` and the
 * base64 of the SHA-256 of those lines. File modes and times do not count,
 * so the same bytes under the same names hash the same on every machine.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file of a provider package: its path in the package (`/`-separated) and its bytes. */
export interface PackageFile {
  readonly name: string;
  readonly content: Buffer;
}

/** The `h1:` hash of a package given as its files. */
export function packageHashV1(files: readonly PackageFile[]): string {
  const lines = files
    .map((file) => {
      if (/\n/.test(file.name))
        throw new Error(`a package file name holds a newline: ${JSON.stringify(file.name)}`);
      return { name: file.name, digest: createHash('sha256').update(file.content).digest('hex') };
    })
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .map(({ name, digest }) => `${digest}  ${name}\n`)
    .join('');
  return `h1:${createHash('sha256').update(lines).digest('base64')}`;
}

/** The `h1:` hash of an unpacked package directory, as Terraform computes it. */
export function directoryHashV1(dir: string): string {
  return packageHashV1(readPackageDir(dir));
}

/** Every file under `dir`, named by its `/`-separated path relative to `dir`. */
export function readPackageDir(dir: string): PackageFile[] {
  const out: PackageFile[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out.push({ name: rel, content: fs.readFileSync(path.join(dir, rel)) });
    }
  };
  walk('');
  return out;
}
