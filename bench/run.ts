/**
 * `npm run bench`: the performance targets of issue 7, measured side by side
 * in one run, one line per target, then a table; exits 1 when a target fails.
 *
 *   node -r ts-node/register/transpile-only bench/run.ts [options]
 *     --only synth,api,emulator,deploy,provider,provider-create   run some sections (default: all)
 *     --rounds N                         synth and emulator rounds (default 3)
 *     --deploy-rounds N                  terraform apply rounds per side (default 3)
 *     --provider-rounds N                terraform plan rounds per engine (default 3)
 *     --provider-inputs N                inputs of the provider section (default 1000)
 *     --create-inputs N                  inputs each engine creates in provider-create (default 1000)
 *     --no-profile                       do not profile a failing target
 *
 * Needs dist/ (npm run bench bundles first) and terraform on PATH.
 * Everything runs on loopback, in temporary directories that are removed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatSummary, summarizeProfile } from './profile-summary';
import { finalTable, TargetResult, targetLine } from './lib/report';
import { msSince } from './lib/stats';
import { diagnoseStartup } from './lib/startup-diagnosis';
import { benchApiCalls } from './targets/api';
import { benchDeploy } from './targets/deploy';
import { benchEmulator, measureEmulator } from './targets/emulator';
import { benchLiveDiff } from './targets/live-diff';
import { benchProvider, PROVIDER_INPUTS } from './targets/provider';
import { benchProviderCreate, CREATE_INPUTS } from './targets/provider-create';
import { benchSynth, synthApp } from './targets/synth';

const SECTIONS = ['synth', 'api', 'emulator', 'deploy', 'provider', 'provider-create'] as const;
type Section = (typeof SECTIONS)[number];

interface Options {
  readonly only: ReadonlySet<Section>;
  readonly rounds: number;
  readonly deployRounds: number;
  readonly providerRounds: number;
  readonly providerInputs: number;
  readonly createInputs: number;
  readonly profile: boolean;
}

function parseOptions(argv: string[]): Options {
  let only = new Set<Section>(SECTIONS);
  let rounds = 3;
  let deployRounds = 3;
  let providerRounds = 3;
  let providerInputs = PROVIDER_INPUTS;
  let createInputs = CREATE_INPUTS;
  let profile = true;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--only') {
      const names = value().split(',');
      for (const n of names)
        if (!SECTIONS.includes(n as Section)) throw new Error(`unknown section ${n}`);
      only = new Set(names as Section[]);
    } else if (flag === '--rounds') rounds = positive(flag, value());
    else if (flag === '--deploy-rounds') deployRounds = positive(flag, value());
    else if (flag === '--provider-rounds') providerRounds = positive(flag, value());
    else if (flag === '--provider-inputs') providerInputs = positive(flag, value());
    else if (flag === '--create-inputs') createInputs = positive(flag, value());
    else if (flag === '--no-profile') profile = false;
    else throw new Error(`unknown option ${argv[i]} (see bench/run.ts)`);
  }
  return { only, rounds, deployRounds, providerRounds, providerInputs, createInputs, profile };
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer`);
  return n;
}

const log = (line: string) => console.log(line);

/** CPU profile of the process behind a failing target, summarised. */
async function profileFailure(section: Section, failed: readonly TargetResult[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-prof-'));
  const cpuProf = ['--cpu-prof', '--cpu-prof-dir', dir];
  try {
    if (section === 'synth') {
      log(`  profile of one synth of 1000 inputs (fresh node, --cpu-prof):`);
      await synthApp(path.join(dir, 'out'), 1000, {}, cpuProf);
    } else if (section === 'emulator') {
      log(`  profile of the emulator (--cpu-prof) under the same structure-read load:`);
      await measureEmulator(1, 2000, { nodeArgs: cpuProf }, true);
    } else if (section === 'deploy' && failed.some((f) => f.id === '3b')) {
      for (const line of await diagnoseStartup()) log(`  ${line}`);
      return;
    } else {
      log(`  (no automatic profile for ${failed.map((f) => f.id).join(', ')})`);
      return;
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    for (const line of formatSummary(summarizeProfile(path.join(dir, file)), 8)) log(`    ${line}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = process.hrtime.bigint();
  log(
    `alooma-cdktf benchmarks: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`,
  );
  const results: TargetResult[] = [];
  const sections: Record<Section, () => Promise<TargetResult[]>> = {
    synth: async () => [
      ...(await benchSynth(options.rounds, log)),
      ...(await benchLiveDiff(options.rounds, log)),
    ],
    api: () => benchApiCalls(log),
    emulator: () => benchEmulator(options.rounds, log),
    deploy: () => benchDeploy(options.deployRounds, log),
    provider: () => benchProvider(options.providerRounds, log, options.providerInputs),
    'provider-create': () => benchProviderCreate(log, options.createInputs),
  };
  for (const section of SECTIONS) {
    if (!options.only.has(section)) continue;
    const t = process.hrtime.bigint();
    log(`\n== ${section}`);
    let sectionResults: TargetResult[];
    try {
      sectionResults = await sections[section]();
    } catch (error) {
      // A broken section is a failed target, not a lost run: the other sections still report.
      const message = error instanceof Error ? error.message : String(error);
      log(`  error: ${message}`);
      sectionResults = [
        {
          id: section,
          name: `${section} section`,
          measured: `error: ${message.split('\n')[0]}`,
          target: '-',
          pass: false,
        },
      ];
      results.push(...sectionResults);
      continue;
    }
    for (const r of sectionResults) {
      log(targetLine(r));
      for (const d of r.details ?? []) log(`  ${d}`);
    }
    const failed = sectionResults.filter((r) => !r.pass);
    if (failed.length > 0 && options.profile) {
      await profileFailure(section, failed).catch((error: Error) =>
        log(`  (profiling failed: ${error.message})`),
      );
    }
    log(`  (${section}: ${(msSince(t) / 1000).toFixed(1)} s)`);
    results.push(...sectionResults);
  }
  log(`\n${finalTable(results)}`);
  const failed = results.filter((r) => !r.pass);
  log(
    `\n${results.length - failed.length} passed, ${failed.length} failed ` +
      `(${(msSince(started) / 1000).toFixed(0)} s)`,
  );
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);
