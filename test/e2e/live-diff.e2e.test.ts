/**
 * The live diff during `cdktf diff`: drift made in Alooma behind the code's
 * back is reported, `cdktf deploy` restores it, and the next `cdktf diff` is
 * clean in both the live report and Terraform's plan.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';

jest.setTimeout(400_000);

let emulator: EmulatorProcess;
let app: CdktfApp;
let env: NodeJS.ProcessEnv;

const mainTs = (url: string, stacks = 1) => `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
for (let s = 0; s < ${stacks}; s++) {
  const stack = new TerraformStack(app, s === 0 ? 'drift' : 'drift' + s);
  new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(url)} });
  new AloomaDatabaseInput(stack, 'Orders', {
    name: s === 0 ? 'orders_db' : 'orders_db_' + s,
    source: { server: 'db', port: 5432, database: 'shop', dbType: 'psql', user: 'u', password: AloomaSecret.fromEnv('DRIFT_PW') },
    tables: { orders: 'xmin::text::bigint', users: 'xmin::text::bigint' },
    batchSize: 1000,
  });
  for (let i = 0; i < 5; i++) new AloomaInput(stack, 'Hook' + i, { name: 'hook_' + s + '_' + i, type: 'RESTAPI' });
}
app.synth();
`;

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${emulator.url}/rest/${route}`, {
    method,
    headers: {
      authorization: 'API demo-key',
      'content-type': 'application/json',
      connection: 'close',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = { ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key', DRIFT_PW: 'Drift-Pw-1' };
  app = createCdktfApp('alooma-drift-');
  app.write({ 'main.ts': mainTs(emulator.url) });
  const deploy = app.cdktf(['deploy', '--auto-approve'], env);
  expect(deploy.code).toBe(0);
});
afterAll(async () => emulator?.stop());

test('drift behind the code is reported by cdktf diff, fixed by cdktf deploy, then the diff is clean', async () => {
  // GIVEN someone paused the input, dropped a table and changed the batch size in the UI
  const orders = (await liveInputs(emulator.url)).find((n) => n.name === 'orders_db')!;
  await api('PUT', `inputs/${orders.id}/pause?pause=true`);
  await api('PUT', `inputs/${orders.id}`, {
    ...orders,
    configuration: {
      ...orders.configuration,
      tables: JSON.stringify({ orders: 'xmin::text::bigint' }),
      batch_size: 5,
    },
  });

  // WHEN cdktf diff runs THEN each drift is shown, and terraform plans a re-apply
  const diff = app.cdktf(['diff'], env);
  expect(diff.code).toBe(0);
  expect(diff.output).toMatch(/1 of 6 input\(s\) differ from live Alooma/);
  expect(diff.output).toMatch(
    /orders_db: tables \+users; batch_size 5 -> 1000; paused \(live\) -> running \(code\)/,
  );
  expect(diff.output).toMatch(/terraform_data\.AloomaReconciler.* must be replaced/);

  // WHEN cdktf deploy runs THEN live state is restored, same input
  const deploy = app.cdktf(['deploy', '--auto-approve'], env);
  expect(deploy.code).toBe(0);
  const restored = (await liveInputs(emulator.url)).find((n) => n.name === 'orders_db')!;
  expect(restored.id).toBe(orders.id);
  expect(restored.paused).toBe(false);
  expect(restored.configuration.batch_size).toBe(1000);
  expect(JSON.parse(restored.configuration.tables)).toEqual({
    orders: 'xmin::text::bigint',
    users: 'xmin::text::bigint',
  });

  // THEN the next diff is clean: live report in sync, no Terraform change (no extra no-op cycle)
  const after = app.cdktf(['diff'], env);
  expect(after.code).toBe(0);
  expect(after.output).toMatch(/6 input\(s\) in sync with live Alooma/);
  if (!/No changes/.test(after.output)) throw new Error(after.output);
});

test('the live structure is read once per synth, whatever the number of stacks and inputs', async () => {
  const dir = fs.mkdtempSync(path.join(app.dir, 'multi-'));
  fs.writeFileSync(path.join(dir, 'main.ts'), mainTs(emulator.url, 3));
  await emulator.resetStats();
  const result = synth(dir, env);
  expect(result.status).toBe(0);
  expect(result.stdout.match(/alooma \(drift\d?\)/g)).toHaveLength(3);
  expect((await emulator.stats())['GET plumbing']).toBe(1);
});

test('a slow API warns within the timeout + 1 s and synth goes on; offline output is byte-identical', async () => {
  // A server that accepts connections and never answers: the slow API the timeout is for.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const slowUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(app.dir, 'slow-'));
  fs.writeFileSync(path.join(dir, 'main.ts'), mainTs(slowUrl));
  try {
    const off = { ...env, ALOOMA_API_URL: slowUrl, ALOOMA_LIVE_DIFF: 'off' };
    let started = Date.now();
    expect(synth(dir, off).status).toBe(0);
    const baseline = Date.now() - started;
    const first = fs.readFileSync(path.join(dir, 'cdktf.out/stacks/drift/cdk.tf.json'), 'utf8');

    started = Date.now();
    const slow = synth(dir, {
      ...env,
      ALOOMA_API_URL: slowUrl,
      ALOOMA_LIVE_DIFF_TIMEOUT_MS: '2000',
    });
    const elapsed = Date.now() - started;
    expect(slow.status).toBe(0);
    expect(slow.stdout).toMatch(
      // the runtime's own timeout, or (on a loaded machine) the bound on the whole process
      /warning: live diff skipped after [23]\.\ds: .*timeout.*\(synth continues\)/,
    );
    expect(elapsed - baseline).toBeLessThan(2000 + 1000);

    expect(synth(dir, off).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/drift/cdk.tf.json'), 'utf8')).toBe(
      first,
    );
    expect(first).not.toMatch(/"drift": "/);
  } finally {
    silent.close();
  }
});

function synth(dir: string, extraEnv: NodeJS.ProcessEnv) {
  return spawnSync(
    process.execPath,
    ['-r', require.resolve('ts-node/register/transpile-only'), 'main.ts'],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, CDKTF_OUTDIR: path.join(dir, 'cdktf.out'), ...extraEnv },
    },
  );
}
