/**
 * Composing with the rest of the infrastructure, with the real cdktf CLI,
 * real terraform and a real emulator process: a host from a
 * TerraformVariable (mixed with literal text), a port from a variable, a base
 * URL only known after apply (the output of another resource), a password
 * from a sensitive variable, a REST password from an ephemeral one, a REST
 * secret parameter from a variable Terraform does not know to be sensitive,
 * and a plain field (the database name) from a sensitive variable. Checks
 * what Alooma stores, in-place updates with the same id, how often secrets
 * are sent (counted at the emulator), rotation, a bad resolved value refused
 * before any write, and that the secrets, the sensitive plain value and the
 * secrets' hashes appear nowhere (deploy, report, next plan, destroy) while
 * the runtime's summary stays visible.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs, writeCount } from '../helpers/runtime-cli';
import { filesHoldingSecrets, filesUnder } from '../helpers/files';
import { secretMatches } from '../emulator/helpers';

jest.setTimeout(600_000);

const TERRAFORM_DATA_MODULE = path.resolve(
  __dirname,
  '../../src/constructs/private/terraform-data',
);
const PASSWORD_1 = 'Ref-Sensitive-Pw-5521';
const PASSWORD_2 = 'Ref-Sensitive-Pw-7730';
const TOKEN_1 = 'Ref-Ephemeral-Tok-3309';
const TOKEN_2 = 'Ref-Ephemeral-Tok-9184';
/** A secret from a variable that Terraform does not know to be sensitive. */
const API_SECRET = 'Ref-Unmarked-Secret-6642';
/** A plain field (the database name) from a sensitive variable. */
const DB_NAME_1 = 'Ref-Sensitive-Db-3871';
const DB_NAME_2 = 'Ref-Sensitive-Db-4418';
/** The API key from Terraform is a secret too (the emulator's default key). */
const SECRETS = [
  PASSWORD_1,
  PASSWORD_2,
  TOKEN_1,
  TOKEN_2,
  API_SECRET,
  DB_NAME_1,
  DB_NAME_2,
  'demo-key',
];
/** Where each hashed secret goes (`<input>/<path>`): the salt of its hash in the triggers. */
const SECRET_LABELS = ['orders_db/password', 'events_api/parameters.api_key.value'];

let emulator: EmulatorProcess;
let app: CdktfApp;
const outputs: string[] = [];

function mainTs(tokenVersion: string): string {
  return `
import { App, TerraformStack, TerraformVariable, Token } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaRestInput, AloomaSecret, ephemeralVariable } from ${JSON.stringify(CONSTRUCTS_MODULE)};
import { TerraformData } from ${JSON.stringify(TERRAFORM_DATA_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'composed');
const aloomaKey = new TerraformVariable(stack, 'alooma_api_key', { type: 'string', sensitive: true });
new AloomaConnection(stack, 'Alooma', {
  apiUrl: ${JSON.stringify(emulator.url)},
  apiKey: AloomaSecret.fromTerraform(aloomaKey.stringValue),
  engine: 'terraform_data',
});
const env = new TerraformVariable(stack, 'env', { type: 'string' });
const port = new TerraformVariable(stack, 'port', { type: 'string', default: '5432' });
const dbPassword = new TerraformVariable(stack, 'db_password', { type: 'string', sensitive: true });
const dbName = new TerraformVariable(stack, 'db_name', { type: 'string', sensitive: true });
const apiSecret = new TerraformVariable(stack, 'api_secret', { type: 'string' });
const apiToken = ephemeralVariable(stack, 'api_token', { type: 'string' });
// Another resource whose attribute is only known after apply.
const endpoint = new TerraformData(stack, 'Endpoint', () => ({ input: { host: env.stringValue } }));
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'orders_db',
  source: {
    server: \`\${env.stringValue}-db.internal\`,
    port: Token.asNumber(port.stringValue),
    database: dbName.stringValue, dbType: 'psql', user: 'reader',
    password: AloomaSecret.fromTerraform(dbPassword.stringValue),
  },
  tables: { orders: 'xmin::text::bigint' },
});
const events = new AloomaRestInput(stack, 'Events', {
  name: 'events_api',
  baseUrl: \`https://\${endpoint.getStringAttribute('output.host')}.api.example.com/events\`,
  username: 'svc',
  password: AloomaSecret.fromTerraform(apiToken.stringValue, { ephemeral: true, version: ${JSON.stringify(tokenVersion)} }),
});
events.addParameter({ parameter: 'api_key', secretValue: AloomaSecret.fromTerraform(apiSecret.stringValue) });
app.synth();
`;
}

/**
 * Runs cdktf with Terraform variables. The API key reaches deploys from
 * Terraform only; `diff` (the live report) and destroy-time steps take it
 * from the environment when `withEnvKey`.
 */
function cdktf(args: string[], vars: Record<string, string>, withEnvKey = args[0] === 'diff') {
  const env: NodeJS.ProcessEnv = {
    ALOOMA_API_URL: emulator.url,
    TF_VAR_alooma_api_key: 'demo-key',
    ...(withEnvKey ? { ALOOMA_API_KEY: 'demo-key' } : {}),
  };
  for (const [name, value] of Object.entries(vars)) env[`TF_VAR_${name}`] = value;
  const result = app.cdktf(args, env);
  outputs.push(result.output);
  return result;
}

async function byName(): Promise<Record<string, Record<string, any>>> {
  return Object.fromEntries((await liveInputs(emulator.url)).map((n) => [n.name, n]));
}

/** Requests that carried a secret value (not the mask), counted by the emulator. */
async function secretWrites(): Promise<number> {
  return (await emulator.stats())['secret writes'];
}

const dev = {
  env: 'dev',
  db_password: PASSWORD_1,
  api_token: TOKEN_1,
  api_secret: API_SECRET,
  db_name: DB_NAME_1,
};
const prod = { ...dev, env: 'prod', db_name: DB_NAME_2 };

beforeAll(async () => {
  emulator = await startEmulatorProcess({ extraArgs: ['--log'] });
  app = createCdktfApp('alooma-references-');
});
afterAll(async () => emulator?.stop());

describe('inputs composed with Terraform variables, other resources and Terraform secrets', () => {
  let ordersId: string;
  let eventsId: string;

  test('1. diff shows referenced values as Terraform does; deploy stores the resolved values', async () => {
    app.write({ 'main.ts': mainTs('1') });
    const diff = cdktf(['diff'], dev);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/\+ server\s+= "dev-db.internal"/);
    expect(diff.output).toMatch(/\+ base_url\s+= \(known after apply\)/);
    expect(diff.output).not.toContain(PASSWORD_1);

    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], dev);
    expect(deploy.code).toBe(0);
    // The runtime's summary is visible although its apply step holds secrets.
    expect(deploy.output).toMatch(/Apply complete \(composed\): 2 created/);
    const live = await byName();
    expect(live.orders_db.configuration).toMatchObject({
      server: 'dev-db.internal',
      // as the (string) variable holds it: the API accepts numbers as strings
      port: '5432',
      database: DB_NAME_1,
      tables: JSON.stringify({ orders: 'xmin::text::bigint' }),
    });
    expect(live.events_api.configuration.base_url).toBe('https://dev.api.example.com/events');
    expect(await secretMatches(emulator.url, live.orders_db.id, 'password', PASSWORD_1)).toBe(true);
    expect(await secretMatches(emulator.url, live.events_api.id, 'password', TOKEN_1)).toBe(true);
    // Each input's secrets travel once, in its create.
    expect(await secretWrites()).toBe(2);
    ordersId = live.orders_db.id;
    eventsId = live.events_api.id;
  });

  test('2. deploying again with the same values writes nothing', async () => {
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], dev);
    expect(deploy.code).toBe(0);
    expect(writeCount(await emulator.stats())).toBe(0);
    expect(await secretWrites()).toBe(0);
  });

  test('3. new variable values update the inputs in place: same ids, tables kept, secrets sent again to their new destinations, the sensitive one never shown', async () => {
    const diff = cdktf(['diff'], prod);
    expect(diff.output).toMatch(/~ server\s+= "dev-db.internal" -> "prod-db.internal"/);
    expect(diff.output).toMatch(/terraform_data\.Orders.* will be updated in-place/);
    expect(diff.output).not.toMatch(/terraform_data\.(Orders|Events).* must be replaced/);
    // The old state's output block shows no sensitive value: Terraform's marks do not reach it.
    expect(diff.output).toMatch(/~ output\s+= \{/);
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], prod);
    expect(deploy.code).toBe(0);
    // The report names the change without the sensitive values, old or new.
    expect(deploy.output).toMatch(/database \(from Terraform\) -> \(from Terraform\)/);
    expect(deploy.output).toMatch(/server "dev-db.internal" -> "prod-db.internal"/);
    const live = await byName();
    expect(live.orders_db.id).toBe(ordersId);
    expect(live.events_api.id).toBe(eventsId);
    expect(live.orders_db.configuration.server).toBe('prod-db.internal');
    expect(live.orders_db.configuration.database).toBe(DB_NAME_2);
    expect(live.events_api.configuration.base_url).toBe('https://prod.api.example.com/events');
    expect(JSON.parse(live.orders_db.configuration.tables)).toEqual({
      orders: 'xmin::text::bigint',
    });
    // Only the two changed inputs were written; both moved (server and database, base_url's host),
    // so each PUT carried its secrets again (issue 19: a stored secret never follows a new destination).
    expect(writeCount(await emulator.stats())).toBe(2);
    expect(await secretWrites()).toBe(2);
    expect(await secretMatches(emulator.url, ordersId, 'password', PASSWORD_1)).toBe(true);
  });

  test('4. a changed sensitive value is written again on the next deploy, and only it', async () => {
    const rotated = { ...prod, db_password: PASSWORD_2 };
    const diff = cdktf(['diff'], rotated);
    expect(diff.output).toMatch(/"orders_db\/password"\s+= \(sensitive value\)/);
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve'], rotated);
    expect(deploy.code).toBe(0);
    expect(await secretMatches(emulator.url, ordersId, 'password', PASSWORD_2)).toBe(true);
    expect((await byName()).orders_db.id).toBe(ordersId);
    expect(await secretWrites()).toBe(1);
  });

  test('5. an ephemeral value is rotated by its version', async () => {
    const next = { ...prod, db_password: PASSWORD_2, api_token: TOKEN_2 };
    // A new ephemeral value alone changes nothing Terraform can see ...
    await emulator.resetStats();
    cdktf(['deploy', '--auto-approve'], next);
    expect(await secretMatches(emulator.url, eventsId, 'password', TOKEN_1)).toBe(true);
    expect(await secretWrites()).toBe(0);
    // ... the version bump pushes it.
    app.write({ 'main.ts': mainTs('2') });
    const deploy = cdktf(['deploy', '--auto-approve'], next);
    expect(deploy.code).toBe(0);
    expect(await secretMatches(emulator.url, eventsId, 'password', TOKEN_2)).toBe(true);
    expect(await secretWrites()).toBe(1);
  });

  test('6. a bad resolved value fails with its construct path and field, before any write', async () => {
    await emulator.resetStats();
    const bad = { ...prod, db_password: PASSWORD_2, api_token: TOKEN_2, port: 'abc' };
    const deploy = cdktf(['deploy', '--auto-approve'], bad);
    expect(deploy.code).not.toBe(0);
    expect(deploy.output).toMatch(
      /error\[invalid_property\]: input "orders_db" \(composed\/Orders\): configuration\.port must be an integer from 1 to 65535 \(is "abc"\)/,
    );
    expect(deploy.output).toMatch(/hint: fix the value in the code/);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('7. destroy without a key in the environment stops before deleting, with a hint; with one it deletes', async () => {
    // Before destroy, while the state holds every resource: no secret in any file. (The
    // sensitive plain value is in the reconciler's triggers, as Terraform keeps every
    // value of a configuration in its state: SECURITY.md.)
    expect(
      filesHoldingSecrets(app.dir, [PASSWORD_1, PASSWORD_2, TOKEN_1, TOKEN_2, API_SECRET]),
    ).toEqual([]);
    const vars = { ...prod, db_password: PASSWORD_2, api_token: TOKEN_2 };
    await emulator.resetStats();
    const refused = cdktf(['destroy', '--auto-approve'], vars);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(
      /the API key comes from Terraform, which passes it to the apply step only/,
    );
    expect(refused.output).toMatch(/hint: export ALOOMA_API_KEY .*nothing was deleted/);
    expect(writeCount(await emulator.stats())).toBe(0);
    expect(Object.keys(await byName()).sort()).toEqual(['events_api', 'orders_db']);

    const destroy = cdktf(['destroy', '--auto-approve'], vars, true);
    expect(destroy.code).toBe(0);
    expect(destroy.output).toMatch(/Destroy complete/);
    expect(Object.keys(await byName())).toEqual([]);
  });

  test('8. the secrets, the sensitive plain value and their hashes appear in no file, state, output (destroy included) or emulator log', async () => {
    const printed = outputs.join('\n');
    expect(printed).toMatch(/Destroy complete/);
    expect(SECRETS.filter((s) => printed.includes(s))).toEqual([]);
    // Not even their hashes, salted as in the triggers or not. API_SECRET comes from a
    // variable Terraform does not mark sensitive: only sensitive() keeps its hash out.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    const hashes = SECRETS.flatMap((s) => [
      sha(s),
      ...SECRET_LABELS.map(
        (label) =>
          `${sha(`${sha(`alooma-cdktf\u0000secrets_sha256\u0000composed\u0000${label}`)}:${s}`)}`,
      ),
    ]);
    expect(hashes.filter((h) => printed.includes(h))).toEqual([]);
    expect(filesUnder(app.dir).some((f) => f.endsWith('.tfstate'))).toBe(true);
    // The shipped runtime names the emulator's default key as a default, not as this stack's secret.
    expect(
      filesHoldingSecrets(app.dir, SECRETS, (file) =>
        file.endsWith('runtime.js') ? SECRETS.filter((s) => s !== 'demo-key') : SECRETS,
      ),
    ).toEqual([]);
    // The request log (the start-up banner announces the emulator's own default key).
    const log = emulator
      .output()
      .split('\n')
      .filter((line) => !/listening on/.test(line))
      .join('\n');
    expect(log).toMatch(/PUT|POST/);
    expect(SECRETS.filter((s) => log.includes(s))).toEqual([]);
  });
});
