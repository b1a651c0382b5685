/**
 * Request counters served by the control API, so tests can assert how many
 * calls a client made (e.g. "a no-op deploy writes nothing"). In memory, per
 * process: they describe this process's traffic, not stored data.
 */
import { maskSecrets } from '../alooma/secret-fields';

/** Counter keys besides the per-route ones (`"GET plumbing"`, `"PUT inputs/:id"`, ...). */
export const StatKey = {
  /** Every request to a `/rest` path, matched or not. */
  TOTAL: 'total',
  /** Requests to a `/rest` path that matched no route (answered 404). */
  UNKNOWN_ROUTE: 'unknown route',
  /** Injected 503s answered before any work. */
  INJECTED_503: 'injected 503',
  /** Injected 429s. */
  INJECTED_429: 'injected 429',
  /** Writes applied, then answered with an injected 503. */
  INJECTED_503_AFTER_WRITE: 'injected 503 after write',
  /**
   * Requests (login aside) whose body carries a secret value other than the
   * mask, or that store account secrets (`PUT secrets`): every time a client
   * sends a secret, the same value again included.
   */
  SECRET_WRITES: 'secret writes',
} as const;

/** True when `body` holds a secret (by key or REST parameter) set to anything but the mask. */
export function carriesSecret(body: unknown): boolean {
  // maskSecrets changes exactly the set secrets that are not the mask already.
  return JSON.stringify(maskSecrets(body)) !== JSON.stringify(body);
}

/**
 * A preHandler hook (the body is parsed by then) that counts
 * {@link StatKey.SECRET_WRITES}; routes marked `public` (login) are not counted.
 */
export function countSecretWrites(stats: RequestStats) {
  return async (request: {
    readonly body?: unknown;
    readonly routeOptions: { readonly config: { readonly public?: boolean; statKey?: string } };
  }): Promise<void> => {
    const { config } = request.routeOptions;
    if (config.public) return;
    // Every value of the account's secret store is a secret, whatever its key.
    const accountSecrets =
      config.statKey === 'PUT secrets' &&
      request.body !== null &&
      typeof request.body === 'object' &&
      Object.keys(request.body).length > 0;
    if (accountSecrets || carriesSecret(request.body)) stats.increment(StatKey.SECRET_WRITES);
  };
}

/** Request counters by key. */
export class RequestStats {
  private counters = new Map<string, number>();

  /** Adds one to `key`. */
  increment(key: string): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
  }

  /** The counters as a plain object; `total` and injected-fault counters are always present. */
  snapshot(): Record<string, number> {
    const out: Record<string, number> = {
      [StatKey.TOTAL]: 0,
      [StatKey.INJECTED_503]: 0,
      [StatKey.INJECTED_429]: 0,
      [StatKey.INJECTED_503_AFTER_WRITE]: 0,
      [StatKey.SECRET_WRITES]: 0,
    };
    for (const [k, v] of this.counters) out[k] = v;
    return out;
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.counters.clear();
  }
}
