/**
 * Bad input matrix: constructs (synth time), the CLI and the API's answers.
 * Every case gets a clear error naming what is wrong and how to fix it.
 * Construct cases run in this process, at synth, where no client exists: they
 * are checked for their code, construct path, hint and no secret in the
 * message. CLI cases run the real runtime against a real emulator: one line
 * plus a hint, no stack trace, and nothing half-applied (no write reaches the
 * API). Each table's size is asserted, so notes can quote the counts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Testing, TerraformStack } from 'cdktf';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaRestInput,
  AloomaSecret,
  InputTable,
  ParameterTemplate,
} from '../../src/constructs';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import {
  createRawInput,
  liveInputs,
  runCliAsync,
  writeCount,
  writeManifest,
} from '../helpers/runtime-cli';
import { startServer, closedPort } from '../runtime/client/helpers';
import { selfSignedCertificate } from '../helpers/tls';
import { InputSpec, Manifest } from '../../src/runtime/protocol';

jest.setTimeout(120_000);

// ---------------------------------------------------------------- constructs

/** A secret written in plain configuration by mistake: no message may repeat it. */
const PLAIN_SECRET_VALUE = 'Plain-Aws-Secret-7731';

const source = {
  server: 'db',
  port: 5432,
  database: 'shop',
  dbType: 'psql' as const,
  user: 'u',
  password: AloomaSecret.fromEnv('PW'),
};
function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), 'bad');
}
function synth(s: TerraformStack): void {
  Testing.fullSynth(s);
}

/** label, what to do, what the message says, the error code. */
const constructCases: Array<[string, () => void, RegExp, string]> = [
  [
    'empty name',
    () => new AloomaInput(stack(), 'I', { name: '', type: 'RESTAPI' }),
    /bad\/I.*name/,
    'invalid_name',
  ],
  [
    'a 201-character name',
    () => new AloomaInput(stack(), 'I', { name: 'x'.repeat(201), type: 'RESTAPI' }),
    /200/,
    'invalid_name',
  ],
  [
    'a control character in a name',
    () => new AloomaInput(stack(), 'I', { name: 'a\nb', type: 'RESTAPI' }),
    /control/i,
    'invalid_name',
  ],
  [
    'leading whitespace in a name',
    () => new AloomaInput(stack(), 'I', { name: ' a', type: 'RESTAPI' }),
    /whitespace/i,
    'invalid_name',
  ],
  [
    'one name twice in a stack',
    () => {
      const s = stack();
      new AloomaInput(s, 'A', { name: 'same', type: 'RESTAPI' });
      new AloomaInput(s, 'B', { name: 'same', type: 'RESTAPI' });
      synth(s);
    },
    /bad\/A.*bad\/B|bad\/B.*bad\/A/,
    'duplicate_input_name',
  ],
  [
    'one name in two stacks of one app',
    () => {
      const app = Testing.app();
      new AloomaInput(new TerraformStack(app, 'one'), 'A', { name: 'same', type: 'RESTAPI' });
      const two = new TerraformStack(app, 'two');
      new AloomaInput(two, 'B', { name: 'same', type: 'RESTAPI' });
      app.synth();
    },
    /one\/A.*two\/B|two\/B.*one\/A/,
    'duplicate_input_name',
  ],
  [
    'a table without update indicator',
    () => new AloomaDatabaseInput(stack(), 'D', { name: 'd', source, tables: { orders: '' } }),
    /orders.*update indicator/i,
    'missing_update_indicator',
  ],
  [
    'an InputTable outside a database input',
    () => new InputTable(stack() as never, 'T', { name: 'orders', updateIndicator: 'id' }),
    /AloomaDatabaseInput/,
    'invalid_scope',
  ],
  [
    'a template on a parameter that does not exist',
    () => {
      const s = stack();
      const api = new AloomaRestInput(s, 'R', { name: 'r', baseUrl: 'https://x.example' });
      new ParameterTemplate(api, 'T', { template: '%Y', parameters: ['nope'] });
      synth(s);
    },
    /nope/,
    'unknown_parameter',
  ],
  [
    'a negative batch size',
    () =>
      new AloomaDatabaseInput(stack(), 'D', {
        name: 'd',
        source,
        tables: { a: 'id' },
        batchSize: -5,
      }),
    /batchSize/,
    'invalid_property',
  ],
  [
    'a zero batch size',
    () =>
      new AloomaDatabaseInput(stack(), 'D', {
        name: 'd',
        source,
        tables: { a: 'id' },
        batchSize: 0,
      }),
    /batchSize/,
    'invalid_property',
  ],
  [
    'a plain password in configuration',
    () =>
      new AloomaInput(stack(), 'I', {
        name: 'i',
        type: 'S3',
        configuration: { awsSecretAccessKey: PLAIN_SECRET_VALUE },
      }),
    /AloomaSecret/,
    'plain_secret',
  ],
  [
    'a system input type',
    () => new AloomaInput(stack(), 'I', { name: 'i', type: 'RESTREAM' as never }),
    /RESTREAM/,
    'system_input_type',
  ],
  [
    'a secret reference to an invalid variable name',
    () =>
      new AloomaDatabaseInput(stack(), 'D', {
        name: 'd',
        source: { ...source, password: AloomaSecret.fromEnv('not a var') },
        tables: { a: 'id' },
      }),
    /not a var/,
    'invalid_secret_reference',
  ],
];

/** Sizes of the tables above and below: notes quote these. */
const CONSTRUCT_CASES = 14;
const CLI_CASES = 24;

describe('constructs refuse bad input at synth time, naming the construct path and the fix', () => {
  test(`the matrix has ${CONSTRUCT_CASES} construct cases`, () => {
    expect(constructCases).toHaveLength(CONSTRUCT_CASES);
  });

  test.each(constructCases)('%s', (_label, act, pattern, code) => {
    let error: unknown;
    try {
      act();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    // its code: on the error, or in the message of a synth validation (cdktf collects those)
    const { code: own, hint: ownHint } = error as { code?: unknown; hint?: unknown };
    expect(typeof own === 'string' ? own : /\[([a-z_]+)\]/.exec(message)?.[1]).toBe(code);
    // a hint: the error's, or the fix sentence before the code
    const hint =
      typeof ownHint === 'string' ? ownHint : /\. ([^[]+?) \[[a-z_]+\]/.exec(message)?.[1];
    expect(hint).toMatch(/\w{3}/);
    expect(message).not.toContain(PLAIN_SECRET_VALUE);
    // No "no write" or "no stack trace" claim here: a construct has no client to
    // write with, and an Error's message never holds its stack. The CLI cases check both.
  });

  test('names with quotes, spaces, shell metacharacters and unicode are legal and stay out of commands', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-names-')) });
    const s = new TerraformStack(app, 'names');
    // The provisioner engine: the one whose resources carry commands.
    new AloomaConnection(s, 'Alooma', { engine: 'terraform_data' });
    const names = [
      `it's "quoted"`,
      'with spaces',
      '$(touch /tmp/pwned); `x` | y & z',
      'données 数据 🚀',
    ];
    names.forEach((name, i) => new AloomaInput(s, `I${i}`, { name, type: 'RESTAPI' }));
    app.synth();
    const tf = JSON.parse(
      fs.readFileSync(path.join(app.outdir, 'stacks/names/cdk.tf.json'), 'utf8'),
    );
    for (const resource of Object.values(tf.resource.terraform_data) as Array<{
      provisioner?: Array<Record<string, { command: string }>>;
    }>) {
      for (const p of resource.provisioner ?? [])
        expect(p['local-exec'].command).toMatch(/^node [\w./-]+ \w+(-\w+)? --manifest [\w./-]+$/);
    }
  });
});

// ---------------------------------------------------------------- CLI and API

let emulator: EmulatorProcess;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = { ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key', PW: 'Bad-Input-Pw' };
});
afterAll(async () => emulator?.stop());

function spec(
  overrides: Partial<InputSpec> & { configuration?: Record<string, unknown> } = {},
): InputSpec {
  return {
    name: 'bad_db',
    type: 'ODBC',
    configuration: {
      server: 'db',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'u',
      tables: { orders: 'id' },
    },
    secrets: { password: { env: 'PW' } },
    removalPolicy: 'destroy',
    ...overrides,
  };
}
function manifestFile(inputs: InputSpec[], extra: Partial<Manifest> = {}): string {
  return writeManifest({ version: 1, owner: 'bad', connection: {}, inputs, ...extra });
}

/** One CLI case: args, environment, the error it must print. */
interface CliCase {
  readonly args: () => Promise<string[]> | string[];
  readonly env?: () => Promise<NodeJS.ProcessEnv> | NodeJS.ProcessEnv;
  readonly error: RegExp;
  readonly code?: number;
  readonly stdin?: string;
  /** The API itself refuses it: one write attempt is answered 4xx and changes nothing. */
  readonly refusedByApi?: boolean;
}

let html: Awaited<ReturnType<typeof startServer>>;
let truncated: Awaited<ReturnType<typeof startServer>>;
let tlsServer: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  html = await startServer((_q, res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
  });
  truncated = await startServer((_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"nodes": [{"id": "1", "na');
  });
  tlsServer = await startServer((_q, res) => res.end('{}'), selfSignedCertificate());
});
afterAll(async () => Promise.all([html?.close(), truncated?.close(), tlsServer?.close()]));

const cliCases: Array<[string, CliCase]> = [
  [
    'missing credentials',
    {
      args: () => ['apply', '-m', manifestFile([spec()])],
      env: () => ({ ALOOMA_API_URL: emulator.url }),
      error: /\[config\].*ALOOMA_API_KEY/,
    },
  ],
  [
    'both an API key and a login',
    {
      args: () => ['inputs', 'list'],
      env: () => ({ ...env, ALOOMA_USERNAME: 'a', ALOOMA_PASSWORD: 'b' }),
      error: /\[config\].*not both/,
    },
  ],
  [
    'a wrong password',
    {
      args: () => ['inputs', 'list'],
      env: () => ({
        ALOOMA_API_URL: emulator.url,
        ALOOMA_USERNAME: 'demo@example.com',
        ALOOMA_PASSWORD: 'wrong-Pw-77',
      }),
      error: /\[auth\]/,
    },
  ],
  [
    'a wrong API key',
    {
      args: () => ['inputs', 'list'],
      env: () => ({ ...env, ALOOMA_API_KEY: 'nope-key-123' }),
      error: /\[auth\]/,
    },
  ],
  [
    'an unreachable URL',
    {
      args: () => ['inputs', 'list'],
      env: async () => ({ ...env, ALOOMA_API_URL: `http://127.0.0.1:${await closedPort()}` }),
      error: /\[network\].*ECONNREFUSED/,
    },
  ],
  [
    'a URL that is not a URL',
    {
      args: () => ['inputs', 'list'],
      env: () => ({ ...env, ALOOMA_API_URL: 'not a url' }),
      error: /\[config\]/,
    },
  ],
  [
    'a TLS error',
    {
      args: () => ['inputs', 'list'],
      env: () => ({ ...env, ALOOMA_API_URL: tlsServer.url }),
      error: /\[tls\]/,
    },
  ],
  [
    'an HTML error page instead of JSON',
    {
      args: () => ['inputs', 'list'],
      env: () => ({ ...env, ALOOMA_API_URL: html.url }),
      error: /\[(bad_response|server)\].*(HTML|html)/,
    },
  ],
  [
    'a truncated JSON response',
    {
      args: () => ['inputs', 'list'],
      env: () => ({ ...env, ALOOMA_API_URL: truncated.url }),
      error: /\[bad_response\]/,
    },
  ],
  [
    'an unreadable manifest',
    { args: () => ['apply', '-m', '/nonexistent/m.json'], error: /\[manifest_unreadable\]/ },
  ],
  [
    'a manifest that is not JSON',
    {
      args: () => {
        const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'm-')), 'm.json');
        fs.writeFileSync(f, '{');
        return ['apply', '-m', f];
      },
      error: /\[manifest_invalid\]/,
    },
  ],
  [
    'a manifest of another version',
    {
      args: () => ['apply', '-m', writeManifest({ version: 99 } as never)],
      error: /\[manifest_version\]/,
    },
  ],
  [
    'a missing secret variable',
    {
      args: () => ['apply', '-m', manifestFile([spec()])],
      env: () => ({ ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key' }),
      error: /\[missing_secret\].*PW/,
    },
  ],
  [
    'an unknown input type',
    {
      args: () => [
        'apply',
        '-m',
        manifestFile([spec({ name: 'weird', type: 'NOT_A_TYPE', configuration: {}, secrets: {} })]),
      ],
      // Refused by the runtime's own check of the API's rules: no request is sent.
      error:
        /error\[invalid_property\]: input "weird".*type must be a known input type, not 'NOT_A_TYPE'/,
    },
  ],
  [
    'a negative batch size from a hand-made manifest',
    {
      args: () => [
        'apply',
        '-m',
        manifestFile([spec({ configuration: { ...spec().configuration, batch_size: -1 } })]),
      ],
      error:
        /error\[invalid_property\]: input .*configuration\.batch_size must be a positive integer \(is -1\)/,
    },
  ],
  [
    'a 1 MB configuration',
    {
      args: () => [
        'apply',
        '-m',
        manifestFile([
          spec({
            name: 'huge',
            type: 'RESTAPI',
            configuration: { blob: 'x'.repeat(1_100_000) },
            secrets: {},
          }),
        ]),
      ],
      error: /(413|too large|1 ?MB|MiB)/i,
      refusedByApi: true,
    },
  ],
  [
    'a malformed previous-names variable',
    {
      args: () => ['prune', '-m', manifestFile([])],
      env: () => ({ ...env, ALOOMA_CDKTF_PREVIOUS_NAMES: '[oops' }),
      error: /\[bad_environment\]/,
    },
  ],
  [
    'delete without a name',
    { args: () => ['delete', '-m', manifestFile([])], error: /\[missing_name\]/ },
  ],
  [
    'inputs delete without --yes',
    { args: () => ['inputs', 'delete', 'anything', '--apply'], error: /\[confirmation_required\]/ },
  ],
  [
    'a table pair without indicator',
    { args: () => ['inputs', 'add-tables', 'x', 'orders'], error: /\[bad_table\]/ },
  ],
  [
    'an input that does not exist',
    { args: () => ['inputs', 'tables', 'no_such_input'], error: /\[input_not_found\]/ },
  ],
  [
    'changing the RESTREAM system input',
    { args: () => ['inputs', 'pause', 'Restream', '--apply'], error: /\[system_input\]/ },
  ],
  [
    'tables that are not JSON in live data',
    { args: () => ['inputs', 'tables', 'broken_tables'], error: /\[bad_tables\]/ },
  ],
  ['import with nothing named', { args: () => ['import'], error: /\[nothing_to_import\]/ }],
];

describe('the CLI answers bad input with one line and a hint, and writes nothing', () => {
  test(`the matrix has ${CLI_CASES} CLI cases`, () => {
    expect(cliCases).toHaveLength(CLI_CASES);
  });

  beforeAll(async () => {
    // live data the service would never produce itself: ODBC tables that are not JSON
    await createRawInput(emulator.url, {
      name: 'broken_tables',
      type: 'RESTAPI',
      configuration: { tables: 'not json {' },
    });
  });

  test.each(cliCases)('%s', async (_label, c) => {
    await emulator.resetStats();
    const before = (await liveInputs(emulator.url)).map((n) => `${n.id}:${n.name}`).sort();
    const result = await runCliAsync(await c.args(), c.env ? await c.env() : env, c.stdin);
    const stats = await emulator.stats();
    expect(result.code).toBe(c.code ?? 1);
    const errorLines = result.stderr.trimEnd().split('\n');
    const printed = `${result.stderr}\n${result.stdout}`;
    expect(printed).toMatch(c.error);
    // one readable line and a hint on stderr, or a failed-input line in the progress output
    if (result.stderr) {
      expect(errorLines[0]).toMatch(/^error\[[a-z_]+\]: /); // always with its code
      expect(errorLines).toHaveLength(2);
      expect(errorLines[1]).toMatch(/^ {2}hint: \w/);
    } else {
      expect(result.stdout).toMatch(/failed: error\[\w+\]: .*hint: /);
    }
    expect(printed).not.toMatch(/\n\s+at /); // no stack trace
    expect(printed).not.toContain('Bad-Input-Pw');
    // nothing half-applied: no input was written
    expect((await liveInputs(emulator.url)).map((n) => `${n.id}:${n.name}`).sort()).toEqual(before);
    expect(writeCount(stats)).toBe(c.refusedByApi ? 1 : 0);
  });
});
