/**
 * Fault injection for the `/rest` routes: added latency, 503s, 429s with
 * Retry-After, delayed (asynchronous) creation, and lost responses after a
 * write. Every fault is decided before the request does any work, so a
 * failed request never half-applies a write; `errorAfterWriteRate` is the one
 * deliberate exception (the write happens, the answer is lost), which is what
 * clients that "confirm by name" must survive.
 */
import { ValidationError } from './errors';

/** Fault knobs; all default to "no fault". */
export interface FaultOptions {
  /** Delay added to every request, in ms. @default 0 */
  readonly latencyMs?: number;
  /** Fraction (0..1) of requests answered 503 without doing anything. @default 0 */
  readonly errorRate?: number;
  /** Fraction (0..1) of requests answered 429 with `Retry-After`. @default 0 */
  readonly throttleRate?: number;
  /** Seconds sent in `Retry-After` of injected 429s. @default 1 */
  readonly retryAfterS?: number;
  /** A created input appears in the structure only after this many ms. @default 0 */
  readonly createDelayMs?: number;
  /** Fraction (0..1) of writes that are applied but answered 503 (lost response). @default 0 */
  readonly errorAfterWriteRate?: number;
}

/** {@link FaultOptions} with every default filled in. */
export type ResolvedFaults = Required<FaultOptions>;

/** What to do with one request, decided before it runs. */
export interface FaultDecision {
  /** Answer 503 at once. */
  readonly error: boolean;
  /** Answer 429 at once with `Retry-After: retryAfterS`. */
  readonly throttle: boolean;
  /** Run the write, then answer 503 instead of its result. */
  readonly errorAfterWrite: boolean;
}

const NO_FAULT: FaultDecision = { error: false, throttle: false, errorAfterWrite: false };

/**
 * Fills defaults in and checks ranges.
 * @throws ValidationError naming the bad knob.
 */
export function resolveFaults(faults: FaultOptions = {}): ResolvedFaults {
  const resolved: ResolvedFaults = {
    latencyMs: faults.latencyMs ?? 0,
    errorRate: faults.errorRate ?? 0,
    throttleRate: faults.throttleRate ?? 0,
    retryAfterS: faults.retryAfterS ?? 1,
    createDelayMs: faults.createDelayMs ?? 0,
    errorAfterWriteRate: faults.errorAfterWriteRate ?? 0,
  };
  for (const key of ['errorRate', 'throttleRate', 'errorAfterWriteRate'] as const) {
    const v = resolved[key];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw new ValidationError(`${key} must be a number between 0 and 1`, key);
  }
  for (const key of ['latencyMs', 'retryAfterS', 'createDelayMs'] as const) {
    const v = resolved[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ValidationError(`${key} must be a number >= 0`, key);
  }
  return resolved;
}

/**
 * Decides faults with a seeded PRNG (mulberry32), so a run with the same seed
 * and the same request order injects the same faults.
 */
export class FaultInjector {
  private faults: ResolvedFaults;
  private state: number;

  constructor(faults: FaultOptions = {}, seed = 1) {
    this.faults = resolveFaults(faults);
    this.state = seed >>> 0;
  }

  /** The faults in force. */
  get current(): ResolvedFaults {
    return this.faults;
  }

  /** Replaces every knob (omitted ones go back to their defaults). */
  replace(faults: FaultOptions): ResolvedFaults {
    this.faults = resolveFaults(faults);
    return this.faults;
  }

  /** Decides the faults of one request; `isWrite` for POST/PUT/DELETE. */
  decide(isWrite: boolean): FaultDecision {
    const f = this.faults;
    if (f.errorRate === 0 && f.throttleRate === 0 && (f.errorAfterWriteRate === 0 || !isWrite))
      return NO_FAULT;
    if (f.errorRate > 0 && this.next() < f.errorRate) return { ...NO_FAULT, error: true };
    if (f.throttleRate > 0 && this.next() < f.throttleRate) return { ...NO_FAULT, throttle: true };
    if (isWrite && f.errorAfterWriteRate > 0 && this.next() < f.errorAfterWriteRate) {
      return { ...NO_FAULT, errorAfterWrite: true };
    }
    return NO_FAULT;
  }

  /** mulberry32: a tiny, well-distributed 32-bit PRNG; returns [0, 1). */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
