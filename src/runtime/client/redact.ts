/**
 * Redaction of everything the client puts into an error, an event or a log
 * line: authorization headers, cookies, credentials in URLs, secret fields of
 * JSON bodies, and, in free text too, every secret value registered at run
 * time (passwords and API keys read from the environment).
 *
 * The registry is process-wide on purpose: a password read from
 * `$ALOOMA_PASSWORD` must be scrubbed from every line, whichever client,
 * engine or CLI code formats it.
 */
import { SECRET_MASK, findSecrets, isSecretKey, maskSecrets } from '../../alooma/secret-fields';

/** What replaces a secret in free text, headers and URLs. */
export const REDACTED = '[REDACTED]';

/**
 * Secrets shorter than this are not registered: scrubbing every "ab" from
 * every message would make errors unreadable while protecting nothing.
 */
export const MIN_REGISTERED_SECRET_LENGTH = 3;

/** Header names whose values are always credentials. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrftoken',
]);

/** Query/cookie parameter names that are secrets although {@link isSecretKey} does not say so. */
const SECRET_PARAMS = new Set(['key', 'sig', 'signature', 'pwd', 'code']);

const registered = new Set<string>();
let registeredPattern: RegExp | undefined;

/**
 * Registers a secret value (a password, an API key, a secret written through
 * the API) so that it is replaced by {@link REDACTED} wherever it appears in
 * text redacted from now on, also JSON-escaped or URL-encoded. Empty,
 * whitespace-only and very short values are ignored.
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.trim().length < MIN_REGISTERED_SECRET_LENGTH) return;
  const variants = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  let changed = false;
  for (const v of variants) {
    if (!registered.has(v)) {
      registered.add(v);
      changed = true;
    }
  }
  if (changed) registeredPattern = undefined;
}

/** Forgets every registered secret (tests). */
export function clearRegisteredSecrets(): void {
  registered.clear();
  registeredPattern = undefined;
}

function registeredSecretsPattern(): RegExp | undefined {
  if (registered.size === 0) return undefined;
  if (!registeredPattern) {
    // Longest first, so a secret containing another is replaced whole.
    const alternatives = [...registered].sort((a, b) => b.length - a.length).map(escapeRegExp);
    registeredPattern = new RegExp(alternatives.join('|'), 'g');
  }
  registeredPattern.lastIndex = 0;
  return registeredPattern;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isSecretName(name: string): boolean {
  return isSecretKey(name) || SECRET_PARAMS.has(name.toLowerCase());
}

/** `Authorization: API abc`, `"authorization":"Bearer abc"`: keeps the scheme, drops the credential. */
const AUTH_HEADER_TEXT =
  /((?:proxy-)?authorization["']?\s*[:=]\s*["']?(?:(?:API|Bearer|Basic|Token|Digest)\s+)?)[^\s"',;}]+/gi;
/** A bearer-style credential on its own. */
const BEARER_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
/** `Cookie: a=b; c=d` and `Set-Cookie: ...`: the whole value. */
const COOKIE_HEADER_TEXT = /((?:set-)?cookie["']?\s*[:=]\s*["']?)[^\r\n"']+/gi;
/** `scheme://user:password@host`. */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi;
/** `name=value` in query strings, cookies and free text. */
const NAME_EQUALS_VALUE = /(^|[?&;,\s(])([A-Za-z_][\w.-]*)=([^&\s;"',#)]*)/g;
/**
 * `password: value` in free text (YAML-ish, reprs without quotes). Only for
 * unmistakable names: prose such as "credentials: none of ..." must survive.
 */
const NAME_COLON_VALUE =
  /(^|[\s{(,])(password|passwd|pwd|secret|client_secret|token|access_token|refresh_token|api[_-]?key|private[_-]?key)(\s*:\s*)([^\s,;"'{}[\]]+)/gi;
/** `"password": "value"` in JSON text, also truncated (no closing quote). */
const JSON_STRING_MEMBER = /"([^"\\]{1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)("?)/g;
/** `'password': 'value'` in Python-style reprs. */
const PY_STRING_MEMBER = /'([^'\\]{1,100})'(\s*:\s*)'((?:[^'\\]|\\.)*)('?)/g;

/**
 * Redacts free text: credentials in authorization and cookie headers, in
 * URLs (user info, `?token=`/`?api_key=`/`?password=`...), secret members of
 * (possibly truncated) JSON, `password: x` pairs, then every registered
 * secret value.
 */
export function redactText(text: string): string {
  if (!text) return text;
  let out = text
    .replace(AUTH_HEADER_TEXT, `$1${REDACTED}`)
    .replace(COOKIE_HEADER_TEXT, `$1${REDACTED}`)
    .replace(BEARER_TEXT, `$1 ${REDACTED}`)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(JSON_STRING_MEMBER, (match, key: string, sep: string, value: string, close: string) =>
      isSecretName(key) && value !== '' && value !== SECRET_MASK
        ? `"${key}"${sep}"${REDACTED}${close}`
        : match,
    )
    .replace(PY_STRING_MEMBER, (match, key: string, sep: string, value: string, close: string) =>
      isSecretName(key) && value !== '' && value !== SECRET_MASK
        ? `'${key}'${sep}'${REDACTED}${close}`
        : match,
    )
    .replace(NAME_EQUALS_VALUE, (match, lead: string, name: string, value: string) =>
      isSecretName(name) && value !== '' && value !== REDACTED
        ? `${lead}${name}=${REDACTED}`
        : match,
    )
    .replace(NAME_COLON_VALUE, (match, lead: string, name: string, sep: string, value: string) =>
      value !== SECRET_MASK ? `${lead}${name}${sep}${REDACTED}` : match,
    );
  const pattern = registeredSecretsPattern();
  if (pattern) out = out.replace(pattern, REDACTED);
  return out;
}

/** Redacts a URL or a request path with its query string. Same rules as {@link redactText}. */
export function redactUrl(url: string): string {
  return redactText(url);
}

/**
 * Returns a copy of HTTP headers with credential headers (authorization,
 * cookies, API key headers, any header named like a secret) replaced by
 * {@link REDACTED} and the others redacted as text.
 */
export function redactHeaders(
  headers: Readonly<Record<string, unknown>> | undefined,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const lower = name.toLowerCase();
    if (SECRET_HEADERS.has(lower) || isSecretKey(lower.replace(/^x-/, ''))) {
      out[name] = REDACTED;
    } else if (Array.isArray(value)) {
      out[name] = value.map((v) => redactText(String(v)));
    } else {
      out[name] = redactText(String(value));
    }
  }
  return out;
}

/**
 * Returns a copy of a JSON value with secret fields masked (the rules of
 * `maskSecrets`: secret keys at any depth, secret REST parameter values) and
 * every string redacted as free text.
 */
export function redactValue<T>(value: T): T {
  return redactStrings(maskSecrets(value)) as T;
}

function redactStrings(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactStrings);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactStrings(v);
    return out;
  }
  return value;
}

/**
 * Redacts a raw body (request or response text): JSON is parsed, masked with
 * {@link redactValue} and serialised again; anything else (HTML, truncated
 * JSON, plain text) is redacted as free text.
 */
export function redactBody(body: string): string {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || trimmed.startsWith('"')) {
    try {
      return JSON.stringify(redactValue(JSON.parse(trimmed)));
    } catch {
      // Not JSON after all: fall through to free text.
    }
  }
  return redactText(body);
}

/**
 * Registers (see {@link registerSecret}) every secret value of a
 * configuration or node: the values `maskSecrets` would mask (secret keys at
 * any depth, secret REST parameter values), except the mask itself. The
 * client calls it on every body it sends, so a server that echoes a request
 * back cannot put a secret into an error.
 */
export function registerSecretsIn(value: unknown): void {
  for (const secret of findSecrets(value)) registerSecret(secret.value as string); // non-strings are ignored
}
