/**
 * Import round trips against a real emulator process, with the real cdktf
 * CLI (and plain `terraform` for `--hcl`):
 * - engine `provider` (the command's default): inputs created through the
 *   API (REST headers and an extra field, a generic input with a secret
 *   among them) are imported as construct code with `.importFrom(id)`;
 *   `cdktf deploy` imports them writing no secret (each carries the version
 *   the provider reads) and no field, only the marker of the unmarked ones
 *   it updates in place; `cdktf diff` then plans no change; an input another
 *   stack owns is refused by the provider (conflict).
 * - engine `terraform_data` (`--engine terraform_data`): every reference
 *   sample input, and inputs created through the API, are adopted by name
 *   on the first deploy (the marker written), then `cdktf diff` is clean.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { terraform } from '../helpers/terraform';
import { AloomaClient } from '../../src/runtime/client';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { createRawInput, liveInputs, runCli, writeCount } from '../helpers/runtime-cli';
import { loadSamples } from '../helpers/samples';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, createCdktfApp } from '../helpers/cdktf-app';

jest.setTimeout(300_000);

/** main.ts of an app that deploys the generated `importedInputs` to the emulator at `url`. */
function importingApp(
  stack: string,
  url: string,
  engine: 'provider' | 'terraform_data' = 'terraform_data',
): string {
  return [
    `import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};`,
    `import { AloomaConnection } from ${JSON.stringify(CONSTRUCTS_MODULE)};`,
    `import { importedInputs } from './imported';`,
    'const app = new App();',
    `const stack = new TerraformStack(app, ${JSON.stringify(stack)});`,
    `new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(url)}, engine: ${JSON.stringify(engine)} });`,
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

test('engine terraform_data: imported sample inputs deploy with cdktf and then diff clean', async () => {
  const env = { ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key' };
  const before = await liveInputs(emulator.url);

  // GIVEN the generated code of every sample input
  const imported = runCli(
    ['import', '--all', '--engine', 'terraform_data', '--module', CONSTRUCTS_MODULE],
    env,
  );
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

test('engine terraform_data: inputs created through the API keep every byte through import and deploy, the marker aside', async () => {
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
    const imported = runCli(
      ['import', '--all', '--engine', 'terraform_data', '--module', CONSTRUCTS_MODULE],
      env,
    );
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
    const again = runCli(
      ['import', '--all', '--engine', 'terraform_data', '--module', CONSTRUCTS_MODULE],
      env,
    );
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

/** Inputs as scripts on the official client create them, for the provider round trips. */
const API_CREATED = [
  {
    name: 'pv_odbc',
    type: 'ODBC',
    configuration: {
      auto_map: 'true',
      server: 'db.pv.example',
      port: '6543',
      database: 'shop',
      db_type: 'psql',
      user: 'reader',
      password: 'Pv-Db-Password-1',
      batch_size: '2500',
      replication_type: 'incremental_load',
      tables: '{ "orders" : "xmin::text::bigint",  "users": "updated_at" }',
    },
  },
  {
    name: 'pv_rest',
    type: 'REST_INPUT',
    configuration: {
      auto_map: true,
      base_url: 'https://api.pv.example/v1/events',
      request: 'GET',
      headers: [{ name: 'Accept', value: 'application/json' }],
      frequency: '60',
      // a field AloomaRestInput has no prop for: its extraConfiguration
      timeout_seconds: '30',
      parameters: [
        { parameter: 'session_id', type: 'Text', value: 'Pv-Session-2' },
        { parameter: 'since', type: 'Days Past', value: '3', template: '%Y-%m-%d' },
      ],
    },
  },
  {
    name: 'pv_s3',
    type: 'S3',
    configuration: {
      auto_map: 'true',
      awsBucketName: 'clicks',
      filePrefix: 'raw/',
      loadFiles: 'all',
      fileFormat: '{"type": "json"}',
      awsAccessKeyId: 'AKIAPROVIDER',
      awsSecretAccessKey: 'Pv-Aws-Secret-3',
    },
  },
  {
    name: 'pv_mixpanel',
    type: 'MIXPANEL',
    configuration: {
      auto_map: 'true',
      mixpanelApiKey: 'pv-project',
      mixpanelApiSecret: 'Pv-Mixpanel-Secret-4',
      fromDate: '2024-01-31',
    },
  },
  { name: 'pv_hook', type: 'RESTAPI', configuration: { auto_map: 'true' } },
  // a generic input with a secret: AloomaInput's secrets
  {
    name: 'pv_salesforce',
    type: 'SALESFORCE',
    configuration: {
      auto_map: 'true',
      custom_objects: 'Account Opportunity',
      daily_api_calls: 200000,
      oauth2: 'Pv-Oauth-Token-6',
    },
  },
  // made by an earlier run of this stack: its marker records the password version it wrote
  {
    name: 'pv_marked',
    type: 'ODBC',
    configuration: {
      server: 'db.marked.example',
      port: '5432',
      database: 'legacy',
      db_type: 'psql',
      user: 'replicator',
      password: 'Pv-Marked-Password-5',
      tables: '{"accounts": "id"}',
      alooma_cdktf: { owner: 'imported', secretVersions: [{ path: 'password', version: '3' }] },
    },
  },
];

/** Secret values of {@link API_CREATED}: none may be written again. */
const API_SECRETS: Array<[name: string, path: string, value: string]> = [
  ['pv_odbc', 'password', 'Pv-Db-Password-1'],
  ['pv_rest', 'parameters.session_id.value', 'Pv-Session-2'],
  ['pv_s3', 'awsSecretAccessKey', 'Pv-Aws-Secret-3'],
  ['pv_mixpanel', 'mixpanelApiSecret', 'Pv-Mixpanel-Secret-4'],
  ['pv_marked', 'password', 'Pv-Marked-Password-5'],
  ['pv_salesforce', 'oauth2', 'Pv-Oauth-Token-6'],
];

describe('engine provider', () => {
  let fresh: EmulatorProcess;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    fresh = await startEmulatorProcess();
    env = { ALOOMA_API_URL: fresh.url, ALOOMA_API_KEY: 'demo-key' };
    for (const input of API_CREATED) await createRawInput(fresh.url, input);
  });
  afterAll(async () => fresh?.stop());

  test('inputs created through the API: imported by id with cdktf deploy, no secret written, then cdktf diff plans no change', async () => {
    const before = await liveInputs(fresh.url);
    const idOf = (name: string) => before.find((n) => n.name === name)!.id;

    // GIVEN the generated code (engine provider is the command's default)
    const imported = runCli(['import', '--all', '--module', CONSTRUCTS_MODULE], env);
    // pv_marked carries this stack's marker: imported here, by its owner, it is accepted
    expect(imported.stderr).toBe(
      'note: "pv_marked" is managed by the stack "imported" (ownership marker): ' +
        'importing it into another stack is refused with error[conflict] until "imported" lets it go\n',
    );
    expect(imported.code).toBe(0);
    const code = imported.stdout;
    expect(code).toContain(`pvOdbc.importFrom('${idOf('pv_odbc')}');`);
    expect(code).toContain(`}).importFrom('${idOf('pv_hook')}');`);
    // each secret with the version the provider reads: "1" when unmarked, the marker's otherwise
    expect(code).toContain("password: AloomaSecret.fromEnv('PV_ODBC_PASSWORD', { version: '1' }),");
    expect(code).toContain(
      "password: AloomaSecret.fromEnv('PV_MARKED_PASSWORD', { version: '3' }),",
    );
    expect(code).toContain(
      "secretValue: AloomaSecret.fromEnv('PV_REST_PARAMETERS_SESSION_ID_VALUE', { version: '1' })",
    );
    // REST headers, a typed input's extra fields and a generic input's secret: declared
    expect(code).toContain("    headers: [{ name: 'Accept', value: 'application/json' }],\n");
    expect(code).toContain("    extraConfiguration: {\n      timeout_seconds: '30',\n    },\n");
    expect(code).toContain(
      "      oauth2: AloomaSecret.fromEnv('PV_SALESFORCE_OAUTH2', { version: '1' }),\n",
    );
    expect(code).not.toMatch(/^\s*\/\/ new |Kept in Alooma/m);
    expect(code.match(/\.importFrom\('/g)).toHaveLength(API_CREATED.length);

    const app = createCdktfApp('alooma-import-provider-');
    app.write({
      'imported.ts': code,
      'main.ts': importingApp('imported', fresh.url, 'provider'),
    });

    // WHEN it is deployed with cdktf (no secret variable set: a due secret write would fail)
    await fresh.resetStats();
    const historyBefore = (await liveHistory(fresh.url)).length;
    const deploy = app.cdktf(['deploy', '--auto-approve'], env);
    // (the output in the message when it fails)
    expect(deploy.code === 0 ? '' : deploy.output).toBe('');
    // THEN every input is imported; the six with a secret are updated in place only to record
    // the variable that holds it (`<secret>_env`, a name kept in state, which no import can read),
    // pv_rest also its extra fields (which keys extra_configuration manages: not readable either);
    // its headers, read from Alooma as the code declares them, plan nothing
    expect(deploy.output).toContain(
      `Apply complete! Resources: ${API_CREATED.length} imported, 0 added, 6 changed, 0 destroyed`,
    );
    const changed = changeLines(deploy.output).map((l) => l.replace(/\s+/g, ' '));
    expect(changed.filter((l) => !/^\+ \w+_env = "PV_[A-Z0-9_]+"$/.test(l)).sort()).toEqual([
      '+ "oauth2" = "PV_SALESFORCE_OAUTH2"',
      '+ extra_configuration = jsonencode(',
      '+ secrets_env = {',
      '+ timeout_seconds = "30"',
      '~ "session_id" = {',
      '~ parameters = {',
    ]);
    // no secret written; the five changed inputs no stack had marked get this stack's marker, the
    // one already marked by this stack is not written at all
    const history = await liveHistory(fresh.url);
    const written = history.slice(0, history.length - historyBefore);
    expect(
      written
        .map((e) => ({
          input: before.find((n) => n.id === e.inputId)?.name,
          fields: e.changes.map((c) => c.field),
        }))
        .sort((x, y) => String(x.input).localeCompare(String(y.input))),
    ).toEqual(
      // (the history lists no change of the marker field: a marker-only write changes nothing listed)
      ['pv_mixpanel', 'pv_odbc', 'pv_rest', 'pv_s3', 'pv_salesforce'].map((input) => ({
        input,
        fields: [],
      })),
    );
    expect(writeCount(await fresh.stats())).toBe(5);
    const state = JSON.parse(fs.readFileSync(`${app.dir}/terraform.imported.tfstate`, 'utf8')) as {
      resources: Array<{
        type: string;
        instances: Array<{ attributes: { id: string; name: string } }>;
      }>;
    };
    const inState = state.resources
      .filter((r) => r.type.startsWith('alooma_'))
      .map((r) => [r.instances[0].attributes.name, r.instances[0].attributes.id]);
    expect(Object.fromEntries(inState)).toEqual(
      Object.fromEntries(API_CREATED.map((c) => [c.name, idOf(c.name)])),
    );
    for (const [name, path, value] of API_SECRETS)
      expect({ name, path, kept: await fresh.secretMatches(idOf(name), path, value) }).toEqual({
        name,
        path,
        kept: true,
      });

    // AND cdktf diff plans no change (the import blocks stay in the code and do nothing now)
    const diff = app.cdktf(['diff'], env);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/No changes/);
    expect(writeCount(await fresh.stats())).toBe(5);
    // every input as it was, byte for byte, the marker aside
    const kept = (n: Record<string, any>) => {
      const { alooma_cdktf: _marker, ...configuration } = n.configuration;
      return JSON.stringify({ id: n.id, name: n.name, paused: n.paused, configuration });
    };
    const after = await liveInputs(fresh.url);
    expect(after.map(kept).sort()).toEqual(before.map(kept).sort());
  });

  test('an input another stack owns: said on stderr and in the code; the provider refuses the import (conflict), nothing written', async () => {
    await createRawInput(fresh.url, {
      name: 'pv_foreign',
      type: 'RESTAPI',
      configuration: { auto_map: 'true', alooma_cdktf: { owner: 'billing' } },
    });
    const imported = runCli(['import', 'pv_foreign', '--module', CONSTRUCTS_MODULE], env);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toBe(
      'note: "pv_foreign" is managed by the stack "billing" (ownership marker): ' +
        'importing it into another stack is refused with error[conflict] until "billing" lets it go\n',
    );
    expect(imported.stdout).toContain(
      '// imported into another stack the provider refuses it with error[conflict] until "billing"',
    );
    const app = createCdktfApp('alooma-import-foreign-');
    app.write({
      'imported.ts': imported.stdout,
      'main.ts': importingApp('foreign', fresh.url, 'provider'),
    });
    await fresh.resetStats();
    const deploy = app.cdktf(['deploy', '--auto-approve'], env);
    expect(deploy.code).not.toBe(0);
    expect(deploy.output.replace(/\s+/g, ' ')).toContain(
      'is managed by owner "billing", not "foreign"',
    );
    expect(writeCount(await fresh.stats())).toBe(0);
  });
});

/** The changed attributes of a plan (`+`, `-`, `~` then `name =`), trimmed. */
function changeLines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.replace(/^\s*\S*\s{2,}(?=[-+~] )/, '').trim())
    .filter((l) => /^[-+~] ("[^"]+"|\w+)\s+= /.test(l));
}

/** The API's change history, newest first (every write the emulator applied). */
async function liveHistory(url: string) {
  const api = new AloomaClient({ baseUrl: url, auth: { kind: 'apiKey', apiKey: 'demo-key' } });
  try {
    return await api.getHistory();
  } finally {
    api.close();
  }
}

describe('plain Terraform: alooma-cdktf import --hcl', () => {
  let fresh: EmulatorProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const tf = (args: string[], extra: NodeJS.ProcessEnv = {}) =>
    terraform(dir, [args[0], '-no-color', ...args.slice(1)], { ...env, ...extra });
  beforeAll(async () => {
    fresh = await startEmulatorProcess();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-import-hcl-'));
    dir = path.join(root, 'infra');
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(root, 'home'));
    env = {
      TF_CLI_CONFIG_FILE: '/dev/null',
      HOME: path.join(root, 'home'),
      ALOOMA_API_URL: fresh.url,
      ALOOMA_API_KEY: 'demo-key',
      // not the stored password: were it written, secretMatches below would say so
      TF_VAR_db_password: 'Not-The-Stored-Password',
      TF_VAR_oauth: 'Not-The-Stored-Token',
    };
    for (const input of API_CREATED.filter((c) =>
      ['pv_odbc', 'pv_hook', 'pv_salesforce'].includes(c.name),
    ))
      await createRawInput(fresh.url, input);
  });
  afterAll(async () => fresh?.stop());

  test('import blocks, terraform plan -generate-config-out, a source for the secret: imported with 0 writes, then no change', async () => {
    const before = await liveInputs(fresh.url);
    const idOf = (name: string) => before.find((n) => n.name === name)!.id;

    // GIVEN the configuration the command prints, and the provider installed beside it
    const imported = runCli(['import', '--all', '--hcl', '--owner', 'hcl-team'], env);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      `import {\n  to = alooma_database_input.pv_odbc\n  id = "${idOf('pv_odbc')}"\n}`,
    );
    expect(imported.stdout).toContain(
      `import {\n  to = alooma_input.pv_hook\n  id = "${idOf('pv_hook')}"\n}`,
    );
    expect(imported.stdout).toContain(
      '#       alooma_database_input.pv_odbc: password = var.<an ephemeral variable>   (password_version "1" as read: no write)',
    );
    expect(imported.stdout).toContain(
      '#       alooma_input.pv_salesforce: secrets["oauth2"] = var.<an ephemeral variable>   (secrets_version["oauth2"] "1" as read: no write)',
    );
    fs.writeFileSync(path.join(dir, 'main.tf'), imported.stdout);
    expect(runCli(['provider', 'install', '--dir', dir]).code).toBe(0);
    expect(tf(['init']).code).toBe(0);

    // WHEN Terraform generates the resource blocks: the secret is null, so the plan stops there
    const generate = tf(['plan', '-generate-config-out=generated.tf']);
    expect(generate.code).toBe(1);
    expect(generate.output.replace(/\s+/g, ' ')).toContain('password is required');
    const generated = fs.readFileSync(path.join(dir, 'generated.tf'), 'utf8');
    expect(generated).toMatch(/^ {2}password\s+= null # sensitive$/m);
    expect(generated).toMatch(/^ {2}password_version\s+= "1"$/m);
    expect(generated).toMatch(
      /^ {2}tables = \{\n {4}orders = "xmin::text::bigint"\n {4}users {2}= "updated_at"\n {2}\}$/m,
    );
    // the generic input: its secret's version as read, the map of values null
    expect(generated).toMatch(/^ {2}secrets_version = \{\n {4}oauth2 = "1"\n {2}\}$/m);
    expect(generated).toMatch(/^ {2}secrets\s+= null # sensitive$/m);
    // AND the step the output names: the password from an ephemeral variable
    fs.writeFileSync(
      path.join(dir, 'generated.tf'),
      generated
        .replace(/^( {2}password\s+)= null # sensitive$/m, '$1= var.db_password')
        .replace(/^( {2}secrets\s+)= null # sensitive$/m, '$1= { oauth2 = var.oauth }'),
    );
    fs.writeFileSync(
      path.join(dir, 'variables.tf'),
      ['db_password', 'oauth']
        .map(
          (name) =>
            `variable "${name}" {\n  type      = string\n  sensitive = true\n  ephemeral = true\n}\n`,
        )
        .join(''),
    );

    // THEN the plan only imports, the apply writes nothing, and the next plan has no change
    const plan = tf(['plan', '-detailed-exitcode']);
    expect(plan.output).toContain('Plan: 3 to import, 0 to add, 0 to change, 0 to destroy.');
    expect(plan.code).toBe(2);
    await fresh.resetStats();
    const apply = tf(['apply', '-auto-approve']);
    expect(apply.output).toContain(
      'Apply complete! Resources: 3 imported, 0 added, 0 changed, 0 destroyed.',
    );
    expect(writeCount(await fresh.stats())).toBe(0);
    expect(await fresh.secretMatches(idOf('pv_odbc'), 'password', 'Pv-Db-Password-1')).toBe(true);
    expect(await fresh.secretMatches(idOf('pv_salesforce'), 'oauth2', 'Pv-Oauth-Token-6')).toBe(
      true,
    );
    const again = tf(['plan', '-detailed-exitcode']);
    expect(again.output).toContain('No changes.');
    expect(again.code).toBe(0);
  });
});
