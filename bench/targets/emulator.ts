/**
 * Target 4, emulator throughput: with 100 inputs (20 tables each, created by
 * the runtime), the emulator sustains at least 500 input writes/s
 * (`PUT inputs/<id>` of the whole node, as clients edit) and 2,000 structure
 * reads/s (`GET plumbing/?resolution=1min`) on loopback, with p50/p99
 * latency.
 *
 * Load: bench/lib/load.ts, a closed loop of 16 keep-alive connections,
 * reads and writes interleaved over a few rounds (median reported); and
 * (4d) at least 1,000 reads/s while at least 200 writes/s go on.
 * Side by side, the same generator against a bare node:http server that
 * answers every request with the emulator's own structure bytes (a prebuilt
 * Buffer): what loopback HTTP of that payload can do on this machine.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ACCOUNT,
  API_KEY,
  RUNTIME_BUNDLE,
  runtimeEnv,
  startEmulator,
  StartOptions,
} from '../lib/emulator';
import { LoadResult, runLoad } from '../lib/load';
import { benchManifest, referenceValues, writeManifest } from '../lib/manifest';
import { runOk } from '../lib/proc';
import { TargetResult } from '../lib/report';
import { median } from '../lib/stats';

const INPUTS = 100;
const CONNECTIONS = 16;
const WRITES_TARGET = 500;
const READS_TARGET = 2000;
/** Target 4d: structure reads per second while writes go on ... */
const MIXED_READS_TARGET = 1000;
/** ... at no fewer writes per second than this. */
const MIXED_WRITES_TARGET = 200;
const STRUCTURE_PATH = `/${ACCOUNT}/rest/plumbing/?resolution=1min`;

interface LiveNode {
  id: string;
  type: string;
  category: string;
  configuration: Record<string, unknown>;
  [key: string]: unknown;
}

/** Measured rates of one emulator build. */
export interface EmulatorLoad {
  readonly reads: LoadResult[];
  readonly writes: LoadResult[];
  /** Reads and writes at the same time: every write invalidates the cached structure. */
  readonly mixed: Array<{ readonly reads: LoadResult; readonly writes: LoadResult }>;
  readonly ceiling: LoadResult[];
  readonly structureBytes: number;
  readonly tables: number;
}

/** Seeds 100 inputs, then runs `rounds` rounds of reads, writes and the loopback ceiling. */
export async function measureEmulator(
  rounds: number,
  durationMs: number,
  options: StartOptions = {},
  readsOnly = false,
  tables = 20,
): Promise<EmulatorLoad> {
  const emulator = await startEmulator(options);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-emu-load-'));
  let ceilingServer: StaticServer | undefined;
  try {
    const manifestFile = path.join(tmp, 'manifest.json');
    writeManifest(manifestFile, benchManifest(INPUTS, { tables }));
    await runOk(process.execPath, [RUNTIME_BUNDLE, 'apply', '--manifest', manifestFile], {
      env: runtimeEnv(emulator, {
        ALOOMA_CDKTF_REFERENCES: JSON.stringify(referenceValues(INPUTS)),
      }),
    });

    const headers = { authorization: `API ${API_KEY}`, accept: 'application/json' };
    const res = await fetch(`${emulator.url}${STRUCTURE_PATH}`, { headers });
    const structure = Buffer.from(await res.arrayBuffer());
    const nodes = (JSON.parse(structure.toString('utf8')).nodes as LiveNode[]).filter(
      (n) => n.category === 'INPUT' && n.type === 'ODBC',
    );
    if (nodes.length !== INPUTS)
      throw new Error(`expected ${INPUTS} inputs in the structure, got ${nodes.length}`);

    ceilingServer = await startStaticServer(structure, tmp);
    const ceilingUrl = `http://127.0.0.1:${ceilingServer.port}`;

    const load = (baseUrl: string, request: Parameters<typeof runLoad>[0]['request']) =>
      runLoad({ baseUrl, headers, connections: CONNECTIONS, durationMs, request });
    const read = () => ({ method: 'GET' as const, path: STRUCTURE_PATH });
    // Each write really changes the input (batch_size), as an edit would.
    const write = (i: number) => {
      const node = nodes[i % nodes.length];
      return {
        method: 'PUT' as const,
        path: `/${ACCOUNT}/rest/inputs/${node.id}`,
        body: JSON.stringify({
          ...node,
          configuration: { ...node.configuration, batch_size: 1000 + (i % 5000) },
        }),
      };
    };
    const out = {
      reads: [] as LoadResult[],
      writes: [] as LoadResult[],
      ceiling: [] as LoadResult[],
      mixed: [] as Array<{ reads: LoadResult; writes: LoadResult }>,
    };
    for (let round = 0; round < rounds; round++) {
      out.reads.push(await load(emulator.url, read));
      if (readsOnly) continue;
      out.writes.push(await load(emulator.url, write));
      out.ceiling.push(await load(ceilingUrl, read));
      // Reads while writes go on: 14 readers, 2 writers, at the same time.
      const [mixedReads, mixedWrites] = await Promise.all([
        runLoad({
          baseUrl: emulator.url,
          headers,
          connections: CONNECTIONS - 2,
          durationMs,
          request: read,
        }),
        runLoad({ baseUrl: emulator.url, headers, connections: 2, durationMs, request: write }),
      ]);
      out.mixed.push({ reads: mixedReads, writes: mixedWrites });
    }
    for (const r of [
      ...out.reads,
      ...out.writes,
      ...out.ceiling,
      ...out.mixed.flatMap((m) => [m.reads, m.writes]),
    ]) {
      if (r.errors > 0)
        throw new Error(`load had ${r.errors} failed requests, first: ${r.firstError}`);
    }
    return { ...out, structureBytes: structure.length, tables };
  } finally {
    ceilingServer?.kill();
    await emulator.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs targets 4a and 4b. */
export async function benchEmulator(
  rounds: number,
  log: (line: string) => void,
): Promise<TargetResult[]> {
  const m = await measureEmulator(rounds, 2000);
  const summary = (rs: LoadResult[]) => {
    const rate = median(rs.map((r) => r.perSecond));
    return {
      rate,
      text:
        `${rate.toFixed(0)}/s, p50 ${median(rs.map((r) => r.p50Ms)).toFixed(1)} ms, ` +
        `p99 ${median(rs.map((r) => r.p99Ms)).toFixed(1)} ms`,
    };
  };
  const reads = summary(m.reads);
  const writes = summary(m.writes);
  const mixedReads = summary(m.mixed.map((x) => x.reads));
  const mixedWrites = summary(m.mixed.map((x) => x.writes));
  const ceiling = summary(m.ceiling);
  const rates = (rs: LoadResult[]) => `[${rs.map((r) => r.perSecond.toFixed(0)).join(', ')}]/s`;
  log(
    `  structure of ${INPUTS} inputs x ${m.tables} tables: ${(m.structureBytes / 1024).toFixed(0)} KiB; ${CONNECTIONS} connections`,
  );
  log(
    `  emulator reads ${rates(m.reads)}, writes ${rates(m.writes)}; bare node:http with the same bytes ${rates(m.ceiling)}`,
  );
  return [
    {
      id: '4a',
      name: `emulator input writes (PUT inputs/:id), ${INPUTS} inputs`,
      measured: writes.text,
      target: `>= ${WRITES_TARGET}/s`,
      pass: writes.rate >= WRITES_TARGET,
    },
    {
      id: '4b',
      name: `emulator structure reads (GET plumbing), ${INPUTS} inputs`,
      measured: reads.text,
      target: `>= ${READS_TARGET}/s`,
      pass: reads.rate >= READS_TARGET,
      details: [
        `loopback ceiling (bare node:http, same ${(m.structureBytes / 1024).toFixed(0)} KiB body as a prebuilt Buffer): ${ceiling.text}; ` +
          `emulator = ${((reads.rate / ceiling.rate) * 100).toFixed(0)}% of it`,
      ],
    },
    {
      id: '4d',
      name: `emulator structure reads while writes go on, ${INPUTS} inputs`,
      measured: `reads ${mixedReads.text} during writes ${mixedWrites.rate.toFixed(0)}/s`,
      target: `reads >= ${MIXED_READS_TARGET}/s during writes >= ${MIXED_WRITES_TARGET}/s`,
      pass: mixedReads.rate >= MIXED_READS_TARGET && mixedWrites.rate >= MIXED_WRITES_TARGET,
      details: [
        `each write changes an input, so the next read renders the structure again (cache keyed by SQLite's change counters)`,
      ],
    },
  ];
}

type StaticServer = ReturnType<typeof fork> & { port: number };

/** A child process serving `body` for every request, on a free loopback port. */
async function startStaticServer(body: Buffer, tmp: string): Promise<StaticServer> {
  const file = path.join(tmp, 'structure.json');
  fs.writeFileSync(file, body);
  const child = fork(__filename, [], {
    env: { ...process.env, ALOOMA_BENCH_STATIC_BODY: file },
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve(Number(m)));
    child.once('exit', (code) => reject(new Error(`static server exited with ${code}`)));
  });
  return Object.assign(child, { port });
}

if (require.main === module && process.env.ALOOMA_BENCH_STATIC_BODY) {
  const body = fs.readFileSync(process.env.ALOOMA_BENCH_STATIC_BODY);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.end(body);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as { port: number }).port));
}
