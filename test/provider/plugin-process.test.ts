/**
 * The plugin process, bundled as dist/provider.js is, driven the way
 * Terraform drives it: the go-plugin handshake (refused by hand), the one
 * stdout line, mutual TLS on a private unix socket, SIGINT/SIGTERM ignored,
 * and go-plugin's Shutdown ending the process at once.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { makeServerCertificate, type ServerCertificate } from '../../src/provider/wire/certificate';
import {
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  readHandshake,
  handshakeLine,
} from '../../src/provider/wire/handshake';
import { protocolServices } from '../../src/provider/wire/protos';
import { bundleProvider } from './provider-bundle';

let dir: string;
let bundle: string;
let client: ServerCertificate;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provider-process-'));
  bundle = path.join(dir, 'provider.js');
  await bundleProvider('src/provider/main.ts', bundle);
  // Terraform's side of mTLS: its own self-signed certificate, sent in PLUGIN_CLIENT_CERT
  client = await makeServerCertificate();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(env: NodeJS.ProcessEnv, file = bundle): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], {
      cwd: path.dirname(file),
      env: { PATH: process.env.PATH, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const terraformEnv = (extra: NodeJS.ProcessEnv = {}) => ({
  [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
  PLUGIN_PROTOCOL_VERSIONS: '5,6',
  PLUGIN_CLIENT_CERT: client.certificatePem,
  ...extra,
});

test('GIVEN the provider started by hand WHEN it runs THEN it says it is a Terraform plugin on one stderr line, prints nothing on stdout and exits 1', async () => {
  const result = await run({});
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(
    /terraform-provider-alooma is a Terraform provider plugin: Terraform starts it/,
  );
  expect(result.stderr).toMatch(/required_providers/);
});

test('a Terraform without protocol 6 is refused with the fix', async () => {
  const result = await run(terraformEnv({ PLUGIN_PROTOCOL_VERSIONS: '5' }));
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(
    /speaks plugin protocol 6; this Terraform offers 5\. Use Terraform 1\.11 or newer/,
  );
});

test('without a client certificate (TF_DISABLE_PLUGIN_TLS) it refuses to serve in clear', async () => {
  const result = await run(terraformEnv({ PLUGIN_CLIENT_CERT: '' }));
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/serves only over mutual TLS/);
});

test('readHandshake and handshakeLine: the cookie, the versions, the line format (certificate base64 without padding)', () => {
  expect(() => readHandshake({}, 'p')).toThrow(
    expect.objectContaining({ code: 'not_started_by_terraform' }),
  );
  expect(() => readHandshake({ [MAGIC_COOKIE_KEY]: 'wrong' }, 'p')).toThrow(
    /is a Terraform provider plugin/,
  );
  expect(readHandshake(terraformEnv(), 'p').clientCertificatePem).toBe(client.certificatePem);
  expect(handshakeLine('/tmp/x/plugin.sock', Buffer.from([1, 2, 3, 4]))).toBe(
    '1|6|unix|/tmp/x/plugin.sock|grpc|AQIDBA',
  );
});

/** A provider process serving, with what it printed. */
interface Serving {
  readonly child: ChildProcess;
  readonly line: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function serve(env: NodeJS.ProcessEnv = {}, file = bundle): Promise<Serving> {
  const child = spawn(process.execPath, [file], {
    cwd: path.dirname(file),
    env: { PATH: process.env.PATH, ...terraformEnv(env) },
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) {
        resolve({
          child,
          line: stdout.split('\n')[0],
          stdout: () => stdout,
          stderr: () => stderr,
          exited,
        });
      }
    });
    void exited.then((code) =>
      reject(new Error(`provider exited ${code} before the handshake:\n${stderr}`)),
    );
  });
}

function connect(line: string, identity: ServerCertificate | null) {
  const [, , network, socket, protocol, cert] = line.split('|');
  expect([network, protocol]).toEqual(['unix', 'grpc']);
  const serverPem = new X509Certificate(Buffer.from(cert, 'base64')).toString();
  const credentials = identity
    ? grpc.credentials.createSsl(
        Buffer.from(serverPem),
        Buffer.from(identity.privateKeyPem),
        Buffer.from(identity.certificatePem),
      )
    : grpc.credentials.createSsl(Buffer.from(serverPem));
  const Client = grpc.makeGenericClientConstructor(protocolServices().provider, 'Provider');
  const Controller = grpc.makeGenericClientConstructor(
    protocolServices().controller,
    'GRPCController',
  );
  const options = {
    'grpc.ssl_target_name_override': 'localhost',
    'grpc.default_authority': 'localhost',
  };
  return {
    socket,
    provider: new Client(`unix:${socket}`, credentials, options),
    controller: new Controller(`unix:${socket}`, credentials, options),
  };
}

function call<T>(client: grpc.Client, method: string, request: object): Promise<T> {
  return new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: object, cb: (e: Error | null, v: T) => void) => void>)[
      method
    ](request, (error, value) => (error ? reject(error) : resolve(value))),
  );
}

test("GIVEN Terraform's environment WHEN the provider starts THEN it prints one handshake line and serves protocol 6 over mTLS on a private socket; SIGINT and SIGTERM are ignored; Shutdown ends it at once", async () => {
  const plugin = await serve({ TF_LOG: 'DEBUG' });
  try {
    expect(plugin.line).toMatch(/^1\|6\|unix\|\/.+\/plugin\.sock\|grpc\|[A-Za-z0-9+/]+$/);
    const { socket, provider, controller } = connect(plugin.line, client);
    expect(fs.statSync(path.dirname(socket)).mode & 0o777).toBe(0o700);

    // the certificate it presents: self-signed CA for localhost, EC P-256
    const cert = new X509Certificate(Buffer.from(plugin.line.split('|')[5], 'base64'));
    expect(cert.ca).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:localhost');
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const schema = await call<{
      provider: { block: { attributes: Array<{ name: string; required: boolean }> } };
      server_capabilities: { get_provider_schema_optional: boolean };
    }>(provider, 'GetProviderSchema', {});
    expect(schema.server_capabilities.get_provider_schema_optional).toBe(true);
    expect(schema.provider.block.attributes.filter((a) => a.required).map((a) => a.name)).toEqual([
      'owner',
    ]);

    // a client without Terraform's certificate is turned away
    const stranger = connect(plugin.line, null);
    await expect(call(stranger.provider, 'GetMetadata', {})).rejects.toThrow();
    stranger.provider.close();

    plugin.child.kill('SIGINT');
    plugin.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // still serving after the signals
    const metadata = (await call(provider, 'GetMetadata', {})) as { resources: unknown[] };
    expect(metadata.resources).toHaveLength(5);

    const asked = Date.now();
    await call(controller, 'Shutdown', {});
    expect(await plugin.exited).toBe(0);
    const exitMs = Date.now() - asked;
    expect(exitMs).toBeLessThan(1500);
    expect(fs.existsSync(path.dirname(socket))).toBe(false);
    provider.close();
    controller.close();

    // stdout: the handshake line and nothing else, ever
    expect(plugin.stdout()).toBe(`${plugin.line}\n`);
    // logs: hclog JSON on stderr at TF_LOG's level
    const logs = plugin
      .stderr()
      .trim()
      .split('\n')
      // go-plugin logs other stderr lines as they are; the provider's own are JSON
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(logs.map((l) => l['@message'])).toEqual(
      expect.arrayContaining([
        'plugin: serving',
        'plugin: SIGINT ignored; Terraform stops providers itself',
        'plugin: Shutdown received; exiting',
      ]),
    );
    expect(
      logs.every((l) => l['@module'] === 'terraform-provider-alooma' && l['@level'] === 'debug'),
    ).toBe(true);
  } finally {
    plugin.child.kill('SIGKILL');
  }
});

test('TF_LOG_PROVIDER decides over TF_LOG; unset, the provider writes no log', async () => {
  for (const [env, expected] of [
    [{ TF_LOG: 'TRACE', TF_LOG_PROVIDER: 'ERROR' }, 0],
    [{}, 0],
  ] as const) {
    const plugin = await serve(env);
    const { provider, controller } = connect(plugin.line, client);
    await call(provider, 'GetMetadata', {});
    await call(controller, 'Shutdown', {});
    await plugin.exited;
    provider.close();
    controller.close();
    expect(plugin.stderr().trim().split('\n').filter(Boolean)).toHaveLength(expected);
  }
});

test('dist/provider.js (npm run build) is self-contained: copied alone into an empty directory, it refuses to run by hand and serves for Terraform', async () => {
  const dist = path.join(__dirname, '..', '..', 'dist', 'provider.js');
  if (!fs.existsSync(dist))
    throw new Error(`${dist} is missing: run \`npm run build\` before this test`);
  const alone = path.join(dir, 'alone');
  fs.mkdirSync(alone);
  const copy = path.join(alone, 'provider.js');
  fs.copyFileSync(dist, copy);
  const byHand = await run({}, copy);
  expect(byHand.code).toBe(1);
  expect(byHand.stderr).toMatch(/is a Terraform provider plugin/);
  // serving needs the protocol definitions: the bundle carries them
  const plugin = await serve({}, copy);
  try {
    const { provider, controller } = connect(plugin.line, client);
    await expect(call(provider, 'GetMetadata', {})).resolves.toHaveProperty(
      'server_capabilities.move_resource_state',
      true,
    );
    await call(controller, 'Shutdown', {});
    expect(await plugin.exited).toBe(0);
    provider.close();
    controller.close();
  } finally {
    plugin.child.kill('SIGKILL');
  }
  expect(fs.readdirSync(alone)).toEqual(['provider.js']);
});

test('GIVEN a serving provider WHEN its Terraform dies (SIGKILL) THEN the orphaned provider exits by itself and removes its socket', async () => {
  const shell = spawn(
    '/bin/sh',
    [
      '-c',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(bundle)} & echo "pid $!" >&2; wait`,
    ],
    {
      env: { PATH: process.env.PATH, ...terraformEnv() },
    },
  );
  let stdout = '';
  let stderr = '';
  shell.stdout.on('data', (d) => (stdout += d));
  shell.stderr.on('data', (d) => (stderr += d));
  const deadline = Date.now() + 30_000;
  while (!stdout.includes('\n') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const pid = Number(/pid (\d+)/.exec(stderr)?.[1]);
  const socketDir = path.dirname(stdout.split('|')[3]);
  expect(fs.existsSync(socketDir)).toBe(true);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  expect(alive()).toBe(true);
  shell.kill('SIGKILL');
  const killed = Date.now();
  while (alive() && Date.now() - killed < 10_000) await new Promise((r) => setTimeout(r, 100));
  const survived = alive();
  if (survived) process.kill(pid, 'SIGKILL');
  expect(survived).toBe(false);
  expect(Date.now() - killed).toBeLessThan(5_000);
  expect(fs.existsSync(socketDir)).toBe(false);
});
