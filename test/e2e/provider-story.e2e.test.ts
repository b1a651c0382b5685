/**
 * Engine "provider" as a user meets it, with the real cdktf CLI, real
 * Terraform 1.11 and a real emulator process, and no CLI configuration at
 * all (TF_CLI_CONFIG_FILE=/dev/null, a throwaway HOME): the synth hook
 * installs the provider next to the stack. Three inputs are created; a
 * one-table change plans as `0 to add, 1 to change, 0 to destroy` showing
 * only that key; deploy applies it in place; a deploy after it changes
 * nothing and writes nothing; destroy deletes the inputs. The secrets
 * (through write-only attributes) and their SHA-256 are nowhere in
 * cdk.tf.json, state or output; the plan file `cdktf diff` saves holds the
 * value of the sensitive (non-ephemeral) variable only, as the README says,
 * and never the ephemeral ones.
 */
import { createHash } from 'node:crypto';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { createRawInput, liveInputs, writeCount } from '../helpers/runtime-cli';
import * as path from 'node:path';
import { planFileText } from '../helpers/plan-file';
import { filesHoldingSecrets, filesUnder } from '../helpers/files';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';

jest.setTimeout(600_000);

const PASSWORD = 'Provider-Pg-Secret-5521';
const SESSION = 'Provider-Session-Secret-7731';
/** From a sensitive, non-ephemeral variable: Terraform saves its value in a plan file. */
const MP_SECRET = 'Provider-Mixpanel-Secret-4419';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

let emulator: EmulatorProcess;
let app: CdktfApp;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

function mainTs(tables: Record<string, string>): string {
  return `
import { App, TerraformStack, TerraformVariable } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaMixpanelInput, AloomaRestInput, AloomaSecret, ephemeralVariable } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'prov');
new AloomaConnection(stack, 'Alooma', { engine: 'provider', apiUrl: ${JSON.stringify(emulator.url)} });
const pg = ephemeralVariable(stack, 'pg_password', { type: 'string' });
const session = ephemeralVariable(stack, 'session', { type: 'string' });
new AloomaDatabaseInput(stack, 'Orders', {
  name: 'orders_db',
  source: { server: 'db.internal', port: 5432, database: 'shop', schema: 'public', dbType: 'psql', user: 'reader',
            password: AloomaSecret.fromTerraform(pg.stringValue, { ephemeral: true, version: '1' }) },
  tables: ${JSON.stringify(tables)},
});
const api = new AloomaRestInput(stack, 'Events', {
  name: 'events_api', baseUrl: 'https://api.example.com/events', dataField: 'results',
});
api.addParameter({ parameter: 'session_id', secretValue: AloomaSecret.fromTerraform(session.stringValue, { ephemeral: true, version: '1' }) });
api.addParameter({ parameter: 'since', type: 'Days Past', value: 2 });
api.addTemplate('%Y-%m-%d', 'since');
new AloomaInput(stack, 'Webhook', { name: 'storefront_hook', type: 'RESTAPI' });
const mp = new TerraformVariable(stack, 'mp_secret', { type: 'string', sensitive: true });
new AloomaMixpanelInput(stack, 'Mixpanel', {
  name: 'mixpanel_events', apiKey: 'mp-project-key', fromDate: '2024-01-01',
  apiSecret: AloomaSecret.fromTerraform(mp.stringValue, { version: '1' }),
});
app.synth();
`;
}

const TABLES = { orders: 'xmin::text::bigint', users: 'xmin::text::bigint' };

function cdktf(args: string[]) {
  const result = app.cdktf(args, env);
  outputs.push(result.output);
  return result;
}
async function byName(): Promise<Record<string, Record<string, any>>> {
  return Object.fromEntries((await liveInputs(emulator.url)).map((n) => [n.name, n]));
}
/** The change lines (`+ x`, `- x`, `~ x`) of the plan's actions, trimmed. */
function changeLines(output: string): string[] {
  const lines = output.split('\n').map((l) => l.replace(/^.*?prov\s+/, '').trim());
  const start = lines.findIndex((l) =>
    l.startsWith('Terraform will perform the following actions'),
  );
  const end = lines.findIndex((l) => l.startsWith('Plan:'));
  return lines.slice(start, end).filter((l) => /^[+~-] /.test(l) || /^-\/\+ /.test(l));
}

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = {
    ALOOMA_API_KEY: 'demo-key',
    TF_VAR_pg_password: PASSWORD,
    TF_VAR_session: SESSION,
    TF_VAR_mp_secret: MP_SECRET,
    // no CLI configuration: no provider_installation, no dev_overrides, no registry
    TF_CLI_CONFIG_FILE: '/dev/null',
  };
  app = createCdktfApp('alooma-provider-');
  await createRawInput(emulator.url, {
    name: 'unmanaged_hook',
    type: 'RESTAPI',
    configuration: { auto_map: 'true' },
  });
});
afterAll(async () => emulator?.stop());

describe('engine "provider" with the cdktf CLI, offline', () => {
  let ids: Record<string, string>;

  test('1. deploy creates the four inputs through the provider installed at synth', async () => {
    app.write({ 'main.ts': mainTs(TABLES) });
    const deploy = cdktf(['deploy', '--auto-approve']);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/alooma_database_input\.Orders.* will be created/);
    expect(deploy.output).toMatch(/4 added, 0 changed, 0 destroyed/);
    const live = await byName();
    expect(Object.keys(live).sort()).toEqual(
      ['events_api', 'mixpanel_events', 'orders_db', 'storefront_hook', 'unmanaged_hook'].sort(),
    );
    expect(
      await emulator.secretMatches(live.mixpanel_events.id, 'mixpanelApiSecret', MP_SECRET),
    ).toBe(true);
    expect(JSON.parse(live.orders_db.configuration.tables)).toEqual(TABLES);
    expect(await emulator.secretMatches(live.orders_db.id, 'password', PASSWORD)).toBe(true);
    expect(
      await emulator.secretMatches(live.events_api.id, 'parameters.session_id.value', SESSION),
    ).toBe(true);
    ids = Object.fromEntries(Object.entries(live).map(([n, i]) => [n, i.id as string]));
  });

  test('2. a one-table change plans as 0 to add, 1 to change, 0 to destroy, showing only that key', () => {
    app.write({ 'main.ts': mainTs({ ...TABLES, items: 'updated_at' }) });
    const diff = cdktf(['diff']);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/Plan: 0 to add, 1 to change, 0 to destroy/);
    expect(diff.output).toMatch(/alooma_database_input\.Orders.* will be updated in-place/);
    expect(changeLines(diff.output)).toEqual([
      expect.stringMatching(/^~ resource "alooma_database_input" "Orders"/),
      expect.stringMatching(/^~ tables\s+= \{$/),
      expect.stringMatching(/^\+ "items"\s+= "updated_at"$/),
    ]);
    // The plan file cdktf diff saved: the sensitive variable's value is in it, the ephemeral ones are not.
    const plan = planFileText(path.join(app.stackDir('prov'), 'plan'));
    expect(plan).toContain('updated_at');
    expect({
      sensitive: plan.includes(MP_SECRET),
      ephemeral: [PASSWORD, SESSION].filter((s) => plan.includes(s)),
    }).toEqual({ sensitive: true, ephemeral: [] });
  });

  test('3. deploy applies it in place: same ids, the other inputs untouched', async () => {
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve']);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/0 added, 1 changed, 0 destroyed/);
    const live = await byName();
    expect(live.orders_db.id).toBe(ids.orders_db);
    expect(JSON.parse(live.orders_db.configuration.tables)).toEqual({
      ...TABLES,
      items: 'updated_at',
    });
    expect(writeCount(await emulator.stats())).toBe(1);
  });

  test('4. a diff and a deploy afterwards change nothing and write nothing', async () => {
    await emulator.resetStats();
    const diff = cdktf(['diff']);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/No changes/);
    const deploy = cdktf(['deploy', '--auto-approve']);
    expect(deploy.code).toBe(0);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('5. destroy deletes the four inputs and leaves the unmanaged one', async () => {
    const destroy = cdktf(['destroy', '--auto-approve']);
    expect(destroy.code).toBe(0);
    expect(Object.keys(await byName())).toEqual(['unmanaged_hook']);
  });

  test('6. the secrets and their SHA-256 are nowhere: cdktf.out (plan file inflated), state, output', () => {
    const files = filesUnder(app.dir);
    expect(files.some((f) => f.endsWith('.tfstate'))).toBe(true);
    expect(files.some((f) => f.includes('terraform.d/plugins'))).toBe(true);
    const secrets = [PASSWORD, SESSION, MP_SECRET].flatMap((s) => [s, sha256(s)]);
    const plans = files.filter((f) => path.basename(f) === 'plan');
    expect(plans.length).toBeGreaterThan(0);
    // (Terraform links the provider's mirror into .terraform: filesUnder lists the target where it is)
    expect(filesHoldingSecrets(app.dir, secrets).filter((h) => !plans.includes(h.file))).toEqual(
      [],
    );
    // the plan file, read as Terraform wrote it (a zip): at most the sensitive variable's value
    for (const plan of plans) {
      const text = planFileText(plan);
      expect(secrets.filter((s) => text.includes(s) && s !== MP_SECRET)).toEqual([]);
    }
    const all = outputs.join('\n');
    for (const s of secrets) expect(all).not.toContain(s);
  });
});
