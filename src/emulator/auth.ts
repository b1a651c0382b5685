/**
 * Credential primitives: password hashing, session tokens, API key digests
 * and parsing of the `Authorization` header. No HTTP and no storage here.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt cost: N=2^14 is node's default and takes a few ms on the thread pool;
// logins are rare (once per runtime process), so this never limits throughput.
const SCRYPT_N = 16384;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SCRYPT_KEYLEN = 32;

function scryptAsync(
  password: string,
  salt: Buffer,
  n: number,
  r: number,
  p: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, SCRYPT_KEYLEN, { N: n, r, p }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Hashes a password as `scrypt$N$r$p$<salt b64>$<hash b64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P);
  return [
    'scrypt',
    SCRYPT_N,
    SCRYPT_R,
    SCRYPT_P,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

/** True when `password` matches a hash made by {@link hashPassword}. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(
    password,
    Buffer.from(salt, 'base64'),
    Number(n),
    Number(r),
    Number(p),
  );
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A new session token: 32 random bytes, URL-safe. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a bearer secret (session token, API key). The store keeps only
 * digests, so a copied database file grants no access.
 */
export function digest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * The key of an `Authorization: API <key>` header; `null` when the header is
 * absent, `undefined` when it is present but not of that form.
 */
export function parseApiKeyHeader(header: string | undefined): string | null | undefined {
  if (header === undefined) return null;
  const match = /^API\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

/**
 * True for a request a browser made on behalf of another site (or another
 * origin on this host: any page on another localhost port): its session
 * cookie must not make it act (CSRF). Non-browser clients send neither header.
 */
export function isCrossOriginBrowserRequest(headers: {
  readonly origin?: string | string[];
  readonly host?: string;
  readonly 'sec-fetch-site'?: string | string[];
}): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return true;
  const origin = headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}
