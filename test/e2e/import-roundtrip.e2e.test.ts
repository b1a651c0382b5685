/**
 * Import round trip: every reference sample input, loaded into a real
 * emulator, is imported as construct code; the code is deployed with the
 * real cdktf CLI; then `cdktf diff` reports no changes and no input was
 * re-created.
 */
import * as fs from 'node:fs';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { createRawInput, liveInputs, runCli, writeCount } from '../helpers/runtime-cli';
import { loadSamples } from '../helpers/samples';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, createCdktfApp } from '../helpers/cdktf-app';

jest.setTimeout(300_000);

/** main.ts of an app that deploys the generated `importedInputs` to the emulator at `url`. */
function importingApp(stack: string, url: string): string {
  return [
    `import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};`,
    `import { AloomaConnection } from ${JSON.stringify(CONSTRUCTS_MODULE)};`,
    `import { importedInputs } from './imported';`,
    'const app = new App();',
    `const stack = new TerraformStack(app, ${JSON.stringify(stack)});`,
    `new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(url)} });`,
    'importedInputs(stack);',
    'app.synth();',
    '',
  ].join('\n');
}

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
  expect(imported.stdout).toContain("new AloomaS3Input(scope, 'ClickstreamS3', {");
  expect(imported.stdout).toContain(
    "secretAccessKey: AloomaSecret.fromEnv('CLICKSTREAM_S3_SECRET_ACCESS_KEY'),",
  );

  const app = createCdktfApp();
  app.write({
    'imported.ts': imported.stdout,
    'main.ts': importingApp('imported', emulator.url),
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

test('inputs created through the API keep every byte through import and deploy, the marker aside', async () => {
  const fresh = await startEmulatorProcess();
  try {
    const env = { ALOOMA_API_URL: fresh.url, ALOOMA_API_KEY: 'demo-key' };
    // GIVEN five inputs as scripts built on the official client create them: string-typed
    // numbers and booleans, JSON strings spelled their own way.
    const created = [
      {
        name: 'rt_s3',
        type: 'S3',
        configuration: {
          auto_map: 'true',
          awsBucketName: 'clicks',
          filePrefix: 'raw/',
          loadFiles: 'all',
          fileFormat: '{"type": "delimited", "delimiter": ";"}',
          awsAccessKeyId: 'AKIAROUNDTRIP',
          awsSecretAccessKey: 'Rt-Aws-Secret-1',
        },
      },
      {
        name: 'rt_mixpanel',
        type: 'MIXPANEL',
        configuration: {
          auto_map: 'true',
          mixpanelApiKey: 'rt-project',
          mixpanelApiSecret: 'Rt-Mixpanel-Secret-2',
          fromDate: '2024-01-31',
        },
      },
      {
        name: 'rt_odbc',
        type: 'ODBC',
        configuration: {
          auto_map: 'true',
          server: 'db.rt.example',
          port: '6543',
          database: 'shop',
          db_type: 'psql',
          user: 'reader',
          password: 'Rt-Db-Password-3',
          batch_size: '2500',
          replication_type: 'incremental_load',
          tables: '{ "orders" : "xmin::text::bigint",  "users": "updated_at" }',
        },
      },
      {
        name: 'rt_rest',
        type: 'REST_INPUT',
        configuration: {
          auto_map: true,
          base_url: 'https://api.rt.example/v1/events',
          request: 'GET',
          frequency: '60',
          parameters: [
            { parameter: 'since', type: 'Days Past', value: '3', template: '%Y-%m-%d' },
            { parameter: 'limit', type: 'Text', value: 500 },
          ],
        },
      },
      { name: 'rt_hook', type: 'RESTAPI', configuration: { auto_map: 'true' } },
    ];
    for (const input of created) await createRawInput(fresh.url, input);
    const before = await liveInputs(fresh.url);

    // WHEN the account is imported and the generated code deployed
    const imported = runCli(['import', '--all', '--module', CONSTRUCTS_MODULE], env);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe('');
    // S3 and Mixpanel come back as their typed constructs, secrets named after their props
    expect(imported.stdout).toContain("new AloomaS3Input(scope, 'RtS3', {");
    expect(imported.stdout).toContain("fileFormat: { type: 'delimited', delimiter: ';' },");
    expect(imported.stdout).toContain(
      "secretAccessKey: AloomaSecret.fromEnv('RT_S3_SECRET_ACCESS_KEY'),",
    );
    expect(imported.stdout).toContain("new AloomaMixpanelInput(scope, 'RtMixpanel', {");
    expect(imported.stdout).toContain("apiSecret: AloomaSecret.fromEnv('RT_MIXPANEL_API_SECRET'),");
    expect(imported.stdout).not.toMatch(/new AloomaInput\(scope, 'Rt(S3|Mixpanel)'/);
    const app = createCdktfApp('alooma-roundtrip-');
    app.write({
      'imported.ts': imported.stdout,
      'main.ts': importingApp('roundtrip', fresh.url),
    });
    await fresh.resetStats();
    const deploy = app.cdktf(['deploy', '--auto-approve'], env);
    expect({ code: deploy.code, adopted: /5 updated/.test(deploy.output) }).toEqual({
      code: 0,
      adopted: true,
    });

    // THEN each input is byte-for-byte what it was but for the marker; ids and secrets kept
    const after = await liveInputs(fresh.url);
    for (const input of before) {
      const now = after.find((n) => n.id === input.id)!;
      const { alooma_cdktf: marker, ...configuration } = now.configuration;
      expect(marker).toMatchObject({ owner: 'roundtrip' });
      expect({ name: input.name, configuration: JSON.stringify(configuration) }).toEqual({
        name: input.name,
        configuration: JSON.stringify(input.configuration),
      });
    }
    expect(
      await fresh.secretMatches(
        before.find((n) => n.name === 'rt_odbc')!.id,
        'password',
        'Rt-Db-Password-3',
      ),
    ).toBe(true);
    expect(
      await fresh.secretMatches(
        before.find((n) => n.name === 'rt_s3')!.id,
        'awsSecretAccessKey',
        'Rt-Aws-Secret-1',
      ),
    ).toBe(true);
    // one write per input: the marker
    expect((await fresh.stats())['PUT inputs/:id']).toBe(5);

    // AND imported again, every input is said to be the stack's, on stderr and in the code
    const again = runCli(['import', '--all', '--module', CONSTRUCTS_MODULE], env);
    expect(again.code).toBe(0);
    expect(again.stderr.trim().split('\n').sort()).toEqual(
      created
        .map((c) => c.name)
        .sort()
        .map(
          (name) =>
            `note: "${name}" is managed by the stack "roundtrip" (ownership marker): ` +
            'deploying this code from another stack fails with error[conflict] until "roundtrip" lets it go',
        ),
    );
    expect(again.stdout).toContain(
      '  // "rt_s3" is managed by the stack "roundtrip" (its ownership marker):\n',
    );
    // and that code, deployed by its owner, changes nothing
    app.write({ 'imported.ts': again.stdout });
    await fresh.resetStats();
    const redeploy = app.cdktf(['deploy', '--auto-approve'], env);
    expect(redeploy.code).toBe(0);
    expect(writeCount(await fresh.stats())).toBe(0);
    const final = await liveInputs(fresh.url);
    expect(final.map((n) => JSON.stringify(n.configuration)).sort()).toEqual(
      after.map((n) => JSON.stringify(n.configuration)).sort(),
    );
  } finally {
    await fresh.stop();
  }
});
