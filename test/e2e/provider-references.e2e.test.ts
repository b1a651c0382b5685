/**
 * Engine "provider" composed with the rest of a configuration, with the real
 * cdktf CLI, real Terraform 1.11 and a real emulator process, offline (no CLI
 * configuration, a throwaway HOME): a host from a plain TerraformVariable
 * (mixed with literal text), a port and a base URL from another resource's
 * output (a `terraform_data`, known only after apply), a plain field (the
 * database name) from a sensitive variable, a password from an ephemeral
 * variable and a REST secret parameter from a sensitive (non-ephemeral) one,
 * both through `AloomaSecret.fromTerraform` and write-only attributes.
 *
 * diff shows `(known after apply)` and `(sensitive value)` as Terraform does
 * -> deploy stores the resolved values -> a deploy again writes nothing ->
 * new variable values update in place (same ids, tables kept) -> a new
 * ephemeral value is written only when its version changes, as exactly one
 * secret write -> a port out of range known only at apply is refused before
 * that input is written -> destroy; the secrets, the sensitive plain value
 * and their SHA-256 are checked in cdktf.out (plan files inflated), state
 * and every command's output. The same composition on the `terraform_data`
 * engine is references.e2e.test.ts.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { fileText, filesUnder } from '../helpers/files';
import { liveInputs, writeCount } from '../helpers/runtime-cli';

jest.setTimeout(600_000);

const TERRAFORM_DATA_MODULE = path.resolve(
  __dirname,
  '../../src/constructs/private/terraform-data',
);
/** From an ephemeral variable: in no file, ever. */
const PASSWORD_1 = 'ProvRef-Ephemeral-Pw-5521';
const PASSWORD_2 = 'ProvRef-Ephemeral-Pw-7730';
/** From a sensitive, non-ephemeral variable: Terraform saves its value in a plan file. */
const API_SECRET = 'ProvRef-Sensitive-Secret-6642';
/** A plain field (the database name) from a sensitive variable: Terraform keeps it in state. */
const DB_NAME_1 = 'ProvRef-Sensitive-Db-3871';
const DB_NAME_2 = 'ProvRef-Sensitive-Db-4418';
const EPHEMERAL = [PASSWORD_1, PASSWORD_2];
const VALUES = [...EPHEMERAL, API_SECRET, DB_NAME_1, DB_NAME_2];
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** Where cdktf keeps the stack's state and the plan file `cdktf diff` saves, relative to the app. */
const STATE = 'terraform.composed.tfstate';
const PLAN = 'cdktf.out/stacks/composed/plan';
const TABLES = { orders: 'xmin::text::bigint', users: 'updated_at' };

let emulator: EmulatorProcess;
let app: CdktfApp;
/** Every command's output, for the checks at the end. */
const outputs: string[] = [];

function mainTs(passwordVersion: string, tables: Record<string, string> = TABLES): string {
  return `
import { App, TerraformStack, TerraformVariable, Token } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaRestInput, AloomaSecret, ephemeralVariable } from ${JSON.stringify(CONSTRUCTS_MODULE)};
import { TerraformData } from ${JSON.stringify(TERRAFORM_DATA_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'composed');
new AloomaConnection(stack, 'Alooma', { engine: 'provider', apiUrl: ${JSON.stringify(emulator.url)} });
const env = new TerraformVariable(stack, 'env', { type: 'string' });
const port = new TerraformVariable(stack, 'port', { type: 'string', default: '5432' });
const dbName = new TerraformVariable(stack, 'db_name', { type: 'string', sensitive: true });
const apiSecret = new TerraformVariable(stack, 'api_secret', { type: 'string', sensitive: true });
const dbPassword = ephemeralVariable(stack, 'db_password', { type: 'string' });
// Another resource whose attributes are only known after it applies.
const endpoint = new TerraformData(stack, 'Endpoint', () => ({
  input: { host: env.stringValue, port: port.stringValue },
}));
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'orders_db',
  source: {
    server: \`\${env.stringValue}-db.internal\`,
    port: Token.asNumber(endpoint.getStringAttribute('output.port')),
    database: dbName.stringValue, dbType: 'psql', user: 'reader',
    password: AloomaSecret.fromTerraform(dbPassword.stringValue, { ephemeral: true, version: ${JSON.stringify(passwordVersion)} }),
  },
  tables: ${JSON.stringify(tables)},
});
const events = new AloomaRestInput(stack, 'Events', {
  name: 'events_api',
  baseUrl: \`https://\${endpoint.getStringAttribute('output.host')}.api.example.com/events\`,
});
events.addParameter({ parameter: 'api_key', secretValue: AloomaSecret.fromTerraform(apiSecret.stringValue, { version: '1' }) });
app.synth();
`;
}

/** Runs cdktf with the Terraform variables `vars` (as TF_VAR_*), offline. */
function cdktf(args: string[], vars: Record<string, string>) {
  const env: NodeJS.ProcessEnv = {
    ALOOMA_API_KEY: 'demo-key',
    // no CLI configuration: no provider_installation, no dev_overrides, no registry
    TF_CLI_CONFIG_FILE: '/dev/null',
  };
  for (const [name, value] of Object.entries(vars)) env[`TF_VAR_${name}`] = value;
  const result = app.cdktf(args, env);
  outputs.push(result.output);
  return result;
}

async function byName(): Promise<Record<string, Record<string, any>>> {
  return Object.fromEntries((await liveInputs(emulator.url)).map((n) => [n.name, n]));
}

async function writes(): Promise<number> {
  return writeCount(await emulator.stats());
}

/** Requests that carried a secret value (not the mask), counted by the emulator. */
async function secretWrites(): Promise<number> {
  return (await emulator.stats())['secret writes'] ?? 0;
}

/** The files under the app (plan files inflated) holding `value`, relative to the app. */
function filesHolding(value: string): string[] {
  return filesUnder(app.dir)
    .filter((f) => fileText(f).includes(value))
    .map((f) => path.relative(app.dir, f));
}

const dev = { env: 'dev', db_name: DB_NAME_1, api_secret: API_SECRET, db_password: PASSWORD_1 };
const prod = { ...dev, env: 'prod', db_name: DB_NAME_2 };

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  app = createCdktfApp('alooma-provider-refs-');
});
afterAll(async () => emulator?.stop());

describe('engine "provider" composed with variables, another resource and Terraform secrets', () => {
  let ordersId: string;
  let eventsId: string;

  test('1. diff shows referenced values as Terraform does; deploy stores the resolved values', async () => {
    app.write({ 'main.ts': mainTs('1') });
    const diff = cdktf(['diff'], dev);
    expect({ code: diff.code, tail: diff.output.slice(-1500) }).toEqual({
      code: 0,
      tail: expect.stringMatching(/Plan: 3 to add, 0 to change, 0 to destroy/),
    });
    expect(diff.output).toMatch(/\+ server\s+= "dev-db\.internal"/);
    expect(diff.output).toMatch(/\+ port\s+= \(known after apply\)/);
    expect(diff.output).toMatch(/\+ base_url\s+= \(known after apply\)/);
    expect(diff.output).toMatch(/\+ database\s+= \(sensitive value\)/);
    expect(diff.output).toMatch(/\+ password\s+= \(write-only attribute\)/);

    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], dev);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/3 added, 0 changed, 0 destroyed/);
    const live = await byName();
    expect(live.orders_db.configuration).toMatchObject({
      server: 'dev-db.internal',
      port: 5432,
      database: DB_NAME_1,
    });
    expect(JSON.parse(live.orders_db.configuration.tables)).toEqual(TABLES);
    expect(live.events_api.configuration.base_url).toBe('https://dev.api.example.com/events');
    expect(await emulator.secretMatches(live.orders_db.id, 'password', PASSWORD_1)).toBe(true);
    expect(
      await emulator.secretMatches(live.events_api.id, 'parameters.api_key.value', API_SECRET),
    ).toBe(true);
    // one create per input, each carrying its secret once
    expect({ writes: await writes(), secretWrites: await secretWrites() }).toEqual({
      writes: 2,
      secretWrites: 2,
    });
    ordersId = live.orders_db.id;
    eventsId = live.events_api.id;
  });

  test('2. a diff and a deploy again with the same values change nothing and write nothing', async () => {
    await emulator.resetStats();
    const diff = cdktf(['diff'], dev);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/No changes/);
    const deploy = cdktf(['deploy', '--auto-approve'], dev);
    expect(deploy.code).toBe(0);
    expect(await writes()).toBe(0);
  });

  test('3. new variable values update both inputs in place: same ids, tables kept, secrets sent again to their new destinations', async () => {
    const diff = cdktf(['diff'], prod);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/Plan: 0 to add, 3 to change, 0 to destroy/);
    expect(diff.output).toMatch(/alooma_database_input\.Orders.* will be updated in-place/);
    expect(diff.output).toMatch(/~ server\s+= "dev-db\.internal" -> "prod-db\.internal"/);
    expect(diff.output).toMatch(/~ database\s+= \(sensitive value\)/);
    expect(diff.output).toMatch(
      /~ base_url\s+= "https:\/\/dev\.api\.example\.com\/events" -> \(known after apply\)/,
    );
    expect(diff.output).not.toMatch(/must be replaced/);

    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], prod);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/0 added, 3 changed, 0 destroyed/);
    const live = await byName();
    expect({ orders: live.orders_db.id, events: live.events_api.id }).toEqual({
      orders: ordersId,
      events: eventsId,
    });
    expect(live.orders_db.configuration).toMatchObject({
      server: 'prod-db.internal',
      database: DB_NAME_2,
    });
    expect(JSON.parse(live.orders_db.configuration.tables)).toEqual(TABLES);
    expect(live.events_api.configuration.base_url).toBe('https://prod.api.example.com/events');
    // One PUT per input. Both moved (server and database; base_url's host), so each PUT carried
    // its secret again from the configuration, versions unchanged: a stored secret never follows
    // a new destination (src/alooma/secret-destination.ts), the emulator refuses the mask there.
    expect({ writes: await writes(), secretWrites: await secretWrites() }).toEqual({
      writes: 2,
      secretWrites: 2,
    });
    expect(await emulator.secretMatches(ordersId, 'password', PASSWORD_1)).toBe(true);
    expect(await emulator.secretMatches(eventsId, 'parameters.api_key.value', API_SECRET)).toBe(
      true,
    );
  });

  test('4. a new ephemeral value is written only when its version changes: exactly one secret write', async () => {
    const next = { ...prod, db_password: PASSWORD_2 };
    const more = { ...TABLES, items: 'updated_at' };
    // A new ephemeral value with an unrelated change (a table added, same destination): the
    // table is written, the password is not ...
    app.write({ 'main.ts': mainTs('1', more) });
    await emulator.resetStats();
    const table = cdktf(['deploy', '--auto-approve'], next);
    expect(table.code).toBe(0);
    expect(table.output).toMatch(/0 added, 1 changed, 0 destroyed/);
    expect({ writes: await writes(), secretWrites: await secretWrites() }).toEqual({
      writes: 1,
      secretWrites: 0,
    });
    expect(JSON.parse((await byName()).orders_db.configuration.tables)).toEqual(more);
    expect(await emulator.secretMatches(ordersId, 'password', PASSWORD_1)).toBe(true);
    // ... its version bump writes it, once.
    app.write({ 'main.ts': mainTs('2', more) });
    const diff = cdktf(['diff'], next);
    expect(diff.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    expect(diff.output).toMatch(/~ password_version\s+= "1" -> "2"/);
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], next);
    expect(deploy.code).toBe(0);
    expect({ writes: await writes(), secretWrites: await secretWrites() }).toEqual({
      writes: 1,
      secretWrites: 1,
    });
    expect(await emulator.secretMatches(ordersId, 'password', PASSWORD_2)).toBe(true);
    expect((await byName()).orders_db.id).toBe(ordersId);
  });

  test('5. a port out of range known only at apply is refused before that input is written', async () => {
    const bad = { ...prod, db_password: PASSWORD_2, port: '70000' };
    // at plan the port is another resource's output, unknown: nothing to judge yet
    const diff = cdktf(['diff'], bad);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/~ port\s+= 5432 -> \(known after apply\)/);
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], bad);
    expect(deploy.code).not.toBe(0);
    const error = deploy.output.slice(deploy.output.indexOf('Error:')).replace(/\s+/g, ' ');
    expect(error).toContain('with alooma_database_input.Orders');
    expect(error).toContain('port must be an integer from 1 to 65535');
    // the diagnostic names the attribute, never the value
    expect(error).not.toContain('70000');
    expect(deploy.output).toMatch(/terraform_data\.Endpoint.*Modifications complete/);
    expect(await writes()).toBe(0);
    expect((await byName()).orders_db.configuration.port).toBe(5432);
  });

  test('6. destroy deletes both inputs', async () => {
    const vars = { ...prod, db_password: PASSWORD_2 };
    // the port back in range first: destroy validates the configuration too
    const fixed = cdktf(['deploy', '--auto-approve'], vars);
    expect(fixed.code).toBe(0);
    await emulator.resetStats();
    const destroy = cdktf(['destroy', '--auto-approve'], vars);
    expect(destroy.code).toBe(0);
    expect(await writes()).toBe(2);
    expect(Object.keys(await byName())).toEqual([]);
  });

  test('7. the secrets, the sensitive plain value and their SHA-256: nowhere but where Terraform keeps them', () => {
    const files = filesUnder(app.dir);
    expect(files.map((f) => path.relative(app.dir, f))).toEqual(
      expect.arrayContaining([STATE, `${STATE}.backup`, PLAN]),
    );
    // every command's output, destroy included: not one value, not one hash
    const printed = outputs.join('\n');
    expect(printed).toMatch(/Destroy complete/);
    expect(VALUES.flatMap((s) => [s, sha256(s)]).filter((s) => printed.includes(s))).toEqual([]);
    // no hash of any value in any file (plan files inflated)
    expect(VALUES.map(sha256).flatMap(filesHolding)).toEqual([]);
    // the ephemeral password, old and new: in no file at all
    expect(EPHEMERAL.flatMap(filesHolding)).toEqual([]);
    // the sensitive variable's value behind a write-only attribute: in no state, only in the
    // plan file cdktf diff saved (README: prefer ephemeral values)
    expect(filesHolding(API_SECRET)).toEqual([PLAN]);
    // The sensitive plain value is an attribute's value: Terraform keeps it in state (masked in
    // output only). After destroy the state holds nothing, its backup (the state before destroy)
    // holds the last value, and the last plan file the variable's value; the first value is gone.
    expect(fileText(path.join(app.dir, STATE))).not.toContain('orders_db');
    expect({ first: filesHolding(DB_NAME_1), last: filesHolding(DB_NAME_2) }).toEqual({
      first: [],
      last: [PLAN, `${STATE}.backup`],
    });
  });
});
