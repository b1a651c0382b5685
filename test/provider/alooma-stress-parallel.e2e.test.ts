/**
 * Two applies of 20 inputs each at the same time into one Alooma account,
 * with faults injected: real terraform 1.11 in two working directories (two
 * teams, two provider `owner`s, as two repositories deploy to one account),
 * one real emulator process answering 10% of requests 503, 10% 429 with
 * Retry-After 1 s, and losing the answer of 20% of writes after applying
 * them.
 *
 * No input is doubled (a lost create answer is confirmed by name and owner,
 * never posted again, and never taken for the other team's), both applies
 * converge on the first run, a plan after shows no changes, and the retries
 * are bounded: the providers retried no more often than faults were
 * injected, and each apply ends within a fixed time.
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
import { terraformAsync } from '../helpers/terraform';
import {
  countByName,
  header,
  hooks,
  makeWorkdir,
  PROVIDER_BUNDLE,
  requireBundles,
  type Workdir,
} from '../helpers/provider-workdir';

jest.setTimeout(300_000);

const COUNT = 20;
/** Each apply must end within this (the faults add retries and Retry-After waits, not minutes). */
const APPLY_BOUND_MS = 120_000;
const FAULTS = { errorRate: 0.1, throttleRate: 0.1, retryAfterS: 1, errorAfterWriteRate: 0.2 };

let root: string;
let emulator: EmulatorProcess;

beforeAll(async () => {
  requireBundles([PROVIDER_BUNDLE, RUNTIME_BUNDLE, EMULATOR_BUNDLE]);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-stress-parallel-'));
  emulator = await startEmulatorProcess({ faults: { latencyMs: 10 } });
});

afterAll(async () => {
  await emulator?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Lines of the provider's log saying the client retried a request. */
function retriesIn(output: string): number {
  return output.split('\n').filter((l) => l.includes('alooma retry')).length;
}

test('two teams apply 20 inputs each at once under 503s, 429s and lost answers: no duplicate, both converge, retries bounded', async () => {
  const teams = ['team-a', 'team-b'] as const;
  const work: Record<string, Workdir> = {};
  for (const team of teams)
    work[team] = makeWorkdir(root, team, emulator, header(team) + hooks(`par-${team}`, COUNT));

  await emulator.resetStats();
  await emulator.setFaults({ ...FAULTS, latencyMs: 10 });
  const started = Date.now();
  // the provider's info log (its retries) on stderr
  const env = (w: Workdir) => ({ ...w.env, TF_LOG_PROVIDER: 'info' });
  const results = await Promise.all(
    teams.map(async (team) => {
      const result = await terraformAsync(
        work[team].dir,
        ['apply', '-auto-approve', '-input=false', '-no-color'],
        env(work[team]),
      );
      return { team, result, ms: Date.now() - started };
    }),
  );
  const stats = await emulator.stats();
  await emulator.setFaults({});

  for (const { team, result, ms } of results) {
    if (result.code !== 0)
      throw new Error(`apply of ${team} exited ${result.code}:\n${result.stdout}`);
    expect(result.stdout).toContain(
      `Apply complete! Resources: ${COUNT} added, 0 changed, 0 destroyed.`,
    );
    expect(ms).toBeLessThan(APPLY_BOUND_MS);
  }

  // faults were injected, lost create answers among them: the run proves something
  const injected =
    stats['injected 503'] + stats['injected 429'] + stats['injected 503 after write'];
  expect(stats['injected 503 after write']).toBeGreaterThan(0);
  const retries = results.reduce((n, r) => n + retriesIn(r.result.stderr), 0);
  // every retry answers an injected fault; a lost answer is confirmed, not retried
  expect(retries).toBeGreaterThan(0);
  expect(retries).toBeLessThanOrEqual(injected);

  // no duplicate, every input of each team once, recorded with its live id
  const counts = await countByName(emulator);
  expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
  const live = await liveInputs(emulator.url);
  for (const team of teams) {
    const ours = live.filter((n) => (n.name as string).startsWith(`par-${team}-`));
    expect(ours).toHaveLength(COUNT);
    for (const node of ours) expect(node.configuration.alooma_cdktf).toMatchObject({ owner: team });
    const state = work[team].stateIds();
    expect([...state.values()].sort()).toEqual(ours.map((n) => n.id as string).sort());
    const plan = work[team].ok(['plan', '-detailed-exitcode', '-input=false']);
    expect(plan.output).toContain('No changes.');
  }
  console.log(
    `stress: parallel: ${results.map((r) => `${r.team} ${r.ms} ms`).join(', ')}; requests ${stats.total}, injected 503 ${stats['injected 503']}, 429 ${stats['injected 429']}, lost answers ${stats['injected 503 after write']}; provider retries ${retries}; POST ${stats['POST plumbing/inputs'] ?? 0}`,
  );
});

test('two teams apply the same 20 names at once: each name exists once, held by one team; the other is refused', async () => {
  const teams = ['red', 'blue'] as const;
  const work: Record<string, Workdir> = {};
  // the same names in both configurations, each team its own owner
  for (const team of teams)
    work[team] = makeWorkdir(
      root,
      `same-${team}`,
      emulator,
      header(team) + hooks('contested', COUNT),
    );
  // a create shows in the structure only 1.5 s after it is answered (Alooma creates
  // asynchronously): a team looking a name up meanwhile does not see the other's
  await emulator.setFaults({ latencyMs: 20, createDelayMs: 1500 });
  const results = await Promise.all(
    teams.map((team) =>
      terraformAsync(
        work[team].dir,
        ['apply', '-auto-approve', '-input=false', '-no-color'],
        work[team].env,
      ),
    ),
  );
  await emulator.setFaults({});

  const counts = await countByName(emulator);
  const contested = [...counts].filter(([name]) => name.startsWith('contested-'));
  expect(contested.filter(([, n]) => n !== 1)).toEqual([]);
  expect(contested).toHaveLength(COUNT);
  // each name is in exactly one team's state, with the live id; the other team was told why
  const live = new Map(
    (await liveInputs(emulator.url)).map((n) => [n.id as string, n.configuration.alooma_cdktf]),
  );
  const held = teams.map((team) => work[team].stateIds());
  expect(held[0].size + held[1].size).toBe(COUNT);
  teams.forEach((team, i) => {
    for (const id of held[i].values()) expect(live.get(id)).toMatchObject({ owner: team });
    if (held[i].size < COUNT) {
      expect(results[i].code).toBe(1);
      // refused at the lookup, or after a create at the same moment (then deleted again)
      expect(results[i].output.replace(/\s+/g, ' ')).toMatch(
        /is not this owner's to adopt|created an input with this name at the same time/,
      );
    }
  });
  console.log(`stress: contested names: red holds ${held[0].size}, blue ${held[1].size}`);
});

test('one owner applies the same 20 names from two states at once: no duplicate, both states hold the live ids', async () => {
  const states = ['first', 'second'] as const;
  const work: Record<string, Workdir> = {};
  for (const s of states)
    work[s] = makeWorkdir(root, `owner-${s}`, emulator, header('one-team') + hooks('twice', COUNT));
  await emulator.setFaults({ latencyMs: 20, createDelayMs: 1500 });
  const results = await Promise.all(
    states.map((s) =>
      terraformAsync(
        work[s].dir,
        ['apply', '-auto-approve', '-input=false', '-no-color'],
        work[s].env,
      ),
    ),
  );
  await emulator.setFaults({});
  for (const r of results)
    if (r.code !== 0) throw new Error(`apply exited ${r.code}:\n${r.output}`);

  const counts = await countByName(emulator);
  const twice = [...counts].filter(([name]) => name.startsWith('twice-'));
  expect(twice.filter(([, n]) => n !== 1)).toEqual([]);
  expect(twice).toHaveLength(COUNT);
  const live = new Set(
    (await liveInputs(emulator.url))
      .filter((n) => (n.name as string).startsWith('twice-'))
      .map((n) => n.id as string),
  );
  // each state records every name, with the one live id: the two states share the inputs
  for (const s of states) expect(new Set(work[s].stateIds().values())).toEqual(live);
});
