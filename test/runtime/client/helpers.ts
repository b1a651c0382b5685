/**
 * Helpers of the client tests: clients wired to an emulator process with
 * fast retries and captured events, local HTTP servers for what the emulator
 * never serves (HTML, hangs, resets), and the emulator's control API.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import {
  AloomaClient,
  ClientEvent,
  ClientOptions,
  RetryOptions,
} from '../../../src/runtime/client';
import { EmulatorDefaults } from '../../../src/runtime/protocol';
import {
  EmulatorFaults,
  EmulatorProcess,
  startEmulatorProcess,
} from '../../helpers/emulator-process';

/** Retries fast enough for tests, many enough to ride out 30-50% injected faults. */
export const FAST_RETRY: RetryOptions = { retries: 10, minDelayMs: 5, maxDelayMs: 50 };

/** Demo credentials of the emulator. */
export const DEMO_LOGIN = {
  kind: 'password',
  username: EmulatorDefaults.USERNAME,
  password: EmulatorDefaults.PASSWORD,
} as const;
export const DEMO_KEY = { kind: 'apiKey', apiKey: EmulatorDefaults.API_KEY } as const;

/** A client and every event it emitted. */
export interface Captured {
  readonly client: AloomaClient;
  readonly events: ClientEvent[];
}

const open: AloomaClient[] = [];

/** A client of `url` with fast retries that records its events; closed by {@link closeClients}. */
export function clientFor(url: string, options: Partial<ClientOptions> = {}): Captured {
  const events: ClientEvent[] = [];
  const client = new AloomaClient({
    baseUrl: url,
    auth: DEMO_LOGIN,
    retry: FAST_RETRY,
    poll: { intervalMs: 50, maxIntervalMs: 200 },
    ...options,
    onEvent: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
  });
  open.push(client);
  return { client, events };
}

/** Closes every client made by {@link clientFor}. */
export function closeClients(): void {
  for (const client of open.splice(0)) client.close();
}

/** A valid ODBC configuration (the emulator checks required fields). */
export function odbcConfiguration(
  password = 'db-pass',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    server: 'db.internal.example',
    port: 5432,
    database: 'shop',
    db_type: 'psql',
    user: 'reader',
    password,
    tables: JSON.stringify({ orders: 'xmin::text::bigint' }),
    ...extra,
  };
}

/** Creates an account through the control API. */
export async function createAccount(
  emulator: EmulatorProcess,
  spec: { account: string; email: string; password: string; apiKey: string },
): Promise<void> {
  const res = await fetch(`${emulator.url}/_emulator/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (res.status !== 201) throw new Error(`create account: ${res.status} ${await res.text()}`);
}

/** Asks the control API whether a stored node secret equals `value` (without reading it). */
export async function nodeSecretMatches(
  emulator: EmulatorProcess,
  nodeId: string,
  path: string,
  value: string,
): Promise<boolean> {
  return emulator.secretMatches(nodeId, path, value);
}

/** A local HTTP(S) server with a handler, and how many requests it got. */
export interface LocalServer {
  readonly url: string;
  readonly port: number;
  requests: number;
  close(): Promise<void>;
}

/** Starts a local server on loopback (a free port). Pass TLS options for HTTPS. */
export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string, n: number) => void,
  tls?: { key: string; cert: string },
): Promise<LocalServer> {
  const state = { requests: 0 };
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(req, res, body, ++state.requests));
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get requests() {
      return state.requests;
    },
    set requests(n: number) {
      state.requests = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Number of live inputs called `name` in the structure, read with the API key. */
export async function countInputsNamed(
  url: string,
  names: readonly string[],
): Promise<Map<string, number>> {
  const { client } = clientFor(url, { auth: DEMO_KEY, retry: { retries: 0 } });
  const counts = new Map(names.map((n) => [n, 0]));
  for (const node of await client.listInputs()) {
    if (counts.has(node.name)) counts.set(node.name, counts.get(node.name)! + 1);
  }
  return counts;
}

/**
 * Fault knobs of the emulator, including `errorAfterWriteRate` (a write
 * applied, its answer replaced by a 503), which the shared helper's
 * `EmulatorFaults` does not list yet.
 */
export type Faults = EmulatorFaults & { errorAfterWriteRate?: number };

/** `emulator.setFaults` with every knob the emulator knows. */
export function setFaults(emulator: EmulatorProcess, faults: Faults): Promise<void> {
  return emulator.setFaults(faults as EmulatorFaults);
}

/**
 * One emulator process for a test file, with faults off and counters reset
 * before each test and clients closed after; returns a getter for it.
 */
export function useEmulatorPerFile(): () => EmulatorProcess {
  let emulator: EmulatorProcess;
  beforeAll(async () => {
    emulator = await startEmulatorProcess();
  });
  afterAll(async () => {
    closeClients();
    await emulator?.stop();
  });
  beforeEach(async () => {
    await emulator.setFaults({});
    await emulator.resetStats();
  });
  afterEach(() => closeClients());
  return () => emulator;
}
