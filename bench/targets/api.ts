/**
 * Target 2, API calls: applying a 1,000-input manifest in which 10 inputs
 * changed makes exactly 1 structure read and 10 writes, counted by the
 * emulator (`/_emulator/stats`), side by side with the reference API's
 * pattern (managealooma reads the whole structure before every operation:
 * for each changed input, getStructure + PUT, made here with the project's
 * own client so only the pattern differs).
 *
 * Target 4 (memory): peak RSS of the `node dist/runtime.js apply` process
 * that creates the 1,000 inputs (and of the one that updates 10), < 150 MB.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AloomaClient, AloomaNode } from '../../src/runtime/client';
import { RUNTIME_BUNDLE, runtimeEnv, startEmulator } from '../lib/emulator';
import {
  benchManifest,
  inputName,
  referenceValues,
  tablesOf,
  writeManifest,
} from '../lib/manifest';
import { run, RunResult, tail } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { formatMs } from '../lib/stats';

const INPUTS = 1000;
const CHANGED = 10;
const MEMORY_LIMIT_MB = 150;

/** Routes that read the structure, and routes that write. */
const STRUCTURE_READ = 'GET plumbing';
const isWrite = (route: string) =>
  /^(POST|PUT|DELETE) /.test(route) && !/^POST log(in|out)$/.test(route);
const isRead = (route: string) => route.startsWith('GET ');

/** Reads and writes in a stats snapshot. */
function countCalls(stats: Record<string, number>): {
  structure: number;
  reads: number;
  writes: number;
  routes: string;
} {
  let reads = 0;
  let writes = 0;
  const routes: string[] = [];
  for (const [route, n] of Object.entries(stats)) {
    if (n === 0 || !/^[A-Z]+ /.test(route)) continue;
    routes.push(`${route}: ${n}`);
    if (isRead(route)) reads += n;
    if (isWrite(route)) writes += n;
  }
  return { structure: stats[STRUCTURE_READ] ?? 0, reads, writes, routes: routes.join(', ') };
}

/** Runs targets 2 and 4 (memory). */
export async function benchApiCalls(log: (line: string) => void): Promise<TargetResult[]> {
  const emulator = await startEmulator();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-api-'));
  try {
    // One input in ten has its server from a Terraform reference, resolved from this variable.
    const env = runtimeEnv(emulator, {
      ALOOMA_CDKTF_REFERENCES: JSON.stringify(referenceValues(INPUTS)),
    });
    const manifestFile = path.join(tmp, 'manifest.json');
    const apply = async (label: string): Promise<RunResult> => {
      const result = await run(
        process.execPath,
        [RUNTIME_BUNDLE, 'apply', '--manifest', manifestFile],
        {
          env,
          maxRss: true,
        },
      );
      if (result.code !== 0)
        throw new Error(
          `runtime apply (${label}) exited ${result.code}:\n${tail(result.stdout)}\n${tail(result.stderr)}`,
        );
      return result;
    };

    // 1. Create all inputs.
    writeManifest(manifestFile, benchManifest(INPUTS));
    const created = await apply('create');
    const createStats = countCalls(await emulator.stats());
    log(
      `  create ${INPUTS} inputs: ${formatMs(created.ms)}, ${createStats.routes}; peak RSS ${mb(created.maxRssKb)}`,
    );
    log(`    runtime: ${lastLine(created.stdout)}`);

    // 2. Change the tables of 10 inputs spread over the manifest; count the calls of one apply.
    const changed = new Set(
      Array.from({ length: CHANGED }, (_, k) => Math.floor(((k + 0.5) * INPUTS) / CHANGED)),
    );
    writeManifest(manifestFile, benchManifest(INPUTS, { changed, revision: 1 }));
    await emulator.resetStats();
    const updated = await apply('update');
    const ours = countCalls(await emulator.stats());
    log(
      `  apply with ${CHANGED} changed: ${formatMs(updated.ms)}, ${ours.routes}; peak RSS ${mb(updated.maxRssKb)}`,
    );
    log(`    runtime: ${lastLine(updated.stdout)}`);

    // 3. The reference pattern for the same change: read the structure, then PUT, per input.
    const client = AloomaClient.fromEnv(env, { account: 'demo' });
    await emulator.resetStats();
    const refStarted = process.hrtime.bigint();
    let structureBytes = 0;
    for (const i of changed) {
      const structure = await client.getStructure();
      structureBytes = Math.max(structureBytes, JSON.stringify(structure).length);
      const node = structure.nodes.find(
        (n) => n.name === inputName(i) && n.category === 'INPUT',
      ) as AloomaNode;
      const tables = JSON.stringify(tablesOf(20, 2));
      await client.updateInput({ ...node, configuration: { ...node.configuration, tables } });
    }
    const refMs = Number(process.hrtime.bigint() - refStarted) / 1e6;
    client.close();
    const reference = countCalls(await emulator.stats());
    log(
      `  reference pattern (getStructure + PUT per input): ${formatMs(refMs)} in process, ${reference.routes}`,
    );

    const rss = Math.max(created.maxRssKb ?? NaN, updated.maxRssKb ?? NaN);
    return [
      {
        id: '2',
        name: `API calls, apply of ${INPUTS} inputs with ${CHANGED} changed`,
        measured:
          `${ours.structure} structure read + ${ours.writes} writes (${ours.reads + ours.writes} requests); ` +
          `reference ${reference.structure} + ${reference.writes} (${reference.reads + reference.writes})`,
        target: `1 structure read, 0 other reads, ${CHANGED} writes`,
        pass: ours.structure === 1 && ours.reads === 1 && ours.writes === CHANGED,
        details: [
          `reference reads ${reference.structure} x ${(structureBytes / 1e6).toFixed(2)} MB structures = ` +
            `${((reference.structure * structureBytes) / 1e6).toFixed(1)} MB; ours 1 x ${(structureBytes / 1e6).toFixed(2)} MB`,
        ],
      },
      {
        id: '4c',
        name: `runtime peak RSS, apply of ${INPUTS} inputs`,
        measured: `create ${mb(created.maxRssKb)}, update ${mb(updated.maxRssKb)}`,
        target: `< ${MEMORY_LIMIT_MB} MB`,
        pass: Number.isFinite(rss) && rss / 1024 < MEMORY_LIMIT_MB,
      },
    ];
  } finally {
    await emulator.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function mb(kb: number | undefined): string {
  return kb === undefined || !Number.isFinite(kb) ? 'n/a' : `${(kb / 1024).toFixed(1)} MB`;
}

function lastLine(text: string): string {
  return (
    text
      .trimEnd()
      .split('\n')
      .filter((l) => /complete|failed/.test(l))
      .pop() ?? ''
  );
}
