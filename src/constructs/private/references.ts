/**
 * Terraform references in what an input renders: every token (a variable, an
 * attribute of another resource, a string that mixes text and references)
 * becomes a placeholder in the manifest, and its expression goes to the
 * reconciler, which hands the values to the runtime at apply through
 * `EnvVar.REFERENCES` (see runtime/references.ts). The per-input resource
 * keeps the tokens themselves, so `cdktf diff` shows the value or
 * `(known after apply)`.
 */
import { isPlainObject } from '../../alooma/json';
import { REFERENCE_KEY, ReferencePlaceholder } from '../../runtime/protocol';
import { isReference, stringPieces } from './render';

export { isReference };

/**
 * A copy of `value` with every Terraform reference replaced by a placeholder
 * whose id is `idPrefix` plus the path to it (`orders_db/configuration/server`);
 * each reference's expression is recorded in `references` under its id.
 */
export function extractReferences(
  value: unknown,
  idPrefix: string,
  references: Record<string, unknown>,
): unknown {
  if (isReference(value)) {
    references[idPrefix] = value;
    const placeholder: ReferencePlaceholder = { [REFERENCE_KEY]: idPrefix };
    return placeholder;
  }
  if (Array.isArray(value))
    return value.map((item, i) => extractReferences(item, `${idPrefix}/${i}`, references));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value))
      out[key] = extractReferences(member, `${idPrefix}/${pointerSegment(key)}`, references);
    return out;
  }
  return value;
}

/** A key as a JSON Pointer segment (`~` -> `~0`, `/` -> `~1`), so `{"a/b"}` and `{a: {b}}` get different ids. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * A copy of `value` whose literal text is escaped for an HCL string literal,
 * for values handed to a Terraform function (`Fn.merge`): cdktf renders those
 * arguments as HCL and escapes only `${` and newlines in strings (the
 * literal pieces of a string that mixes text and references included), and
 * nothing in object keys. So `"`, `\` and `%{` are escaped here everywhere,
 * and `${` and newlines in keys too. References are left alone.
 */
export function escapeForHcl(value: unknown): unknown {
  if (typeof value === 'string') return mapLiterals(value, escapeHclString);
  if (isReference(value)) return value;
  if (Array.isArray(value)) return value.map(escapeForHcl);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value))
      out[mapLiterals(key, escapeHclKey)] = escapeForHcl(member);
    return out;
  }
  return value;
}

function mapLiterals(text: string, escape: (literal: string) => string): string {
  return stringPieces(text)
    .map((piece) => ('literal' in piece ? escape(piece.literal) : piece.token))
    .join('');
}

function escapeHclString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%\{/g, '%%{');
}

function escapeHclKey(text: string): string {
  return escapeHclString(text)
    .replace(/\n/g, '\\n')
    .replace(/\$\{/g, () => '$${');
}

/** True when `value` holds a Terraform reference at any depth. */
export function containsReference(value: unknown): boolean {
  if (isReference(value)) return true;
  if (Array.isArray(value)) return value.some(containsReference);
  if (isPlainObject(value)) return Object.values(value).some(containsReference);
  return false;
}
