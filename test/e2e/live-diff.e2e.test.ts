/**
 * The live report during `cdktf diff`, per engine.
 *
 * Provisioner engines (`terraform_data`, set explicitly): drift made in
 * Alooma behind the code's back is reported, `cdktf deploy` restores it, and
 * the next `cdktf diff` is clean in both the live report and Terraform's
 * plan. A secret the next deploy needs and the environment lacks stops
 * Terraform's plan (diff and deploy fail, as the runtime's `plan` does) while
 * `cdktf destroy` still works.
 *
 * Engine `provider`: only what Terraform's refresh cannot show: a create
 * that adopts (then deploys with 0 creates), a create whose name another
 * owner holds (the plan stops; nothing of the stack is applied; destroy
 * works), orphans of the stack's owner.
 *
 * Everything is a cdktf annotation (in cdktf.out/manifest.json, printed by
 * the cdktf CLI), never a line on stdout.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { filesUnder } from '../helpers/files';
import { createRawInput, liveInputs, runCli, writeCount } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { TerraformStack, Testing } from 'cdktf';
import { AloomaConnection, AloomaInput } from '../../src/constructs';
import { MARKER_FIELD } from '../../src/runtime/protocol';

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
  new AloomaConnection(stack, 'Alooma', { engine: 'terraform_data', apiUrl: ${JSON.stringify(url)} });
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

  // WHEN cdktf diff runs THEN it fails at plan, naming DRIFT_PW and orders_db (annotation and precondition)
  const diff = app.cdktf(['diff'], withoutSecret);
  expect(diff.code).not.toBe(0);
  expect(diff.output).toMatch(/orders_db: password \(secret\) rotated/);
  const message =
    /alooma \(drift\): the next deploy writes a secret whose variable is not set: DRIFT_PW \(input "orders_db", password\)\. The deploy would fail, so Terraform's plan stops before any write \(cdktf destroy still works\): export DRIFT_PW/;
  expect(diff.output).toMatch(
    new RegExp(`^WARN \\[drift/AloomaReconciler\\]: ${message.source}`, 'm'),
  );
  expect(diff.output).toMatch(/Resource precondition failed/);
  // Terraform prints the precondition's message (wrapped at 78 columns)
  const unwrapped = diff.output.replace(/\s+/g, ' ');
  expect(unwrapped).toMatch(new RegExp(`Resource precondition failed.* ${message.source}`));
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

  // WHEN cdktf deploy runs without the variable THEN it stops at plan: no write
  await emulator.resetStats();
  const deploy = app.cdktf(['deploy', '--auto-approve'], withoutSecret);
  expect(deploy.code).not.toBe(0);
  expect(deploy.output).toMatch(/Resource precondition failed/);
  expect(writeCount(await emulator.stats())).toBe(0);

  // WHEN cdktf destroy runs without the variable (destroy writes no secret) THEN it works
  const destroy = app.cdktf(['destroy', '--auto-approve'], withoutSecret);
  if (destroy.code !== 0) throw new Error(destroy.output);
  expect(destroy.output).toMatch(
    /WARN \[drift\/AloomaReconciler\]: alooma \(drift\): the next deploy writes a secret/,
  );
  expect(
    (await liveInputs(emulator.url)).filter((n) => /^(orders_db|hook_0_\d)$/.test(n.name)),
  ).toEqual([]);
});

test('Testing.fullSynth, which skips the App.synth pass that resolves tokens early, carries the warning too', () => {
  // GIVEN no credentials in this process
  const saved = { ...process.env };
  for (const name of ['ALOOMA_API_KEY', 'ALOOMA_USERNAME', 'ALOOMA_PASSWORD', 'ALOOMA_LIVE_DIFF'])
    delete process.env[name];
  try {
    const testApp = Testing.app({ context: { 'alooma-cdktf:runtimeBundle': RUNTIME_STUB } });
    const stack = new TerraformStack(testApp, 'solo');
    new AloomaConnection(stack, 'Alooma', {
      engine: 'terraform_data',
      apiUrl: 'http://127.0.0.1:9',
    });
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

describe('engine "provider": only what Terraform\'s refresh cannot show', () => {
  let papp: CdktfApp;
  let penv: NodeJS.ProcessEnv;
  let ids: Record<string, string>;
  const stateFile = () => path.join(papp.dir, 'terraform.prov.tfstate');
  const providerTs = (url: string, names: readonly string[]) => `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaInput } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'prov');
new AloomaConnection(stack, 'Alooma', { engine: 'provider', apiUrl: ${JSON.stringify(url)} });
${JSON.stringify(names)}.forEach((name, i) => new AloomaInput(stack, 'Hook' + i, { name, type: 'RESTAPI' }));
app.synth();
`;
  const marked = (owner: string) => ({
    auto_map: 'true',
    [MARKER_FIELD]: JSON.stringify({ owner }),
  });
  const named = async (name: string) =>
    (await liveInputs(emulator.url)).filter((n) => n.name === name);

  beforeAll(async () => {
    penv = { ALOOMA_API_KEY: 'demo-key', TF_CLI_CONFIG_FILE: '/dev/null' };
    papp = createCdktfApp('alooma-live-provider-');
    papp.write({ 'main.ts': providerTs(emulator.url, ['p_hook_a', 'p_hook_b']) });
    const deploy = papp.cdktf(['deploy', '--auto-approve'], penv);
    if (deploy.code !== 0) throw new Error(deploy.output);
    // nothing to say beyond the plan: one info line, on the provider block
    expect(deploy.output).toMatch(
      /^INFO \[prov\/AloomaProvider\]: alooma \(prov\): 2 input\(s\) checked against live Alooma: no adoption, conflict or orphan/m,
    );
    ids = {
      p_hook_a: (await named('p_hook_a'))[0].id,
      p_hook_b: (await named('p_hook_b'))[0].id,
    };
  });

  test('a lost state: the report says the planned creates adopt (by id), and deploy creates nothing', async () => {
    // GIVEN the state is lost (a crashed disk, a migration)
    fs.renameSync(stateFile(), `${stateFile()}.lost`);

    // WHEN cdktf diff runs THEN Terraform plans 2 creates, and the report says each adopts its input
    const diff = papp.cdktf(['diff'], penv);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/Plan: 2 to add, 0 to change, 0 to destroy/);
    expect(diff.output).toMatch(
      /^INFO \[prov\/AloomaProvider\]: alooma \(prov\): live Alooma vs the code and the state/m,
    );
    for (const [name, i] of [
      ['p_hook_a', 0],
      ['p_hook_b', 1],
    ] as const) {
      expect(diff.output).toContain(
        `${name} (alooma_input.Hook${i}): the planned create adopts the input this owner already has, id ${ids[name]}`,
      );
    }

    // WHEN cdktf deploy runs THEN no input is created: the same ids, one of each name
    await emulator.resetStats();
    const deploy = papp.cdktf(['deploy', '--auto-approve'], penv);
    if (deploy.code !== 0) throw new Error(deploy.output);
    expect((await emulator.stats())['POST plumbing/inputs'] ?? 0).toBe(0);
    expect((await named('p_hook_a')).map((n) => n.id)).toEqual([ids.p_hook_a]);
    expect((await named('p_hook_b')).map((n) => n.id)).toEqual([ids.p_hook_b]);

    // AND the next diff has nothing more to say
    const after = papp.cdktf(['diff'], penv);
    expect(after.code).toBe(0);
    expect(after.output).toMatch(/no adoption, conflict or orphan/);
  });

  test('a name another owner holds: said at diff naming the owner; the plan stops, so nothing is half-applied; destroy works', async () => {
    // GIVEN another stack's input p_taken, and code adding it with a new p_hook_c
    await createRawInput(emulator.url, {
      name: 'p_taken',
      type: 'RESTAPI',
      configuration: marked('billing'),
    });
    const taken = (await named('p_taken'))[0].id;
    papp.write({
      'main.ts': providerTs(emulator.url, ['p_hook_a', 'p_hook_b', 'p_hook_c', 'p_taken']),
    });

    // WHEN cdktf diff runs THEN a warning names the holder and the plan fails at that resource
    const diff = papp.cdktf(['diff'], penv);
    expect(diff.code).not.toBe(0);
    expect(diff.output).toMatch(
      /^WARN \[prov\/AloomaProvider\]: alooma \(prov\): live Alooma vs the code and the state/m,
    );
    expect(diff.output).toContain(
      `p_taken (alooma_input.Hook3): the planned create fails with conflict: the name is held by ${taken} (owner "billing")`,
    );
    expect(diff.output).toMatch(/Resource precondition failed/);
    expect(diff.output).toMatch(/alooma_input\.Hook3/);

    // WHEN cdktf deploy runs THEN it stops at plan: p_hook_c is not created alone
    await emulator.resetStats();
    const deploy = papp.cdktf(['deploy', '--auto-approve'], penv);
    expect(deploy.code).not.toBe(0);
    expect(writeCount(await emulator.stats())).toBe(0);
    expect(await named('p_hook_c')).toEqual([]);

    // WHEN the name is free again THEN the report is quiet
    papp.write({ 'main.ts': providerTs(emulator.url, ['p_hook_a', 'p_hook_b']) });
  });

  test('an orphan of this owner (in neither code nor state) is named with its fix', async () => {
    // GIVEN an input carrying this stack's owner that nothing declares or holds in state
    await createRawInput(emulator.url, {
      name: 'p_orphan',
      type: 'RESTAPI',
      configuration: marked('prov'),
    });
    const orphan = (await named('p_orphan'))[0].id;

    // WHEN cdktf diff runs THEN it is reported with both fixes; Terraform plans nothing for it
    const diff = papp.cdktf(['diff'], penv);
    expect(diff.code).toBe(0);
    expect(diff.output).toMatch(/^WARN \[prov\/AloomaProvider\]: alooma \(prov\)/m);
    expect(diff.output).toContain(
      `p_orphan (RESTAPI, id ${orphan}): this owner's input is in neither the code nor the state; the provider never deletes it. ` +
        'Declare it again (the create adopts it; alooma-cdktf import p_orphan prints the construct), or delete it: alooma-cdktf inputs delete p_orphan --apply --yes.',
    );
    expect(diff.output).toMatch(/No changes/);
  });

  test('with a conflict in the code, cdktf destroy still works (the precondition is never evaluated by a destroy)', async () => {
    papp.write({ 'main.ts': providerTs(emulator.url, ['p_hook_a', 'p_hook_b', 'p_taken']) });
    const destroy = papp.cdktf(['destroy', '--auto-approve'], penv);
    if (destroy.code !== 0) throw new Error(destroy.output);
    expect(destroy.output).toMatch(
      /p_taken \(alooma_input\.Hook2\): the planned create fails with conflict/,
    );
    expect(await named('p_hook_a')).toEqual([]);
    expect(await named('p_hook_b')).toEqual([]);
    // another owner's input and the orphan are never touched
    expect(await named('p_taken')).toHaveLength(1);
    expect(await named('p_orphan')).toHaveLength(1);
  });

  test('an app of both engines: one runtime process, one structure read, each stack its own report', async () => {
    const dir = fs.mkdtempSync(path.join(papp.dir, 'mixed-'));
    fs.writeFileSync(
      path.join(dir, 'main.ts'),
      `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaInput } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
for (const engine of ['provider', 'terraform_data'] as const) {
  const stack = new TerraformStack(app, 'mix_' + engine);
  new AloomaConnection(stack, 'Alooma', { engine, apiUrl: ${JSON.stringify(emulator.url)} });
  new AloomaInput(stack, 'Hook', { name: 'mix_hook_' + engine, type: 'RESTAPI' });
}
app.synth();
`,
    );
    await emulator.resetStats();
    const result = synth(dir, penv);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect((await emulator.stats())['GET plumbing']).toBe(1);
    expect(annotationsOf(dir)).toEqual([
      {
        stack: 'mix_provider',
        level: '@cdktf/info',
        constructPath: 'mix_provider/AloomaProvider',
        message: expect.stringMatching(
          /^alooma \(mix_provider\): 1 input\(s\) checked against live Alooma/,
        ),
      },
      {
        stack: 'mix_terraform_data',
        level: '@cdktf/warn',
        constructPath: 'mix_terraform_data/AloomaReconciler',
        message: expect.stringMatching(
          /^alooma \(mix_terraform_data\): 1 of 1 input\(s\) differ from live Alooma.*\n {2}mix_hook_terraform_data: missing in Alooma \(will be created\)/s,
        ),
      },
    ]);
  });

  test('Alooma unreachable: one warning on the provider block, and synth goes on', () => {
    const dir = fs.mkdtempSync(path.join(papp.dir, 'unreachable-'));
    fs.writeFileSync(path.join(dir, 'main.ts'), providerTs('http://127.0.0.1:9', ['p_far']));
    const result = synth(dir, { ...penv, ALOOMA_LIVE_DIFF_TIMEOUT_MS: '2000' });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(annotationsOf(dir)).toEqual([
      {
        stack: 'prov',
        level: '@cdktf/warn',
        constructPath: 'prov/AloomaProvider',
        message: expect.stringMatching(/^live diff skipped after \d+\.\ds: .*\(synth continues\)$/),
      },
    ]);
    expect(fs.existsSync(path.join(dir, 'cdktf.out/stacks/prov/cdk.tf.json'))).toBe(true);
  });
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
