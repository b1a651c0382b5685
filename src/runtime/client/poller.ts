/**
 * Coalesced confirmation of creates. The API answers a create without an id,
 * so a client confirms it by reading the structure until a node of that name
 * appears. Done naively (one polling loop per create) a bulk deploy of N
 * inputs reads the whole structure N times per tick. Instead, one poller per
 * client runs one loop while anything waits:
 *
 * - each tick makes **one** structure read and resolves every waiter whose
 *   name appeared; the reads never overlap;
 * - the first tick runs at once (an API without creation delay confirms in
 *   one read), unless creates come in a stream (a loop ended less than
 *   `batchWindowMs` ago, as in a Terraform apply that hands the provider its
 *   creates a few at a time): then it waits up to `batchWindowMs` for more
 *   of them, or until `batchSize` wait (no more can come), so one read
 *   confirms a batch; then the interval starts at `intervalMs` and grows by
 *   `backoffFactor` up to `maxIntervalMs` while ticks confirm nothing, and
 *   drops back to `intervalMs` when one does or a new waiter arrives;
 * - a waiter whose deadline passes is rejected with `create_unconfirmed`;
 * - a failed read (after the client's own retries) rejects every waiter when
 *   it is not transient (auth, bad response...), else polling goes on until
 *   the deadlines.
 *
 * {@link StructurePoller.idsNamed} serves the "which inputs of this name exist
 * before the create" read ({@link StructurePoller.lookup} and
 * {@link StructurePoller.inputsNamed} a one-off look at a name): every caller
 * gets a read that started after it asked (an older one could miss a create),
 * and callers share reads: those that ask while no read has started share
 * the next one, and those that ask while one is in flight share the one that
 * starts when it ends. Reads of the poller never overlap, its own ticks
 * included, so N concurrent creates cost a few reads, not N.
 *
 * {@link StructurePoller.sighting} resolves with the node and every live input
 * of its name in the read that showed it, oldest first: a caller that must
 * know which input of a name came first needs no read of its own.
 */
import { AloomaCreateUnconfirmedError, AloomaErrorCode } from './errors';
import { Clock, isRetryable, realClock } from './retry';
import { AloomaNode } from './types';
import { isInputNode } from '../../alooma/input-types';

/** Polling options of {@link StructurePoller}. */
export interface PollOptions {
  /** First interval between reads, in ms. @default 250 */
  readonly intervalMs?: number;
  /** Cap of the interval, in ms. @default 2000 */
  readonly maxIntervalMs?: number;
  /** Growth of the interval while nothing is confirmed. @default 1.5 */
  readonly backoffFactor?: number;
  /**
   * How long the first read of a loop waits for more waiters when creates
   * come in a stream (the last loop ended less than this ago), in ms; 0: it
   * reads at once. Trades that much latency per create for reads shared by
   * the creates of the window. @default 0
   */
  readonly batchWindowMs?: number;
  /** Waiters that end the batch window early (no more can come, e.g. the caller's concurrency). @default Infinity */
  readonly batchSize?: number;
}

/** Defaults of {@link PollOptions}. */
export const DEFAULT_POLL_OPTIONS: Required<PollOptions> = Object.freeze({
  intervalMs: 250,
  maxIntervalMs: 2000,
  backoffFactor: 1.5,
  batchWindowMs: 0,
  batchSize: Infinity,
});

/** Which node of the awaited name counts (a new one, one of ours); every node of the name by default. */
export type NodeFilter = (node: AloomaNode) => boolean;

/** An awaited input as a structure read showed it. */
export interface Sighting {
  /** The input awaited. */
  readonly node: AloomaNode;
  /** Every live input of its name in that read (the node included), oldest first. */
  readonly named: readonly AloomaNode[];
}

interface Waiter {
  readonly name: string;
  readonly accept: NodeFilter;
  readonly deadline: number;
  readonly resolve: (sighting: Sighting) => void;
  readonly reject: (error: unknown) => void;
}

/** Effects injected for tests: the client's {@link Clock}. */
export type PollerClock = Clock;

/** True for a live input of that name. */
export function isLiveInputNamed(node: AloomaNode, name: string): boolean {
  return node.name === name && isInputNode(node);
}

/** The live inputs named `name` among `nodes`, oldest first (by `created_at`; the API lists by creation). */
export function liveInputsNamed(nodes: readonly AloomaNode[], name: string): AloomaNode[] {
  return nodes
    .filter((n) => isLiveInputNamed(n, name))
    .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
}

/** One shared structure-polling loop for every create awaiting confirmation. */
export class StructurePoller {
  private readonly options: Required<PollOptions>;
  private readonly waiters = new Set<Waiter>();
  private running = false;
  private arrived = false;
  /** A read requested but not started yet; joiners share it. */
  private scheduled: Promise<readonly AloomaNode[]> | undefined;
  /** The read in flight; the next one starts when it ends. */
  private inFlight: Promise<unknown> | undefined;
  /** When the last loop ended (-Infinity: none has). */
  private lastLoopEnd = -Infinity;
  /** Ends the batch window now, while one is open. */
  private endWindow: (() => void) | undefined;

  /**
   * @param read one structure read (the client's, with its retries).
   */
  constructor(
    private readonly read: () => Promise<readonly AloomaNode[]>,
    options: PollOptions = {},
    private readonly clock: PollerClock = realClock,
  ) {
    this.options = {
      intervalMs: options.intervalMs ?? DEFAULT_POLL_OPTIONS.intervalMs,
      maxIntervalMs: options.maxIntervalMs ?? DEFAULT_POLL_OPTIONS.maxIntervalMs,
      backoffFactor: options.backoffFactor ?? DEFAULT_POLL_OPTIONS.backoffFactor,
      batchWindowMs: options.batchWindowMs ?? DEFAULT_POLL_OPTIONS.batchWindowMs,
      batchSize: options.batchSize ?? DEFAULT_POLL_OPTIONS.batchSize,
    };
  }

  /** Creates awaiting confirmation now. */
  get pending(): number {
    return this.waiters.size;
  }

  /**
   * Resolves with the live input named `name` once a structure read shows
   * it; rejects with `create_unconfirmed` after `timeoutMs`.
   */
  async waitFor(
    name: string,
    timeoutMs: number,
    accept: NodeFilter = () => true,
  ): Promise<AloomaNode> {
    return (await this.sighting(name, timeoutMs, accept)).node;
  }

  /**
   * As {@link waitFor}, with every live input of the name in the read that
   * showed it, oldest first.
   */
  sighting(name: string, timeoutMs: number, accept: NodeFilter = () => true): Promise<Sighting> {
    return new Promise<Sighting>((resolve, reject) => {
      this.waiters.add({ name, accept, deadline: this.clock.now() + timeoutMs, resolve, reject });
      this.arrived = true;
      if (this.waiters.size >= this.options.batchSize) this.endWindow?.();
      if (!this.running) void this.loop();
    });
  }

  /**
   * The live input named `name` as of a structure read that started after
   * this call, or undefined. Concurrent callers share one read.
   */
  async lookup(name: string): Promise<AloomaNode | undefined> {
    const nodes = await this.nextRead();
    return nodes.find((n) => isLiveInputNamed(n, name));
  }

  /** Ids of the live inputs named `name`, as of a read that started after this call. */
  async idsNamed(name: string): Promise<Set<string>> {
    const nodes = await this.nextRead();
    return new Set(nodes.filter((n) => isLiveInputNamed(n, name)).map((n) => n.id));
  }

  /** The live inputs named `name`, oldest first, as of a read that started after this call. */
  async inputsNamed(name: string): Promise<AloomaNode[]> {
    return liveInputsNamed(await this.nextRead(), name);
  }

  private nextRead(): Promise<readonly AloomaNode[]> {
    if (!this.scheduled) {
      const before = this.inFlight;
      const read = (async () => {
        // One read at a time: callers that ask meanwhile join this one.
        if (before) await before.catch(() => undefined);
        // Let callers of the same moment join before the read starts.
        await Promise.resolve();
        this.scheduled = undefined;
        const reading = this.read();
        this.inFlight = reading;
        try {
          return await reading;
        } finally {
          if (this.inFlight === reading) this.inFlight = undefined;
        }
      })();
      this.scheduled = read;
    }
    return this.scheduled;
  }

  /** The batch window of a loop's first read, when creates come in a stream. */
  private async gather(): Promise<void> {
    const window = this.options.batchWindowMs;
    const now = this.clock.now();
    if (window <= 0 || now - this.lastLoopEnd >= window) return;
    if (this.waiters.size >= this.options.batchSize) return;
    const untilDeadline = Math.min(...[...this.waiters].map((w) => w.deadline)) - now;
    await new Promise<void>((resolve) => {
      this.endWindow = resolve;
      void this.clock.sleep(Math.max(0, Math.min(window, untilDeadline))).then(resolve);
    });
    this.endWindow = undefined;
  }

  private async loop(): Promise<void> {
    this.running = true;
    let interval = this.options.intervalMs;
    try {
      await this.gather();
      while (this.waiters.size > 0) {
        this.arrived = false;
        let confirmed = 0;
        try {
          const nodes = await this.nextRead();
          for (const waiter of [...this.waiters]) {
            const node = nodes.find((n) => isLiveInputNamed(n, waiter.name) && waiter.accept(n));
            if (node) {
              this.waiters.delete(waiter);
              waiter.resolve({ node, named: liveInputsNamed(nodes, waiter.name) });
              confirmed++;
            }
          }
        } catch (error) {
          if (!isRetryable(error)) {
            for (const waiter of this.waiters) waiter.reject(error);
            this.waiters.clear();
            break;
          }
        }
        const now = this.clock.now();
        for (const waiter of [...this.waiters]) {
          if (now >= waiter.deadline) {
            this.waiters.delete(waiter);
            waiter.reject(unconfirmed(waiter.name));
          }
        }
        if (this.waiters.size === 0) break;
        interval =
          confirmed > 0 || this.arrived
            ? this.options.intervalMs
            : Math.min(this.options.maxIntervalMs, interval * this.options.backoffFactor);
        const untilDeadline = Math.min(...[...this.waiters].map((w) => w.deadline)) - now;
        await this.clock.sleep(Math.max(0, Math.min(interval, untilDeadline)));
      }
    } finally {
      this.running = false;
      this.lastLoopEnd = this.clock.now();
      // A waiter that arrived while the loop was finishing starts a new one.
      if (this.waiters.size > 0) void this.loop();
    }
  }
}

function unconfirmed(name: string): AloomaCreateUnconfirmedError {
  return new AloomaCreateUnconfirmedError({
    code: AloomaErrorCode.CREATE_UNCONFIRMED,
    method: 'POST',
    path: 'plumbing/inputs',
    message: `create of input '${name}' was accepted but the input did not appear in the structure in time`,
    hint:
      'Alooma may still be creating it: check the Alooma UI, then run the deploy again; ' +
      'the runtime finds its inputs by their ownership marker, so a second run will not duplicate it',
  });
}
