/**
 * The provider's creates share their structure reads (issue 18): real
 * terraform 1.11 applies a plain HCL configuration of many inputs against
 * one real emulator process, whose counters say how often the whole
 * structure (`GET plumbing`) was read.
 *
 * A create looks its name up in one structure read of its provider process
 * (shared by all its creates), and its confirmation (the read that shows the
 * new input, and every input of its name created before it) goes through the
 * client's shared structure poller. So N creates in one apply cost a few
 * reads, where they used to cost two each.
 *
 * The guarantees stay: an input of the name that exists when the apply
 * starts is adopted when it is this owner's and refused with `conflict` when
 * it is another owner's, with no create posted for either.
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
} from '../helpers/provider-workdir';

jest.setTimeout(300_000);

const COUNT = 30;
/**
 * Structure reads allowed for COUNT creates in one apply. Reading the
 * structure once per create would make COUNT reads, and the look-up and the
 * check after the create two each; the shared reads make a handful.
 */
const READ_BOUND = Math.floor(COUNT / 3);
const STRUCTURE_READ = 'GET plumbing';

let root: string;
let emulator: EmulatorProcess;

beforeAll(async () => {
  requireBundles([PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-creates-'));
  emulator = await startEmulatorProcess({ faults: { latencyMs: 5 } });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Posts an input as another tool would, with the ownership marker of `owner`. */
async function postInput(name: string, owner: string): Promise<string> {
  const res = await fetch(`${emulator.url}/rest/inputs?validate=false`, {
    method: 'POST',
    headers: {
      authorization: 'API demo-key',
      'content-type': 'application/json',
      connection: 'close',
    },
    body: JSON.stringify({ name, type: 'RESTAPI', configuration: { alooma_cdktf: { owner } } }),
  });
  expect(res.ok).toBe(true);
  const node = (await liveInputs(emulator.url)).find((n) => n.name === name);
  return node!.id as string;
}

test(`${COUNT} creates in one apply share their structure reads (<= ${READ_BOUND}); each input once, in state with its live id`, async () => {
  const work = makeWorkdir(root, 'bulk', emulator, header('bulk-team') + hooks('bulk', COUNT));

  await emulator.resetStats();
  const apply = work.ok(['apply', '-auto-approve', '-input=false']);
  const stats = await emulator.stats();

  expect(apply.output).toContain(`Apply complete! Resources: ${COUNT} added, 0 changed`);
  expect(await createCalls(emulator)).toBe(COUNT);
  const reads = stats[STRUCTURE_READ] ?? 0;
  console.log(`creates: ${COUNT} creates in one apply made ${reads} structure read(s)`);
  expect(reads).toBeGreaterThan(0);
  expect(reads).toBeLessThanOrEqual(READ_BOUND);

  const counts = await countByName(emulator);
  const bulk = [...counts].filter(([name]) => name.startsWith('bulk-'));
  expect(bulk).toHaveLength(COUNT);
  expect(bulk.filter(([, n]) => n !== 1)).toEqual([]);
  const live = (await liveInputs(emulator.url)).filter((n) =>
    (n.name as string).startsWith('bulk-'),
  );
  expect([...work.stateIds().values()].sort()).toEqual(live.map((n) => n.id as string).sort());
  expect(work.ok(['plan', '-input=false']).output).toContain('No changes.');
});

test("inputs of the name that exist when the apply starts: this owner's adopted, another owner's refused with conflict; no create posted", async () => {
  const mine = await postInput('found-mine', 'found-team');
  const theirs = await postInput('found-theirs', 'billing');
  const work = makeWorkdir(
    root,
    'found',
    emulator,
    header('found-team') +
      `
resource "alooma_input" "mine" {
  name     = "found-mine"
  type     = "RESTAPI"
  auto_map = false
}

resource "alooma_input" "theirs" {
  name = "found-theirs"
  type = "RESTAPI"
}
`,
  );

  await emulator.resetStats();
  const apply = work.tf(['apply', '-auto-approve', '-input=false']);
  const stats = await emulator.stats();

  expect(apply.code).toBe(1);
  const output = apply.output.replace(/\s+/g, ' ');
  expect(output).toContain(`is not this owner's to adopt: ${theirs} (owner "billing")`);
  expect(await createCalls(emulator)).toBe(0);
  // adopted: its id in state, and its configuration written (auto_map false)
  expect(work.stateIds().get('alooma_input.mine')).toBe(mine);
  expect(work.stateIds().has('alooma_input.theirs')).toBe(false);
  expect(stats['PUT inputs/:id']).toBe(1);
  const live = await liveInputs(emulator.url);
  expect(live.find((n) => n.id === mine)?.configuration.auto_map).toBe(false);
  expect(live.filter((n) => n.name === 'found-theirs').map((n) => n.id)).toEqual([theirs]);
});
