/**
 * The name rule: what an input, table, REST parameter or owner name may be.
 * The constructs check it at synth, the runtime on manifests, and the
 * emulator on every create and rename, with this one function.
 *
 * Decided here (the service's own rule is not documented): a name is 1 to
 * 200 characters counted as code points (an emoji is one character, as a
 * person counts), without control characters (C0, DEL, C1: a newline in a
 * name breaks every log line and table that shows it), lone UTF-16
 * surrogates (not text) or surrounding whitespace. Quotes, spaces inside and
 * any other unicode are fine.
 */

/** Longest name accepted, in characters (code points). */
export const MAX_NAME_LENGTH = 200;

// C0 and C1 control characters, DEL included.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What a name may be, for hints. */
export const NAME_RULE =
  '1 to 200 characters without control characters or surrounding spaces (quotes, spaces and unicode inside are fine)';

/**
 * Why `value` is not a valid name, as a phrase that completes "Field 'name' …"
 * (e.g. `must not be empty`), or undefined when it is valid.
 */
export function nameProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return 'is required';
  if (typeof value !== 'string') return `must be a string, not ${describeType(value)}`;
  if (value.length === 0) return 'must not be empty';
  if (value.trim().length === 0) return 'must not be only whitespace';
  if (value.trim() !== value) return 'must not start or end with whitespace';
  const length = [...value].length;
  if (length > MAX_NAME_LENGTH)
    return `must be at most ${MAX_NAME_LENGTH} characters (got ${length})`;
  if (CONTROL_CHARACTERS.test(value))
    return 'must not contain control characters (newline, tab, ...)';
  if (LONE_SURROGATE.test(value)) return 'must not contain a lone UTF-16 surrogate';
  return undefined;
}

/** `a number`, `an array`, `null`... for messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? `an ${type}` : `a ${type}`;
}

const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** `rest` would be read as the REST root of `/<account>/rest/` URLs. */
const RESERVED_ACCOUNT_NAMES: ReadonlySet<string> = new Set(['rest']);

/** What an account name may be, for hints. */
export const ACCOUNT_NAME_RULE =
  'an account name of 1 to 63 letters, digits and _.- that starts with a letter or digit (not "rest")';

/** True when `value` can be an account name: the path segment of `/<account>/rest/`. */
export function isAccountName(value: unknown): value is string {
  return (
    typeof value === 'string' && ACCOUNT_NAME.test(value) && !RESERVED_ACCOUNT_NAMES.has(value)
  );
}
