/**
 * The Alooma provider under real Terraform 1.11, from a plain HCL
 * configuration (the README's example, read from README.md), against a real
 * emulator process, as one ordered story. The provider is installed by
 * `alooma-cdktf provider install` (dist/runtime.js, dist/provider.js) and
 * Terraform runs with no CLI configuration and no network
 * (TF_CLI_CONFIG_FILE=/dev/null).
 *
 * create -> plan/apply again (0 writes) -> one-table change -> drift made
 * through the API, shown by plan and -refresh-only, put back -> import {}
 * of an input made through the API (and the refusals) -> rename in place ->
 * password rotation (one secret write) -> saved plan file -> RETAIN and
 * removal -> destroy; secrets and their SHA-256 nowhere in state, command
 * output or API answers. Bad input at plan is in its own test.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AloomaClient } from '../../src/runtime/client';
import {
  EMULATOR_BUNDLE,
  RUNTIME_BUNDLE,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../helpers/emulator-process';
import {
  hclWorkdir,
  PROVIDER_BUNDLE,
  requireBundles,
  type Workdir,
} from '../helpers/provider-workdir';
import { runCli, writeCount } from '../helpers/runtime-cli';
import type { TerraformResult } from '../helpers/terraform';

jest.setTimeout(300_000);
const README = path.resolve(__dirname, '../../README.md');

const DB_PASSWORD = 'Db-Ephemeral-Secret-4417';
const DB_ROTATED = 'Db-Rotated-Secret-9083';
const API_TOKEN = 'Api-Token-Secret-2291';
const AWS_SECRET = 'Aws-Sensitive-Secret-6650';
const LEGACY_PASSWORD = 'Legacy-Stored-Secret-3172';
const VALUES = [DB_PASSWORD, DB_ROTATED, API_TOKEN, AWS_SECRET, LEGACY_PASSWORD];
const SECRETS = [...VALUES, ...VALUES.map((s) => createHash('sha256').update(s).digest('hex'))];

/** The README's example: the fenced block between the hcl-example markers. */
export function readmeHclExample(): string {
  const readme = fs.readFileSync(README, 'utf8');
  const match =
    /<!-- hcl-example:begin -->\s*```hcl\n([\s\S]*?)```\s*<!-- hcl-example:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no hcl-example block');
  return match[1];
}

let emulator: EmulatorProcess;
let api: AloomaClient;
let root: string;
let work: Workdir;
let dir: string;
let env: NodeJS.ProcessEnv;
/** Every command's output, for the secrets check. */
let outputs: string[];
const ids: Record<string, string> = {};

function tf(args: string[], extraEnv: NodeJS.ProcessEnv = {}): TerraformResult {
  return work.tf(args, extraEnv);
}

function ok(args: string[], extraEnv: NodeJS.ProcessEnv = {}, codes = [0]): TerraformResult {
  return work.ok(args, codes, extraEnv);
}

function writeConfig(text: string): void {
  work.write(text);
}

/** The configuration with `from` replaced by `to` once (fails when `from` is not there). */
function edit(from: string, to: string): string {
  return work.edit(from, to);
}

async function writes(): Promise<number> {
  return writeCount(await emulator.stats());
}

async function liveNode(id: string) {
  return api.getNode(id);
}

/** The changed lines of a plan (`+`, `-`, `~` at the start after indentation). */
function changeLines(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^\s*[-+~] /.test(l) || /^\s*[-+~]\/[-+~] /.test(l))
    .map((l) => l.trim());
}

beforeAll(async () => {
  requireBundles([PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-hcl-e2e-'));
  emulator = await startEmulatorProcess();
  api = new AloomaClient({ baseUrl: emulator.url, auth: { kind: 'apiKey', apiKey: 'demo-key' } });
  work = hclWorkdir(root, 'infra', emulator, {
    TF_VAR_db_password: DB_PASSWORD,
    TF_VAR_api_token: API_TOKEN,
    TF_VAR_aws_secret_key: AWS_SECRET,
  });
  ({ dir, env, outputs } = work);
});

afterAll(async () => {
  api?.close();
  await emulator?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('alooma-cdktf provider install, then terraform init offline with no CLI configuration', () => {
  const install = runCli(['provider', 'install', '--dir', dir]);
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
  writeConfig(readmeHclExample());
  const init = ok(['init']);
  expect(init.output).toContain('Reusing previous version of alooma-cdktf.invalid/alooma/alooma');
});

test('bad input at plan: the diagnostic has the attribute path and never the value', async () => {
  const good = work.config();
  writeConfig(edit('port             = 5432', 'port             = 70000'));
  await emulator.resetStats();
  const plan = tf(['plan', '-json']);
  writeConfig(good);
  expect(plan.code).toBe(1);
  const diagnostics = plan.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; diagnostic?: Record<string, any> })
    .filter((m) => m.type === 'diagnostic')
    .map((m) => m.diagnostic!);
  expect(diagnostics).toHaveLength(1);
  const [d] = diagnostics;
  expect(d.severity).toBe('error');
  expect(d.address).toBe('alooma_database_input.orders');
  expect(d.detail).toContain('port must be an integer from 1 to 65535');
  expect(`${d.summary} ${d.detail}`).not.toContain('70000');
  // Terraform points at the attribute itself: the path reached it
  expect(d.snippet.code).toContain('port');
  expect(d.range.start.line).toBe(d.snippet.start_line);
  expect(await writes()).toBe(0);
});

test('create: four inputs, each as configured, secrets written and never read back', async () => {
  await emulator.resetStats();
  const apply = ok(['apply', '-auto-approve']);
  expect(apply.output).toContain('Apply complete! Resources: 4 added, 0 changed, 0 destroyed.');
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'));
  for (const r of state.resources) ids[r.name] = r.instances[0].attributes.id;
  expect(Object.keys(ids).sort()).toEqual(['exports', 'orders', 'orders_api', 'webhook']);
  // 4 creates, and nothing else
  expect(await writes()).toBe(4);

  const db = await liveNode(ids.orders);
  expect(db).toMatchObject({ name: 'orders-db', type: 'ODBC', paused: false });
  expect(JSON.parse(db.configuration.tables as string)).toEqual({ orders: 'xmin::text::bigint' });
  expect(db.configuration.batch_size).toBe(100000);
  expect(db.configuration.password).toBe('********');
  expect(db.configuration.alooma_cdktf).toEqual({
    owner: 'orders-team',
    secretVersions: [{ path: 'password', version: '1' }],
    // the create's own id, by which it confirmed its input
    createId: expect.stringMatching(/^[0-9a-f-]{36}$/),
  });
  expect(await emulator.secretMatches(ids.orders, 'password', DB_PASSWORD)).toBe(true);
  expect(await emulator.secretMatches(ids.orders_api, 'parameters.token.value', API_TOKEN)).toBe(
    true,
  );
  expect(await emulator.secretMatches(ids.exports, 'awsSecretAccessKey', AWS_SECRET)).toBe(true);
  expect((await liveNode(ids.webhook)).type).toBe('RESTAPI');
});

test('plan again: no changes; apply again: 0 writes', async () => {
  await emulator.resetStats();
  const plan = ok(['plan', '-detailed-exitcode']);
  expect(plan.output).toContain('No changes. Your infrastructure matches the configuration.');
  const apply = ok(['apply', '-auto-approve']);
  expect(apply.output).toContain('Apply complete! Resources: 0 added, 0 changed, 0 destroyed.');
  expect(await writes()).toBe(0);
});

test('a one-table change plans as 0 to add, 1 to change, 0 to destroy, showing only that key', async () => {
  writeConfig(
    edit(
      '    orders = "xmin::text::bigint"\n',
      '    orders = "xmin::text::bigint"\n    customers = "id"\n',
    ),
  );
  const plan = ok(['plan', '-detailed-exitcode'], {}, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  expect(changeLines(plan.output)).toEqual([
    '~ update in-place',
    '~ resource "alooma_database_input" "orders" {',
    '~ tables           = {',
    '+ "customers" = "id"',
  ]);
  await emulator.resetStats();
  ok(['apply', '-auto-approve']);
  expect(await writes()).toBe(1);
  const db = await liveNode(ids.orders);
  expect(JSON.parse(db.configuration.tables as string)).toEqual({
    orders: 'xmin::text::bigint',
    customers: 'id',
  });
  const [last] = await api.getHistory(ids.orders);
  expect(last.changes.map((c) => c.field)).toEqual(['tables.customers']);
});

test('drift made through the API shows in plan and -refresh-only, and apply puts it back', async () => {
  const live = await liveNode(ids.orders);
  const tables = JSON.parse(live.configuration.tables as string);
  await api.updateInput({
    ...live,
    configuration: {
      ...live.configuration,
      batch_size: 500,
      tables: JSON.stringify({ ...tables, refunds: 'updated_at' }),
    },
  });
  await api.setPaused(ids.orders, true);

  const refresh = ok(['plan', '-refresh-only', '-detailed-exitcode'], {}, [2]);
  expect(refresh.output).toContain('Objects have changed outside of Terraform');
  expect(refresh.output).toMatch(/~ batch_size\s+= 100000 -> 500/);
  expect(refresh.output).toMatch(/~ paused\s+= false -> true/);
  expect(refresh.output).toMatch(/\+ "refunds"\s+= "updated_at"/);

  const plan = ok(['plan', '-detailed-exitcode'], {}, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  expect(plan.output).toMatch(/~ batch_size\s+= 500 -> 100000/);
  expect(plan.output).toMatch(/~ paused\s+= true -> false/);
  expect(plan.output).toMatch(/- "refunds"\s+= "updated_at" -> null/);

  await emulator.resetStats();
  ok(['apply', '-auto-approve']);
  // one PUT (batch size, tables), one resume
  expect(await writes()).toBe(2);
  const fixed = await liveNode(ids.orders);
  expect(fixed.paused).toBe(false);
  expect(fixed.configuration.batch_size).toBe(100000);
  expect(Object.keys(JSON.parse(fixed.configuration.tables as string)).sort()).toEqual([
    'customers',
    'orders',
  ]);
  ok(['plan', '-detailed-exitcode']);
});

test('import {} blocks adopt inputs created through the API, by name and by id; no change and no secret write planned', async () => {
  const hook = await api.createInput({ name: 'legacy-hook', type: 'RESTAPI', configuration: {} });
  // made by an earlier run of this owner: its marker records the password version written
  const db = await api.createInput({
    name: 'legacy-db',
    type: 'ODBC',
    configuration: {
      server: 'db.internal.example',
      port: '5432',
      database: 'legacy',
      db_type: 'psql',
      user: 'replicator',
      password: LEGACY_PASSWORD,
      tables: '{"accounts": "id"}',
      alooma_cdktf: { owner: 'orders-team', secretVersions: [{ path: 'password', version: '1' }] },
    },
  });
  ids.legacy = hook.id;
  ids.legacy_db = db.id;
  writeConfig(
    work.config() +
      `
import {
  to = alooma_input.legacy
  id = "legacy-hook"
}

resource "alooma_input" "legacy" {
  name = "legacy-hook"
  type = "RESTAPI"
}

import {
  to = alooma_database_input.legacy_db
  id = "${db.id}"
}

resource "alooma_database_input" "legacy_db" {
  name             = "legacy-db"
  server           = "db.internal.example"
  port             = 5432
  database         = "legacy"
  db_type          = "psql"
  user             = "replicator"
  password         = var.db_password
  password_version = "1"
  tables           = { accounts = "id" }
}
`,
  );
  await emulator.resetStats();
  const plan = ok(['plan', '-detailed-exitcode'], {}, [2]);
  expect(plan.output).toContain('Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.');
  ok(['apply', '-auto-approve']);
  expect(await writes()).toBe(0);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'));
  const idOf = (name: string) =>
    state.resources.find((r: { name: string }) => r.name === name).instances[0].attributes.id;
  expect(idOf('legacy')).toBe(hook.id);
  expect(idOf('legacy_db')).toBe(db.id);
  const again = ok(['plan', '-detailed-exitcode']);
  expect(again.output).toContain('No changes.');
  // the stored password is the one the earlier run wrote, not this configuration's
  expect(await emulator.secretMatches(db.id, 'password', LEGACY_PASSWORD)).toBe(true);
});

test("import refuses system inputs, another owner's inputs and the wrong type", async () => {
  const nodes = await api.listInputs();
  const restream = nodes.find((n) => n.type === 'RESTREAM')!;
  const foreign = await api.createInput({
    name: 'foreign-hook',
    type: 'RESTAPI',
    configuration: { alooma_cdktf: { owner: 'billing-team' } },
  });
  const good = work.config();
  const attempt = (to: string, resource: string, id: string) => {
    writeConfig(`${good}\nimport {\n  to = ${to}\n  id = "${id}"\n}\n\n${resource}\n`);
    const plan = tf(['plan']);
    writeConfig(good);
    expect(plan.code).toBe(1);
    return plan.output.replace(/\s+/g, ' ');
  };
  const hook = (name: string) =>
    `resource "alooma_input" "probe" {\n  name = "${name}"\n  type = "RESTAPI"\n}`;
  expect(attempt('alooma_input.probe', hook('Restream'), restream.id)).toContain(
    'system inputs are managed by Alooma and cannot be imported',
  );
  expect(attempt('alooma_input.probe', hook('foreign-hook'), foreign.id)).toContain(
    `is managed by owner "billing-team", not "orders-team"`,
  );
  expect(
    attempt(
      'alooma_s3_input.probe',
      'resource "alooma_s3_input" "probe" {\n  name = "legacy-hook"\n  bucket = "b"\n}',
      ids.legacy,
    ),
  ).toContain('is of type RESTAPI, which alooma_s3_input does not manage');
  await api.deleteInput(foreign.id);
});

test('a rename is an in-place update that keeps the id', async () => {
  writeConfig(edit('name     = "orders-api"', 'name     = "orders-api-v2"'));
  const plan = ok(['plan', '-detailed-exitcode'], {}, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  expect(plan.output).toMatch(/~ name\s+= "orders-api" -> "orders-api-v2"/);
  await emulator.resetStats();
  ok(['apply', '-auto-approve']);
  expect(await writes()).toBe(1);
  const node = await liveNode(ids.orders_api);
  expect(node.name).toBe('orders-api-v2');
  // the secret parameter was not written again
  const [last] = await api.getHistory(ids.orders_api);
  expect(last.changes.map((c) => c.field)).toEqual(['name']);
});

test('password rotation by password_version: exactly one secret write', async () => {
  writeConfig(edit('password_version = "1"', 'password_version = "2"'));
  const rotated = { TF_VAR_db_password: DB_ROTATED };
  const plan = ok(['plan', '-detailed-exitcode'], rotated, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  expect(plan.output).toMatch(/~ password_version\s+= "1" -> "2"/);
  const before = (await api.getHistory()).length;
  await emulator.resetStats();
  // with the provider's debug log on stderr: it must hold no secret either (checked at the end)
  const apply = ok(['apply', '-auto-approve'], { ...rotated, TF_LOG_PROVIDER: 'debug' });
  expect(apply.output).toMatch(/alooma request.*PUT/);
  expect(await writes()).toBe(1);
  const history = await api.getHistory();
  const entries = history.slice(0, history.length - before);
  expect(entries).toHaveLength(1);
  expect(entries[0].inputId).toBe(ids.orders);
  expect(entries[0].changes.filter((c) => c.secret)).toEqual([{ field: 'password', secret: true }]);
  expect(await emulator.secretMatches(ids.orders, 'password', DB_ROTATED)).toBe(true);
  env.TF_VAR_db_password = DB_ROTATED;
  ok(['plan', '-detailed-exitcode']);
});

test('a saved plan file holds the sensitive variable and not the ephemeral ones', () => {
  writeConfig(edit('secret_access_key_version = "1"', 'secret_access_key_version = "2"'));
  ok(['plan', '-out=tfplan'], {}, [0]);
  const unzip = spawnSync('unzip', ['-p', path.join(dir, 'tfplan')], { encoding: 'latin1' });
  if (unzip.error) throw new Error(`this test needs unzip: ${unzip.error.message}`);
  const contents = unzip.stdout;
  expect(contents.length).toBeGreaterThan(0);
  expect(contents).toContain(AWS_SECRET);
  expect(contents).not.toContain(DB_ROTATED);
  expect(contents).not.toContain(API_TOKEN);
  fs.rmSync(path.join(dir, 'tfplan'));
  writeConfig(edit('secret_access_key_version = "2"', 'secret_access_key_version = "1"'));
});

test('retain_on_delete: removing the block keeps the input', async () => {
  writeConfig(
    edit(
      'secret_access_key_version = "1"\n',
      'secret_access_key_version = "1"\n  retain_on_delete          = true\n',
    ),
  );
  await emulator.resetStats();
  const apply = ok(['apply', '-auto-approve']);
  expect(apply.output).toContain('0 added, 1 changed, 0 destroyed');
  expect(await writes()).toBe(0);
  const config = work.config();
  const start = config.indexOf('resource "alooma_s3_input" "exports"');
  const end = config.indexOf('\n}\n', start) + 3;
  writeConfig(config.slice(0, start) + config.slice(end));
  const plan = ok(['plan', '-detailed-exitcode'], {}, [2]);
  expect(plan.output).toContain('Plan: 0 to add, 0 to change, 1 to destroy.');
  ok(['apply', '-auto-approve']);
  expect(await writes()).toBe(0);
  expect((await liveNode(ids.exports)).name).toBe('orders-exports');
});

test('destroy deletes the rest', async () => {
  await emulator.resetStats();
  const destroy = ok(['destroy', '-auto-approve']);
  expect(destroy.output).toContain('Destroy complete! Resources: 5 destroyed.');
  expect(await writes()).toBe(5);
  const left = (await api.listInputs()).map((n) => n.id);
  for (const name of ['orders', 'orders_api', 'webhook', 'legacy', 'legacy_db'])
    expect(left).not.toContain(ids[name]);
  expect(left).toContain(ids.exports);
});

test('secrets and their SHA-256 are nowhere: state files, every command output, the API answers', async () => {
  // every file Terraform wrote here: the state, its backup, the lock file (providers apart)
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
  expect(files).toEqual(expect.arrayContaining(['terraform.tfstate', 'terraform.tfstate.backup']));
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'latin1');
    expect(SECRETS.filter((s) => text.includes(s)).map((s) => `${file}: ${s}`)).toEqual([]);
  }
  for (const output of outputs) for (const secret of SECRETS) expect(output).not.toContain(secret);
  for (const route of ['plumbing/?resolution=1min', 'inputs', 'history']) {
    const res = await fetch(`${emulator.url}/rest/${route}`, {
      headers: { authorization: 'API demo-key', connection: 'close' },
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
});
