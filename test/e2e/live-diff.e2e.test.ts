/**
 * The live diff during `cdktf diff`: drift made in Alooma behind the code's
 * back is reported, `cdktf deploy` restores it, and the next `cdktf diff` is
 * clean in both the live report and Terraform's plan. Everything it says is
 * a cdktf annotation (in cdktf.out/manifest.json, printed by the cdktf CLI),
 * never a line on stdout; a secret the next deploy needs and the environment
 * lacks is an error there, as it is for the runtime's `plan`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { filesUnder } from '../helpers/files';
import { liveInputs, runCli, writeCount } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { TerraformStack, Testing } from 'cdktf';
import { AloomaConnection, AloomaInput } from '../../src/constructs';

const RUNTIME_STUB = path.resolve(__dirname, '../constructs/fixtures/runtime-stub.js');

jest.setTimeout(400_000);

let emulator: EmulatorProcess;
let app: CdktfApp;
let env: NodeJS.ProcessEnv;

const mainTs = (url: string, stacks = 1, secretVersion?: string) => `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
for (let s = 0; s < ${stacks}; s++) {
  const stack = new TerraformStack(app, s === 0 ? 'drift' : 'drift' + s);
  new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(url)} });
  new AloomaDatabaseInput(stack, 'Orders', {
    name: s === 0 ? 'orders_db' : 'orders_db_' + s,
    source: { server: 'db', port: 5432, database: 'shop', dbType: 'psql', user: 'u', password: AloomaSecret.fromEnv('DRIFT_PW'${secretVersion ? `, { version: ${JSON.stringify(secretVersion)} }` : ''}) },
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
  expect((await emulator.stats())['GET plumbing']).toBe(1);
  // THEN each stack's report is an annotation of that stack's reconciler, and stdout is silent
  expect(result.stdout).toBe('');
  expect(annotationsOf(dir)).toEqual([
    {
      stack: 'drift',
      level: '@cdktf/info',
      constructPath: 'drift/AloomaReconciler',
      message: 'alooma (drift): 6 input(s) in sync with live Alooma.',
    },
    ...[1, 2].map((n) => ({
      stack: `drift${n}`,
      level: '@cdktf/warn',
      constructPath: `drift${n}/AloomaReconciler`,
      message: expect.stringMatching(
        new RegExp(
          `^alooma \\(drift${n}\\): 6 of 6 input\\(s\\) differ from live Alooma.*\\n  orders_db_${n}: missing in Alooma \\(will be created\\)`,
          's',
        ),
      ),
    })),
  ]);
});

test('without credentials, synth carries one warning (once per synth, not per stack) and prints nothing', () => {
  const dir = fs.mkdtempSync(path.join(app.dir, 'nocreds-'));
  fs.writeFileSync(path.join(dir, 'main.ts'), mainTs(emulator.url, 3));
  const result = synth(dir, { ALOOMA_API_URL: emulator.url, DRIFT_PW: 'Drift-Pw-1' });
  expect(result.status).toBe(0);
  expect(result.stdout).toBe('');
  expect(annotationsOf(dir)).toEqual([
    {
      stack: 'drift',
      level: '@cdktf/warn',
      constructPath: 'drift/AloomaReconciler',
      message:
        'live diff skipped: no Alooma credentials (set ALOOMA_API_KEY, or ALOOMA_USERNAME and ALOOMA_PASSWORD, ' +
        'to compare with live Alooma; ALOOMA_LIVE_DIFF=off silences this)',
    },
  ]);
  // and where cdktf users look: the CLI prints it once
  const cli = createCdktfApp('alooma-nocreds-');
  cli.write({ 'main.ts': mainTs(emulator.url, 3) });
  const synthCli = cli.cdktf(['synth'], { ALOOMA_API_URL: emulator.url });
  expect(synthCli.code).toBe(0);
  expect(synthCli.output.match(/live diff skipped: no Alooma credentials/g)).toHaveLength(1);
  expect(synthCli.output).toMatch(/^WARN \[drift\/AloomaReconciler\]: live diff skipped/m);
});

test('a slow API warns within the timeout (plus a margin) and synth goes on; offline output is byte-identical', async () => {
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
    expect(slow.stdout).toBe('');
    expect(annotationsOf(dir)).toEqual([
      expect.objectContaining({
        stack: 'drift',
        level: '@cdktf/warn',
        // the runtime's own timeout, or (on a loaded machine) the bound on the whole process
        message: expect.stringMatching(
          /^live diff skipped after [23]\.\ds: .*timeout.*\(synth continues\)$/,
        ),
      }),
    ]);
    // Bounded by the timeout, not by the silent server (which never answers):
    // a margin for a loaded two-core machine; speed itself is bench/'s (1c).
    expect(elapsed - baseline).toBeLessThan(2000 + 4000);

    expect(synth(dir, off).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'cdktf.out/stacks/drift/cdk.tf.json'), 'utf8')).toBe(
      first,
    );
    expect(first).not.toMatch(/"drift": "/);
  } finally {
    silent.close();
  }
});

test('a secret the next deploy writes but the environment lacks fails cdktf diff, naming the variable and the input', async () => {
  // GIVEN the code rotates the password (version 2) and DRIFT_PW is not set
  app.write({ 'main.ts': mainTs(emulator.url, 1, '2') });
  const { DRIFT_PW: _unset, ...withoutSecret } = env;
  await emulator.resetStats();

  // WHEN cdktf diff runs THEN it fails before any plan, with an error naming DRIFT_PW and orders_db
  const diff = app.cdktf(['diff'], withoutSecret);
  expect(diff.code).not.toBe(0);
  expect(diff.output).toMatch(/orders_db: password \(secret\) rotated/);
  expect(diff.output).toMatch(
    /^ERROR \[drift\/AloomaReconciler\]: alooma \(drift\): the next deploy writes a secret whose variable is not set: DRIFT_PW \(input "orders_db", password\)\. The deploy would fail: export DRIFT_PW/m,
  );
  // no stack trace into this library under the error
  expect(diff.output).not.toMatch(/live-diff\.ts/);
  expect(diff.output).not.toMatch(/must be replaced/);
  expect(writeCount(await emulator.stats())).toBe(0);

  // AND the runtime's plan fails the same way, after printing the plan
  const manifest = filesUnder(app.stackDir('drift')).find((f) => f.endsWith('manifest.json'))!;
  const plan = runCli(['plan', '--manifest', manifest], withoutSecret);
  expect(plan.code).toBe(1);
  expect(plan.stdout).toMatch(/~ password: \(secret, written as version 2\)/);
  expect(plan.stderr).toMatch(
    /error\[missing_secret\]: secret variable is not set: DRIFT_PW \(input "orders_db", password\)/,
  );

  // WHEN the variable is set THEN the diff passes and shows the rotation
  const withSecret = app.cdktf(['diff'], env);
  expect(withSecret.code).toBe(0);
  expect(withSecret.output).toMatch(/orders_db: password \(secret\) rotated/);
  expect(withSecret.output).not.toMatch(/^ERROR|not set/m);
  expect(runCli(['plan', '--manifest', manifest], env).code).toBe(2);
});

test('Testing.fullSynth, which skips the App.synth pass that resolves tokens early, carries the warning too', () => {
  // GIVEN no credentials in this process
  const saved = { ...process.env };
  for (const name of ['ALOOMA_API_KEY', 'ALOOMA_USERNAME', 'ALOOMA_PASSWORD', 'ALOOMA_LIVE_DIFF'])
    delete process.env[name];
  try {
    const testApp = Testing.app({ context: { 'alooma-cdktf:runtimeBundle': RUNTIME_STUB } });
    const stack = new TerraformStack(testApp, 'solo');
    new AloomaConnection(stack, 'Alooma', { apiUrl: 'http://127.0.0.1:9' });
    new AloomaInput(stack, 'Hook', { name: 'solo_hook', type: 'RESTAPI' });
    // WHEN the stack is synthesized on its own THEN the warning is in its manifest
    const outdir = Testing.fullSynth(stack);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(
      manifest.stacks.solo.annotations.map((a: { level: string; message: string }) => [
        a.level,
        a.message,
      ]),
    ).toEqual([
      ['@cdktf/warn', expect.stringMatching(/^live diff skipped: no Alooma credentials/)],
    ]);
  } finally {
    process.env = saved;
  }
});

/** Every annotation of the synthesized app (cdktf.out/manifest.json), stack by stack. */
function annotationsOf(dir: string) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/manifest.json'), 'utf8'));
  return Object.entries(
    manifest.stacks as Record<
      string,
      { annotations: Array<{ level: string; constructPath: string; message: string }> }
    >,
  ).flatMap(([stack, { annotations }]) =>
    annotations.map(({ level, constructPath, message }) => ({
      stack,
      level,
      constructPath,
      message,
    })),
  );
}

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
