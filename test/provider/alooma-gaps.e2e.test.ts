/**
 * What the provider engine refused before issue 18, under real Terraform
 * 1.11 from a plain HCL configuration against a real emulator process:
 *
 * - credentials from variables of other names (`api_key_env` in the
 *   provider block; the default `ALOOMA_API_KEY` unset);
 * - configuration fields without an attribute of their own:
 *   `extra_configuration` on typed resources, `headers` on REST inputs;
 * - secrets at keys of `alooma_input`'s free-form configuration: the
 *   write-only `secrets` map (from an ephemeral variable), `secrets_env`
 *   (a variable of the provider's environment) and `secrets_version`.
 *
 * create -> plan/apply again (0 writes) -> drift on the new attributes made
 * through the API, shown and put back (no secret written) -> one secret
 * rotated (one write, the other secret kept) -> destroy; secret values and
 * their SHA-256 nowhere in state or command output. Then the same through
 * the constructs and the real cdktf CLI: deploy, diff with no change and no
 * write, no secret in any file of cdktf.out.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AloomaClient } from '../../src/runtime/client';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, createCdktfApp } from '../helpers/cdktf-app';
import { filesUnder } from '../helpers/files';
import { planFileText } from '../helpers/plan-file';
import {
  EMULATOR_BUNDLE,
  RUNTIME_BUNDLE,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../helpers/emulator-process';
import { runCli, writeCount } from '../helpers/runtime-cli';
import { terraform, type TerraformResult } from '../helpers/terraform';

jest.setTimeout(300_000);

const PROVIDER_BUNDLE = path.resolve(__dirname, '../../dist/provider.js');

const DB_PASSWORD = 'Gaps-Db-Secret-5521';
const HOOK_SECRET = 'Gaps-Hook-Secret-7730';
const HOOK_ROTATED = 'Gaps-Hook-Rotated-1185';
const OAUTH_TOKEN = 'Gaps-Oauth-Token-4402';
const OAUTH_LATER = 'Gaps-Oauth-Later-9917';
const VALUES = [DB_PASSWORD, HOOK_SECRET, HOOK_ROTATED, OAUTH_TOKEN, OAUTH_LATER];
const SECRETS = [...VALUES, ...VALUES.map((s) => createHash('sha256').update(s).digest('hex'))];

const CONFIG = `
terraform {
  required_version = ">= 1.11"
  required_providers {
    alooma = {
      source = "alooma-cdktf.invalid/alooma/alooma"
    }
  }
}

# The API key is in $TEAM_ALOOMA_KEY, not $ALOOMA_API_KEY.
provider "alooma" {
  owner       = "gaps-team"
  api_key_env = "TEAM_ALOOMA_KEY"
}

variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "hook_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "alooma_database_input" "orders" {
  name                = "gaps-orders"
  server              = "db.internal.example"
  port                = 5432
  database            = "shop"
  db_type             = "psql"
  user                = "replicator"
  password            = var.db_password
  password_version    = "1"
  tables              = { orders = "xmin::text::bigint" }
  extra_configuration = jsonencode({ fetch_size = 500 })
}

resource "alooma_rest_input" "api" {
  name                = "gaps-api"
  base_url            = "https://api.example.com/orders"
  headers             = jsonencode([{ name = "Accept", value = "application/json" }])
  extra_configuration = jsonencode({ page_size = 50 })
}

resource "alooma_input" "hook" {
  name            = "gaps-hook"
  type            = "RESTAPI"
  configuration   = jsonencode({ path = "/hook" })
  secrets         = { client_secret = var.hook_secret }
  secrets_env     = { oauth_token = "HOOK_OAUTH_TOKEN" }
  secrets_version = { client_secret = "1", oauth_token = "1" }
}
`;

let emulator: EmulatorProcess;
let api: AloomaClient;
let root: string;
let dir: string;
let env: NodeJS.ProcessEnv;
let config = CONFIG;
const outputs: string[] = [];
const ids: Record<string, string> = {};

function tf(args: string[], extraEnv: NodeJS.ProcessEnv = {}): TerraformResult {
  const result = terraform(dir, [args[0], '-no-color', ...args.slice(1)], { ...env, ...extraEnv });
  outputs.push(result.output);
  return result;
}

function ok(args: string[], extraEnv: NodeJS.ProcessEnv = {}, codes = [0]): TerraformResult {
  const result = tf(args, extraEnv);
  if (!codes.includes(result.code))
    throw new Error(`terraform ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  return result;
}

function writeConfig(text: string): void {
  config = text;
  fs.writeFileSync(path.join(dir, 'main.tf'), text);
}

async function writes(): Promise<number> {
  return writeCount(await emulator.stats());
}

function stateText(): string {
  return fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8');
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS)
    expect({ found: text.includes(secret), secret }).toEqual({
      found: false,
      secret,
    });
}

beforeAll(async () => {
  for (const file of [PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE])
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run "npm run build" first`);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-gaps-e2e-'));
  dir = path.join(root, 'infra');
  fs.mkdirSync(dir);
  fs.mkdirSync(path.join(root, 'home'));
  emulator = await startEmulatorProcess();
  api = new AloomaClient({ baseUrl: emulator.url, auth: { kind: 'apiKey', apiKey: 'demo-key' } });
  env = {
    TF_CLI_CONFIG_FILE: '/dev/null',
    HOME: path.join(root, 'home'),
    ALOOMA_API_URL: emulator.url,
    // the runtime's default variable is not set: the provider must read the one named
    ALOOMA_API_KEY: '',
    TEAM_ALOOMA_KEY: 'demo-key',
    TF_VAR_db_password: DB_PASSWORD,
    TF_VAR_hook_secret: HOOK_SECRET,
    HOOK_OAUTH_TOKEN: OAUTH_TOKEN,
  };
});

afterAll(async () => {
  api?.close();
  await emulator?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('install and init offline; with the named variable unset, the provider says which one', async () => {
  const install = runCli(['provider', 'install', '--dir', dir]);
  expect(install.code).toBe(0);
  writeConfig(CONFIG);
  ok(['init']);
  await emulator.resetStats();
  const plan = tf(['plan'], { TEAM_ALOOMA_KEY: '' });
  expect(plan.code).toBe(1);
  expect(plan.output).toMatch(/none of ALOOMA_USERNAME, ALOOMA_PASSWORD,\s+TEAM_ALOOMA_KEY is set/);
  expect(await writes()).toBe(0);
});

test('create: extra fields, headers and free-form secrets as configured; the key from $TEAM_ALOOMA_KEY', async () => {
  await emulator.resetStats();
  const apply = ok(['apply', '-auto-approve']);
  expect(apply.output).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
  expect(await writes()).toBe(3);
  const state = JSON.parse(stateText());
  for (const r of state.resources) ids[r.name] = r.instances[0].attributes.id;

  const db = await api.getNode(ids.orders);
  expect(db.configuration.fetch_size).toBe(500);
  const rest = await api.getNode(ids.api);
  expect(rest.configuration.headers).toEqual([{ name: 'Accept', value: 'application/json' }]);
  expect(rest.configuration.page_size).toBe(50);
  const hook = await api.getNode(ids.hook);
  expect(hook.configuration.path).toBe('/hook');
  expect(hook.configuration.client_secret).toBe('********');
  expect(hook.configuration.alooma_cdktf).toEqual({
    owner: 'gaps-team',
    createId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    secretVersions: [
      { path: 'client_secret', version: '1' },
      { path: 'oauth_token', version: '1' },
    ],
  });
  expect(await emulator.secretMatches(ids.hook, 'client_secret', HOOK_SECRET)).toBe(true);
  expect(await emulator.secretMatches(ids.hook, 'oauth_token', OAUTH_TOKEN)).toBe(true);

  const hookState = state.resources.find((r: { name: string }) => r.name === 'hook').instances[0]
    .attributes;
  expect(hookState).toMatchObject({
    configuration: '{"path":"/hook"}',
    secrets: null,
    secrets_env: { oauth_token: 'HOOK_OAUTH_TOKEN' },
    secrets_version: { client_secret: '1', oauth_token: '1' },
  });
  expectNoSecret(stateText());
});

test('plan again: no changes; apply again: 0 writes', async () => {
  await emulator.resetStats();
  const plan = ok(['plan', '-detailed-exitcode']);
  expect(plan.output).toContain('No changes. Your infrastructure matches the configuration.');
  ok(['apply', '-auto-approve']);
  expect(await writes()).toBe(0);
});

test('drift on extra_configuration, headers and the free-form configuration shows and is put back, no secret written', async () => {
  const db = await api.getNode(ids.orders);
  await api.updateInput({ ...db, configuration: { ...db.configuration, fetch_size: 900 } });
  const rest = await api.getNode(ids.api);
  await api.updateInput({ ...rest, configuration: { ...rest.configuration, headers: [] } });
  const hook = await api.getNode(ids.hook);
  await api.updateInput({ ...hook, configuration: { ...hook.configuration, path: '/moved' } });

  const refresh = ok(['plan', '-refresh-only', '-detailed-exitcode'], {}, [2]);
  expect(refresh.output).toContain('Objects have changed outside of Terraform');
  expect(refresh.output).toMatch(/~ fetch_size\s+= 500 -> 900/);
  expect(refresh.output).toMatch(/~ headers\s+= jsonencode\(/);
  expect(refresh.output).toMatch(/~ path\s+= "\/hook" -> "\/moved"/);

  // a changed variable value is not written: its version did not change
  const plan = ok(['plan', '-detailed-exitcode'], { HOOK_OAUTH_TOKEN: OAUTH_LATER }, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 3 to change, 0 to destroy.');
  expect(plan.output).toMatch(/~ fetch_size\s+= 900 -> 500/);
  await emulator.resetStats();
  ok(['apply', '-auto-approve'], { HOOK_OAUTH_TOKEN: OAUTH_LATER });
  expect(await writes()).toBe(3);
  expect((await api.getNode(ids.orders)).configuration.fetch_size).toBe(500);
  expect((await api.getNode(ids.api)).configuration.headers).toEqual([
    { name: 'Accept', value: 'application/json' },
  ]);
  expect((await api.getNode(ids.hook)).configuration.path).toBe('/hook');
  expect(await emulator.secretMatches(ids.hook, 'client_secret', HOOK_SECRET)).toBe(true);
  expect(await emulator.secretMatches(ids.hook, 'oauth_token', OAUTH_TOKEN)).toBe(true);
  ok(['plan', '-detailed-exitcode']);
});

test('rotating one free-form secret writes it once; the other keeps its stored value', async () => {
  writeConfig(
    config.replace(
      'secrets_version = { client_secret = "1", oauth_token = "1" }',
      'secrets_version = { client_secret = "2", oauth_token = "1" }',
    ),
  );
  const rotated = { TF_VAR_hook_secret: HOOK_ROTATED, HOOK_OAUTH_TOKEN: OAUTH_LATER };
  const plan = ok(['plan', '-detailed-exitcode'], rotated, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  expect(plan.output).toMatch(/~ "client_secret" = "1" -> "2"/);
  await emulator.resetStats();
  ok(['apply', '-auto-approve'], rotated);
  expect(await writes()).toBe(1);
  expect(await emulator.secretMatches(ids.hook, 'client_secret', HOOK_ROTATED)).toBe(true);
  expect(await emulator.secretMatches(ids.hook, 'oauth_token', OAUTH_TOKEN)).toBe(true);
  ok(['plan', '-detailed-exitcode'], rotated);
  expectNoSecret(stateText());
});

test('import of a typed input with extra fields: extra_configuration planned as added, applied with 0 writes, then no change', async () => {
  const legacy = await api.createInput({
    name: 'gaps-legacy',
    type: 'S3',
    configuration: {
      awsBucketName: 'legacy-bucket',
      // explicit: an update writes an absent auto_map as its default (true), a write of its own
      auto_map: true,
      fetch_mode: 'fast',
      unmanaged: 'kept',
      alooma_cdktf: { owner: 'gaps-team' },
    },
  });
  writeConfig(
    config +
      `
import {
  to = alooma_s3_input.legacy
  id = "${legacy.id}"
}

resource "alooma_s3_input" "legacy" {
  name                = "gaps-legacy"
  bucket              = "legacy-bucket"
  extra_configuration = jsonencode({ fetch_mode = "fast" })
}
`,
  );
  const env2 = { TF_VAR_hook_secret: HOOK_ROTATED };
  const plan = ok(['plan', '-detailed-exitcode'], env2, [2]);
  expect(plan.output).toContain('Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.');
  expect(plan.output).toMatch(/\+ extra_configuration\s+= jsonencode\(/);
  await emulator.resetStats();
  ok(['apply', '-auto-approve'], env2);
  expect(await writes()).toBe(0);
  ok(['plan', '-detailed-exitcode'], env2);
  expect((await api.getNode(legacy.id)).configuration.unmanaged).toBe('kept');
});

test('destroy; no secret and no SHA-256 of one in state or in any command output', async () => {
  await emulator.resetStats();
  const destroy = ok(['destroy', '-auto-approve'], { TF_VAR_hook_secret: HOOK_ROTATED });
  expect(destroy.output).toContain('Destroy complete! Resources: 4 destroyed.');
  expect(await writes()).toBe(4);
  expectNoSecret(stateText());
  expectNoSecret(outputs.join('\n'));
});

test('the constructs through the cdktf CLI: apiKeyEnv, extraConfiguration, headers, AloomaInput secrets; deploy, then no change', async () => {
  const app = createCdktfApp('alooma-gaps-cdktf-');
  app.write({
    'main.ts': `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaRestInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'gaps');
new AloomaConnection(stack, 'Alooma', { engine: 'provider', apiUrl: ${JSON.stringify(emulator.url)}, apiKeyEnv: 'TEAM_ALOOMA_KEY' });
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'cdktf_orders',
  source: { server: 'db.internal', port: 5432, database: 'shop', dbType: 'psql', user: 'reader',
            password: AloomaSecret.fromEnv('PG_PASSWORD') },
  tables: { orders: 'xmin::text::bigint' },
  extraConfiguration: { fetch_size: 500 },
});
new AloomaRestInput(stack, 'Events', {
  name: 'cdktf_events', baseUrl: 'https://api.example.com/events',
  headers: [{ name: 'Accept', value: 'application/json' }],
});
new AloomaInput(stack, 'Hook', {
  name: 'cdktf_hook', type: 'RESTAPI', configuration: { path: '/hook' },
  secrets: { oauth_token: AloomaSecret.fromEnv('HOOK_OAUTH_TOKEN', { version: '3' }) },
});
app.synth();
`,
  });
  const cliEnv = {
    TF_CLI_CONFIG_FILE: '/dev/null',
    ALOOMA_API_KEY: '',
    TEAM_ALOOMA_KEY: 'demo-key',
    PG_PASSWORD: DB_PASSWORD,
    HOOK_OAUTH_TOKEN: OAUTH_TOKEN,
  };
  await emulator.resetStats();
  const deploy = app.cdktf(['deploy', '--auto-approve'], cliEnv);
  outputs.push(deploy.output);
  expect(deploy.code).toBe(0);
  expect(deploy.output).toMatch(/3 added, 0 changed, 0 destroyed/);
  expect(await writes()).toBe(3);
  const live = new Map((await api.listInputs()).map((n) => [n.name, n]));
  expect(live.get('cdktf_orders')!.configuration.fetch_size).toBe(500);
  expect(live.get('cdktf_events')!.configuration.headers).toEqual([
    { name: 'Accept', value: 'application/json' },
  ]);
  const hook = live.get('cdktf_hook')!;
  expect(hook.configuration.path).toBe('/hook');
  expect(await emulator.secretMatches(hook.id, 'oauth_token', OAUTH_TOKEN)).toBe(true);

  await emulator.resetStats();
  const diff = app.cdktf(['diff'], cliEnv);
  outputs.push(diff.output);
  expect(diff.code).toBe(0);
  expect(diff.output).toMatch(/No changes/);
  expect(await writes()).toBe(0);

  const files = filesUnder(app.dir).filter((f) => fs.lstatSync(f).isFile());
  const holding = files.filter((f) => {
    const text = path.basename(f) === 'plan' ? planFileText(f) : fs.readFileSync(f, 'latin1');
    return SECRETS.some((secret) => text.includes(secret));
  });
  expect(holding).toEqual([]);
  expectNoSecret(outputs.join('\n'));
  fs.rmSync(app.dir, { recursive: true, force: true });
  fs.rmSync(app.home, { recursive: true, force: true });
});
