/**
 * The provider with the rest of a Terraform configuration, from plain HCL
 * under real terraform 1.11 against a real emulator process:
 *
 * - `terraform import` (the command) by id and by name, refused when the
 *   name is ambiguous;
 * - a refresh whose structure read meets only 5xx answers fails and drops
 *   nothing from state; an input deleted in Alooma (absent from the read)
 *   is the one thing Read calls gone;
 * - references: a database input whose `server` is a `terraform_data`
 *   output (known only after apply) and whose password is an ephemeral
 *   variable: plan shows (known after apply), apply writes once, the
 *   password is in no state; a port from a `terraform_data` output that
 *   breaks a rule (70000) is refused at apply before that input is written.
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
import { writeCount } from '../helpers/runtime-cli';
import {
  countByName,
  header,
  makeWorkdir,
  PROVIDER_BUNDLE,
  requireBundles,
  type Workdir,
} from '../helpers/provider-workdir';

jest.setTimeout(300_000);

const OWNER = 'refs-team';
const DB_PASSWORD = 'Refs-Ephemeral-Secret-7731';

let root: string;
let emulator: EmulatorProcess;
let api: AloomaClient;

beforeAll(async () => {
  requireBundles([PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-stress-refs-'));
  emulator = await startEmulatorProcess();
  api = new AloomaClient({ baseUrl: emulator.url, auth: { kind: 'apiKey', apiKey: 'demo-key' } });
});

afterAll(async () => {
  api?.close();
  await emulator?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

async function writes(): Promise<number> {
  return writeCount(await emulator.stats());
}

const hook = (name: string, resource: string) => `
resource "alooma_input" "${resource}" {
  name = "${name}"
  type = "RESTAPI"
}
`;

describe('terraform import, and refresh under 5xx', () => {
  let work: Workdir;
  const ids: Record<string, string> = {};

  test('terraform import by id and by name: both adopted, no change planned, 0 writes', async () => {
    ids.byId = (
      await api.createInput({ name: 'cli-by-id', type: 'RESTAPI', configuration: {} })
    ).id;
    ids.byName = (
      await api.createInput({ name: 'cli-by-name', type: 'RESTAPI', configuration: {} })
    ).id;
    work = makeWorkdir(
      root,
      'import',
      emulator,
      header(OWNER) + hook('cli-by-id', 'by_id') + hook('cli-by-name', 'by_name'),
    );
    await emulator.resetStats();
    const byId = work.ok(['import', '-input=false', 'alooma_input.by_id', ids.byId]);
    expect(byId.output).toContain('Import successful!');
    const byName = work.ok(['import', '-input=false', 'alooma_input.by_name', 'cli-by-name']);
    expect(byName.output).toContain('Import successful!');
    const state = work.stateIds();
    expect(state.get('alooma_input.by_id')).toBe(ids.byId);
    expect(state.get('alooma_input.by_name')).toBe(ids.byName);
    const plan = work.ok(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.output).toContain('No changes.');
    expect(await writes()).toBe(0);
  });

  test('terraform import by a name two inputs carry is refused and records nothing', async () => {
    await api.createInput({ name: 'cli-twin', type: 'RESTAPI', configuration: {} });
    await api.createInput({ name: 'cli-twin', type: 'RESTAPI', configuration: {} });
    work.write(
      header(OWNER) +
        hook('cli-by-id', 'by_id') +
        hook('cli-by-name', 'by_name') +
        hook('cli-twin', 'twin'),
    );
    const before = work.stateText();
    const twin = work.tf(['import', '-input=false', 'alooma_input.twin', 'cli-twin']);
    expect(twin.code).toBe(1);
    expect(twin.output.replace(/\s+/g, ' ')).toContain('2 inputs carry that name');
    expect(work.stateText()).toBe(before);
    work.write(header(OWNER) + hook('cli-by-id', 'by_id') + hook('cli-by-name', 'by_name'));
  });

  test('a refresh that meets only 503s fails and drops nothing from state', async () => {
    const before = work.stateText();
    await emulator.setFaults({ errorRate: 1 });
    const refresh = work.tf(['apply', '-refresh-only', '-auto-approve', '-input=false']);
    await emulator.setFaults({});
    expect(refresh.code).toBe(1);
    expect(refresh.output).not.toContain('has been deleted');
    // the state file is as it was: both resources, their ids
    expect(work.stateText()).toBe(before);
    const state = work.stateIds();
    expect(state.get('alooma_input.by_id')).toBe(ids.byId);
    expect(state.get('alooma_input.by_name')).toBe(ids.byName);
    const plan = work.ok(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.output).toContain('No changes.');
  });

  test('an input deleted in Alooma is gone: refresh drops it, plan creates it again', async () => {
    await api.deleteInput({ id: ids.byName, type: 'RESTAPI' });
    const refresh = work.ok(['apply', '-refresh-only', '-auto-approve', '-input=false']);
    expect(refresh.output).toMatch(/alooma_input\.by_name has been deleted/);
    expect(work.stateIds().has('alooma_input.by_name')).toBe(false);
    expect(work.stateIds().get('alooma_input.by_id')).toBe(ids.byId);
    const plan = work.ok(['plan', '-detailed-exitcode', '-input=false'], [2]);
    expect(plan.output).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  });
});

describe('references and ephemeral values from the rest of the configuration', () => {
  let work: Workdir;
  const base = `
variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "terraform_data" "db_host" {
  input = "refs-db.internal.example"
}

resource "alooma_database_input" "ref" {
  name             = "refs-db"
  server           = terraform_data.db_host.output
  port             = 5432
  database         = "shop"
  db_type          = "psql"
  user             = "replicator"
  password         = var.db_password
  password_version = "1"
  tables = {
    orders = "id"
  }
}
`;
  const badPort = `
resource "terraform_data" "bad_port" {
  input = 70000
}

resource "alooma_database_input" "bad" {
  name             = "refs-bad-db"
  server           = "refs-db.internal.example"
  port             = terraform_data.bad_port.output
  database         = "shop"
  db_type          = "psql"
  user             = "replicator"
  password         = var.db_password
  password_version = "1"
  tables = {
    orders = "id"
  }
}
`;

  test('server from a terraform_data output, password from an ephemeral variable: (known after apply), one write, no secret in state', async () => {
    work = makeWorkdir(root, 'refs', emulator, header(OWNER) + base, {
      TF_VAR_db_password: DB_PASSWORD,
    });
    const plan = work.ok(['plan', '-detailed-exitcode', '-input=false'], [2]);
    expect(plan.output).toContain('Plan: 2 to add, 0 to change, 0 to destroy.');
    expect(plan.output).toMatch(/\+ server\s+= \(known after apply\)/);
    await emulator.resetStats();
    const apply = work.ok(['apply', '-auto-approve', '-input=false']);
    expect(apply.output).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
    expect(await writes()).toBe(1);
    const id = work.stateIds().get('alooma_database_input.ref')!;
    const node = await api.getNode(id);
    expect(node.configuration.server).toBe('refs-db.internal.example');
    expect(await emulator.secretMatches(id, 'password', DB_PASSWORD)).toBe(true);
    expect(work.stateText()).not.toContain(DB_PASSWORD);
    const again = work.ok(['plan', '-detailed-exitcode', '-input=false']);
    expect(again.output).toContain('No changes.');
  });

  test('a port known only at apply that breaks a rule is refused before that input is written', async () => {
    work.write(header(OWNER) + base + badPort);
    // at plan the port is unknown: nothing to judge yet
    const plan = work.ok(['plan', '-detailed-exitcode', '-input=false'], [2]);
    expect(plan.output).toMatch(/\+ port\s+= \(known after apply\)/);
    await emulator.resetStats();
    const apply = work.tf(['apply', '-auto-approve', '-input=false']);
    expect(apply.code).toBe(1);
    // Terraform validates the configuration again once the value is known, during
    // apply; the provider's check before the write (checkAtApply) is the second line
    const diagnostic = apply.output.slice(apply.output.indexOf('Error:')).replace(/\s+/g, ' ');
    expect(diagnostic).toContain('with alooma_database_input.bad');
    expect(diagnostic).toContain('port = terraform_data.bad_port.output');
    expect(diagnostic).toContain('port must be an integer from 1 to 65535');
    // the diagnostic names the attribute, never the value
    expect(diagnostic).not.toContain('70000');
    expect(apply.output).toContain('terraform_data.bad_port: Creation complete');
    expect(await writes()).toBe(0);
    expect((await countByName(emulator)).get('refs-bad-db')).toBeUndefined();
    expect(work.stateIds().has('alooma_database_input.bad')).toBe(false);
    for (const output of work.outputs) expect(output).not.toContain(DB_PASSWORD);
  });
});
