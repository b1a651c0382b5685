/**
 * Programmatic API of the emulator: a persistent, Alooma-compatible REST API
 * server for local development and tests (the real service is gone).
 *
 * ```ts
 * const emulator = await startEmulator({ port: 0, dataDir: tmp });
 * // ... talk to `${emulator.url}/rest/` as demo@example.com / demo or API key demo-key
 * await emulator.close();
 * ```
 */
import * as fs from 'node:fs';
import { EmulatorDefaults } from '../alooma/emulator-defaults';
import { FaultInjector, FaultOptions } from './faults';
import { allowedHostNames } from './routes';
import { TlsOptions, buildServer } from './server';
import { RequestStats } from './stats';
import { AccountSpec, AloomaStore } from './store';
import {
  PostgresSourceValidator,
  SOURCE_VALIDATION_MODES,
  SourceValidationMode,
} from './source-validation';
import { SourceValidator, acceptAllSources } from './validation';

export type { FaultOptions } from './faults';
export type {
  SourceValidator,
  SourceValidationResult,
  SourceValidationContext,
  InputDraft,
} from './validation';
export type { SourceValidationMode } from './source-validation';
export { DEFAULT_SOURCE_TIMEOUT_MS, PostgresSourceValidator } from './source-validation';
export type { AccountSpec } from './store';
export type { TlsOptions } from './server';

/** Default session lifetime in seconds. */
export const DEFAULT_SESSION_TTL_S = 3600;

/** The account seeded on first start (src/alooma/emulator-defaults.ts). */
export const DEFAULT_ACCOUNT: AccountSpec = {
  account: EmulatorDefaults.ACCOUNT,
  email: EmulatorDefaults.USERNAME,
  password: EmulatorDefaults.PASSWORD,
  apiKey: EmulatorDefaults.API_KEY,
};

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * More host names (or addresses) accepted in the `Host` header, besides
   * `localhost`, `127.0.0.1`, `[::1]` and the listening address; requests
   * naming any other host are answered 421 (DNS rebinding). @default - none
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Serve HTTPS with this key and certificate (PEM contents); the session
   * cookie is then `Secure`. @default - plain HTTP
   */
  readonly tls?: TlsOptions;
  /** Port to listen on; 0 picks a free one. @default 8787 */
  readonly port?: number;
  /** Directory of the database (`alooma.db`), created when missing. @default '.alooma-local' */
  readonly dataDir?: string;
  /** Fault injection on `/rest` routes. @default - no faults */
  readonly faults?: FaultOptions;
  /** Seed of the fault PRNG, for reproducible fault sequences. @default 1 */
  readonly faultSeed?: number;
  /** Session lifetime in seconds; an expired session answers 401. @default 3600 */
  readonly sessionTtlS?: number;
  /**
   * Refuse a second live input with a name (409 on create and rename). The
   * service accepted duplicates, as the emulator does by default; this is for
   * local work that wants the stricter rule.
   * @default false
   */
  readonly uniqueInputNames?: boolean;
  /** Serve the unauthenticated `/_emulator` control API (tests only). @default false */
  readonly enableControl?: boolean;
  /** Log every request. @default false */
  readonly logger?: boolean;
  /**
   * Source validation on validating creates and edits (`POST plumbing/inputs`,
   * `PUT inputs/<id>`): `resolvable` connects to the PostgreSQL source of
   * every ODBC input whose host resolves here and skips (with a warning) host
   * names that do not, such as the placeholders of examples; `strict` refuses
   * those too; `off` accepts every source. Ignored when `sourceValidator` is
   * given. @default 'resolvable'
   */
  readonly sourceValidation?: SourceValidationMode;
  /**
   * Limit on resolving, connecting and logging in to a source, and on each
   * validation statement, in ms. @default 5000
   */
  readonly sourceTimeoutMs?: number;
  /** A custom source validator, replacing the one `sourceValidation` selects. @default - see sourceValidation */
  readonly sourceValidator?: SourceValidator;
  /**
   * Inputs to load into the default account at start (a JSON file path or
   * the parsed array, e.g. `reference/sample-inputs.json`); names already
   * present are skipped. @default - none
   */
  readonly seedSamples?: string | readonly unknown[];
}

/** A listening emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8787` (`https://` with `tls`; no trailing slash). */
  readonly url: string;
  /** The port actually listened on. */
  readonly port: number;
  /** Stops listening, waits for in-flight requests, closes the database. Idempotent. */
  close(): Promise<void>;
}

/** Opens the data directory, seeds the default account on first start, and listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? EmulatorDefaults.HOST;
  const sessionTtlS = options.sessionTtlS ?? DEFAULT_SESSION_TTL_S;
  if (!(sessionTtlS > 0)) throw new Error(`sessionTtlS must be > 0 (got ${sessionTtlS})`);
  // Validate faults and source validation options before touching the disk.
  const faults = new FaultInjector(options.faults, options.faultSeed);
  const sourceValidator = options.sourceValidator ?? selectSourceValidator(options);

  const store = await AloomaStore.open(
    options.dataDir ?? EmulatorDefaults.DATA_DIR,
    DEFAULT_ACCOUNT,
    {
      uniqueInputNames: options.uniqueInputNames ?? false,
    },
  );
  let app;
  try {
    if (options.seedSamples !== undefined)
      store.importInputs(DEFAULT_ACCOUNT.account, await loadSamples(options.seedSamples));
    app = buildServer({
      store,
      faults,
      stats: new RequestStats(),
      sessionTtlS,
      enableControl: options.enableControl ?? false,
      logger: options.logger ?? false,
      sourceValidator,
      allowedHosts: allowedHostNames(host, options.allowedHosts),
      tls: options.tls,
    });
    await app.listen({ host, port: options.port ?? EmulatorDefaults.PORT });
  } catch (err) {
    await app?.close();
    store.close();
    throw err;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : Number(options.port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        try {
          await app.close();
        } finally {
          store.close();
        }
      })()),
  };
}

function selectSourceValidator(options: EmulatorOptions): SourceValidator {
  const mode = options.sourceValidation ?? 'resolvable';
  if (!SOURCE_VALIDATION_MODES.includes(mode)) {
    throw new Error(
      `sourceValidation must be one of ${SOURCE_VALIDATION_MODES.join(', ')} (got ${String(mode)})`,
    );
  }
  if (mode === 'off') return acceptAllSources;
  return new PostgresSourceValidator({ mode, timeoutMs: options.sourceTimeoutMs });
}

async function loadSamples(source: string | readonly unknown[]): Promise<readonly unknown[]> {
  if (typeof source !== 'string') return source;
  const parsed: unknown = JSON.parse(await fs.promises.readFile(source, 'utf8'));
  const nodes = Array.isArray(parsed) ? parsed : (parsed as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes))
    throw new Error(`${source}: expected a JSON array of inputs (or {"nodes": [...]})`);
  return nodes;
}
