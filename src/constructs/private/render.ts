/**
 * Rendering helpers shared by the constructs: deterministic JSON, digests and
 * escaping of user strings for Terraform.
 */
import { createHash } from 'node:crypto';
import { Json, sortKeys } from '../../alooma/json';
import { isReference } from './references';

/** JSON with sorted keys, two-space indent and a final newline: byte-identical for equal values. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value as Json), null, 2)}\n`;
}

/** Hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Terraform reads every string of a JSON configuration, object keys included,
 * as a template: `${...}` interpolates and `%{...}` runs a directive. User
 * strings are data, so both introducers are doubled (`$${`, `%%{`), which
 * Terraform turns back into the literal text.
 */
export function escapeTemplate(text: string): string {
  // Replacement functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * {@link escapeTemplate} applied to every string and object key of a JSON
 * value. Terraform references (tokens) are left alone: cdktf renders them as
 * the expressions they stand for.
 */
export function escapeTemplates(value: unknown): unknown {
  if (isReference(value)) return value;
  if (typeof value === 'string') return escapeTemplate(value);
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[escapeTemplate(key)] = escapeTemplates(member);
    }
    return out;
  }
  return value;
}
