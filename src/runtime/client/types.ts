/**
 * Shapes of the Alooma REST API as the client returns them. Only the fields
 * the runtime relies on are typed; everything else the API sends is kept
 * (index signatures), so a GET, change, PUT round trip loses nothing.
 */
import { isPlainObject } from '../../alooma/json';

/** A plumbing node (input, transformer or output) as the API returns it; secrets come back masked. */
export interface AloomaNode {
  /** Node id (a UUID); assigned by the API, never by the client. */
  id: string;
  /** Name; Alooma allows several live inputs of one name (the id tells them apart). */
  name: string;
  /** Type, e.g. `ODBC`, `REST_INPUT`, `RESTREAM`. */
  type: string;
  /** `INPUT`, `TRANSFORMER` or `OUTPUT`. */
  category: string;
  /** Type-specific configuration; secret values read back as `********`. */
  configuration: Record<string, unknown>;
  paused?: boolean;
  deleted?: boolean;
  /** e.g. `LIVE`, `PAUSED`. */
  state?: string;
  stats?: Record<string, unknown>;
  validated?: boolean;
  /** Python-style ISO timestamp (`2019-01-01T00:00:00.000000`, UTC). */
  created_at?: string;
  [extra: string]: unknown;
}

/** True for a value with the fields every node has (id, name, type, category as strings). */
export function isNodeLike(value: unknown): value is AloomaNode {
  return (
    isPlainObject(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.type === 'string' &&
    typeof value.category === 'string'
  );
}

/** `GET plumbing/?resolution=1min`: the account's plumbing graph. */
export interface AloomaStructure {
  nodes: AloomaNode[];
  [extra: string]: unknown;
}

/** What `createInput` sends: `{name, type, configuration}`. */
export interface NewInput {
  readonly name: string;
  readonly type: string;
  readonly configuration: Readonly<Record<string, unknown>>;
}

/** `GET inputs`: the account's inputs keyed by id. */
export type InputsMapping = Record<string, AloomaNode>;

/** Counters of one client, for benchmarks and tests. Monotonic; never reset. */
export interface ClientMetrics {
  /** HTTP requests sent (every attempt, logins included). */
  requests: number;
  /** Attempts repeated after a retryable failure (re-logins are not retries). */
  retries: number;
  /** Logins made again after a 401 of an expired or invalid session. */
  relogins: number;
  /** `GET plumbing/` requests sent (listings, create confirmations, create checks). */
  structureReads: number;
  /** Write requests sent (POST/PUT/DELETE other than login), every attempt. */
  writes: number;
}

/** What the client reports through `onEvent`, for logs and metrics. Paths are redacted. */
export type ClientEvent =
  | {
      /** One HTTP attempt finished (with a response or without). */
      readonly type: 'request';
      readonly method: string;
      readonly path: string;
      /** HTTP status; 0 when no response arrived. */
      readonly status: number;
      readonly durationMs: number;
      /** 0 for the first attempt of a call. */
      readonly attempt: number;
      readonly requestId?: string;
      /** Error code when the attempt failed. */
      readonly errorCode?: string;
    }
  | {
      /** A failed attempt will be repeated after `delayMs`. */
      readonly type: 'retry';
      readonly method: string;
      readonly path: string;
      /** Number of the attempt about to be made (1 = first retry). */
      readonly attempt: number;
      readonly delayMs: number;
      readonly code: string;
      readonly status: number;
      readonly message: string;
    }
  | {
      /** A password login is about to be made (first request, or again after a 401). */
      readonly type: 'login';
      readonly reason: 'initial' | 'session_expired';
    }
  | {
      /** A request got 401 with a session; the client logs in again once and replays it. */
      readonly type: 'relogin';
      readonly method: string;
      readonly path: string;
    }
  | {
      /** A create failed in a way that may have landed; the structure was read to find out. */
      readonly type: 'create_check';
      readonly name: string;
      /** True when the input exists (the create is treated as done). */
      readonly found: boolean;
    };

/** One write to an input, as `GET history` lists it. */
export interface InputHistoryEntry {
  readonly id: number;
  readonly inputId: string;
  readonly inputName: string;
  readonly action: 'create' | 'update' | 'pause' | 'resume' | 'delete';
  /** ISO timestamp (UTC). */
  readonly at: string;
  /** The user's e-mail, or `API key …xxxx`. */
  readonly actor: string;
  /** Changed fields; values as JSON text; secrets only flagged. */
  readonly changes: ReadonlyArray<{
    readonly field: string;
    readonly from?: string;
    readonly to?: string;
    readonly secret?: true;
  }>;
}
