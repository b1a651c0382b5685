/**
 * Command line of the emulator, bundled into `dist/emulator.js`:
 *
 *   node dist/emulator.js [--port 8787] [--data-dir .alooma-local] [--enable-control]
 *     [--source-validation resolvable|strict|off | --no-source-validation] ...
 *
 * The runtime CLI's `emulator` subcommand loads this bundle and calls
 * {@link main} with a process.argv-style array.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EMULATOR_SUBCOMMAND, EmulatorDefaults } from '../alooma/emulator-defaults';
import { DEFAULT_ACCOUNT, DEFAULT_SESSION_TTL_S, RunningEmulator, startEmulator } from './index';
import {
  DEFAULT_SOURCE_TIMEOUT_MS,
  SOURCE_VALIDATION_MODES,
  SourceValidationMode,
} from './source-validation';

interface CliOptions {
  host: string;
  allowedHost: string[];
  tlsCert?: string;
  tlsKey?: string;
  port: number;
  dataDir: string;
  latencyMs?: number;
  errorRate?: number;
  throttleRate?: number;
  retryAfter?: number;
  createDelayMs?: number;
  errorAfterWriteRate?: number;
  faultSeed?: number;
  sessionTtl: number;
  uniqueInputNames?: boolean;
  enableControl?: boolean;
  seedSamples?: string;
  log?: boolean;
  /** A mode, or false for `--no-source-validation`. */
  sourceValidation: SourceValidationMode | false;
  sourceTimeoutMs?: number;
}

/**
 * Parses flags, starts the emulator, prints one line
 * `Alooma emulator listening on http://HOST:PORT (...)`, and closes server
 * and database on SIGTERM/SIGINT (exit code 0).
 *
 * @param argv a full process.argv-style array: `[node, script, ...flags]`;
 *   flags start at index 2. A leading `emulator` subcommand at index 2 (as in
 *   `alooma-cdktf emulator --port 0`) is skipped, so the runtime CLI may pass
 *   its own process.argv unchanged.
 * @returns the running emulator (already listening).
 */
export async function main(argv: string[]): Promise<RunningEmulator> {
  const args = argv[2] === EMULATOR_SUBCOMMAND ? [...argv.slice(0, 2), ...argv.slice(3)] : argv;
  const options = parseArgs(args);
  const dataDir = path.resolve(options.dataDir);
  const emulator = await startEmulator({
    host: options.host,
    allowedHosts: options.allowedHost,
    tls: readTls(options),
    port: options.port,
    dataDir,
    faults: {
      latencyMs: options.latencyMs,
      errorRate: options.errorRate,
      throttleRate: options.throttleRate,
      retryAfterS: options.retryAfter,
      createDelayMs: options.createDelayMs,
      errorAfterWriteRate: options.errorAfterWriteRate,
    },
    faultSeed: options.faultSeed,
    sessionTtlS: options.sessionTtl,
    uniqueInputNames: options.uniqueInputNames ?? false,
    enableControl: options.enableControl ?? false,
    logger: options.log ?? false,
    seedSamples: options.seedSamples,
    sourceValidation: options.sourceValidation === false ? 'off' : options.sourceValidation,
    sourceTimeoutMs: options.sourceTimeoutMs,
  });
  const sourceValidation = options.sourceValidation === false ? 'off' : options.sourceValidation;

  const a = DEFAULT_ACCOUNT;
  // One line; test/helpers/emulator-process.ts parses "listening on <url>" from it.
  console.log(
    `Alooma emulator listening on ${emulator.url} (account ${a.account}: user ${a.email} / password ${a.password}, ` +
      `API key ${a.apiKey}; data in ${dataDir}; source validation ${sourceValidation}` +
      `${options.enableControl ? '; control API at /_emulator' : ''})`,
  );
  console.log(`Web console: ${emulator.url}/ (sign in as ${a.email} / ${a.password})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (err) => {
        console.error(`error while stopping on ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return emulator;
}

function parseArgs(argv: string[]): CliOptions {
  const program = new Command()
    .name('alooma-emulator')
    .description('Local, persistent Alooma-compatible REST API server')
    .addOption(
      new Option('--host <host>', 'interface to listen on')
        .env('ALOOMA_EMULATOR_HOST')
        .default(EmulatorDefaults.HOST),
    )
    .addOption(
      new Option(
        '--allowed-host <name>',
        'another host name accepted in the Host header (repeatable; localhost, 127.0.0.1, [::1] ' +
          'and the listening address always are); other names get 421',
      )
        .env('ALOOMA_EMULATOR_ALLOWED_HOSTS')
        .argParser(hostList)
        .default([]),
    )
    .addOption(
      new Option('--port <port>', 'port to listen on (0 = a free one)')
        .env('ALOOMA_EMULATOR_PORT')
        .argParser(integer(0, 65535))
        .default(EmulatorDefaults.PORT),
    )
    .addOption(
      new Option('--data-dir <dir>', 'directory of the database')
        .env('ALOOMA_EMULATOR_DATA_DIR')
        .default(EmulatorDefaults.DATA_DIR),
    )
    .addOption(
      new Option('--latency-ms <ms>', 'delay added to every /rest request').argParser(number(0)),
    )
    .addOption(
      new Option('--error-rate <rate>', 'fraction (0..1) of /rest requests answered 503').argParser(
        rate,
      ),
    )
    .addOption(
      new Option(
        '--throttle-rate <rate>',
        'fraction (0..1) of /rest requests answered 429',
      ).argParser(rate),
    )
    .addOption(
      new Option('--retry-after <seconds>', 'Retry-After of injected 429s (default 1)').argParser(
        number(0),
      ),
    )
    .addOption(
      new Option(
        '--create-delay-ms <ms>',
        'created inputs appear in the structure after this delay',
      ).argParser(number(0)),
    )
    .addOption(
      new Option(
        '--error-after-write-rate <rate>',
        'fraction (0..1) of writes applied but answered 503',
      ).argParser(rate),
    )
    .addOption(
      new Option('--fault-seed <n>', 'seed of the fault PRNG (default 1)').argParser(
        integer(0, 2 ** 32 - 1),
      ),
    )
    .addOption(
      new Option('--session-ttl <seconds>', 'session lifetime')
        .argParser(positive)
        .default(DEFAULT_SESSION_TTL_S),
    )
    .option(
      '--unique-input-names',
      'refuse a second input with a name (409); the service accepted several, as the emulator does by default',
    )
    .option('--enable-control', 'serve the unauthenticated /_emulator control API (tests only)')
    .option(
      '--seed-samples <file>',
      'load inputs from a JSON file into the demo account (skips names already present)',
    )
    .addOption(
      new Option(
        '--source-validation <mode>',
        'check the PostgreSQL source of ODBC inputs on validating creates and edits: ' +
          '"resolvable" checks every host that resolves here and skips (with a warning) names that ' +
          'do not, like placeholders; "strict" refuses those too; "off" accepts every source',
      )
        .choices(SOURCE_VALIDATION_MODES)
        .env('ALOOMA_EMULATOR_SOURCE_VALIDATION')
        .default(SOURCE_VALIDATION_MODES[0]),
    )
    .option('--no-source-validation', 'same as --source-validation off')
    .addOption(
      new Option(
        '--source-timeout-ms <ms>',
        `limit on connecting to a source, and on each validation statement (default ${DEFAULT_SOURCE_TIMEOUT_MS})`,
      ).argParser(positive),
    )
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM; with --tls-key)')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--log', 'log every request')
    .helpOption('-h, --help', 'show this help');
  program.parse(argv, { from: 'node' });
  return program.opts<CliOptions>();
}

/** The key and certificate of `--tls-key` / `--tls-cert`: both or neither. */
function readTls(options: CliOptions): { key: Buffer; cert: Buffer } | undefined {
  if (options.tlsCert === undefined && options.tlsKey === undefined) return undefined;
  if (options.tlsCert === undefined || options.tlsKey === undefined)
    throw new Error('--tls-cert and --tls-key go together: give both, or neither for plain HTTP');
  return { key: fs.readFileSync(options.tlsKey), cert: fs.readFileSync(options.tlsCert) };
}

/** Collects repeated `--allowed-host` values; one value may list several, comma-separated. */
function hostList(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError('expected a host name');
  return [...previous, ...names];
}

function number(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) {
      throw new InvalidArgumentError(`expected a number >= ${min}`);
    }
    return n;
  };
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer between ${min} and ${max}`);
    }
    return n;
  };
}

function positive(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && Number.isFinite(n)))
    throw new InvalidArgumentError('expected a number > 0');
  return n;
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1))
    throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
}

if (require.main === module) {
  main(process.argv).catch((err) => {
    console.error(
      `alooma emulator failed to start: ${err instanceof Error ? err.message : String(err)}`,
    );
    process.exit(1);
  });
}
