/**
 * Secrets from environment variables on the Alooma provider (`password_env`,
 * `secret_value_env`), under real Terraform 1.11 against a real emulator
 * process, as one ordered story. Terraform passes its environment to the
 * provider: the variable is checked at plan only when the secret is due
 * (create, or its `_version` changed) and read at apply only then.
 *
 * both a value and a variable: refused with the path -> variables unset at
 * create: plan fails naming them, 0 writes -> set: created, each secret
 * written once -> unset again, a table change: planned and applied, 0 secret
 * writes (the variables are not read) -> refresh keeps the names (no change)
 * -> version bump with the variable unset: plan fails; set: written once ->
 * the values are in no state, plan file or command output.
 */
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
import { planFileText } from '../helpers/plan-file';
import {
  diagnostics,
  header,
  hclWorkdir,
  PROVIDER_BUNDLE,
  requireBundles,
  type Workdir,
} from '../helpers/provider-workdir';
import { runCli, writeCount } from '../helpers/runtime-cli';
import type { TerraformResult } from '../helpers/terraform';

jest.setTimeout(300_000);

const DB_VAR = 'ORDERS_DB_PASSWORD';
const TOKEN_VAR = 'ORDERS_API_TOKEN';
const DB_V1 = 'Env-Db-Secret-5521';
const DB_V2 = 'Env-Db-Rotated-7730';
const TOKEN_V1 = 'Env-Api-Token-1864';
const VALUES = [DB_V1, DB_V2, TOKEN_V1];

const CONFIG = `${header('env-team')}
resource "alooma_database_input" "orders" {
  name             = "orders-db"
  server           = "db.internal.example"
  port             = 5432
  database         = "shop"
  db_type          = "psql"
  user             = "replicator"
  password_env     = "${DB_VAR}"
  password_version = "1"
  tables = {
    orders = "xmin::text::bigint"
  }
}

resource "alooma_rest_input" "orders_api" {
  name     = "orders-api"
  base_url = "https://api.example.com/orders"
  parameters = {
    since = { type = "Days Past", value = "3" }
    token = { secret_value_env = "${TOKEN_VAR}", secret_value_version = "1" }
  }
}
`;

let emulator: EmulatorProcess;
let api: AloomaClient;
let root: string;
let work: Workdir;
let dir: string;
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

function edit(from: string, to: string): string {
  return work.edit(from, to);
}

async function writes(): Promise<number> {
  return writeCount(await emulator.stats());
}

/** Writes of an input that changed a secret, from the emulator's history (a secret change reads `secret: true`). */
async function secretWrites(id: string): Promise<number> {
  const res = await fetch(`${emulator.url}/rest/history?input=${encodeURIComponent(id)}`, {
    headers: { authorization: 'API demo-key', connection: 'close' },
  });
  if (!res.ok) throw new Error(`GET history: ${res.status}`);
  const body = (await res.json()) as {
    entries: Array<{ changes: Array<{ field: string; secret?: true }> }>;
  };
  return body.entries.filter((e) => e.changes.some((c) => c.secret === true)).length;
}

beforeAll(async () => {
  requireBundles([PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-env-secrets-e2e-'));
  emulator = await startEmulatorProcess();
  api = new AloomaClient({ baseUrl: emulator.url, auth: { kind: 'apiKey', apiKey: 'demo-key' } });
  // the variables are set per command, never here: each step says what terraform's environment holds
  work = hclWorkdir(root, 'infra', emulator);
  ({ dir, outputs } = work);
});

afterAll(async () => {
  api?.close();
  await emulator?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('install and init offline', () => {
  const install = runCli(['provider', 'install', '--dir', dir]);
  expect(install.code).toBe(0);
  writeConfig(CONFIG);
  ok(['init']);
});

test('a value and a variable for one secret: refused at plan with the path', async () => {
  const good = work.config();
  writeConfig(
    edit(`  password_env     = "${DB_VAR}"`, `  password_env     = "${DB_VAR}"\n  password = "x"`),
  );
  const plan = tf(['plan', '-json'], { [DB_VAR]: DB_V1, [TOKEN_VAR]: TOKEN_V1 });
  writeConfig(good);
  expect(plan.code).toBe(1);
  const [d, ...rest] = diagnostics(plan);
  expect(rest).toEqual([]);
  expect(d.address).toBe('alooma_database_input.orders');
  expect(d.detail).toContain('password_env must not be set with password');
  expect(d.snippet.code).toContain('password_env');
});

test('variables unset at create: plan fails on each _env attribute, naming the variable; nothing written', async () => {
  await emulator.resetStats();
  const plan = tf(['plan', '-json']);
  expect(plan.code).toBe(1);
  const found = diagnostics(plan);
  expect(found).toHaveLength(2);
  const byAddress = Object.fromEntries(found.map((d) => [d.address, d]));
  const db = byAddress['alooma_database_input.orders'];
  expect(db.summary).toBe('Secret environment variable not set');
  expect(db.detail).toContain(`password_env names the environment variable ${DB_VAR}`);
  expect(db.snippet.code).toContain('password_env');
  const rest = byAddress['alooma_rest_input.orders_api'];
  expect(rest.detail).toContain(
    `parameters["token"].secret_value_env names the environment variable ${TOKEN_VAR}`,
  );
  expect(await writes()).toBe(0);
  // one set, one not: only the unset one is named
  const half = tf(['plan'], { [DB_VAR]: DB_V1 });
  expect(half.code).toBe(1);
  expect(half.output).toContain(TOKEN_VAR);
  expect(half.output).not.toContain(`variable ${DB_VAR}`);
});

test('variables set: create writes each secret once (TF_LOG=trace); state holds the names, never the values', async () => {
  await emulator.resetStats();
  // with Terraform's and the provider's logs at their most verbose: checked for the values at the end
  const apply = ok(['apply', '-auto-approve'], {
    [DB_VAR]: DB_V1,
    [TOKEN_VAR]: TOKEN_V1,
    TF_LOG: 'trace',
  });
  expect(apply.output).toContain('alooma_database_input.orders');
  expect(apply.output).toMatch(/\[TRACE\]/);
  expect(apply.output).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
  expect(await writes()).toBe(2);
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'));
  for (const r of state.resources) ids[r.name] = r.instances[0].attributes.id;
  const db = state.resources.find((r: any) => r.name === 'orders').instances[0].attributes;
  expect(db.password_env).toBe(DB_VAR);
  expect(db.password).toBeNull();
  expect(await emulator.secretMatches(ids.orders, 'password', DB_V1)).toBe(true);
  expect(await emulator.secretMatches(ids.orders_api, 'parameters.token.value', TOKEN_V1)).toBe(
    true,
  );
  // the history flags a write that changed a top-level secret (a parameter's shows as parameters)
  expect(await secretWrites(ids.orders)).toBe(1);
});

test('variables unset, versions unchanged: refresh plans no change; a table change applies with 0 secret writes (the variables are not read)', async () => {
  const plan = ok(['plan', '-detailed-exitcode']);
  expect(plan.output).toContain('No changes. Your infrastructure matches the configuration.');
  writeConfig(
    edit(
      '    orders = "xmin::text::bigint"',
      '    orders = "xmin::text::bigint"\n    customers = "id"',
    ),
  );
  await emulator.resetStats();
  const apply = ok(['apply', '-auto-approve']);
  expect(apply.output).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
  expect(await writes()).toBe(1);
  expect(await secretWrites(ids.orders)).toBe(1);
  expect(await emulator.secretMatches(ids.orders, 'password', DB_V1)).toBe(true);
  const live = await api.getNode(ids.orders);
  expect(JSON.parse(live.configuration.tables as string)).toEqual({
    orders: 'xmin::text::bigint',
    customers: 'id',
  });
});

test('version bump: plan fails while the variable is unset; set, the new value is read and written once', async () => {
  writeConfig(edit('  password_version = "1"', '  password_version = "2"'));
  const refused = tf(['plan']);
  expect(refused.code).toBe(1);
  expect(refused.output).toContain(`environment variable ${DB_VAR}`);
  // the REST token's version did not change: its variable is not asked for
  expect(refused.output).not.toContain(TOKEN_VAR);
  await emulator.resetStats();
  const apply = ok(['apply', '-auto-approve'], { [DB_VAR]: DB_V2 });
  expect(apply.output).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
  expect(await writes()).toBe(1);
  expect(await secretWrites(ids.orders)).toBe(2);
  expect(await emulator.secretMatches(ids.orders, 'password', DB_V2)).toBe(true);
  expect(await emulator.secretMatches(ids.orders_api, 'parameters.token.value', TOKEN_V1)).toBe(
    true,
  );
});

test('the values are in no state, saved plan file or command output (trace logs included)', () => {
  writeConfig(edit('  password_version = "2"', '  password_version = "3"'));
  ok(['plan', '-out=tfplan'], { [DB_VAR]: DB_V1 });
  const planFile = planFileText(path.join(dir, 'tfplan'));
  // the reader sees into the plan file: the variable's name is there
  expect(planFile).toContain(DB_VAR);
  const shown = ok(['show', '-json', 'tfplan']).stdout;
  const files = [
    fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'),
    ...['terraform.tfstate.backup']
      .map((f) => path.join(dir, f))
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f, 'utf8')),
    shown,
    ...outputs,
  ];
  for (const value of VALUES) {
    for (const text of files) expect(text).not.toContain(value);
    expect(planFile).not.toContain(value);
  }
});
