/**
 * The provider framework under real Terraform 1.11, as one ordered story:
 * a test-only provider (echo-provider.ts) built on the framework, bundled
 * like dist/provider.js and found through a `dev_overrides` CLI
 * configuration, driven through plan -> apply -> plan (no changes) -> an
 * in-place map change -> drift made out of band, shown by refresh and put
 * back -> a password rotation -> an `import {}` block -> destroy. The
 * password comes from an ephemeral variable and must be in no state file;
 * every provider process must end through go-plugin's Shutdown.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { filesHoldingSecrets } from '../helpers/files';
import { terraform, type TerraformResult } from '../helpers/terraform';
import type { EchoItem } from './echo-provider';
import { bundleProvider, writeWrapper } from './provider-bundle';

jest.setTimeout(180_000);

const PASSWORD = 'Echo-Ephemeral-Secret-5531';
const ROTATED = 'Echo-Rotated-Secret-7720';
const SECRETS = [
  PASSWORD,
  ROTATED,
  ...[PASSWORD, ROTATED].map((s) => createHash('sha256').update(s).digest('hex')),
];

let root: string;
let work: string;
let store: string;
let events: string;
let env: NodeJS.ProcessEnv;
const timings: Record<string, number> = {};

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'echo-provider-e2e-'));
  work = path.join(root, 'work');
  store = path.join(root, 'store');
  events = path.join(root, 'events.log');
  fs.mkdirSync(work);
  const bundle = path.join(root, 'echo-provider.js');
  await bundleProvider('test/provider/echo-provider-main.ts', bundle);
  const bin = path.join(root, 'bin');
  writeWrapper(bin, 'echo', bundle);
  const cliConfig = path.join(root, 'cli.tfrc');
  fs.writeFileSync(
    cliConfig,
    `provider_installation {\n  dev_overrides {\n    "example.invalid/test/echo" = ${JSON.stringify(bin)}\n  }\n  direct {}\n}\n`,
  );
  env = { TF_CLI_CONFIG_FILE: cliConfig, TF_VAR_password: PASSWORD, ECHO_EVENTS: events };
});

afterAll(() => {
  // the numbers this story measured, for the report
  console.log(`echo provider e2e timings (ms): ${JSON.stringify(timings)}`);
  fs.rmSync(root, { recursive: true, force: true });
});

interface Knobs {
  tables: Record<string, string>;
  passwordVersion: string;
  imported?: boolean;
}

function writeConfig(k: Knobs): void {
  const imported = k.imported
    ? `
import {
  to = echo_item.legacy
  id = "item-legacy"
}
resource "echo_item" "legacy" {
  name             = "legacy"
  tables           = { accounts = "id" }
  password         = var.password
  password_version = "1"
}
`
    : '';
  fs.writeFileSync(
    path.join(work, 'main.tf'),
    `
terraform {
  required_providers {
    echo = { source = "example.invalid/test/echo" }
  }
}
provider "echo" {
  directory = ${JSON.stringify(store)}
}
variable "password" {
  type      = string
  ephemeral = true
  sensitive = true
}
resource "echo_item" "orders" {
  name             = "orders"
  tables           = ${JSON.stringify(k.tables).replace(/":/g, '" =')}
  password         = var.password
  password_version = ${JSON.stringify(k.passwordVersion)}
}
${imported}`,
  );
}

/** Runs terraform in the work directory, timing it and checking that no secret reached its output. */
function tf(label: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): TerraformResult {
  const started = Date.now();
  const result = terraform(work, [...args, '-no-color'], { ...env, ...extraEnv });
  timings[label] = Date.now() - started;
  for (const secret of SECRETS) expect(result.output).not.toContain(secret);
  return result;
}

function tfOk(
  label: string,
  args: string[],
  extraEnv: NodeJS.ProcessEnv = {},
  okCodes = [0],
): TerraformResult {
  const result = tf(label, args, extraEnv);
  if (!okCodes.includes(result.code))
    throw new Error(`terraform ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  return result;
}

function items(): Record<string, EchoItem> {
  if (!fs.existsSync(store)) return {};
  return Object.fromEntries(
    fs
      .readdirSync(store)
      .map((f) => [
        f.replace(/\.json$/, ''),
        JSON.parse(fs.readFileSync(path.join(store, f), 'utf8')) as EchoItem,
      ]),
  );
}

function editItem(id: string, change: (item: EchoItem) => void): void {
  const file = path.join(store, `${id}.json`);
  const item = JSON.parse(fs.readFileSync(file, 'utf8')) as EchoItem;
  change(item);
  fs.writeFileSync(file, JSON.stringify(item));
}

interface StateResource {
  type: string;
  name: string;
  instances: Array<{ attributes: Record<string, unknown>; schema_version: number }>;
}

function state(): StateResource[] {
  return (
    JSON.parse(fs.readFileSync(path.join(work, 'terraform.tfstate'), 'utf8')) as {
      resources: StateResource[];
    }
  ).resources;
}

/** The provider processes since the last call: how many started, and whether each ended through Shutdown. */
function processes(): { started: number; shutDown: number; lifetimesMs: number[] } {
  const lines = fs.existsSync(events)
    ? fs.readFileSync(events, 'utf8').trim().split('\n').filter(Boolean)
    : [];
  fs.rmSync(events, { force: true });
  const starts = new Map<string, number>();
  const lifetimesMs: number[] = [];
  let shutDown = 0;
  for (const line of lines) {
    const [what, pid, at] = line.split(' ');
    if (what === 'start') starts.set(pid, Number(at));
    if (what === 'shutdown' && starts.has(pid)) {
      shutDown++;
      lifetimesMs.push(Number(at) - starts.get(pid)!);
    }
  }
  return { started: starts.size, shutDown, lifetimesMs };
}

function expectNoSecretsOnDisk(): void {
  expect(filesHoldingSecrets(work, SECRETS)).toEqual([]);
}

let ordersId: string;

test('1. plan: one item to add, the password shown as write-only; every provider process ends through Shutdown', () => {
  writeConfig({ tables: { users: 'id', orders: 'updated_at' }, passwordVersion: '1' });
  processes();
  const plan = tfOk('plan create', ['plan']);
  expect(plan.output).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  expect(plan.output).toMatch(/\+ password\s+= \(write-only attribute\)/);
  expect(plan.output).toMatch(/\+ mode\s+= "standard"/);
  expect(plan.output).toMatch(/\+ id\s+= \(known after apply\)/);
  const p = processes();
  expect(p.started).toBeGreaterThanOrEqual(1);
  // without Shutdown, Terraform waits ~2 s and kills each process: none would record its shutdown
  expect(p.shutDown).toBe(p.started);
  timings['plan processes'] = p.started;
  timings['plan slowest process lifetime'] = Math.max(...p.lifetimesMs);
  expect(Math.max(...p.lifetimesMs)).toBeLessThan(10_000);
});

test('2. apply: the item is created with the password from the ephemeral variable, which no state file holds', () => {
  const apply = tfOk('apply create', ['apply', '-auto-approve']);
  expect(apply.output).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');
  const all = Object.entries(items());
  expect(all).toHaveLength(1);
  const [id, item] = all[0];
  ordersId = id;
  expect(item).toEqual({
    name: 'orders',
    tables: { orders: 'updated_at', users: 'id' },
    mode: 'standard',
    password: PASSWORD,
    password_version: '1',
    password_writes: 1,
  });
  const [orders] = state();
  expect(orders.instances[0].attributes).toEqual({
    id,
    name: 'orders',
    tables: { orders: 'updated_at', users: 'id' },
    mode: 'standard',
    password: null,
    password_version: '1',
  });
  expect(orders.instances[0].schema_version).toBe(1);
  expectNoSecretsOnDisk();
  const p = processes();
  expect(p.shutDown).toBe(p.started);
  timings['apply processes'] = p.started;
});

test("3. plan again: no changes; with TF_LOG_PROVIDER, Terraform shows the provider's log lines at their level", () => {
  const plan = tfOk('plan no-op', ['plan', '-detailed-exitcode'], { TF_LOG_PROVIDER: 'DEBUG' });
  expect(plan.stdout).toContain('No changes.');
  expect(plan.code).toBe(0);
  // parsed as hclog JSON by go-plugin, not passed through raw; go-plugin prints
  // the fields in map order, which varies from run to run: check each one
  const serving = plan.stderr
    .split('\n')
    .filter((line) => /\[DEBUG\] provider\.terraform-provider-echo: plugin: serving: /.test(line));
  expect(serving.length).toBeGreaterThan(0);
  for (const line of serving) {
    expect(line).toMatch(/ @module=terraform-provider-echo( |$)/);
    expect(line).toMatch(/ socket=\S+plugin\.sock( |$)/);
    expect(line).toMatch(/ protocol=6( |$)/);
  }
  expect(plan.stderr).not.toContain('"@message"');
});

test('4. a table added in code: an in-place update of that key only, the id kept, the password not written again', () => {
  writeConfig({
    tables: { users: 'id', orders: 'updated_at', items: 'updated_at' },
    passwordVersion: '1',
  });
  const plan = tfOk('plan map change', ['plan']);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  expect(plan.output).toMatch(/~ update in-place/);
  expect(plan.output).toMatch(/\+ "items"\s+= "updated_at"/);
  expect(plan.output).not.toMatch(/must be replaced|-\/\+/);
  // the id is kept: shown unchanged, not "-> (known after apply)"
  expect(plan.output).toMatch(new RegExp(`^\\s+id\\s+= "${ordersId}"$`, 'm'));
  tfOk('apply map change', ['apply', '-auto-approve']);
  expect(items()[ordersId]).toMatchObject({
    tables: { items: 'updated_at', orders: 'updated_at', users: 'id' },
    password_writes: 1,
  });
  expect(tfOk('plan after map change', ['plan', '-detailed-exitcode']).code).toBe(0);
});

test('5. drift made out of band (a table added, the mode changed) shows in refresh and plan, and apply puts it back', () => {
  editItem(ordersId, (item) => {
    item.tables = { ...item.tables, extra: 'x' };
    item.mode = 'fast';
  });
  const refresh = tfOk('plan -refresh-only', ['plan', '-refresh-only']);
  expect(refresh.output).toContain('Objects have changed outside of Terraform');
  expect(refresh.output).toMatch(/\+ "extra"\s+= "x"/);
  expect(refresh.output).toMatch(/~ mode\s+= "standard" -> "fast"/);

  const plan = tfOk('plan drift', ['plan']);
  expect(plan.output).toMatch(/- "extra"\s+= "x" -> null/);
  expect(plan.output).toMatch(/~ mode\s+= "fast" -> "standard"/);
  expect(plan.output).toContain('Plan: 0 to add, 1 to change, 0 to destroy.');
  tfOk('apply drift', ['apply', '-auto-approve']);
  expect(items()[ordersId]).toMatchObject({
    tables: { items: 'updated_at', orders: 'updated_at', users: 'id' },
    mode: 'standard',
    password_writes: 1,
  });
});

test('6. a new password_version writes the new password; neither password is in any state file', () => {
  writeConfig({
    tables: { users: 'id', orders: 'updated_at', items: 'updated_at' },
    passwordVersion: '2',
  });
  const plan = tfOk('plan rotate', ['plan'], { TF_VAR_password: ROTATED });
  expect(plan.output).toMatch(/~ password_version\s+= "1" -> "2"/);
  tfOk('apply rotate', ['apply', '-auto-approve'], { TF_VAR_password: ROTATED });
  expect(items()[ordersId]).toMatchObject({
    password: ROTATED,
    password_version: '2',
    password_writes: 2,
  });
  expectNoSecretsOnDisk();
});

test('7. an import {} block adopts an item made out of band, planning no change and no password write; the next plan is clean', () => {
  fs.writeFileSync(
    path.join(store, 'item-legacy.json'),
    JSON.stringify({
      name: 'legacy',
      tables: { accounts: 'id' },
      mode: 'standard',
      password: 'set-elsewhere',
      password_version: '1',
      password_writes: 1,
    } satisfies EchoItem),
  );
  writeConfig({
    tables: { users: 'id', orders: 'updated_at', items: 'updated_at' },
    passwordVersion: '2',
    imported: true,
  });
  const plan = tfOk('plan import', ['plan'], { TF_VAR_password: ROTATED });
  expect(plan.output).toContain('Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.');
  tfOk('apply import', ['apply', '-auto-approve'], { TF_VAR_password: ROTATED });
  expect(items()['item-legacy']).toMatchObject({ password: 'set-elsewhere', password_writes: 1 });
  expect(
    state()
      .map((r) => `${r.type}.${r.name}`)
      .sort(),
  ).toEqual(['echo_item.legacy', 'echo_item.orders']);
  expect(
    tfOk('plan after import', ['plan', '-detailed-exitcode'], { TF_VAR_password: ROTATED }).code,
  ).toBe(0);
  expectNoSecretsOnDisk();
});

test('8. destroy: both items deleted, the state empty, no secret left anywhere', () => {
  const destroy = tfOk('destroy', ['destroy', '-auto-approve'], { TF_VAR_password: ROTATED });
  expect(destroy.output).toContain('Destroy complete! Resources: 2 destroyed.');
  expect(items()).toEqual({});
  expect(state()).toEqual([]);
  expectNoSecretsOnDisk();
  const p = processes();
  expect(p.shutDown).toBe(p.started);
});
