/**
 * A CDK Terrain user: the packed tarball installed in a fresh cdktn app
 * (cdktn 0.24, no cdktf anywhere), `cdktn diff`, `deploy`, a table change
 * updated in place, `destroy`, against a real emulator process, with the
 * cdktn CLI on Node 22 from the npm registry (test/helpers/cdktn-cli.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cdktnTools, CdktnTools } from '../helpers/cdktn-cli';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';
import { packRepo, runCommand } from '../helpers/packed';

jest.setTimeout(900_000);

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

let emulator: EmulatorProcess;
let tools: CdktnTools;
let appDir: string;
afterAll(async () => emulator?.stop());

const run = runCommand;

function cdktn(args: string[], tables: Record<string, string>) {
  return run(tools.node, [tools.cdktn, ...args], appDir, {
    PATH: tools.path,
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    DISABLE_VERSION_CHECK: '1',
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    CDKTN_PW: 'Cdktn-Pw-4410',
    TABLES: JSON.stringify(tables),
  });
}

beforeAll(async () => {
  tools = cdktnTools();
  emulator = await startEmulatorProcess();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-cdktn-'));
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
const app = new App();
const stack = new TerraformStack(app, 'terrain');
new AloomaConnection(stack, 'Alooma', { apiUrl: process.env.ALOOMA_API_URL });
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'terrain_orders',
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

  const first = { orders: 'xmin::text::bigint' };
  const second = { orders: 'xmin::text::bigint', items: 'updated_at' };
  let id: string;

  test('npm installs no cdktf next to cdktn (both cores are optional peers)', () => {
    expect(fs.existsSync(path.join(appDir, 'node_modules/cdktf'))).toBe(false);
    expect(fs.existsSync(path.join(appDir, 'node_modules/cdktn'))).toBe(true);
  });

  test('cdktn diff shows the input to create; deploy creates it', async () => {
    const diff = cdktn(['diff'], first);
    expect({ code: diff.code, tail: diff.output.slice(-1500) }).toEqual({
      code: 0,
      tail: expect.any(String),
    });
    expect(diff.output).toMatch(/terraform_data\.Orders.* will be created/);
    expect(diff.output).toMatch(/\+ orders = "xmin::text::bigint"/);
    const deploy = cdktn(['deploy', '--auto-approve'], first);
    expect({
      code: deploy.code,
      summary: /Apply complete \(terrain\): 1 created/.test(deploy.output),
    }).toEqual({ code: 0, summary: true });
    const live = (await liveInputs(emulator.url)).find((n) => n.name === 'terrain_orders')!;
    expect(JSON.parse(live.configuration.tables)).toEqual(first);
    id = live.id;
  });

  test('a table change is an in-place update: same id', async () => {
    const deploy = cdktn(['deploy', '--auto-approve'], second);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/terraform_data\.Orders.* will be updated in-place/);
    expect(deploy.output).not.toMatch(/terraform_data\.Orders.* must be replaced/);
    const live = (await liveInputs(emulator.url)).find((n) => n.name === 'terrain_orders')!;
    expect(live.id).toBe(id);
    expect(JSON.parse(live.configuration.tables)).toEqual(second);
  });

  test('cdktn destroy deletes it', async () => {
    const destroy = cdktn(['destroy', '--auto-approve'], second);
    expect(destroy.code).toBe(0);
    expect((await liveInputs(emulator.url)).map((n) => n.name)).toEqual([]);
  });
});
