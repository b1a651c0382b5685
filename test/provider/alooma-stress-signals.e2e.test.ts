/**
 * The provider when Terraform is stopped mid-apply: real terraform 1.11, a
 * plain HCL configuration of 20 webhook inputs, a real emulator process
 * whose answers are slowed (latency) so the apply is caught part-way.
 *
 * 1. Ctrl-C (SIGINT to terraform's process group, as a terminal sends it)
 *    once some creates have landed: Terraform stops gracefully, StopProvider
 *    cancels the writes still waiting for their turn (at most the one in
 *    flight lands after the signal), the state holds exactly what exists;
 *    the next apply creates the rest, every input exists once, a final plan
 *    shows no changes.
 * 2. SIGKILL of terraform mid-apply (no graceful stop: the creates its
 *    provider has in flight land with nobody to record them): the next apply
 *    adopts them by their ownership marker, no input is doubled.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  EMULATOR_BUNDLE,
  RUNTIME_BUNDLE,
  startEmulatorProcess,
  type EmulatorProcess,
} from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';
import {
  countByName,
  createCalls,
  header,
  hooks,
  makeWorkdir,
  PROVIDER_BUNDLE,
  requireBundles,
  waitFor,
  type Workdir,
} from '../helpers/provider-workdir';

jest.setTimeout(300_000);

const COUNT = 20;
const OWNER = 'signals-team';
const names = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}-${i}`);

let root: string;
const emulators: EmulatorProcess[] = [];

beforeAll(() => {
  requireBundles([PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-stress-signals-'));
});

afterAll(async () => {
  for (const e of emulators) await e.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

async function emulatorWithLatency(latencyMs: number): Promise<EmulatorProcess> {
  const emulator = await startEmulatorProcess({ faults: { latencyMs } });
  emulators.push(emulator);
  return emulator;
}

/**
 * The converged end of every scenario: each input once, the state's ids
 * are the live ones of those names, and a plan shows no changes.
 */
async function expectConverged(emulator: EmulatorProcess, work: Workdir, prefix: string) {
  await emulator.setFaults({});
  const counts = await countByName(emulator);
  const ours = [...counts].filter(([name]) => name.startsWith(`${prefix}-`));
  expect(ours.filter(([, n]) => n !== 1)).toEqual([]);
  expect(ours.map(([name]) => name).sort()).toEqual(names(prefix).sort());
  const live = new Map(
    (await liveInputs(emulator.url)).map((n) => [n.name as string, n.id as string]),
  );
  const state = work.stateIds();
  expect(state.size).toBe(COUNT);
  for (let i = 0; i < COUNT; i++)
    expect(state.get(`alooma_input.hooks[${i}]`)).toBe(live.get(`${prefix}-${i}`));
  const plan = work.ok(['plan', '-detailed-exitcode', '-input=false']);
  expect(plan.output).toContain('No changes.');
}

test('Ctrl-C mid-apply: Terraform stops gracefully, the state is true, the next apply converges', async () => {
  const emulator = await emulatorWithLatency(200);
  // one write at a time in the provider, ten resources in flight from Terraform:
  // at the signal, most of them are waiting for their turn
  const work = makeWorkdir(root, 'sigint', emulator, header(OWNER, 1) + hooks('int', COUNT));
  await emulator.resetStats();
  const apply = work.spawn(['apply', '-auto-approve', '-input=false']);
  await waitFor('5 creates', async () => (await createCalls(emulator)) >= 5);
  const atSignal = await createCalls(emulator);
  process.kill(-apply.child.pid!, 'SIGINT');
  const stopped = await apply.done;
  work.outputs.push(stopped.output);
  const afterStop = await createCalls(emulator);

  expect(stopped.code).toBe(1);
  expect(stopped.output).toContain('Interrupt received');
  // the create in flight may land; none of those waiting starts
  expect(afterStop - atSignal).toBeLessThanOrEqual(1);

  // the state is true: what it holds exists with its id, and nothing else of ours exists
  const state = work.stateIds();
  const live = await liveInputs(emulator.url);
  const liveOurs = live.filter((n) => (n.name as string).startsWith('int-'));
  expect(state.size).toBe(afterStop);
  expect([...state.values()].sort()).toEqual(liveOurs.map((n) => n.id as string).sort());
  console.log(
    `stress: SIGINT after ${atSignal} creates; ${afterStop} landed, ${state.size} in state, stop took the in-flight write only`,
  );

  // a plan first (it must not drop or double anything), then the apply that converges
  const plan = work.ok(['plan', '-input=false', '-detailed-exitcode'], [2]);
  expect(plan.output).toContain(`Plan: ${COUNT - state.size} to add, 0 to change, 0 to destroy.`);
  await emulator.resetStats();
  work.ok(['apply', '-auto-approve', '-input=false']);
  expect(await createCalls(emulator)).toBe(COUNT - state.size);
  await expectConverged(emulator, work, 'int');
});

test('SIGKILL mid-apply: the next apply adopts the creates that landed unrecorded, no duplicate', async () => {
  const emulator = await emulatorWithLatency(150);
  const work = makeWorkdir(root, 'sigkill', emulator, header(OWNER, 4) + hooks('kill', COUNT));
  await emulator.resetStats();
  const apply = work.spawn(['apply', '-auto-approve', '-input=false']);
  // kill when creates have landed that the state file does not record yet (terraform
  // writes it after each answer): what a crash at that moment leaves behind
  const landedCount = async () =>
    (await liveInputs(emulator.url)).filter((n) => (n.name as string).startsWith('kill-')).length;
  await waitFor('creates landed that the state does not record', async () => {
    const landed = await landedCount();
    try {
      return landed >= work.stateIds().size + 2;
    } catch {
      return false; // the state file caught mid-write
    }
  });
  // terraform alone, as a crash or the OOM killer would
  apply.child.kill('SIGKILL');
  const killed = await apply.done;
  expect(apply.child.signalCode).toBe('SIGKILL');
  expect(killed.code).toBe(-1);
  // the provider, orphaned, exits by itself (within its 1 s orphan check)
  await new Promise((r) => setTimeout(r, 1500));

  const landed = (await liveInputs(emulator.url)).filter((n) =>
    (n.name as string).startsWith('kill-'),
  );
  const recorded = work.stateIds().size;
  // some creates landed that no state records: the case this test is about
  expect(landed.length).toBeGreaterThan(recorded);
  console.log(`stress: SIGKILL: ${landed.length} creates landed, ${recorded} in state`);

  await emulator.resetStats();
  const rerun = work.ok(['apply', '-auto-approve', '-input=false']);
  expect(rerun.output).toContain(`Apply complete! Resources: ${COUNT - recorded} added`);
  // only the inputs that did not exist are created; the others are adopted by marker
  expect(await createCalls(emulator)).toBe(COUNT - landed.length);
  await expectConverged(emulator, work, 'kill');
  // the adopted ones kept their ids
  const state = work.stateIds();
  for (const node of landed) expect([...state.values()]).toContain(node.id as string);
});
