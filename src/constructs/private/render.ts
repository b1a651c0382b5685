/**
 * Rendering helpers shared by the constructs: deterministic JSON, digests and
 * escaping of user strings for Terraform.
 *
 * Every string the code gives becomes part of a Terraform template: a string
 * of the JSON configuration (object keys included) is read as a template, so
 * `${...}` interpolates and `%{...}` runs a directive. User text is data. This
 * module is the one place that turns it into Terraform: each literal piece
 * (a whole string, a key, or the text around the references of a string that
 * mixes text and references) is escaped, and only the references (tokens)
 * are left for Terraform to evaluate. No user text is ever rendered as an
 * HCL expression (function arguments), whose quoting cdktf does not escape.
 */
import { createHash } from 'node:crypto';
import { Json, isPlainObject, sortKeys } from '../../alooma/json';
import { Fn, Token } from './core';

/** JSON with sorted keys, two-space indent and a final newline: byte-identical for equal values. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value as Json), null, 2)}\n`;
}

/** Hex SHA-256 of a string. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** True when `value` is, or holds, a Terraform reference (token): its value exists only at apply. */
export function isReference(value: unknown): boolean {
  return value !== null && value !== undefined && Token.isUnresolved(value);
}

/**
 * How cdktf encodes a reference inside a string (`${TfToken[TOKEN.12]}`),
 * the same in cdktf and cdktn.
 */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** A piece of a string: literal text, or the encoded reference (token) it holds there. */
export type StringPiece = { readonly literal: string } | { readonly token: string };

/** The literal text and the references of `text`, in order (empty literals left out). */
export function stringPieces(text: string): StringPiece[] {
  const pieces: StringPiece[] = [];
  let last = 0;
  for (const match of text.matchAll(STRING_TOKEN)) {
    if (match.index > last) pieces.push({ literal: text.slice(last, match.index) });
    pieces.push({ token: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) pieces.push({ literal: text.slice(last) });
  return pieces;
}

/** The encoded references of a string, in order. */
export function stringTokens(text: string): string[] {
  return text.match(STRING_TOKEN) ?? [];
}

/**
 * Escapes a literal piece: `${` and `%{` are doubled (`$${`, `%%{`), which
 * Terraform turns back into the literal text.
 */
export function escapeTemplate(text: string): string {
  // Replacement functions: in a replacement string "$$" would itself mean "$".
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * Joins escaped literal pieces and interpolations (`${...}`). A literal that
 * ends in `$` (or `%`) right before an interpolation would make `$${` (an
 * escape: the interpolation would become text), so that last character is
 * written as an interpolation of itself.
 */
function joinTemplate(parts: ReadonlyArray<{ readonly text: string; readonly literal: boolean }>) {
  let out = '';
  parts.forEach((part, i) => {
    const next = parts[i + 1];
    if (part.literal && next && !next.literal && /[$%]$/.test(part.text)) {
      out += `${part.text.slice(0, -1)}\${"${part.text.slice(-1)}"}`;
    } else out += part.text;
  });
  return out;
}

/**
 * A string for a Terraform JSON configuration: its literal text escaped,
 * its references kept (cdktf renders each as `${expression}`).
 */
export function templateString(text: string): string {
  return joinTemplate(
    stringPieces(text).map((piece) =>
      'literal' in piece
        ? { text: escapeTemplate(piece.literal), literal: true }
        : { text: piece.token, literal: false },
    ),
  );
}

/**
 * {@link templateString} applied to every string and object key of a JSON
 * value, for attributes that take nested values (`terraform_data`). Values
 * that are references as a whole (a number, list or map from Terraform) are
 * left as they are: cdktf renders them as the expressions they stand for.
 */
export function escapeTemplates(value: unknown): unknown {
  if (typeof value === 'string') return templateString(value);
  if (isReference(value)) return value;
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[templateString(key)] = escapeTemplates(member);
    }
    return out;
  }
  return value;
}

/**
 * A string template that Terraform evaluates to the JSON text of `value`,
 * references resolved: for attributes that take strings only (a
 * `null_resource`'s triggers). Literal text goes in escaped, as JSON and for
 * the template; a reference that is a whole value goes in as
 * `${jsonencode(reference)}`, and one inside a string as the inside of
 * `jsonencode(tostring(reference))`. Keys are sorted, as `jsonencode` sorts them.
 */
export function jsonTemplate(value: unknown): string {
  return joinTemplate(jsonParts(value));
}

function jsonParts(value: unknown): Array<{ text: string; literal: boolean }> {
  const literal = (text: string) => [{ text: escapeTemplate(text), literal: true }];
  if (typeof value === 'string') {
    const pieces = stringPieces(value);
    if (pieces.length === 1 && 'token' in pieces[0])
      return [{ text: Fn.jsonencode(value), literal: false }];
    return [
      ...literal('"'),
      ...pieces.flatMap((piece) =>
        'literal' in piece
          ? literal(JSON.stringify(piece.literal).slice(1, -1))
          : // jsonencode of a string is "...": its first and last characters go.
            [
              {
                text: Fn.replace(Fn.jsonencode(Fn.tostring(piece.token)), '/^.|.$/', ''),
                literal: false,
              },
            ],
      ),
      ...literal('"'),
    ];
  }
  if (isReference(value)) return [{ text: Fn.jsonencode(value), literal: false }];
  if (Array.isArray(value)) {
    return [
      ...literal('['),
      ...value.flatMap((item, i) => [...(i ? literal(',') : []), ...jsonParts(item)]),
      ...literal(']'),
    ];
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return [
      ...literal('{'),
      ...entries.flatMap(([key, member], i) => [
        ...(i ? literal(',') : []),
        ...jsonParts(key),
        ...literal(':'),
        ...jsonParts(member),
      ]),
      ...literal('}'),
    ];
  }
  return literal(JSON.stringify(value ?? null));
}
