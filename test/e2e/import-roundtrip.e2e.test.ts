/**
 * Import round trip: every reference sample input, loaded into a real
 * emulator, is imported as construct code; the code is deployed with the
 * real cdktf CLI; then `cdktf diff` reports no changes and no input was
 * re-created.
 */
import * as fs from 'node:fs';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs, runCli } from '../helpers/runtime-cli';
import { loadSamples } from '../helpers/samples';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, createCdktfApp } from '../helpers/cdktf-app';

jest.setTimeout(300_000);

let emulator: EmulatorProcess;
beforeAll(async () => {
  emulator = await startEmulatorProcess();
  await loadSamples(emulator.url);
});
afterAll(async () => emulator?.stop());

test('imported sample inputs deploy with cdktf and then diff clean', async () => {
  const env = { ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key' };
  const before = await liveInputs(emulator.url);

  // GIVEN the generated code of every sample input
  const imported = runCli(['import', '--all', '--module', CONSTRUCTS_MODULE], env);
  expect(imported.stderr).toBe('');
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain("new AloomaDatabaseInput(scope, 'OrdersDb'");
  expect(imported.stdout).toContain(
    "new InputTable(ordersDb, 'OrdersTable', { name: 'orders', updateIndicator: 'xmin::text::bigint' });",
  );
  expect(imported.stdout).toContain('new ParameterTemplate(mixpanelEngage');
  expect(imported.stdout).toContain("AloomaSecret.fromEnv('SALESFORCE_PRODUCTION_OAUTH2')");

  const app = createCdktfApp();
  app.write({
    'imported.ts': imported.stdout,
    'main.ts': [
      `import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};`,
      `import { AloomaConnection } from ${JSON.stringify(CONSTRUCTS_MODULE)};`,
      `import { importedInputs } from './imported';`,
      'const app = new App();',
      "const stack = new TerraformStack(app, 'imported');",
      `new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(emulator.url)} });`,
      'importedInputs(stack);',
      'app.synth();',
      '',
    ].join('\n'),
  });

  // WHEN it is deployed with cdktf
  const deploy = app.cdktf(['deploy', '--auto-approve'], env);
  expect(deploy.output).toMatch(/6 updated/); // adopted: ownership recorded, nothing else
  expect(deploy.code).toBe(0);

  // THEN cdktf diff reports no changes, and every input kept its id
  const diff = app.cdktf(['diff'], env);
  expect(diff.code).toBe(0);
  expect(diff.output).toMatch(/No changes/);
  const manifest = fs
    .readdirSync(app.stackDir('imported') + '/assets', { recursive: true, encoding: 'utf8' })
    .find((f) => f.endsWith('manifest.json'));
  const plan = runCli(
    ['plan', '--manifest', `${app.stackDir('imported')}/assets/${manifest}`],
    env,
  );
  expect(plan.stdout).toMatch(/No changes\. 6 input\(s\) up to date/);
  expect(plan.code).toBe(0);
  const after = await liveInputs(emulator.url);
  expect(after.map((n) => n.id).sort()).toEqual(before.map((n) => n.id).sort());
});
