/**
 * Request counters served by the control API, so tests can assert how many
 * calls a client made (e.g. "a no-op deploy writes nothing"). In memory, per
 * process: they describe this process's traffic, not stored data.
 */

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
} as const;

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
    };
    for (const [k, v] of this.counters) out[k] = v;
    return out;
  }

  /** Sets every counter back to zero. */
  reset(): void {
    this.counters.clear();
  }
}
