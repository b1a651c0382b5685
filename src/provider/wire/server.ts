/**
 * The plugin process: go-plugin's handshake, the gRPC server with mutual
 * TLS on a unix socket, go-plugin's controller (Shutdown) and the process
 * rules Terraform relies on: stdout carries the handshake line and nothing
 * else, SIGINT and SIGTERM are ignored (Terraform stops providers with
 * StopProvider and Shutdown; a Ctrl-C reaches the whole process group and
 * must not kill an apply midway), Shutdown exits at once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Console } from 'node:console';
import * as grpc from '@grpc/grpc-js';
import { makeServerCertificate } from './certificate';
import { diagnosticMessages, errorDiagnostic } from './diagnostics';
import { handshakeLine, HandshakeRefused, readHandshake } from './handshake';
import { Logger, logLevelFromEnv } from './log';
import type { ProviderServer } from './messages';
import { protocolServices } from './protos';

/** How often a serving provider checks that Terraform, its parent, is still there. */
const ORPHAN_CHECK_MS = 1000;

/** How the plugin process serves. */
export interface ServeOptions {
  /** The executable's name for people and logs, e.g. `terraform-provider-alooma`. */
  readonly name: string;
  /** The environment to read the handshake from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where logs go. @default a {@link Logger} on stderr at the level of TF_LOG_PROVIDER / TF_LOG */
  readonly logger?: Logger;
  /** Called once when Terraform's Shutdown arrives, before the process exits. */
  readonly onShutdown?: () => void;
}

/** A plugin that is serving. */
export interface RunningPlugin {
  /** The unix socket it listens on. */
  readonly socketPath: string;
  /** The handshake line it printed. */
  readonly handshake: string;
  /** Stops serving and removes the socket's directory (what Shutdown does, without exiting). */
  close(): Promise<void>;
}

/**
 * Keeps stdout for the handshake alone: `console.*` and `process.stdout`
 * writes go to stderr from here on; {@link writeHandshake} writes to fd 1
 * directly.
 */
export function reserveStdout(): void {
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
}

function writeHandshake(line: string): void {
  fs.writeSync(1, `${line}\n`);
}

/**
 * Starts serving `provider` and prints the handshake line. Throws
 * {@link HandshakeRefused} when the process was not started by Terraform.
 */
export async function servePlugin(
  provider: ProviderServer,
  options: ServeOptions,
): Promise<RunningPlugin> {
  const env = options.env ?? process.env;
  const log = options.logger ?? new Logger(options.name, logLevelFromEnv(env));
  const { clientCertificatePem } = readHandshake(env, options.name);
  const certificate = await makeServerCertificate();

  // named after the executable, e.g. terraform-provider-alooma-plugin-XXXXXX
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${options.name}-plugin-`));
  fs.chmodSync(dir, 0o700);
  const socketPath = path.join(dir, 'plugin.sock');

  const services = protocolServices();
  const server = new grpc.Server({
    // go-plugin's client allows messages up to 2 GiB; a large stack's schema or state must pass
    'grpc.max_receive_message_length': 256 * 1024 * 1024,
    'grpc.max_send_message_length': 256 * 1024 * 1024,
  });
  server.addService(services.provider, providerImplementation(provider, log));

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.tryShutdown(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      // calls in flight get a moment, never Terraform's 2 s kill timer
      setTimeout(() => server.forceShutdown(), 200).unref();
    });
    return closing;
  };

  server.addService(services.controller, {
    Shutdown: (
      _call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      log.debug('plugin: Shutdown received; exiting');
      callback(null, {});
      options.onShutdown?.();
      // after the answer is flushed: Terraform waits for it, then for the process to end
      setImmediate(() => {
        void close().then(() => process.exit(0));
      });
    },
  });

  const credentials = grpc.ServerCredentials.createSsl(
    Buffer.from(clientCertificatePem),
    [
      {
        private_key: Buffer.from(certificate.privateKeyPem),
        cert_chain: Buffer.from(certificate.certificatePem),
      },
    ],
    true,
  );
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socketPath}`, credentials, (error) =>
      error ? reject(error) : resolve(),
    ),
  );

  // With the signals ignored, a provider whose Terraform died (SIGKILL, a
  // crash) would serve forever: it leaves once it is orphaned.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid === parent) return;
    log.warn('plugin: Terraform is gone; exiting');
    void close().then(() => process.exit(1));
  }, ORPHAN_CHECK_MS).unref();

  const handshake = handshakeLine(socketPath, certificate.certificateDer);
  writeHandshake(handshake);
  log.debug('plugin: serving', { socket: socketPath, protocol: 6 });
  return { socketPath, handshake, close };
}

/**
 * The whole life of a provider executable: reserve stdout, ignore SIGINT and
 * SIGTERM, refuse to run by hand (one line on stderr, exit 1), else serve
 * until Terraform calls Shutdown.
 */
export function runPlugin(
  makeProvider: (log: Logger) => ProviderServer,
  options: ServeOptions,
): void {
  reserveStdout();
  const env = options.env ?? process.env;
  const log = options.logger ?? new Logger(options.name, logLevelFromEnv(env));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // go-plugin's servers ignore SIGINT (a Ctrl-C reaches the whole process
    // group); SIGTERM too here, as Terraform itself stops gracefully on it:
    // Terraform decides when a provider stops (StopProvider, then Shutdown)
    process.on(signal, () =>
      log.debug(`plugin: ${signal} ignored; Terraform stops providers itself`),
    );
  }
  Promise.resolve()
    .then(() => servePlugin(makeProvider(log), { ...options, env, logger: log }))
    .catch((error: unknown) => {
      if (error instanceof HandshakeRefused) {
        process.stderr.write(`${error.message}\n`);
      } else {
        process.stderr.write(
          `${options.name}: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      }
      process.exit(1);
    });
}

type Handler = (request: never) => Promise<unknown>;

/** The `tfplugin6.Provider` service: each RPC handed to `provider`, the ones it does not serve answered here. */
function providerImplementation(
  provider: ProviderServer,
  log: Logger,
): grpc.UntypedServiceImplementation {
  const notServed = (what: string) => async (request: { type_name?: string }) => ({
    diagnostics: diagnosticMessages([
      errorDiagnostic(
        `This provider has no ${what}${request.type_name ? ` "${request.type_name}"` : ''}`,
      ),
    ]),
  });
  const handlers: Record<string, Handler> = {
    GetMetadata: () => provider.getMetadata(),
    GetProviderSchema: () => provider.getProviderSchema(),
    ValidateProviderConfig: (r) => provider.validateProviderConfig(r),
    ConfigureProvider: (r) => provider.configureProvider(r),
    ValidateResourceConfig: (r) => provider.validateResourceConfig(r),
    UpgradeResourceState: (r) => provider.upgradeResourceState(r),
    ReadResource: (r) => provider.readResource(r),
    PlanResourceChange: (r) => provider.planResourceChange(r),
    ApplyResourceChange: (r) => provider.applyResourceChange(r),
    ImportResourceState: (r) => provider.importResourceState(r),
    MoveResourceState: (r) => provider.moveResourceState(r),
    StopProvider: async () => {
      await provider.stopProvider();
      return { Error: '' };
    },
    ValidateDataResourceConfig: notServed('data source'),
    ReadDataSource: notServed('data source'),
    ValidateEphemeralResourceConfig: notServed('ephemeral resource'),
    OpenEphemeralResource: notServed('ephemeral resource'),
    RenewEphemeralResource: notServed('ephemeral resource'),
    CloseEphemeralResource: notServed('ephemeral resource'),
    GetFunctions: async () => ({ functions: {}, diagnostics: [] }),
    CallFunction: async (request: { name?: string }) => ({
      error: { text: `This provider has no function "${request.name ?? ''}"` },
    }),
  };
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const [method, handle] of Object.entries(handlers)) {
    const handleCall: grpc.handleUnaryCall<never, unknown> = (call, callback) => {
      const started = Date.now();
      log.trace(`rpc: ${method}`, typeName(call.request));
      handle(call.request).then(
        (response) => {
          log.trace(`rpc: ${method} done`, { ...typeName(call.request), ms: Date.now() - started });
          callback(null, response);
        },
        (error: unknown) => {
          // the framework turns resource errors into diagnostics; this is a bug in the provider itself
          const message = error instanceof Error ? error.message : String(error);
          log.error(`rpc: ${method} failed`, { ...typeName(call.request), error: message });
          callback({ code: grpc.status.INTERNAL, details: `${method}: ${message}` });
        },
      );
    };
    implementation[method] = handleCall as grpc.UntypedHandleCall;
  }
  return implementation;
}

function typeName(request: unknown): Record<string, string> {
  const name = (request as { type_name?: unknown } | null)?.type_name;
  return typeof name === 'string' && name ? { type_name: name } : {};
}
