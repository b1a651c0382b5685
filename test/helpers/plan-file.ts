import * as fs from 'node:fs';
import { unzipSync } from 'fflate';

/**
 * The entries of a Terraform plan file (a zip archive, deflated) unpacked
 * and joined as latin1 text, so a search for a secret sees what compression
 * would hide.
 */
export function planFileText(file: string): string {
  const entries = unzipSync(new Uint8Array(fs.readFileSync(file)));
  return Object.values(entries)
    .map((bytes) => Buffer.from(bytes).toString('latin1'))
    .join('\n');
}
