/**
 * The move from the provisioner engine, with the real cdktf CLI, Terraform
 * 1.11 and an emulator process: a stack deployed with `terraform_data` is
 * switched to `engine: 'provider'` and deployed (its database input has
 * fields no attribute of their own holds: `extra_configuration`). The `moved {}` blocks and
 * the provider's MoveResourceState carry every input over: no API write at
 * all (the emulator's counters), the same ids, the tables kept, and the old
 * reconciler forgotten without its prune running. A change afterwards
 * applies in place.
 *
 * The upgrade: `terraform_data` was the default engine before the provider.
 * A stack deployed then (its code names no engine; it synthesized exactly as
 * `engine: 'terraform_data'` does now) and upgraded without touching its
 * code moves the same way: same ids, tables kept, no write. Its password
 * comes from `AloomaSecret.fromEnv` with no version, as the old quickstart
 * wrote it: the provisioner engine recorded no version for such a secret in
 * Alooma, so the move carries the variable's name and the version the
 * constructs give a secret that names none ("1") over from the old
 * `terraform_data`'s `input`, and plans no secret write. Later the
 * connection can go too (inputs alone, the API URL from `$ALOOMA_API_URL`).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { filesUnder } from '../helpers/files';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs, writeCount } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';

jest.setTimeout(600_000);

const PASSWORD = 'Move-Pg-Secret-3307';

let emulator: EmulatorProcess;
let app: CdktfApp;
let env: NodeJS.ProcessEnv;

/** Exit code 0, or the command's output to read why not. */
function ok(result: { code: number; output: string }): void {
  expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({
    code: 0,
    output: '',
  });
}

/**
 * The app. `engine`: the connection's engine prop, `'unset'` for a
 * connection without one, `'no connection'` for inputs alone. `prefix`
 * keeps the input names of the two stories apart.
 */
function mainTs(
  engine: 'terraform_data' | 'provider' | 'unset' | 'no connection',
  tables: Record<string, string>,
  {
    stack = 'moving',
    prefix = '',
    passwordFromEnv = false,
  }: { stack?: string; prefix?: string; passwordFromEnv?: boolean } = {},
): string {
  // fromEnv with no version: how the README's quickstart wrote secrets when terraform_data was the default.
  const password = passwordFromEnv
    ? `AloomaSecret.fromEnv('MOVE_PG_PASSWORD')`
    : `AloomaSecret.fromTerraform(pg.stringValue, { ephemeral: true, version: '1' })`;
  const connection =
    engine === 'no connection'
      ? ''
      : `new AloomaConnection(stack, 'Alooma', { ${engine === 'unset' ? '' : `engine: ${JSON.stringify(engine)}, `}apiUrl: ${JSON.stringify(emulator.url)} });`;
  return `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaSecret, RemovalPolicy, ephemeralVariable } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, ${JSON.stringify(stack)});
${connection}
const pg = ephemeralVariable(stack, 'pg_password', { type: 'string' });
new AloomaDatabaseInput(stack, 'Orders', {
  name: '${prefix}orders_db',
  source: { server: 'db.internal', port: 5432, database: 'shop', schema: 'public', dbType: 'psql', user: 'reader',
            password: ${password} },
  tables: ${JSON.stringify(tables)},
  // fields no prop of its own holds (extra_configuration on the provider), keys unsorted on purpose
  extraConfiguration: { zone: { tier: 2, region: 'eu' }, fetch_size: 500 },
});
new AloomaInput(stack, 'Webhook', { name: '${prefix}storefront_hook', type: 'RESTAPI' });
new AloomaInput(stack, 'Archive', { name: '${prefix}archive_hook', type: 'RESTAPI', removalPolicy: RemovalPolicy.RETAIN });
app.synth();
`;
}

const TABLES = { orders: 'xmin::text::bigint', users: 'xmin::text::bigint' };

async function byName(): Promise<Record<string, Record<string, any>>> {
  return Object.fromEntries((await liveInputs(emulator.url)).map((n) => [n.name, n]));
}

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = {
    ALOOMA_API_KEY: 'demo-key',
    TF_VAR_pg_password: PASSWORD,
    MOVE_PG_PASSWORD: PASSWORD,
    TF_CLI_CONFIG_FILE: '/dev/null',
    ALOOMA_LIVE_DIFF: 'off',
  };
  app = createCdktfApp('alooma-move-');
});
afterAll(async () => emulator?.stop());

describe('from engine terraform_data to engine provider', () => {
  let before: Record<string, Record<string, any>>;

  test('1. the stack is deployed with the terraform_data engine', async () => {
    app.write({ 'main.ts': mainTs('terraform_data', TABLES) });
    const deploy = app.cdktf(['deploy', '--auto-approve'], env);
    ok(deploy);
    before = await byName();
    expect(Object.keys(before).sort()).toEqual(['archive_hook', 'orders_db', 'storefront_hook']);
    expect(JSON.parse(before.orders_db.configuration.tables)).toEqual(TABLES);
  });

  test('2. switched to engine provider, the plan moves every input and changes, creates and destroys nothing', async () => {
    app.write({ 'main.ts': mainTs('provider', TABLES) });
    await emulator.resetStats();
    const diff = app.cdktf(['diff'], env);
    ok(diff);
    expect(diff.output).toMatch(
      /terraform_data\.Orders has moved to alooma_database_input\.Orders/,
    );
    expect(diff.output).toMatch(/terraform_data\.Webhook has moved to alooma_input\.Webhook/);
    expect(diff.output).toMatch(/terraform_data\.AloomaReconciler will no longer be managed/);
    expect(diff.output).toMatch(/Plan: 0 to add, 0 to change, 0 to destroy/);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('3. deploy makes no API write: same ids, tables kept, nothing pruned', async () => {
    await emulator.resetStats();
    const deploy = app.cdktf(['deploy', '--auto-approve'], env);
    ok(deploy);
    expect(writeCount(await emulator.stats())).toBe(0);
    const after = await byName();
    expect(Object.fromEntries(Object.entries(after).map(([n, i]) => [n, i.id]))).toEqual(
      Object.fromEntries(Object.entries(before).map(([n, i]) => [n, i.id])),
    );
    expect(JSON.parse(after.orders_db.configuration.tables)).toEqual(TABLES);
    expect(await emulator.secretMatches(after.orders_db.id, 'password', PASSWORD)).toBe(true);
  });

  test('4. a table change afterwards is an in-place update of the same input (one write)', async () => {
    app.write({ 'main.ts': mainTs('provider', { ...TABLES, items: 'updated_at' }) });
    await emulator.resetStats();
    const deploy = app.cdktf(['deploy', '--auto-approve'], env);
    ok(deploy);
    expect(deploy.output).toMatch(/0 added, 1 changed, 0 destroyed/);
    expect(writeCount(await emulator.stats())).toBe(1);
    const after = await byName();
    expect(after.orders_db.id).toBe(before.orders_db.id);
    expect(JSON.parse(after.orders_db.configuration.tables)).toEqual({
      ...TABLES,
      items: 'updated_at',
    });
  });

  test('5. RETAIN moved with the input: destroy keeps archive_hook and deletes the others', async () => {
    const destroy = app.cdktf(['destroy', '--auto-approve'], env);
    ok(destroy);
    expect(Object.keys(await byName())).toEqual(['archive_hook']);
  });

  test('6. neither engine left the secret or its SHA-256 in state or cdk.tf.json', () => {
    const files = filesUnder(app.dir).filter(
      (f) => /\.tfstate(\.backup)?$/.test(f) || f.endsWith('cdk.tf.json'),
    );
    expect(files.length).toBeGreaterThan(1);
    const hash = createHash('sha256').update(PASSWORD).digest('hex');
    expect(
      files.filter((f) => {
        const text = fs.readFileSync(f, 'latin1');
        return text.includes(PASSWORD) || text.includes(hash);
      }),
    ).toEqual([]);
  });
});

describe('a stack deployed with the old default (terraform_data), upgraded without touching its code', () => {
  const UPGRADE = { stack: 'upgraded', prefix: 'up_', passwordFromEnv: true };
  let upgraded: CdktfApp;
  let before: Record<string, Record<string, any>>;
  const ours = async () =>
    Object.fromEntries(Object.entries(await byName()).filter(([n]) => n.startsWith('up_')));

  test('1. deployed with the terraform_data engine, the default of the version it was written for', async () => {
    upgraded = createCdktfApp('alooma-upgrade-');
    upgraded.write({ 'main.ts': mainTs('terraform_data', TABLES, UPGRADE) });
    ok(upgraded.cdktf(['deploy', '--auto-approve'], env));
    before = await ours();
    expect(Object.keys(before).sort()).toEqual([
      'up_archive_hook',
      'up_orders_db',
      'up_storefront_hook',
    ]);
  });

  test('2. the same code with no engine prop moves every input with no write: same ids, tables kept, the versionless env secret not written again', async () => {
    upgraded.write({ 'main.ts': mainTs('unset', TABLES, UPGRADE) });
    await emulator.resetStats();
    const diff = upgraded.cdktf(['diff'], env);
    ok(diff);
    expect(writeCount(await emulator.stats())).toBe(0);
    expect(diff.output).toMatch(/terraform_data\.Archive has moved to alooma_input\.Archive/);
    expect(diff.output).toMatch(/terraform_data\.Webhook has moved to alooma_input\.Webhook/);
    expect(diff.output).toMatch(/terraform_data\.AloomaReconciler will no longer be managed/);
    // The provisioner engine recorded no version for a secret given without one; the move
    // takes the variable's name and version "1" from the old terraform_data's input.
    expect(diff.output).toMatch(
      /terraform_data\.Orders has moved to alooma_database_input\.Orders/,
    );
    expect(diff.output).not.toMatch(/will be updated in-place/);
    expect(diff.output).toMatch(/Plan: 0 to add, 0 to change, 0 to destroy/);

    await emulator.resetStats();
    ok(upgraded.cdktf(['deploy', '--auto-approve'], env));
    const stats = await emulator.stats();
    expect(writeCount(stats)).toBe(0);
    const after = await ours();
    expect(Object.fromEntries(Object.entries(after).map(([n, i]) => [n, i.id]))).toEqual(
      Object.fromEntries(Object.entries(before).map(([n, i]) => [n, i.id])),
    );
    expect(JSON.parse(after.up_orders_db.configuration.tables)).toEqual(TABLES);
    expect(await emulator.secretMatches(after.up_orders_db.id, 'password', PASSWORD)).toBe(true);
    const state = JSON.parse(
      fs.readFileSync(`${upgraded.dir}/terraform.upgraded.tfstate`, 'utf8'),
    ) as { resources: Array<{ type: string }> };
    expect(state.resources.map((r) => r.type).sort()).toEqual([
      'alooma_database_input',
      'alooma_input',
      'alooma_input',
    ]);
    const again = upgraded.cdktf(['diff'], env);
    ok(again);
    expect(again.output).toMatch(/No changes/);
  });

  test('3. with no connection at all (inputs alone), a table change is one in-place write', async () => {
    upgraded.write({
      'main.ts': mainTs('no connection', { ...TABLES, items: 'updated_at' }, UPGRADE),
    });
    await emulator.resetStats();
    const deploy = upgraded.cdktf(['deploy', '--auto-approve'], {
      ...env,
      ALOOMA_API_URL: emulator.url,
    });
    ok(deploy);
    expect(deploy.output).toMatch(/0 added, 1 changed, 0 destroyed/);
    expect(writeCount(await emulator.stats())).toBe(1);
    expect((await ours()).up_orders_db.id).toBe(before.up_orders_db.id);
  });
});
