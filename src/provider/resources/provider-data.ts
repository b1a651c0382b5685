/**
 * What the configured provider gives every resource call of its process:
 * one API client (one login shared by all calls, re-login on 401 and
 * back-off on 429 are the client's), the owner, the limit on concurrent
 * writes, and the one structure read that all ReadResource calls of the
 * process share.
 */
import type { AloomaClient } from '../../runtime/client/client';
import type { AloomaNode } from '../../runtime/client/types';

/** The slice of the client the resources use. */
export type InputsClient = Pick<
  AloomaClient,
  | 'listInputs'
  | 'findInputs'
  | 'inputsNamed'
  | 'getNode'
  | 'createInput'
  | 'createInputSighted'
  | 'updateInput'
  | 'deleteInput'
  | 'setPaused'
>;

/** The provider's data, made by `configure` (provider.ts). */
export interface AloomaProviderData {
  readonly client: InputsClient;
  /** Who manages the inputs (the provider's `owner`); recorded in the ownership marker. */
  readonly owner: string;
  /** Runs a write under the provider's `concurrency` limit. */
  readonly limitWrites: <T>(write: () => Promise<T>) => Promise<T>;
  /**
   * The account's live inputs by id, read once per process (one structure
   * read), shared by every Read and import of the process: concurrent calls
   * await the same promise.
   */
  readonly liveInputs: () => Promise<ReadonlyMap<string, AloomaNode>>;
}

/** A limit of `limit` concurrent calls: the rest wait their turn, in order. */
export function concurrencyLimit(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** `read` once: every call (concurrent or later) gets the same promise. */
export function once<T>(read: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => (promise ??= read());
}
