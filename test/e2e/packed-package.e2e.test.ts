/**
 * The package as other projects get it: `npm pack`, installed into a fresh
 * cdktf app (no ts-node, no repo), synthesized with the default engine (the
 * Alooma provider, installed next to the stack by the synthesis) and
 * deployed with plain terraform to a real emulator process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';
import { terraformOk } from '../helpers/terraform';
import { packRepo, runCommandOk } from '../helpers/packed';

jest.setTimeout(600_000);

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
let emulator: EmulatorProcess;
afterAll(async () => emulator?.stop());

const run = runCommandOk;

test('the packed tarball, installed in a fresh app, synthesizes and deploys an input', async () => {
  emulator = await startEmulatorProcess();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-pack-'));

  // GIVEN the tarball npm would publish
  const tarball = path.basename(packRepo(work));
  expect(tarball).toMatch(/^alooma-cdktf-\d+\.\d+\.\d+\.tgz$/);

  // WHEN a new app installs it next to cdktf (the emulator's native addon is optional)
  const appDir = path.join(work, 'app');
  fs.mkdirSync(appDir);
  fs.writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true }),
  );
  const versions = PACKAGE.devDependencies;
  const install = run(
    'npm',
    [
      'install',
      '--omit=optional',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      path.join(work, tarball),
      `cdktf@${versions.cdktf}`,
      `constructs@${versions.constructs}`,
    ],
    appDir,
  );
  // on the Node this runs (the package says engines.node >=20): no dependency asks for more
  expect(install).not.toMatch(/EBADENGINE|Unsupported engine/);
  fs.writeFileSync(
    path.join(appDir, 'main.js'),
    `const { App, TerraformStack } = require('cdktf');
const { AloomaConnection, AloomaDatabaseInput, AloomaSecret } = require('alooma-cdktf');
const app = new App();
const stack = new TerraformStack(app, 'consumer');
new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(emulator.url)} });
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'packed_orders',
  source: { server: 'db', port: 5432, database: 'shop', dbType: 'psql', user: 'u', password: AloomaSecret.fromEnv('PACKED_PW') },
  tables: { orders: 'xmin::text::bigint' },
});
app.synth();
`,
  );
  run(process.execPath, ['main.js'], appDir);

  // THEN the stack uses the provider, shipped in the package and installed next to the stack
  const stackDir = path.join(appDir, 'cdktf.out/stacks/consumer');
  const synthesized = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8')) as {
    resource: Record<string, unknown>;
  };
  expect(Object.keys(synthesized.resource)).toEqual(['alooma_database_input']);
  // AND terraform deploys it with nothing but node: no registry, no CLI configuration
  const env = {
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    PACKED_PW: 'Packed-Pw-1',
  };
  terraformOk(stackDir, ['init', '-input=false', '-no-color']);
  const apply = terraformOk(stackDir, ['apply', '-auto-approve', '-input=false', '-no-color'], env);
  expect(apply.output).toMatch(/Resources: 1 added, 0 changed, 0 destroyed/);
  expect((await liveInputs(emulator.url)).map((n) => n.name)).toEqual(['packed_orders']);
  // and the runtime library and the package's command work
  run(
    process.execPath,
    [
      '-e',
      "const r = require('alooma-cdktf/runtime'); if (typeof r.Inputs !== 'function' || typeof r.AloomaClient !== 'function') process.exit(1)",
    ],
    appDir,
  );
  expect(
    run(path.join(appDir, 'node_modules/.bin/alooma-cdktf'), ['--version'], appDir).trim(),
  ).toBe(PACKAGE.version);
});
