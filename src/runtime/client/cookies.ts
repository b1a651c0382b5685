/**
 * A minimal cookie jar for one API host: enough for Alooma's session cookie.
 * Keeps name=value pairs from `Set-Cookie`, honours deletion (`Max-Age=0`,
 * an `Expires` in the past, an empty value) and expiry; ignores Domain and
 * Path, since every request goes to the same REST root.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; expiresAt?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Stores the cookies of a response's `Set-Cookie` header(s). */
  store(setCookie: string | readonly string[] | undefined): void {
    if (setCookie === undefined) return;
    for (const line of typeof setCookie === 'string' ? [setCookie] : setCookie) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let expiresAt: number | undefined;
      for (const attribute of attributes) {
        const [rawKey, ...rest] = attribute.split('=');
        const key = rawKey.trim().toLowerCase();
        const attrValue = rest.join('=').trim();
        if (key === 'max-age' && /^-?\d+$/.test(attrValue)) {
          // Max-Age wins over Expires (RFC 6265 5.3).
          expiresAt = this.now() + Number(attrValue) * 1000;
          break;
        }
        if (key === 'expires') {
          const date = Date.parse(attrValue);
          if (!Number.isNaN(date)) expiresAt = date;
        }
      }
      if (value === '' || (expiresAt !== undefined && expiresAt <= this.now()))
        this.cookies.delete(name);
      else this.cookies.set(name, { value, expiresAt });
    }
  }

  /** The `Cookie` header to send, or undefined when the jar holds no live cookie. */
  header(): string | undefined {
    const now = this.now();
    const pairs: string[] = [];
    for (const [name, cookie] of this.cookies) {
      if (cookie.expiresAt !== undefined && cookie.expiresAt <= now) this.cookies.delete(name);
      else pairs.push(`${name}=${cookie.value}`);
    }
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  /** Forgets every cookie. */
  clear(): void {
    this.cookies.clear();
  }
}
