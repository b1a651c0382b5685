/**
 * `AloomaSecret.fromEnv` on engine "provider", as a user meets it: the real
 * cdktf CLI, real Terraform 1.11, a real emulator process, no CLI
 * configuration. The stack renders `password_env = "PG_PASSWORD"` (the
 * variable's name) and its version; Terraform passes its environment to the
 * provider, which checks the variable at plan and reads it at apply only
 * when the secret is written. `cdktf diff` with the variables unset fails
 * naming them; deploy with them set creates; a diff with them unset again
 * (versions unchanged) shows no change; the values are in no file of
 * cdktf.out (plan files inflated, state included) and in no output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { fileText, filesUnder } from '../helpers/files';
import { planFileText } from '../helpers/plan-file';
import { liveInputs, writeCount } from '../helpers/runtime-cli';

jest.setTimeout(600_000);

const PASSWORD = 'FromEnv-Pg-Secret-3318';
const SESSION = 'FromEnv-Session-Secret-9046';
const SECRETS = { PG_PASSWORD: PASSWORD, EVENTS_SESSION: SESSION };

let emulator: EmulatorProcess;
let app: CdktfApp;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

function mainTs(): string {
  return `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaRestInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'envs');
new AloomaConnection(stack, 'Alooma', { engine: 'provider', apiUrl: ${JSON.stringify(emulator.url)} });
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'orders_db',
  source: { server: 'db.internal', port: 5432, database: 'shop', schema: 'public', dbType: 'psql', user: 'reader',
            password: AloomaSecret.fromEnv('PG_PASSWORD', { version: '1' }) },
  tables: { orders: 'xmin::text::bigint' },
});
const api = new AloomaRestInput(stack, 'Events', {
  name: 'events_api', baseUrl: 'https://api.example.com/events', dataField: 'results',
});
api.addParameter({ parameter: 'session_id', secretValue: AloomaSecret.fromEnv('EVENTS_SESSION') });
app.synth();
`;
}

function cdktf(args: string[], extra: NodeJS.ProcessEnv = {}) {
  const result = app.cdktf(args, { ...env, ...extra });
  outputs.push(result.output);
  return result;
}

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = {
    ALOOMA_API_KEY: 'demo-key',
    // no CLI configuration: no provider_installation, no dev_overrides, no registry
    TF_CLI_CONFIG_FILE: '/dev/null',
  };
  app = createCdktfApp('alooma-provider-env-');
  app.write({ 'main.ts': mainTs() });
});
afterAll(async () => emulator?.stop());

describe('AloomaSecret.fromEnv on engine "provider", with the cdktf CLI', () => {
  test('1. cdktf diff with the variables unset fails naming each, and writes nothing', async () => {
    await emulator.resetStats();
    const diff = cdktf(['diff']);
    expect(diff.code).not.toBe(0);
    const text = diff.output.replace(/\s+/g, ' ');
    expect(text).toContain('Secret environment variable not set');
    expect(text).toContain('password_env names the environment variable PG_PASSWORD');
    expect(text).toContain(
      'parameters["session_id"].secret_value_env names the environment variable EVENTS_SESSION',
    );
    expect(writeCount(await emulator.stats())).toBe(0);
    // what was synthesized: the names and versions, never a value
    const stack = JSON.parse(
      fs.readFileSync(path.join(app.stackDir('envs'), 'cdk.tf.json'), 'utf8'),
    );
    const db = stack.resource.alooma_database_input.Orders;
    expect(db).toMatchObject({ password_env: 'PG_PASSWORD', password_version: '1' });
    expect(db).not.toHaveProperty('password');
    expect(stack.resource.alooma_rest_input.Events.parameters.session_id).toEqual({
      type: 'Text',
      secret_value_env: 'EVENTS_SESSION',
      secret_value_version: '1',
    });
  });

  test('2. deploy with the variables set creates both inputs with the secrets written', async () => {
    const deploy = cdktf(['deploy', '--auto-approve'], SECRETS);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/2 added, 0 changed, 0 destroyed/);
    const live = Object.fromEntries((await liveInputs(emulator.url)).map((n) => [n.name, n]));
    expect(await emulator.secretMatches(live.orders_db.id, 'password', PASSWORD)).toBe(true);
    expect(
      await emulator.secretMatches(live.events_api.id, 'parameters.session_id.value', SESSION),
    ).toBe(true);
  });

  test('3. with the variables unset again and the versions unchanged, diff shows no change', async () => {
    await emulator.resetStats();
    const diff = cdktf(['diff']);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/No changes/);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('4. the values are in no file of cdktf.out (plan files inflated, state included) and no output', () => {
    // `cdktf diff` with the variables set saves a plan file of a pending change
    app.write({ 'main.ts': mainTs().replace("version: '1'", "version: '2'") });
    const diff = cdktf(['diff'], SECRETS);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    const files = filesUnder(app.dir);
    expect(files.some((f) => f.endsWith('.tfstate'))).toBe(true);
    const plans = files.filter((f) => path.basename(f) === 'plan');
    expect(plans.length).toBeGreaterThan(0);
    const holding = files.filter((f) => [PASSWORD, SESSION].some((s) => fileText(f).includes(s)));
    expect(holding).toEqual([]);
    // the inflated plan file is read: the variable's name is there
    expect(plans.some((f) => planFileText(f).includes('PG_PASSWORD'))).toBe(true);
    const all = outputs.join('\n');
    for (const s of [PASSWORD, SESSION]) expect(all).not.toContain(s);
  });
});
