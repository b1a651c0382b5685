/**
 * A CDK Terrain user: the packed tarball installed in a fresh cdktn app
 * (cdktn 0.24, no cdktf anywhere), with the cdktn CLI on Node 22 from the
 * npm registry (test/helpers/cdktn-cli.ts), against a real emulator
 * process. One installed app serves both engines (its main.js reads the
 * engine from the environment; each engine has its own stack and input):
 *
 * - engine "provider": `cdktn synth` installs the provider next to the
 *   stack through the synth hook under cdktn's core (lib/cdktn); `cdktn
 *   diff`/`deploy` create with no registry, no CLI configuration
 *   (TF_CLI_CONFIG_FILE=/dev/null, a throwaway HOME) and no
 *   `--skip-provider-lock`; a one-table change plans as `0 to add, 1 to
 *   change, 0 to destroy` and keeps the id; `cdktn destroy` deletes; write
 *   counts from the emulator;
 * - engine "terraform_data": diff, deploy, a table change updated in place,
 *   destroy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cdktnTools, CdktnTools } from '../helpers/cdktn-cli';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs, writeCount } from '../helpers/runtime-cli';
import { packRepo, runCommand } from '../helpers/packed';
import { filesUnder } from '../helpers/files';

jest.setTimeout(900_000);

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const PASSWORD = 'Cdktn-Pw-4410';

type Engine = 'provider' | 'terraform_data';
/** The stack and the input name of each engine in the one app. */
const STACKS: Record<Engine, { stack: string; input: string }> = {
  terraform_data: { stack: 'terrain', input: 'terrain_orders' },
  provider: { stack: 'terrain-provider', input: 'terrain_orders_p' },
};

let emulator: EmulatorProcess;
let tools: CdktnTools;
let appDir: string;
/** A HOME holding nothing: no ~/.terraformrc, no plugin cache. */
let emptyHome: string;
afterAll(async () => emulator?.stop());

const run = runCommand;

function cdktn(engine: Engine, args: string[], tables: Record<string, string>) {
  return run(tools.node, [tools.cdktn, ...args], appDir, {
    PATH: tools.path,
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    DISABLE_VERSION_CHECK: '1',
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    CDKTN_PW: PASSWORD,
    ENGINE: engine,
    TABLES: JSON.stringify(tables),
    ...(engine === 'provider'
      ? // no CLI configuration: no provider_installation, no dev_overrides, no registry
        { TF_CLI_CONFIG_FILE: '/dev/null', HOME: emptyHome }
      : {}),
  });
}

async function live(engine: Engine): Promise<Record<string, any> | undefined> {
  return (await liveInputs(emulator.url)).find((n) => n.name === STACKS[engine].input);
}

beforeAll(async () => {
  tools = cdktnTools();
  emulator = await startEmulatorProcess();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-cdktn-'));
  emptyHome = path.join(work, 'home');
  fs.mkdirSync(emptyHome);
  const tarball = packRepo(work);
  appDir = path.join(work, 'app');
  fs.mkdirSync(appDir);
  fs.writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({ name: 'tn', private: true }),
  );
  const install = run(
    'npm',
    [
      'install',
      '--omit=optional',
      '--no-audit',
      '--no-fund',
      tarball,
      `cdktn@${PACKAGE.devDependencies.cdktn}`,
      `constructs@${PACKAGE.devDependencies.constructs}`,
    ],
    appDir,
  );
  expect(install.code).toBe(0);
  fs.writeFileSync(
    path.join(appDir, 'cdktf.json'),
    JSON.stringify({ language: 'typescript', app: 'node main.js', terraformProviders: [] }),
  );
  fs.writeFileSync(
    path.join(appDir, 'main.js'),
    `const { App, TerraformStack } = require('cdktn');
const { AloomaConnection, AloomaDatabaseInput, AloomaSecret } = require('alooma-cdktf/cdktn');
const engine = process.env.ENGINE;
const names = ${JSON.stringify(STACKS)}[engine];
const app = new App();
const stack = new TerraformStack(app, names.stack);
new AloomaConnection(stack, 'Alooma', { engine, apiUrl: process.env.ALOOMA_API_URL });
new AloomaDatabaseInput(stack, 'Orders', {
  name: names.input,
  source: { server: 'db.internal', port: 5432, database: 'shop', dbType: 'psql', user: 'u',
            password: AloomaSecret.fromEnv('CDKTN_PW') },
  tables: JSON.parse(process.env.TABLES),
});
app.synth();
`,
  );
});

describe('alooma-cdktf/cdktn in a cdktn app, with the cdktn CLI', () => {
  test("its types are the cdktn build's: a TypeScript app type-checks against cdktn alone", () => {
    fs.writeFileSync(
      path.join(appDir, 'check.ts'),
      `import { App, TerraformStack, TerraformVariable } from 'cdktn';
import { AloomaDatabaseInput, AloomaSecret, AloomaInputType, AloomaInput } from 'alooma-cdktf/cdktn';
const stack = new TerraformStack(new App(), 'typed');
const host = new TerraformVariable(stack, 'host', { type: 'string' });
new AloomaInput(stack, 'Hook', { name: 'hook', type: AloomaInputType.RESTAPI });
new AloomaDatabaseInput(stack, 'Db', {
  name: 'db',
  source: { server: host.stringValue, port: 5432, database: 'shop', dbType: 'psql', user: 'u',
            password: AloomaSecret.fromTerraform(host.stringValue) },
});
`,
    );
    for (const moduleResolution of ['node16', 'node10']) {
      const tsc = run(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/typescript/bin/tsc'),
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--module',
          moduleResolution === 'node16' ? 'node16' : 'commonjs',
          '--moduleResolution',
          moduleResolution,
          'check.ts',
        ],
        appDir,
      );
      expect({ moduleResolution, ...tsc }).toEqual({ moduleResolution, code: 0, output: '' });
    }
  });

  test('npm installs no cdktf next to cdktn (both cores are optional peers)', () => {
    expect(fs.existsSync(path.join(appDir, 'node_modules/cdktf'))).toBe(false);
    expect(fs.existsSync(path.join(appDir, 'node_modules/cdktn'))).toBe(true);
  });
});

const first = { orders: 'xmin::text::bigint' };
const second = { orders: 'xmin::text::bigint', items: 'updated_at' };

describe('engine "provider" under the cdktn CLI, offline', () => {
  const engine = 'provider';
  const { stack } = STACKS.provider;
  let id: string;

  test('cdktn synth installs the provider next to the stack, with its lock entry', () => {
    const synth = cdktn(engine, ['synth'], first);
    expect({ code: synth.code, tail: synth.output.slice(-1500) }).toEqual({
      code: 0,
      tail: expect.any(String),
    });
    const stackDir = path.join(appDir, 'cdktf.out/stacks', stack);
    const mirror = path.join(
      stackDir,
      `terraform.d/plugins/alooma-cdktf.invalid/alooma/alooma/${PACKAGE.version}/linux_amd64`,
    );
    expect(fs.readdirSync(mirror).sort()).toEqual(
      [`terraform-provider-alooma_v${PACKAGE.version}`, 'provider.js'].sort(),
    );
    // the bundle of the installed package, byte for byte
    expect(
      fs
        .readFileSync(path.join(mirror, 'provider.js'))
        .equals(fs.readFileSync(path.join(appDir, 'node_modules/alooma-cdktf/dist/provider.js'))),
    ).toBe(true);
    const lock = fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8');
    expect(lock).toMatch(
      new RegExp(
        `provider "alooma-cdktf\\.invalid/alooma/alooma" \\{\\s*version\\s*= "${PACKAGE.version.replace(/\./g, '\\.')}"`,
      ),
    );
    expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]+"/);
  });

  test('cdktn diff shows the input to create; deploy creates it with one write', async () => {
    const diff = cdktn(engine, ['diff', stack], first);
    expect({ code: diff.code, tail: diff.output.slice(-1500) }).toEqual({
      code: 0,
      tail: expect.any(String),
    });
    expect(diff.output).toMatch(/alooma_database_input\.Orders.* will be created/);
    expect(diff.output).toMatch(/\+ "orders" = "xmin::text::bigint"/);
    expect(diff.output).toMatch(/Plan: 1 to add, 0 to change, 0 to destroy/);
    await emulator.resetStats();
    const deploy = cdktn(engine, ['deploy', stack, '--auto-approve'], first);
    expect({ code: deploy.code, tail: deploy.output.slice(-1500) }).toEqual({
      code: 0,
      tail: expect.stringMatching(/1 added, 0 changed, 0 destroyed/),
    });
    expect(writeCount(await emulator.stats())).toBe(1);
    const node = (await live(engine))!;
    expect(JSON.parse(node.configuration.tables)).toEqual(first);
    expect(await emulator.secretMatches(node.id, 'password', PASSWORD)).toBe(true);
    id = node.id;
  });

  test('a one-table change plans as 0 to add, 1 to change, 0 to destroy; deploy keeps the id, one write', async () => {
    const diff = cdktn(engine, ['diff', stack], second);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    expect(diff.output).toMatch(/alooma_database_input\.Orders.* will be updated in-place/);
    expect(diff.output).toMatch(/\+ "items"\s+= "updated_at"/);
    await emulator.resetStats();
    const deploy = cdktn(engine, ['deploy', stack, '--auto-approve'], second);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/0 added, 1 changed, 0 destroyed/);
    expect(writeCount(await emulator.stats())).toBe(1);
    const node = (await live(engine))!;
    expect(node.id).toBe(id);
    expect(JSON.parse(node.configuration.tables)).toEqual(second);
  });

  test('cdktn destroy deletes it (one write); the password is in no file of the app', async () => {
    await emulator.resetStats();
    const destroy = cdktn(engine, ['destroy', stack, '--auto-approve'], second);
    expect(destroy.code).toBe(0);
    expect(writeCount(await emulator.stats())).toBe(1);
    expect(await live(engine)).toBeUndefined();
    const stackFiles = filesUnder(path.join(appDir, 'cdktf.out/stacks', stack));
    expect(stackFiles.some((f) => f.endsWith('.tfstate'))).toBe(true);
    expect(stackFiles.filter((f) => fs.readFileSync(f, 'latin1').includes(PASSWORD))).toEqual([]);
  });
});

describe('engine "terraform_data" under the cdktn CLI', () => {
  const engine = 'terraform_data';
  const { stack } = STACKS.terraform_data;
  let id: string;

  test('cdktn diff shows the input to create; deploy creates it', async () => {
    const diff = cdktn(engine, ['diff', stack], first);
    expect({ code: diff.code, tail: diff.output.slice(-1500) }).toEqual({
      code: 0,
      tail: expect.any(String),
    });
    expect(diff.output).toMatch(/terraform_data\.Orders.* will be created/);
    expect(diff.output).toMatch(/\+ orders = "xmin::text::bigint"/);
    const deploy = cdktn(engine, ['deploy', stack, '--auto-approve'], first);
    expect({
      code: deploy.code,
      summary: /Apply complete \(terrain\): 1 created/.test(deploy.output),
    }).toEqual({ code: 0, summary: true });
    const node = (await live(engine))!;
    expect(JSON.parse(node.configuration.tables)).toEqual(first);
    id = node.id;
  });

  test('a table change is an in-place update: same id', async () => {
    const deploy = cdktn(engine, ['deploy', stack, '--auto-approve'], second);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/terraform_data\.Orders.* will be updated in-place/);
    expect(deploy.output).not.toMatch(/terraform_data\.Orders.* must be replaced/);
    const node = (await live(engine))!;
    expect(node.id).toBe(id);
    expect(JSON.parse(node.configuration.tables)).toEqual(second);
  });

  test('cdktn destroy deletes it', async () => {
    const destroy = cdktn(engine, ['destroy', stack, '--auto-approve'], second);
    expect(destroy.code).toBe(0);
    expect((await liveInputs(emulator.url)).map((n) => n.name)).toEqual([]);
  });
});
