/**
 * The whole product as a user meets it, as one ordered story with the real
 * cdktf CLI, real terraform and a real emulator process:
 * synth -> diff -> deploy -> deploy again (no-op) -> change -> diff -> deploy
 * -> rename -> remove -> destroy, asserting on Alooma's state and on what
 * terraform prints. Secrets are checked everywhere at the end. This is the
 * provisioner engine (`engine: 'terraform_data'` on the connection); the
 * default engine, the provider, has its story in provider-story.e2e.test.ts.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { createRawInput, liveInputs, writeCount } from '../helpers/runtime-cli';
import { filesHoldingSecrets, filesUnder } from '../helpers/files';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CDKTF_MODULE,
  CONSTRUCTS_MODULE,
  CdktfApp,
  createCdktfApp,
  HOME_CANARY,
} from '../helpers/cdktf-app';

jest.setTimeout(600_000);

const PASSWORD = 'Story-Pg-Secret-8841';
/**
 * A name built to run shell commands if it ever reached a shell: quotes,
 * `rm -rf ~`, `;`, `$(...)` and backticks. The CLI runs with a throwaway HOME
 * (createCdktfApp); step 10 checks that none of it ran.
 */
const HOSTILE_NAME =
  "reports 'q1'; rm -rf ~; touch pwned-semicolon $(touch pwned-subshell) `touch pwned-backtick`";
const SESSION = 'Story-Session-Secret-2290';

let emulator: EmulatorProcess;
let app: CdktfApp;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

/** The app's code; the knobs are what the story changes. */
interface Knobs {
  tables: Record<string, string>;
  autoMap: boolean;
  paused: boolean;
  webhookName: string;
  withReports: boolean;
  withArchive: boolean;
}

function mainTs(k: Knobs): string {
  return `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaRestInput, AloomaSecret, RemovalPolicy } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'story');
new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(emulator.url)}, engine: 'terraform_data' });
new AloomaDatabaseInput(stack, 'Orders', {
  name: "orders_db",
  source: { server: 'db.internal', port: 5432, database: 'shop', schema: 'public', dbType: 'psql', user: 'reader',
            password: AloomaSecret.fromEnv('STORY_PG_PASSWORD') },
  tables: ${JSON.stringify(k.tables)},
  autoMap: ${k.autoMap},
  paused: ${k.paused},
});
const api = new AloomaRestInput(stack, 'Events', {
  name: 'events_api', baseUrl: 'https://api.example.com/events', dataField: 'results',
});
api.addParameter({ parameter: 'session_id', secretValue: AloomaSecret.fromEnv('STORY_SESSION') });
api.addParameter({ parameter: 'since', type: 'Days Past', value: 2 });
api.addTemplate('%Y-%m-%d', 'since');
new AloomaInput(stack, 'Webhook', { name: ${JSON.stringify(k.webhookName)}, type: 'RESTAPI' });
${k.withReports ? `new AloomaInput(stack, 'Reports', { name: ${JSON.stringify(HOSTILE_NAME)}, type: 'RESTAPI' });` : ''}
${k.withArchive ? `new AloomaInput(stack, 'Archive', { name: 'archive_hook', type: 'RESTAPI', removalPolicy: RemovalPolicy.RETAIN });` : ''}
app.synth();
`;
}

const initial: Knobs = {
  tables: { orders: 'xmin::text::bigint', users: 'xmin::text::bigint' },
  autoMap: true,
  paused: false,
  webhookName: 'storefront_hook',
  withReports: true,
  withArchive: true,
};

/** Step 4: tables, autoMap and paused edited. */
const edited: Knobs = {
  ...initial,
  tables: { orders: 'xmin::text::bigint', items: 'updated_at' },
  autoMap: false,
  paused: true,
};
/** Step 6: and the webhook renamed. */
const renamed: Knobs = { ...edited, webhookName: 'storefront_events' };

function cdktf(args: string[]) {
  const result = app.cdktf(args, env);
  outputs.push(result.output);
  return result;
}
async function byName(): Promise<Record<string, Record<string, any>>> {
  return Object.fromEntries((await liveInputs(emulator.url)).map((n) => [n.name, n]));
}

beforeAll(async () => {
  // request logging on, so the check below covers the emulator's log too
  emulator = await startEmulatorProcess({ extraArgs: ['--log'] });
  env = {
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    STORY_PG_PASSWORD: PASSWORD,
    STORY_SESSION: SESSION,
  };
  app = createCdktfApp('alooma-story-');
  // An input someone else manages in the same account: the story must never touch it.
  await createRawInput(emulator.url, {
    name: 'unmanaged_hook',
    type: 'RESTAPI',
    configuration: { auto_map: 'true' },
  });
});
afterAll(async () => emulator?.stop());

describe('a stack of Alooma inputs, from first deploy to destroy', () => {
  let ordersId: string;

  test('1. diff on an empty account shows every input to create', () => {
    app.write({ 'main.ts': mainTs(initial) });
    const diff = cdktf(['diff']);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/terraform_data\.Orders.* will be created/);
    expect(diff.output).toMatch(/\+ orders = "xmin::text::bigint"/);
  });

  test('2. deploy creates all inputs; the one named with shell metacharacters is harmless', async () => {
    const deploy = cdktf(['deploy', '--auto-approve']);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/5 created/);
    const live = await byName();
    expect(Object.keys(live).sort()).toEqual(
      [
        'archive_hook',
        'events_api',
        'orders_db',
        HOSTILE_NAME,
        'storefront_hook',
        'unmanaged_hook',
      ].sort(),
    );
    expect(JSON.parse(live.orders_db.configuration.tables)).toEqual(initial.tables);
    expect(live.events_api.configuration.parameters).toEqual([
      expect.objectContaining({ parameter: 'session_id', value: '********' }),
      expect.objectContaining({ parameter: 'since', value: 2, template: '%Y-%m-%d' }),
    ]);
    ordersId = live.orders_db.id;
    // Each secret reached Alooma (the emulator's stored value, checked without reading it back) ...
    expect(await emulator.secretMatches(live.orders_db.id, 'password', PASSWORD)).toBe(true);
    expect(
      await emulator.secretMatches(live.events_api.id, 'parameters.session_id.value', SESSION),
    ).toBe(true);
    // ... and no API answer shows it, while the inputs holding them exist.
    for (const path of [
      'plumbing/?resolution=1min',
      'inputs',
      `inputs/${live.orders_db.id}`,
      `inputs/${live.events_api.id}`,
    ]) {
      const res = await fetch(`${emulator.url}/rest/${path}`, {
        headers: { authorization: 'API demo-key' },
      });
      const text = await res.text();
      expect({
        path,
        status: res.status,
        password: text.includes(PASSWORD),
        session: text.includes(SESSION),
      }).toEqual({
        path,
        status: 200,
        password: false,
        session: false,
      });
    }
  });

  test('3. deploying again changes nothing and makes no write call', async () => {
    await emulator.resetStats();
    const deploy = cdktf(['deploy', '--auto-approve']);
    expect(deploy.code).toBe(0);
    expect(deploy.output).toMatch(/No changes/);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('4. editing tables, autoMap and paused shows a table-level diff and no replacement', () => {
    app.write({
      'main.ts': mainTs(edited),
    });
    const diff = cdktf(['diff']);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/terraform_data\.Orders.* will be updated in-place/);
    expect(diff.output).toMatch(/\+ items\s+= "updated_at"/);
    expect(diff.output).toMatch(/- users\s+= "xmin::text::bigint"/);
    expect(diff.output).not.toMatch(/terraform_data\.Orders.* must be replaced/);
  });

  test('5. deploy updates the input in place: same id, new tables, paused, auto_map off', async () => {
    const deploy = cdktf(['deploy', '--auto-approve']);
    expect(deploy.code).toBe(0);
    const orders = (await byName()).orders_db;
    expect(orders.id).toBe(ordersId);
    expect(JSON.parse(orders.configuration.tables)).toEqual({
      orders: 'xmin::text::bigint',
      items: 'updated_at',
    });
    expect(orders.paused).toBe(true);
    expect([false, 'false']).toContain(orders.configuration.auto_map);
  });

  test('6. renaming an input deletes the old one and creates the new one', async () => {
    app.write({
      'main.ts': mainTs(renamed),
    });
    expect(cdktf(['deploy', '--auto-approve']).code).toBe(0);
    const live = await byName();
    expect(live.storefront_events).toBeDefined();
    expect(live.storefront_hook).toBeUndefined();
    expect(live.orders_db.id).toBe(ordersId);
  });

  test('7. removing inputs from code deletes them, except RETAIN ones', async () => {
    app.write({
      'main.ts': mainTs({ ...renamed, withReports: false, withArchive: false }),
    });
    expect(cdktf(['deploy', '--auto-approve']).code).toBe(0);
    const live = await byName();
    expect(live[HOSTILE_NAME]).toBeUndefined();
    expect(live.archive_hook).toBeDefined();
  });

  test('8. destroy deletes every managed input and leaves the others', async () => {
    const destroy = cdktf(['destroy', '--auto-approve']);
    expect(destroy.code).toBe(0);
    expect(Object.keys(await byName()).sort()).toEqual(['archive_hook', 'unmanaged_hook']);
  });

  test('9. the secrets appear nowhere: cdktf.out, state, terraform output, the emulator log (responses: step 2)', async () => {
    expect(filesUnder(app.dir).some((f) => f.endsWith('.tfstate'))).toBe(true);
    expect(filesHoldingSecrets(app.dir, [PASSWORD, SESSION])).toEqual([]);
    const all = outputs.join('\n');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(SESSION);
    expect(emulator.output()).toMatch(/PUT|POST/); // the log is on and has requests
    expect(emulator.output()).not.toContain(PASSWORD);
    expect(emulator.output()).not.toContain(SESSION);
  });

  test('10. the hostile name ran nothing: no canary file was made, the throwaway HOME is intact', () => {
    // anywhere in the app (provisioners run in cdktf.out/stacks/story) or the throwaway HOME,
    // and at the top of the temp folder and the test's working directory
    const made = [
      ...filesUnder(app.dir),
      ...filesUnder(app.home),
      ...[os.tmpdir(), process.cwd()].flatMap((dir) =>
        fs.readdirSync(dir).map((f) => path.join(dir, f)),
      ),
    ].filter((f) => path.basename(f).startsWith('pwned-'));
    expect(made).toEqual([]);
    expect(fs.existsSync(path.join(app.home, HOME_CANARY))).toBe(true);
  });
});
