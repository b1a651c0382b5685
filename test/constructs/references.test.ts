/**
 * Terraform references in configuration properties: accepted at synth,
 * shown as Terraform expressions in the input's planned state, placeholders
 * in the manifest, expressions in the reconciler's triggers and environment;
 * secrets from Terraform never in the manifest or the input's state.
 */
import { TerraformStack, TerraformVariable, Token } from 'cdktf';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaRestInput,
  AloomaReconciler,
  AloomaSecret,
  ephemeralVariable,
} from '../../src/constructs';
import { synthJson, terraformDataStack, testStack, validate } from './helpers';

function composedStack(stack: TerraformStack) {
  const env = new TerraformVariable(stack, 'env', { type: 'string' });
  const port = new TerraformVariable(stack, 'port', { type: 'number' });
  const paused = new TerraformVariable(stack, 'paused', { type: 'bool' });
  const tables = new TerraformVariable(stack, 'tables', { type: 'map(string)' });
  const password = new TerraformVariable(stack, 'pw', { type: 'string', sensitive: true });
  const token = ephemeralVariable(stack, 'token', { type: 'string' });
  const orders = new AloomaDatabaseInput(stack, 'Orders', {
    name: 'orders_db',
    source: {
      server: `${env.stringValue}-db.internal`,
      port: port.numberValue,
      database: 'shop',
      dbType: 'psql',
      user: 'reader',
      password: AloomaSecret.fromTerraform(password.stringValue),
    },
    tables: Token.asStringMap(tables.value),
    paused: paused.booleanValue,
  });
  orders.addTable('users', env.stringValue);
  const api = new AloomaRestInput(stack, 'Api', {
    name: 'api',
    baseUrl: `https://${env.stringValue}.example.com`,
    frequency: port.numberValue,
    password: AloomaSecret.fromTerraform(token.stringValue, { ephemeral: true, version: '3' }),
  });
  api.addParameter({ parameter: 'since', type: 'Days Past', value: port.numberValue });
  api.addParameter({
    parameter: 'api_key',
    secretValue: AloomaSecret.fromTerraform(password.stringValue),
  });
}

describe('Terraform references', () => {
  test('are accepted in configuration properties and pass synth validation', () => {
    const stack = testStack();
    composedStack(stack);
    expect(() => validate(stack)).not.toThrow();
  });

  test('the manifest holds placeholders, never an expression or a secret', () => {
    const stack = terraformDataStack();
    composedStack(stack);
    const manifest = AloomaReconciler.of(stack).manifest();
    const orders = manifest.inputs.find((i) => i.name === 'orders_db')!;
    expect(orders.configuration.server).toEqual({
      alooma_cdktf_ref: 'orders_db/configuration/server',
    });
    expect(orders.configuration.tables).toEqual({
      alooma_cdktf_ref: 'orders_db/configuration/tables',
    });
    expect(orders.paused).toEqual({ alooma_cdktf_ref: 'orders_db/paused' });
    expect(orders.secrets!.password).toEqual({
      env: expect.stringMatching(/^ALOOMA_CDKTF_SECRET_[0-9A-F]{16}$/),
      fingerprint: true,
    });
    const api = manifest.inputs.find((i) => i.name === 'api')!;
    expect(api.secrets!.password).toEqual({
      env: expect.stringMatching(/^ALOOMA_CDKTF_SECRET_/),
      version: '3',
    });
    expect(JSON.stringify(manifest)).not.toMatch(/TfToken|var\./);
  });

  test('the reconciler carries expressions in its triggers and hands them over through self', () => {
    const json = synthJson(composedStack, 'terraform_data');
    const reconciler = (json.resource as any).terraform_data.AloomaReconciler;
    expect(reconciler.triggers_replace.references).toMatchObject({
      'orders_db/configuration/server': '${var.env}-db.internal',
      'orders_db/configuration/port': '${var.port}',
      'orders_db/configuration/tables': expect.stringContaining('merge('),
      'orders_db/paused': '${var.paused}',
      'api/configuration/parameters/0/value': '${var.port}',
    });
    // a salted hash of the sensitive value only; nothing of the ephemeral one
    const salted = /^\$\{sensitive\(sha256\(join\(":", \["([0-9a-f]{64})", var\.pw\]\)\)\)\}$/;
    const hashes = reconciler.triggers_replace.secrets_sha256;
    expect(hashes).toEqual({
      'api/parameters.api_key.value': expect.stringMatching(salted),
      'orders_db/password': expect.stringMatching(salted),
    });
    // one salt per input and path: equal values hash differently
    expect(salted.exec(hashes['orders_db/password'])![1]).not.toBe(
      salted.exec(hashes['api/parameters.api_key.value'])![1],
    );
    const [apply, report, prune] = reconciler.provisioner.map((p: any) => p['local-exec']);
    expect(apply.environment).toMatchObject({
      ALOOMA_CDKTF_REFERENCES:
        '${jsonencode(merge(try(self.triggers_replace.references, {}), try(self.triggers_replace.connection_references, {})))}',
      ALOOMA_CDKTF_REPORT_FILE: '.alooma-cdktf-report-${self.id}.json',
    });
    // whether Terraform knows each value not to be sensitive, for the report
    expect(apply.environment.ALOOMA_CDKTF_PLAIN_REFERENCES).toContain(
      '"orders_db/configuration/server":${jsonencode(!issensitive(var.env))}',
    );
    expect(Object.values(apply.environment)).toEqual(
      expect.arrayContaining(['${sensitive(var.pw)}', '${sensitive(var.token)}']),
    );
    expect(apply.on_failure).toBe('continue');
    expect(apply.command).toMatch(/ apply --manifest /);
    expect(report.command).toMatch(/ report --manifest /);
    expect(report.environment).toEqual({
      ALOOMA_CDKTF_REPORT_FILE: '.alooma-cdktf-report-${self.id}.json',
    });
    expect(prune.when).toBe('destroy');
    // prune (destroy time) gets where Alooma is, never the inputs' values
    expect(prune.environment.ALOOMA_CDKTF_REFERENCES).toBe(
      '${jsonencode(try(self.triggers_replace.connection_references, {}))}',
    );
    expect(JSON.stringify(prune)).not.toMatch(/var\.(pw|token)/);
  });

  test("each input's planned state shows the expressions and no secret value or hash", () => {
    const json = synthJson(composedStack, 'terraform_data');
    const orders = (json.resource as any).terraform_data.Orders;
    // a value Terraform holds sensitive is hidden (terraform_data's output would show it)
    expect(orders.input.configuration.server).toBe(
      '${issensitive(var.env) ? "(from Terraform)" : var.env}-db.internal',
    );
    expect(orders.input.configuration.port).toBe('${issensitive(var.port) ? null : var.port}');
    expect(orders.input.secrets).toEqual({ password: { from: 'terraform' } });
    expect(JSON.stringify(orders)).not.toMatch(/var\.pw|sha256/);
    const api = (json.resource as any).terraform_data.Api;
    expect(api.input.secrets).toEqual({
      password: { from: 'ephemeral', version: '3' },
      'parameters.api_key.value': { from: 'terraform' },
    });
  });

  test('a connection URL from Terraform reaches the per-input destroy step through self', () => {
    const json = synthJson((stack) => {
      const url = new TerraformVariable(stack, 'url', { type: 'string' });
      new AloomaConnection(stack, 'Alooma', { apiUrl: url.stringValue, engine: 'terraform_data' });
      new AloomaRestInput(stack, 'Api', { name: 'api', baseUrl: 'https://x.example.com' });
    });
    const api = (json.resource as any).terraform_data.Api;
    expect(api.input.connection_references).toEqual({ '@connection/apiUrl': '${var.url}' });
    expect(api.provisioner[0]['local-exec'].environment.ALOOMA_CDKTF_REFERENCES).toBe(
      '${jsonencode(try(self.input.connection_references, {}))}',
    );
  });

  test('a literal string is refused as a Terraform secret', () => {
    expect(
      () =>
        new AloomaRestInput(testStack(), 'Api', {
          name: 'api',
          baseUrl: 'https://x.example.com',
          password: AloomaSecret.fromTerraform('hunter2'),
        }),
    ).toThrow(/fromTerraform.*literal string.*\[invalid_secret_reference\]/);
  });
});

describe('Terraform references everywhere a configuration value goes', () => {
  test('headers, templates, parameters, booleans, schema, ssh, extra configuration and the account', () => {
    const stack = testStack();
    const text = new TerraformVariable(stack, 'text', { type: 'string' });
    const flag = new TerraformVariable(stack, 'flag', { type: 'bool' });
    const list = new TerraformVariable(stack, 'list', { type: 'list(string)' });
    const map = new TerraformVariable(stack, 'map', { type: 'map(string)' });
    new AloomaConnection(stack, 'Alooma', { account: text.stringValue, engine: 'terraform_data' });
    const api = new AloomaRestInput(stack, 'Api', {
      name: 'api',
      baseUrl: 'https://x.example.com',
      headers: [{ 'X-Env': text.stringValue }],
      primaryKeys: list.listValue,
      autoMap: flag.booleanValue,
      defaultSchema: text.stringValue,
      extraConfiguration: { rate_limit: text.stringValue },
    });
    api.addParameter({ parameter: 'q', value: text.stringValue });
    api.addTemplate(text.stringValue, 'q');
    new AloomaDatabaseInput(stack, 'Db', {
      name: 'db',
      source: {
        server: 'db.internal',
        port: 5432,
        database: 'shop',
        dbType: 'psql',
        user: 'u',
        password: AloomaSecret.fromEnv('PW'),
      },
      ssh: Token.asAnyMap(map.value),
      tables: { orders: text.stringValue },
    });
    expect(() => validate(stack)).not.toThrow();
    expect(Object.keys(AloomaReconciler.of(stack).references()).sort()).toEqual([
      '@connection/account',
      'api/configuration/auto_map',
      'api/configuration/headers/0/X-Env',
      'api/configuration/input_default_schema',
      'api/configuration/parameters/0/template',
      'api/configuration/parameters/0/value',
      'api/configuration/primary_keys',
      'api/configuration/rate_limit',
      'db/configuration/ssh',
      'db/configuration/tables/orders',
    ]);
  });

  test('literal values are still checked at synth next to references', () => {
    const stack = testStack();
    const text = new TerraformVariable(stack, 'text', { type: 'string' });
    expect(
      () =>
        new AloomaRestInput(stack, 'Api', {
          name: 'api',
          baseUrl: 'https://x.example.com',
          request: 'PUT' as never,
          dataField: text.stringValue,
        }),
    ).toThrow(/props.request is "PUT".*\[invalid_property\]/);
  });

  test('the null_resource engine passes references as JSON through self.triggers', () => {
    const json = synthJson((stack) => {
      const text = new TerraformVariable(stack, 'text', { type: 'string' });
      new AloomaConnection(stack, 'Alooma', { engine: 'null_resource' });
      new AloomaRestInput(stack, 'Api', {
        name: 'api',
        baseUrl: 'https://x.example.com',
        dataField: text.stringValue,
      });
    });
    const reconciler = (json.resource as any).null_resource.AloomaReconciler;
    // a JSON template: user text stays literal, only references are expressions
    expect(reconciler.triggers.references).toBe(
      '{"api/configuration/data_field":${jsonencode(var.text)}}',
    );
    expect(reconciler.provisioner[0]['local-exec'].environment.ALOOMA_CDKTF_REFERENCES).toBe(
      '${jsonencode(merge(jsondecode(lookup(self.triggers, "references", "{}")), jsondecode(lookup(self.triggers, "connection_references", "{}"))))}',
    );
    const api = (json.resource as any).null_resource.Api;
    expect(api.triggers.input).toContain(
      '"data_field":${jsonencode(issensitive(var.text) ? null : var.text)}',
    );
  });
});

describe('values handed to Terraform functions', () => {
  test('quotes, backslashes and template introducers in literal tables merged with a reference survive', () => {
    const json = synthJson((stack) => {
      const tables = new TerraformVariable(stack, 'tables', { type: 'map(string)' });
      const db = new AloomaDatabaseInput(stack, 'Db', {
        name: 'db',
        source: {
          server: 'db.internal',
          port: 5432,
          database: 'shop',
          dbType: 'psql',
          user: 'u',
          password: AloomaSecret.fromEnv('PW'),
        },
        tables: Token.asStringMap(tables.value),
      });
      db.addTable('quoted', '"UpdatedAt"');
      db.addTable('slashed', 'a\\b');
      db.addTable('directive', 'x%{y}');
    }, 'terraform_data');
    const merged = (json.resource as any).terraform_data.Db.input.configuration.tables;
    expect(merged).toContain(
      'merge(var.tables, {"quoted" = "\\"UpdatedAt\\"", "slashed" = "a\\\\b", "directive" = "x%%{y}"})',
    );
  });

  test('ids of keys that contain a slash do not collide', () => {
    const stack = terraformDataStack();
    const text = new TerraformVariable(stack, 'text', { type: 'string' });
    new AloomaRestInput(stack, 'Api', {
      name: 'api',
      baseUrl: 'https://x.example.com',
      extraConfiguration: { 'a/b': text.stringValue, a: { b: text.stringValue } },
    });
    expect(Object.keys(AloomaReconciler.of(stack).references()).sort()).toEqual([
      'api/configuration/a/b',
      'api/configuration/a~1b',
    ]);
  });
});
