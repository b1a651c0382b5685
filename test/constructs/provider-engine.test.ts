/**
 * Engine "provider": the same construct props synthesize to the Alooma
 * provider's resources, with the attribute names of the provider's schema,
 * the provider block, required_providers and required_version, and no
 * secret value anywhere in cdk.tf.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing, TerraformStack, TerraformVariable } from 'cdktf';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaMixpanelInput,
  AloomaRestInput,
  AloomaS3Input,
  AloomaSecret,
  ephemeralVariable,
  RemovalPolicy,
} from '../../src/constructs';
import { INPUT_RESOURCES } from '../../src/provider/resources';
import { PROVIDER_SOURCE, packageVersion } from '../../src/provider/install';
import { testStack, validate } from './helpers';

const PASSWORD_VARIABLE = 'pg_password';

/** A provider-engine stack with a connection. */
function providerStack(props: ConstructorParameters<typeof AloomaConnection>[2] = {}) {
  const stack = testStack();
  new AloomaConnection(stack, 'Alooma', { engine: 'provider', ...props });
  return stack;
}

function ordersInput(stack: TerraformStack, extra: Record<string, unknown> = {}) {
  const password = new TerraformVariable(stack, PASSWORD_VARIABLE, {
    type: 'string',
    sensitive: true,
  });
  return new AloomaDatabaseInput(stack, 'Orders', {
    name: 'orders_db',
    source: {
      server: 'db.internal',
      port: 5432,
      database: 'shop',
      schema: 'public',
      dbType: 'psql',
      user: 'reader',
      password: AloomaSecret.fromTerraform(password.stringValue, { version: '3' }),
    },
    tables: { orders: 'xmin::text::bigint' },
    ssh: { server: 'bastion', port: 22 },
    ...extra,
  });
}

function parsed(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack));
}

describe('engine "provider"', () => {
  test('a database input is an alooma_database_input with the attributes of the provider schema', () => {
    const stack = providerStack({ apiUrl: 'https://app.alooma.com', account: 'acme' });
    const orders = ordersInput(stack);
    orders.addTable('items', 'updated_at');
    const out = parsed(stack);
    expect(out.resource.terraform_data).toBeUndefined();
    expect(out.resource.alooma_database_input.Orders).toEqual({
      provider: 'alooma',
      name: 'orders_db',
      server: 'db.internal',
      port: 5432,
      database: 'shop',
      schema: 'public',
      db_type: 'psql',
      user: 'reader',
      password: `\${var.${PASSWORD_VARIABLE}}`,
      password_version: '3',
      tables: { orders: 'xmin::text::bigint', items: 'updated_at' },
      replication_type: 'incremental_load',
      batch_size: 100000,
      ssh: '{"server":"bastion","port":22}',
      auto_map: true,
      paused: false,
      retain_on_delete: false,
    });
    expect(orders.resource.terraformResourceType).toBe('alooma_database_input');
  });

  test('the stack declares the provider: block (api_url, account, owner), source, version, required_version >= 1.11', () => {
    const stack = providerStack({
      apiUrl: 'https://app.alooma.com',
      account: 'acme',
      owner: 'team-data',
      concurrency: 4,
    });
    ordersInput(stack);
    const out = parsed(stack);
    expect(out.provider.alooma).toEqual([
      { api_url: 'https://app.alooma.com', account: 'acme', owner: 'team-data', concurrency: 4 },
    ]);
    expect(out.terraform.required_providers.alooma).toEqual({
      source: PROVIDER_SOURCE,
      version: packageVersion(),
    });
    expect(out.terraform.required_version).toBe('>= 1.11');
  });

  test('credentials are left to the environment; an API key from Terraform goes to the provider block', () => {
    const plain = parsed(providerStack());
    expect(plain.provider.alooma).toEqual([{ owner: 'stack' }]);

    const stack = testStack();
    const key = new TerraformVariable(stack, 'alooma_key', { type: 'string', sensitive: true });
    new AloomaConnection(stack, 'Alooma', {
      engine: 'provider',
      apiKey: AloomaSecret.fromTerraform(key.stringValue),
    });
    expect(parsed(stack).provider.alooma).toEqual([
      { api_key: '${var.alooma_key}', owner: 'stack' },
    ]);
  });

  test('every attribute rendered for every construct is one the provider schema declares', () => {
    const stack = providerStack();
    ordersInput(stack);
    const api = new AloomaRestInput(stack, 'Events', {
      name: 'events_api',
      baseUrl: 'https://api.example.com/events',
      dataField: 'results',
    });
    api.addParameter({
      parameter: 'session_id',
      secretValue: AloomaSecret.fromTerraform(
        ephemeralVariable(stack, 'session', { type: 'string' }).stringValue,
        { ephemeral: true, version: '2' },
      ),
    });
    api.addParameter({ parameter: 'since', type: 'Days Past', value: 2 });
    api.addTemplate('%Y-%m-%d', 'since');
    new AloomaS3Input(stack, 'Clicks', {
      name: 'clicks',
      bucket: 'clickstream',
      prefix: 'events/',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: AloomaSecret.fromTerraform(
        new TerraformVariable(stack, 'aws_secret', { sensitive: true }).stringValue,
      ),
    });
    new AloomaMixpanelInput(stack, 'Mixpanel', {
      name: 'mixpanel',
      apiKey: 'mp-key',
      apiSecret: AloomaSecret.fromTerraform(
        new TerraformVariable(stack, 'mp_secret', { sensitive: true }).stringValue,
        { version: '7' },
      ),
      fromDate: '2024-01-01',
    });
    new AloomaInput(stack, 'Webhook', {
      name: 'hook',
      type: 'RESTAPI',
      configuration: { custom: 'x' },
    });
    const out = parsed(stack);
    const schemas = new Map(INPUT_RESOURCES.map((r) => [r.typeName, r.schema.attributes]));
    const types = Object.keys(out.resource).sort();
    expect(types).toEqual([
      'alooma_database_input',
      'alooma_input',
      'alooma_mixpanel_input',
      'alooma_rest_input',
      'alooma_s3_input',
    ]);
    for (const type of types) {
      const attributes = schemas.get(type)!;
      for (const resource of Object.values(out.resource[type]) as Array<Record<string, any>>) {
        const unknown = Object.keys(resource).filter((k) => k !== 'provider' && !(k in attributes));
        expect({ type, unknown }).toEqual({ type, unknown: [] });
      }
    }
    expect(out.resource.alooma_rest_input.Events.parameters).toEqual({
      session_id: { type: 'Text', secret_value: '${var.session}', secret_value_version: '2' },
      since: { type: 'Days Past', value: '2', template: '%Y-%m-%d' },
    });
    expect(out.resource.alooma_s3_input.Clicks).toMatchObject({
      bucket: 'clickstream',
      prefix: 'events/',
      access_key_id: 'AKIAEXAMPLE',
      file_format: '{"type":"json"}',
      secret_access_key: '${var.aws_secret}',
      secret_access_key_version: '1',
    });
    expect(out.resource.alooma_mixpanel_input.Mixpanel).toMatchObject({
      api_key: 'mp-key',
      api_secret: '${var.mp_secret}',
      api_secret_version: '7',
      from_date: '2024-01-01',
    });
    expect(out.resource.alooma_input.Webhook).toMatchObject({
      name: 'hook',
      type: 'RESTAPI',
      configuration: '{"custom":"x"}',
    });
  });

  test('no secret value and no hash in cdk.tf.json: only the expression and the version', () => {
    const stack = providerStack();
    ordersInput(stack);
    const text = Testing.synth(stack);
    expect(text).not.toMatch(/sha256|secrets_sha256|fingerprint/);
    expect(text).not.toMatch(/ALOOMA_CDKTF_SECRET_/);
    expect(text).toContain(`"password": "\${var.${PASSWORD_VARIABLE}}"`);
  });

  test('RETAIN is retain_on_delete = true', () => {
    const stack = providerStack();
    new AloomaInput(stack, 'Archive', {
      name: 'archive_hook',
      type: 'RESTAPI',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    expect(parsed(stack).resource.alooma_input.Archive.retain_on_delete).toBe(true);
  });

  test('no reconciler, no runtime or manifest asset; moved blocks from the terraform_data of each input; the old reconciler is forgotten, not destroyed', () => {
    const stack = providerStack();
    ordersInput(stack);
    const out = parsed(stack);
    expect(stack.node.tryFindChild('AloomaReconciler')).toBeUndefined();
    expect(JSON.stringify(out)).not.toMatch(/local-exec|runtime\.js|manifest\.json/);
    expect(out.moved).toEqual([
      { from: 'terraform_data.Orders', to: 'alooma_database_input.Orders' },
    ]);
    // the address the terraform_data engine gives its reconciler, from the same stack
    const old = testStack();
    new AloomaConnection(old, 'Alooma', { engine: 'terraform_data' });
    ordersInput(old);
    const oldOut = parsed(old);
    expect(Object.keys(oldOut.resource.terraform_data).sort()).toEqual([
      'AloomaReconciler',
      'Orders',
    ]);
    expect(out.removed).toEqual([
      { from: 'terraform_data.AloomaReconciler', lifecycle: { destroy: false } },
    ]);
  });

  test("AloomaSecret.fromEnv is the variable's name in <secret>_env and its version; no value, no write-only attribute", () => {
    const stack = providerStack();
    new AloomaDatabaseInput(stack, 'Orders', {
      name: 'orders_db',
      source: {
        server: 'db',
        port: 5432,
        database: 'shop',
        dbType: 'psql',
        user: 'reader',
        password: AloomaSecret.fromEnv('PG_PASSWORD', { version: '4' }),
      },
    });
    const api = new AloomaRestInput(stack, 'Events', {
      name: 'events_api',
      baseUrl: 'https://api.example.com/events',
      password: AloomaSecret.fromEnv('API_PASSWORD'),
    });
    api.addParameter({ parameter: 'api_token', secretValue: AloomaSecret.fromEnv('API_TOKEN') });
    validate(stack);
    const out = parsed(stack).resource;
    const db = out.alooma_database_input.Orders;
    expect(db.password_env).toBe('PG_PASSWORD');
    expect(db.password_version).toBe('4');
    expect(db).not.toHaveProperty('password');
    const rest = out.alooma_rest_input.Events;
    expect(rest.password_env).toBe('API_PASSWORD');
    expect(rest.password_version).toBe('1');
    expect(rest.parameters.api_token).toEqual({
      type: 'Text',
      secret_value_env: 'API_TOKEN',
      secret_value_version: '1',
    });
  });

  test("credential variables of other names are the provider block's *_env attributes: names only, defaults not repeated", () => {
    const renamed = parsed(
      providerStack({
        usernameEnv: 'MY_ALOOMA_USER',
        passwordEnv: 'MY_ALOOMA_PASSWORD',
        apiKeyEnv: 'ALOOMA_API_KEY',
      }),
    );
    expect(renamed.provider.alooma).toEqual([
      { owner: 'stack', username_env: 'MY_ALOOMA_USER', password_env: 'MY_ALOOMA_PASSWORD' },
    ]);
    const fromEnv = parsed(providerStack({ apiKey: AloomaSecret.fromEnv('TEAM_ALOOMA_KEY') }));
    expect(fromEnv.provider.alooma).toEqual([{ owner: 'stack', api_key_env: 'TEAM_ALOOMA_KEY' }]);
    const keyEnv = parsed(providerStack({ apiKeyEnv: 'TEAM_ALOOMA_KEY' }));
    expect(keyEnv.provider.alooma).toEqual([{ owner: 'stack', api_key_env: 'TEAM_ALOOMA_KEY' }]);
  });

  test('extraConfiguration is extra_configuration (JSON text, references through jsonencode); REST headers are headers', () => {
    const stack = providerStack();
    ordersInput(stack, { extraConfiguration: { fetch_size: 500 } });
    const size = new TerraformVariable(stack, 'size', { type: 'number' });
    new AloomaRestInput(stack, 'Events', {
      name: 'events_api',
      baseUrl: 'https://api.example.com/events',
      headers: [{ name: 'Accept', value: 'application/json' }],
      extraConfiguration: { page_size: size.numberValue },
    });
    validate(stack);
    const out = parsed(stack).resource;
    expect(out.alooma_database_input.Orders.extra_configuration).toBe('{"fetch_size":500}');
    const rest = out.alooma_rest_input.Events;
    expect(rest.headers).toBe('[{"name":"Accept","value":"application/json"}]');
    expect(rest.extra_configuration).toBe('${jsonencode({"page_size" = var.size})}');
  });

  test('AloomaInput secrets at configuration keys: the write-only secrets map, secrets_env names, secrets_version per key', () => {
    const stack = providerStack();
    new AloomaInput(stack, 'Webhook', {
      name: 'hook',
      type: 'RESTAPI',
      configuration: { custom: 'x' },
      secrets: {
        client_key: AloomaSecret.fromTerraform(
          ephemeralVariable(stack, 'client_key', { type: 'string' }).stringValue,
          { ephemeral: true, version: '2' },
        ),
        oauth2: AloomaSecret.fromEnv('HOOK_OAUTH'),
      },
    });
    validate(stack);
    const hook = parsed(stack).resource.alooma_input.Webhook;
    expect(hook).toMatchObject({
      configuration: '{"custom":"x"}',
      secrets: { client_key: '${var.client_key}' },
      secrets_env: { oauth2: 'HOOK_OAUTH' },
      secrets_version: { client_key: '2', oauth2: '1' },
    });
  });

  test('a connection after the inputs may keep the provider and set its block; choosing a provisioner engine there is refused', () => {
    const stack = testStack();
    ordersInput(stack);
    new AloomaConnection(stack, 'Alooma', { account: 'acme', owner: 'team-data' });
    expect(parsed(stack).provider.alooma).toEqual([{ account: 'acme', owner: 'team-data' }]);

    for (const engine of ['terraform_data', 'null_resource'] as const) {
      const late = testStack();
      ordersInput(late);
      expect(() => new AloomaConnection(late, 'Alooma', { engine })).toThrow(
        new RegExp(
          `stack/Alooma: engine "${engine}" is chosen after stack/Orders was declared with the default engine\\. Declare the AloomaConnection before the stack's inputs: an input declared before it uses the default engine, the provider \\[connection_declared_late\\]`,
        ),
      );
    }
  });

  test('Terraform older than 1.11: one line says so and how to fix it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-old-tf-'));
    const fake = path.join(dir, 'terraform-1.10');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Terraform v1.10.5"\n', { mode: 0o755 });
    const before = process.env.TERRAFORM_BINARY_NAME;
    process.env.TERRAFORM_BINARY_NAME = fake;
    try {
      const stack = providerStack();
      ordersInput(stack);
      expect(() => validate(stack)).toThrow(
        /terraform-1\.10 1\.10\.5 is older than 1\.11\.0, the first with write-only attributes, which the Alooma provider uses\. Install Terraform 1\.11 or newer .*or set engine: 'terraform_data' on the stack's AloomaConnection, declared before its inputs \(Terraform 1\.4\+\) \[terraform_version\]/,
      );
      // the terraform_data engine still runs on it
      const old = testStack();
      new AloomaConnection(old, 'Alooma', { engine: 'terraform_data' });
      ordersInput(old);
      expect(() => validate(old)).not.toThrow();
    } finally {
      if (before === undefined) delete process.env.TERRAFORM_BINARY_NAME;
      else process.env.TERRAFORM_BINARY_NAME = before;
    }
  });
});

/**
 * The default engine: a stack with no connection, or a connection that names
 * no engine, synthesizes to the provider, so a stack deployed before the
 * provider became the default (then terraform_data) moves on upgrade.
 */
describe('the default engine is the provider', () => {
  const stacks: Array<[string, () => TerraformStack]> = [
    ['no connection', () => testStack('shop')],
    [
      'a connection without engine',
      () => {
        const stack = testStack('shop');
        new AloomaConnection(stack, 'Alooma', { apiUrl: 'https://app.alooma.com' });
        return stack;
      },
    ],
  ];

  test.each(stacks)(
    '%s: provider resources, the provider block, required_version >= 1.11, moved blocks and the old reconciler forgotten',
    (_, build) => {
      const stack = build();
      ordersInput(stack);
      new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
      const out = parsed(stack);

      expect(Object.keys(out.resource).sort()).toEqual(['alooma_database_input', 'alooma_input']);
      expect(stack.node.tryFindChild('AloomaReconciler')).toBeUndefined();
      expect(out.provider.alooma).toEqual([
        expect.objectContaining({ owner: 'shop' }), // the stack's name, as the provisioner engines used
      ]);
      expect(out.terraform.required_providers.alooma.source).toBe(PROVIDER_SOURCE);
      expect(out.terraform.required_version).toBe('>= 1.11');
      expect(out.moved).toEqual([
        { from: 'terraform_data.Orders', to: 'alooma_database_input.Orders' },
        { from: 'terraform_data.Hook', to: 'alooma_input.Hook' },
      ]);
      expect(out.removed).toEqual([
        { from: 'terraform_data.AloomaReconciler', lifecycle: { destroy: false } },
      ]);
      expect(AloomaConnection.of(stack)?.engine ?? 'none').toMatch(/^(provider|none)$/);
    },
  );

  test('the moved blocks name the addresses the terraform_data engine gave the same code', () => {
    const old = testStack('shop');
    new AloomaConnection(old, 'Alooma', { engine: 'terraform_data' });
    ordersInput(old);
    new AloomaInput(old, 'Hook', { name: 'hook', type: 'RESTAPI' });
    const before = Object.keys(parsed(old).resource.terraform_data)
      .sort()
      .map((id) => `terraform_data.${id}`);

    const now = testStack('shop');
    ordersInput(now);
    new AloomaInput(now, 'Hook', { name: 'hook', type: 'RESTAPI' });
    const out = parsed(now);
    expect([...out.moved.map((m: { from: string }) => m.from), out.removed[0].from].sort()).toEqual(
      before,
    );
  });

  test('Terraform 1.5 and no engine chosen: one line says to install 1.11 or set engine terraform_data', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-old-tf-'));
    const fake = path.join(dir, 'terraform-1.5');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Terraform v1.5.7"\n', { mode: 0o755 });
    const before = process.env.TERRAFORM_BINARY_NAME;
    process.env.TERRAFORM_BINARY_NAME = fake;
    try {
      const stack = testStack();
      new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
      let message = '';
      try {
        validate(stack);
      } catch (e) {
        message = (e as Error).message;
      }
      const lines = message.split('\n').filter((l) => l.includes('[terraform_version]'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /1\.5\.7 is older than 1\.11\.0.*Install Terraform 1\.11 or newer.*or set engine: 'terraform_data' on the stack's AloomaConnection/,
      );
    } finally {
      if (before === undefined) delete process.env.TERRAFORM_BINARY_NAME;
      else process.env.TERRAFORM_BINARY_NAME = before;
    }
  });
});
