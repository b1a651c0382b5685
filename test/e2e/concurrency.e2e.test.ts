/**
 * Several stacks, one Alooma account: real cdktf synth (two apps), real
 * terraform processes in parallel, one real emulator process.
 *
 * a. two stacks of two separate apps deploy at the same time: each input
 *    once, each marked with its own stack; destroying one leaves the other's
 *    inputs as they were;
 * b. a stack that declares a name another stack owns fails its deploy with
 *    one `error[conflict]` line naming the owner, and never touches it (nor
 *    does its destroy).
 *
 * One input name declared in two stacks of ONE app is a synth error naming
 * both construct paths: covered by test/constructs/reconciler.test.ts
 * ("input names must be unique across the app, naming both construct paths").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { createRawInput, liveInputs, runCli, writeCount } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { terraform, terraformAsync, terraformOk } from '../helpers/terraform';

jest.setTimeout(300_000);

const COUNT = 15;
const UNMANAGED = 'unmanaged_hook';
/** The beta input the gamma stack also declares. */
const CONTESTED = 'beta_db_3';
const APPLY = ['apply', '-auto-approve', '-input=false', '-no-color'];
const DESTROY = ['destroy', '-auto-approve', '-input=false', '-no-color'];
const PLAN = ['plan', '-detailed-exitcode', '-input=false', '-no-color'];

let emulator: EmulatorProcess;
let env: NodeJS.ProcessEnv;
/** App one: stacks `alpha` and `gamma`; app two: stack `beta`. */
let appOne: CdktfApp;
let appTwo: CdktfApp;
const dirs: Record<'alpha' | 'beta' | 'gamma', string> = { alpha: '', beta: '', gamma: '' };

/** A stack of the app; a low write concurrency stretches its apply (see the latency below). */
function stackCode(stack: string, body: string): string {
  return `
{
  const stack = new TerraformStack(app, ${JSON.stringify(stack)});
  new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(emulator.url)}, concurrency: 3, engine: 'terraform_data' });
  ${body}
}`;
}
function databases(prefix: string): string {
  return `for (let i = 0; i < ${COUNT}; i++) {
    new AloomaDatabaseInput(stack, 'Db' + i, {
      name: '${prefix}_db_' + i,
      source: { server: 'db.internal', port: 5432, database: '${prefix}', dbType: 'psql', user: 'reader',
                password: AloomaSecret.fromEnv('CONC_PG_PASSWORD') },
      tables: { orders: 'xmin::text::bigint', users: 'id', ['t' + i]: 'id' },
    });
  }`;
}
function appCode(stacks: string[]): string {
  return `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
${stacks.join('\n')}
app.synth();
`;
}

async function byName(): Promise<Record<string, Record<string, any>>> {
  const live = await liveInputs(emulator.url);
  const names = live.map((n) => n.name);
  expect(names.length - new Set(names).size).toBe(0);
  return Object.fromEntries(live.map((n) => [n.name, n]));
}
const namesOf = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}_db_${i}`);
/** The live inputs of a stack, as comparable snapshots (id and whole configuration). */
function snapshot(live: Record<string, Record<string, any>>, names: string[]) {
  return names.map((name) => ({
    name,
    id: live[name]?.id,
    configuration: live[name]?.configuration,
  }));
}
function manifestOf(dir: string): string {
  const assets = path.join(dir, 'assets');
  const sub = fs.readdirSync(assets).find((d) => d.startsWith('AloomaReconciler_Manifest_'));
  return path.join(assets, sub!, 'v1', 'manifest.json');
}
/** Terraform and the runtime (live Alooma vs manifest) both see nothing to do. */
function expectInSync(dir: string): void {
  const plan = terraform(dir, PLAN, env);
  expect({ code: plan.code, output: plan.code === 0 ? '' : plan.output }).toEqual({
    code: 0,
    output: '',
  });
  const live = runCli(['plan', '--manifest', manifestOf(dir)], env);
  expect({ code: live.code, output: live.code === 0 ? '' : live.stdout + live.stderr }).toEqual({
    code: 0,
    output: '',
  });
}

beforeAll(async () => {
  // latency stretches each apply so that the two parallel ones overlap
  emulator = await startEmulatorProcess({
    faults: { latencyMs: 100 },
    extraArgs: ['--source-validation', 'off'],
  });
  env = {
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    CONC_PG_PASSWORD: 'Conc-Pg-Pw-1',
  };
  await createRawInput(emulator.url, {
    name: UNMANAGED,
    type: 'RESTAPI',
    configuration: { auto_map: 'true' },
  });

  appOne = createCdktfApp('alooma-conc-one-');
  appOne.write({
    'main.ts': appCode([
      stackCode('alpha', databases('alpha')),
      stackCode(
        'gamma',
        `new AloomaInput(stack, 'Hook', { name: 'gamma_hook', type: 'RESTAPI' });
  new AloomaDatabaseInput(stack, 'Taken', {
    name: ${JSON.stringify(CONTESTED)},
    source: { server: 'db.internal', port: 5432, database: 'gamma', dbType: 'psql', user: 'reader',
              password: AloomaSecret.fromEnv('CONC_PG_PASSWORD') },
    tables: { gamma_only: 'id' },
  });`,
      ),
    ]),
  });
  appTwo = createCdktfApp('alooma-conc-two-');
  appTwo.write({ 'main.ts': appCode([stackCode('beta', databases('beta'))]) });
  for (const app of [appOne, appTwo]) {
    const synth = app.cdktf(['synth'], { ALOOMA_LIVE_DIFF: 'off' });
    if (synth.code !== 0) throw new Error(`cdktf synth failed:\n${synth.output}`);
  }
  dirs.alpha = appOne.stackDir('alpha');
  dirs.gamma = appOne.stackDir('gamma');
  dirs.beta = appTwo.stackDir('beta');
  for (const dir of Object.values(dirs)) terraformOk(dir, ['init', '-input=false', '-no-color']);
});
afterAll(async () => emulator?.stop());

describe('stacks sharing one account', () => {
  let betaBefore: ReturnType<typeof snapshot>;

  test('a. two stacks of two apps deploy at the same time: each input once, marked with its own stack', async () => {
    const started = Date.now();
    const runs = Promise.all([
      terraformAsync(dirs.alpha, APPLY, env),
      terraformAsync(dirs.beta, APPLY, env),
    ]);
    // watch for a moment where both stacks are part-way: the two applies overlapped
    let overlap = false;
    let finished = false;
    void runs.then(() => (finished = true));
    while (!finished) {
      const names = (await liveInputs(emulator.url)).map((n) => n.name as string);
      const a = names.filter((n) => n.startsWith('alpha_')).length;
      const b = names.filter((n) => n.startsWith('beta_')).length;
      if (a > 0 && a < COUNT && b > 0 && b < COUNT) overlap = true;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [alpha, beta] = await runs;
    const wallS = (Date.now() - started) / 1000;
    // the two applies really ran at the same time: both stacks were seen part-way at once
    expect(overlap).toBe(true);
    expect({ code: alpha.code, output: alpha.code === 0 ? '' : alpha.output }).toEqual({
      code: 0,
      output: '',
    });
    expect({ code: beta.code, output: beta.code === 0 ? '' : beta.output }).toEqual({
      code: 0,
      output: '',
    });

    // the re-run of both deploys converges
    terraformOk(dirs.alpha, APPLY, env);
    terraformOk(dirs.beta, APPLY, env);
    const live = await byName();
    expect(Object.keys(live).sort()).toEqual(
      [UNMANAGED, ...namesOf('alpha'), ...namesOf('beta')].sort(),
    );
    // the emulator accepts several inputs with one name: count them, a map by name would hide one
    const all = await liveInputs(emulator.url);
    expect(all.length).toBe(new Set(all.map((n) => n.name)).size);
    for (const stack of ['alpha', 'beta']) {
      for (const [i, name] of namesOf(stack).entries()) {
        const node = live[name];
        expect({
          name,
          owner: node.configuration.alooma_cdktf?.owner,
          tables: Object.keys(JSON.parse(node.configuration.tables)).sort(),
        }).toEqual({ name, owner: stack, tables: ['orders', 't' + i, 'users'].sort() });
      }
    }
    expect(live[UNMANAGED].configuration.alooma_cdktf).toBeUndefined();
    expectInSync(dirs.alpha);
    expectInSync(dirs.beta);
    betaBefore = snapshot(live, namesOf('beta'));
    console.log(
      `concurrency: two stacks in parallel: alpha=${COUNT} beta=${COUNT} live=${Object.keys(live).length - 1} ` +
        `duplicates=0 overlapWitnessed=${overlap} wallS=${wallS.toFixed(1)}`,
    );
  });

  test('b. a stack declaring a name another stack owns fails its deploy naming the owner, and leaves the input alone', async () => {
    await emulator.resetStats();
    const gamma = terraform(dirs.gamma, APPLY, env);
    expect(gamma.code).not.toBe(0);
    expect(gamma.output).toContain(
      `error[conflict]: "${CONTESTED}" is managed by "beta", not "gamma"`,
    );
    const stats = await emulator.stats();
    let live = await byName();
    // the contested input is exactly as beta left it; gamma's own input was created
    expect(snapshot(live, namesOf('beta'))).toEqual(betaBefore);
    expect(live.gamma_hook?.configuration.alooma_cdktf).toMatchObject({ owner: 'gamma' });
    // one write: the create of gamma_hook
    expect(writeCount(stats)).toBe(1);

    // a re-run fails the same way (the code still disagrees with Alooma) and writes nothing
    await emulator.resetStats();
    const again = terraform(dirs.gamma, APPLY, env);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain(`error[conflict]: "${CONTESTED}" is managed by "beta"`);
    expect(writeCount(await emulator.stats())).toBe(0);

    // destroying gamma deletes its own input and leaves the contested one in place
    const destroy = terraform(dirs.gamma, DESTROY, env);
    expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({
      code: 0,
      output: '',
    });
    expect(destroy.output).toMatch(
      new RegExp(`"${CONTESTED}" is managed by "beta"; left in place`),
    );
    live = await byName();
    expect(live.gamma_hook).toBeUndefined();
    expect(snapshot(live, namesOf('beta'))).toEqual(betaBefore);
    expectInSync(dirs.beta);
    console.log(
      `concurrency: name owned by another stack: gammaExit=${gamma.code} rerunExit=${again.code} ` +
        `contestedUntouched=true gammaDestroyExit=${destroy.code} betaInputs=${COUNT}`,
    );
  });

  test("a (cont.). destroying one stack while the other is deployed leaves the other's inputs untouched", async () => {
    await emulator.resetStats();
    const destroy = terraform(dirs.alpha, DESTROY, env);
    expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({
      code: 0,
      output: '',
    });
    const deletes = (await emulator.stats())['POST plumbing/nodes/remove/:id'] ?? 0;
    const live = await byName();
    expect(Object.keys(live).sort()).toEqual([UNMANAGED, ...namesOf('beta')].sort());
    expect(snapshot(live, namesOf('beta'))).toEqual(betaBefore);
    expectInSync(dirs.beta);
    // the re-run of beta's deploy is a no-op
    await emulator.resetStats();
    const rerun = terraformOk(dirs.beta, APPLY, env);
    expect(rerun.output).toMatch(/No changes/);
    expect(writeCount(await emulator.stats())).toBe(0);
    console.log(
      `concurrency: destroy alpha with beta deployed: alphaDeleted=${deletes} betaUntouched=${COUNT} ` +
        `unmanagedKept=${UNMANAGED in live}`,
    );
  });
});
