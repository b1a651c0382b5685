/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by
 * function and by module, and inclusive time of the functions that matter.
 *
 *   node -r ts-node/register/transpile-only bench/profile-summary.ts FILE.cpuprofile [TOP]
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** One row of a summary. */
export interface ProfileRow {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

/** Self and inclusive times of a profile; shares are of busy (non-idle) time. */
export interface ProfileSummary {
  /** Sampled time, idle included. */
  readonly totalMs: number;
  /** Time the process waited for I/O or timers. */
  readonly idleMs: number;
  readonly selfByFunction: ProfileRow[];
  readonly selfByModule: ProfileRow[];
  readonly inclusiveByFunction: ProfileRow[];
}

/** Reads and summarises a `.cpuprofile` file. */
export function summarizeProfile(file: string, root = process.cwd()): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  let idleUs = 0;
  for (const [id, us] of selfUs)
    if (byId.get(id)!.callFrame.functionName === '(idle)') idleUs += us;
  const busyUs = totalUs - idleUs;

  const fnName = (frame: CallFrame) =>
    `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
  const selfFn = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    add(selfFn, fnName(frame), us);
    add(selfModule, moduleOf(frame, root), us);
    // Inclusive: count each distinct function once per sample stack.
    const seen = new Set<string>();
    for (let at = parent.has(id) ? id : undefined; at !== undefined; at = parent.get(at)) {
      if (!parent.has(at)) break; // the (root) node: always 100%
      const name = fnName(byId.get(at)!.callFrame);
      if (!seen.has(name)) {
        seen.add(name);
        add(inclusive, name, us);
      }
    }
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .map(([name, us]) => ({ name, ms: us / 1000, share: busyUs ? us / busyUs : 0 }))
      .sort((a, b) => b.ms - a.ms);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    selfByFunction: rows(selfFn),
    selfByModule: rows(selfModule),
    inclusiveByFunction: rows(inclusive),
  };
}

/** Frames that only carry others (module loading, promise plumbing): left out of the inclusive list. */
const PLUMBING =
  /node:internal\/(modules|main|bootstrap\/realm|process\/task_queues|process\/pre_execution)|^(runMicrotasks|\(anonymous\) node:internal\/deps\/undici)/;

/** Text lines of a summary, `top` rows per section. */
export function formatSummary(summary: ProfileSummary, top = 12): string[] {
  const fmt = (r: ProfileRow) =>
    `  ${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}`;
  return [
    `sampled ${summary.totalMs.toFixed(0)} ms: busy ${(summary.totalMs - summary.idleMs).toFixed(0)} ms ` +
      `(shares below), idle ${summary.idleMs.toFixed(0)} ms`,
    'self time by module:',
    ...summary.selfByModule.slice(0, top).map(fmt),
    'self time by function:',
    ...summary.selfByFunction.slice(0, top).map(fmt),
    'inclusive time by function (loader and promise plumbing left out):',
    ...summary.inclusiveByFunction
      .filter((r) => !PLUMBING.test(r.name))
      .slice(0, top)
      .map(fmt),
  ];
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function shortUrl(url: string, root: string): string {
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

/** `node_modules/<pkg>`, a project folder, `node: (core)`, or the VM's own entries. */
function moduleOf(frame: CallFrame, root: string): string {
  const url = frame.url;
  if (!url)
    return /^\((garbage collector|program|root)\)$/.test(frame.functionName)
      ? frame.functionName
      : '(native)';
  const file = shortUrl(url, root);
  const nm = file.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = file.slice(nm + 'node_modules/'.length).split('/');
    return `node_modules/${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (file.startsWith('node:')) return 'node: (core)';
  const dirs = file.split('/');
  return dirs.length > 2 ? dirs.slice(0, 2).join('/') : file;
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: profile-summary FILE.cpuprofile [TOP]');
    process.exit(1);
  }
  for (const line of formatSummary(summarizeProfile(file), Number(top) || 12)) console.log(line);
}
