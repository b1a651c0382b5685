/**
 * Deploys under faults converge: real cdktf synth (once, four stacks), real
 * terraform, a real emulator process per scenario.
 *
 * a. 20% of requests answered 503 (with latency): retries carry the deploy;
 * b. 30% answered 429 with Retry-After 1 s: the client waits and converges;
 * c. the API killed and restarted mid-deploy, with lost responses (writes
 *    applied but answered 503) before and after the restart;
 * d. terraform itself SIGKILLed mid-apply: the re-run converges.
 *
 * Every scenario ends with the same checks (see `expectConverged`): each
 * input exactly once with its three tables, the unmanaged input created
 * beforehand still there, `terraform plan -detailed-exitcode` = 0 and the
 * runtime's own `plan` (live Alooma vs manifest) = 0. One line of figures per
 * scenario is printed.
 *
 * Retries are the client's own count (from its retry events), which the
 * runtime prints in its summary (`retries: N`); the emulator's counters say
 * how many faults it injected, and every injected fault of a call that did
 * not run out of retries was retried.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { createRawInput, liveInputs, runCli } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { spawnTerraform, terraform, terraformAsync, terraformOk } from '../helpers/terraform';

jest.setTimeout(240_000);

/** Stacks of the app, with their input counts. */
const STACKS = { rate503: 50, throttle: 20, restart: 50, tfkill: 30 } as const;
type StackName = keyof typeof STACKS;
const UNMANAGED = 'unmanaged_hook';
/** The PostgreSQL source check is another feature (and another test's business): off here. */
const EMULATOR_ARGS = ['--source-validation', 'off'];
const APPLY = ['apply', '-auto-approve', '-input=false', '-no-color'];

let app: CdktfApp;
const emulators: EmulatorProcess[] = [];
afterAll(async () => {
  for (const e of emulators) await e.stop();
});

const inputName = (stack: StackName, i: number) => `${stack}_db_${i}`;
const tablesOf = (i: number) => ['orders', 'users', `t${i}`].sort();

beforeAll(() => {
  app = createCdktfApp('alooma-faults-');
  // No apiUrl in the code: each scenario points ALOOMA_API_URL at its own emulator.
  app.write({
    'main.ts': `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
for (const [name, count] of Object.entries(${JSON.stringify(STACKS)})) {
  const stack = new TerraformStack(app, name);
  new AloomaConnection(stack, 'Alooma', { engine: 'terraform_data' });
  for (let i = 0; i < count; i++) {
    new AloomaDatabaseInput(stack, 'Db' + i, {
      name: name + '_db_' + i,
      source: { server: 'db.internal', port: 5432, database: 'shop', dbType: 'psql', user: 'reader',
                password: AloomaSecret.fromEnv('FAULTS_PG_PASSWORD') },
      tables: { orders: 'xmin::text::bigint', users: 'xmin::text::bigint', ['t' + i]: 'id' },
    });
  }
}
app.synth();
`,
  });
  const synth = app.cdktf(['synth'], { ALOOMA_LIVE_DIFF: 'off' });
  if (synth.code !== 0) throw new Error(`cdktf synth failed:\n${synth.output}`);
  for (const stack of Object.keys(STACKS))
    terraformOk(app.stackDir(stack), ['init', '-input=false', '-no-color']);
});

async function startEmulator(faults: Parameters<typeof startEmulatorProcess>[0] = {}) {
  const emulator = await startEmulatorProcess({
    ...faults,
    extraArgs: [...EMULATOR_ARGS, ...(faults.extraArgs ?? [])],
  });
  emulators.push(emulator);
  return emulator;
}

/** Credentials and secrets for terraform's provisioners. */
function envFor(emulator: { url: string }): NodeJS.ProcessEnv {
  return {
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    FAULTS_PG_PASSWORD: 'Faults-Pg-Pw-1',
  };
}

/** An input someone else manages in the same account: no deploy may touch it. */
async function createUnmanaged(url: string): Promise<void> {
  await createRawInput(url, {
    name: UNMANAGED,
    type: 'RESTAPI',
    configuration: { auto_map: 'true' },
  });
}

/** `N failed` of the runtime's summary line, 0 when absent. */
function failedCount(output: string): number {
  return Number(/Apply failed \([^)]*\):.*?, (\d+) failed/.exec(output)?.[1] ?? 0);
}
/** Retries the runtime's client counted, from its summary line. */
function clientRetries(output: string): number {
  const match = /Apply (?:complete|failed) \([^)]*\):.*; retries: (\d+)\./.exec(output);
  if (!match)
    throw new Error(`no retries figure in the runtime's summary:\n${output.slice(-2000)}`);
  return Number(match[1]);
}
/** Seconds the runtime's apply took, from its summary line. */
function applySeconds(output: string): number | undefined {
  const match = /Apply (?:complete|failed) \([^)]*\):.* in ([\d.]+)s[.;]/.exec(output);
  return match ? Number(match[1]) : undefined;
}

function manifestOf(stack: StackName): string {
  const assets = path.join(app.stackDir(stack), 'assets');
  const dir = fs.readdirSync(assets).find((d) => d.startsWith('AloomaReconciler_Manifest_'));
  if (!dir) throw new Error(`no manifest asset in ${assets}`);
  return path.join(assets, dir, 'v1', 'manifest.json');
}

/**
 * The deploy has converged: every input once with its tables, the unmanaged
 * input kept, terraform and the runtime both see nothing to do. Faults are
 * switched off first: these are observations, not part of the deploy.
 */
async function expectConverged(
  emulator: EmulatorProcess,
  stack: StackName,
): Promise<{ inputs: number; duplicates: number }> {
  await emulator.setFaults({});
  const count = STACKS[stack];
  const live = await liveInputs(emulator.url);
  const names = live.map((n) => n.name as string);
  const duplicates = names.length - new Set(names).size;
  expect(duplicates).toBe(0);
  expect(names.sort()).toEqual(
    [UNMANAGED, ...Array.from({ length: count }, (_, i) => inputName(stack, i))].sort(),
  );
  for (const node of live) {
    if (node.name === UNMANAGED) continue;
    const i = Number(/_(\d+)$/.exec(node.name)![1]);
    expect({
      name: node.name,
      tables: Object.keys(JSON.parse(node.configuration.tables)).sort(),
    }).toEqual({ name: node.name, tables: tablesOf(i) });
    expect(node.configuration.alooma_cdktf).toMatchObject({ owner: stack });
  }
  const env = envFor(emulator);
  const plan = terraform(
    app.stackDir(stack),
    ['plan', '-detailed-exitcode', '-input=false', '-no-color'],
    env,
  );
  expect({ code: plan.code, output: plan.code === 0 ? '' : plan.output }).toEqual({
    code: 0,
    output: '',
  });
  const live2 = runCli(['plan', '--manifest', manifestOf(stack)], env);
  expect({ code: live2.code, out: live2.code === 0 ? '' : live2.stdout + live2.stderr }).toEqual({
    code: 0,
    out: '',
  });
  return { inputs: live.length - 1, duplicates };
}

/** What a (possibly stale) state file holds: `<resources>res` plus the reconciler's status. */
function stateSummary(file: string): string {
  if (!fs.existsSync(file)) return 'none';
  const text = fs.readFileSync(file, 'utf8');
  if (!text.trim()) return 'empty';
  const state = JSON.parse(text) as {
    resources?: Array<{ name: string; instances: Array<{ status?: string }> }>;
  };
  const resources = state.resources ?? [];
  const reconciler = resources.find((r) => r.name === 'AloomaReconciler');
  return `${resources.length}res/reconciler:${reconciler ? (reconciler.instances[0]?.status ?? 'ok') : 'absent'}`;
}

function figures(label: string, values: Record<string, unknown>): void {
  console.log(
    `faults: ${label}: ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}

describe('deploys under faults converge', () => {
  test('a. 20% of requests answered 503 (+20 ms latency), 50 inputs: retries carry the deploy', async () => {
    const emulator = await startEmulator();
    await createUnmanaged(emulator.url);
    await emulator.setFaults({ errorRate: 0.2, latencyMs: 20 });
    await emulator.resetStats();
    const dir = app.stackDir('rate503');
    const env = envFor(emulator);

    const started = Date.now();
    const first = terraform(dir, APPLY, env);
    const firstMs = Date.now() - started;
    const failed = failedCount(first.output);
    const stats = await emulator.stats();
    // Without retries about a third of the 50 inputs would fail; with them, at most a rare one.
    expect(stats['injected 503']).toBeGreaterThan(10);
    expect(failed).toBeLessThanOrEqual(2);
    // every injected 503 of a call that did not run out of retries was retried, by the client's own count
    const retries = clientRetries(first.output);
    expect(retries).toBeGreaterThanOrEqual(stats['injected 503'] - failed * 4);
    expect(retries).toBeLessThanOrEqual(stats['injected 503']);
    // a first deploy may only fail because some call ran out of retries
    if (first.code !== 0) expect(first.output).toMatch(/error\[server\]/);

    // the re-run of the deploy, faults still on
    const second = terraformOk(dir, APPLY, env);
    const after = await emulator.stats();
    const result = await expectConverged(emulator, 'rate503');
    figures('503@20%', {
      inputs: result.inputs,
      injected503: stats['injected 503'],
      retries,
      requests: stats.total,
      createPosts: stats['POST plumbing/inputs'] ?? 0,
      firstExit: first.code,
      failedAfterRetries: failed,
      rerunInjected503: after['injected 503'] - stats['injected 503'],
      rerun: /No changes|0 added/.test(second.output) ? 'no-op' : 'applied',
      duplicates: result.duplicates,
      firstDeployS: (firstMs / 1000).toFixed(1),
    });
  });

  test('b. 30% of requests answered 429 with Retry-After 1 s, 20 inputs: the client waits and converges', async () => {
    const emulator = await startEmulator();
    await createUnmanaged(emulator.url);
    await emulator.setFaults({ throttleRate: 0.3, retryAfterS: 1 });
    await emulator.resetStats();
    const dir = app.stackDir('throttle');
    const env = envFor(emulator);

    const first = terraform(dir, APPLY, env);
    const stats = await emulator.stats();
    const failed = failedCount(first.output);
    const seconds = applySeconds(first.output);
    expect(stats['injected 429']).toBeGreaterThan(0);
    const retries = clientRetries(first.output);
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBeLessThanOrEqual(stats['injected 429']);
    // Retry-After is a floor: any throttled call waited >= 1 s before its retry.
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(failed).toBeLessThanOrEqual(2);
    if (first.code !== 0) expect(first.output).toMatch(/error\[rate_limited\]/);

    // the re-run of the deploy, faults still on
    terraformOk(dir, APPLY, env);
    const result = await expectConverged(emulator, 'throttle');
    figures('429@30% Retry-After=1s', {
      inputs: result.inputs,
      injected429: stats['injected 429'],
      retries,
      requests: stats.total,
      firstExit: first.code,
      failedAfterRetries: failed,
      runtimeApplyS: seconds,
      duplicates: result.duplicates,
    });
  });

  test('c. the API killed and restarted mid-deploy, with lost responses, 50 inputs: the re-run converges', async () => {
    const faults = { latencyMs: 30, errorAfterWriteRate: 0.2 };
    let emulator = await startEmulator();
    await createUnmanaged(emulator.url);
    await emulator.setFaults(faults);
    await emulator.resetStats();
    const { port, dataDir } = emulator;
    const dir = app.stackDir('restart');
    const env = envFor(emulator);

    const apply = terraformAsync(dir, APPLY, env);
    let before: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      before = await emulator.stats().catch(() => before);
      if ((before['POST plumbing/inputs'] ?? 0) >= 10) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await emulator.kill();
    const first = await apply;
    expect(first.code).not.toBe(0);
    expect(first.output).toMatch(/error\[(network|server)\]/);

    emulator = await startEmulator({ port, dataDir, faults });
    const partial = (await liveInputs(emulator.url)).length - 1;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(STACKS.restart);
    const second = terraformOk(dir, APPLY, env);
    expect(second.output).toMatch(new RegExp(`${STACKS.restart - partial} created, 0 updated`));
    const after = await emulator.stats();
    const result = await expectConverged(emulator, 'restart');
    figures('API killed mid-deploy + lost responses@20%', {
      inputs: result.inputs,
      createdBeforeKill: partial,
      lostResponsesBeforeKill: before['injected 503 after write'],
      lostResponsesRerun: after['injected 503 after write'],
      createPostsRerun: after['POST plumbing/inputs'] ?? 0,
      createdRerun: STACKS.restart - partial,
      duplicates: result.duplicates,
    });
  });

  test('d. terraform SIGKILLed mid-apply, 30 inputs: the re-run converges', async () => {
    const emulator = await startEmulator();
    await createUnmanaged(emulator.url);
    await emulator.setFaults({ latencyMs: 60 });
    await emulator.resetStats();
    const dir = app.stackDir('tfkill');
    const env = envFor(emulator);

    const run = spawnTerraform(dir, APPLY, env);
    let creates = 0;
    for (let i = 0; i < 600 && creates < 5; i++) {
      creates = (await emulator.stats())['POST plumbing/inputs'] ?? 0;
      if (creates < 5) await new Promise((r) => setTimeout(r, 50));
    }
    expect(creates).toBeGreaterThanOrEqual(5);
    run.child.kill('SIGKILL');
    const first = await run.done;
    expect(run.child.signalCode).toBe('SIGKILL');
    // killed inside the reconciler's `apply`, where the API writes happen
    expect(first.output).toMatch(/AloomaReconciler \(local-exec\): Executing/);
    // cdktf's local backend keeps the state in the app directory, next to its
    // lock info. SIGKILL leaves `.terraform.tfkill.tfstate.lock.info` behind,
    // but the lock itself is an OS file lock on the state, released when the
    // process dies: the re-run below takes it again with no -lock=false and no
    // force-unlock. The state is stale: the inputs' resources are in it, the
    // reconciler (killed in its provisioner) is not.
    const statePath = path.join(app.dir, 'terraform.tfkill.tfstate');
    const lockInfo = path.join(app.dir, '.terraform.tfkill.tfstate.lock.info');
    const lockLeft = fs.existsSync(lockInfo);
    const staleState = stateSummary(statePath);

    // What terraform had started outlives it (the provisioner's shell and the
    // runtime). Wait, bounded, for that group to end before the re-run, as a
    // user whose CI killed terraform would find it; if it does not, kill it.
    const group = run.child.pid!;
    const killedAt = Date.now();
    const orphans = () =>
      spawnSync('ps', ['-e', '-o', 'pgid=,pid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter(([pgid]) => pgid === String(group))
        .map(([, pid, ...args]) => `${pid} ${args.join(' ')}`);
    const orphansAtKill = orphans();
    for (let i = 0; i < 300 && orphans().length > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const orphanLifeMs = Date.now() - killedAt;
    const orphansLeft = orphans();
    if (orphansLeft.length > 0) process.kill(-group, 'SIGKILL');
    const createPostsTotal = (await emulator.stats())['POST plumbing/inputs'] ?? 0;
    const partial = (await liveInputs(emulator.url)).length - 1;
    expect(partial).toBeLessThan(STACKS.tfkill);

    const second = terraform(dir, APPLY, env);
    expect({ code: second.code, output: second.code === 0 ? '' : second.output }).toEqual({
      code: 0,
      output: '',
    });
    const result = await expectConverged(emulator, 'tfkill');
    figures('terraform SIGKILLed mid-apply', {
      inputs: result.inputs,
      createPostsAtKill: creates,
      createPostsAfterKill: createPostsTotal - creates,
      orphanProcesses: orphansAtKill.length,
      orphansGoneWithinMs: orphansLeft.length ? 'never (killed)' : orphanLifeMs,
      liveBeforeRerun: partial,
      lockInfoLeft: lockLeft,
      stateAfterKill: staleState,
      rerun: JSON.stringify(/Apply complete \([^)]*\): [^;]*/.exec(second.output)?.[0] ?? ''),
      duplicates: result.duplicates,
    });
  });
});
