/**
 * Why the bundled runtime starts slower than bare node: a CPU profile of
 * `node dist/runtime.js --version`, the lazily loaded node globals it
 * touches (bench/lib/lazy-globals.js), and what the bundle is made of (an
 * in-memory esbuild build of the same entry point with a metafile).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { formatSummary, summarizeProfile } from '../profile-summary';
import { RUNTIME_BUNDLE } from './emulator';
import { runOk } from './proc';

const ROOT = path.resolve(__dirname, '../..');

/** Bytes of the runtime bundle by package (`node_modules/<pkg>` or a source folder), largest first. */
export async function bundleComposition(): Promise<Array<{ name: string; bytes: number }>> {
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, 'src/runtime/cli/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    write: false,
    metafile: true,
    outfile: path.join(os.tmpdir(), 'alooma-bench-runtime.js'),
    define: { __PACKAGE_VERSION__: '"0.0.0"' },
    external: ['./emulator.js'],
    // as scripts/bundle-runtime.js builds dist/runtime.js (no MIME database)
    alias: { 'mime-db': path.join(ROOT, 'scripts/stubs/mime-db.js') },
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile!.outputs)[0];
  const bytes = new Map<string, number>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const name = pkg ? pkg[1] : file.split('/').slice(0, 3).join('/');
    bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...bytes.entries()]
    .map(([name, n]) => ({ name, bytes: n }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** Lines explaining the start-up time of dist/runtime.js. */
export async function diagnoseStartup(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-bench-startup-'));
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    await runOk(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, RUNTIME_BUNDLE, '--version'],
      { env },
    );
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
    const lines = [
      'profile of node dist/runtime.js --version (--cpu-prof, 100 us):',
      ...formatSummary(summarizeProfile(path.join(dir, file)), 8).map((l) => `  ${l}`),
    ];
    const lazy = await runOk(
      process.execPath,
      ['-r', path.join(__dirname, 'lazy-globals.js'), RUNTIME_BUNDLE, '--version'],
      { env },
    );
    const touched = lazy.stderr
      .split('\n')
      .filter((l) => l.startsWith('lazy-global '))
      .map((l) => l.slice('lazy-global '.length).split(' '))
      .map(([name, ms, ...where]) => `${name} ${ms} ms at ${where.join(' ').replace(ROOT + '/', '')}`);
    const coreModules = async (args: string[]) => {
      const r = await runOk(process.execPath, ['-r', path.join(__dirname, 'lazy-globals.js'), ...args], { env });
      const line = r.stderr.split('\n').find((l) => l.startsWith('core-modules ')) ?? '';
      return new Set(line.split(' ').slice(1));
    };
    const bare = await coreModules(['-e', '0']);
    const loaded = await coreModules([RUNTIME_BUNDLE, '--version']);
    const extra = [...loaded].filter((m) => !bare.has(m));
    lines.push(
      `node core modules loaded: ${loaded.size} vs ${bare.size} for node -e 0; the extra public ones: ` +
        extra.filter((m) => !m.startsWith('internal/')).join(', ') +
        `; plus ${extra.filter((m) => m.startsWith('internal/')).length} internal` +
        (extra.includes('internal/deps/undici/undici') ? ' (undici among them)' : ''),
    );
    lines.push(
      `lazily loaded node globals touched while loading (the first touch of fetch/FormData/Request/Response loads node's bundled undici):`,
      ...(touched.length ? touched.map((t) => `  ${t}`) : ['  none']),
    );
    const composition = await bundleComposition();
    const total = composition.reduce((n, c) => n + c.bytes, 0);
    lines.push(
      `bundle composition (${(total / 1024).toFixed(0)} KiB minified): ` +
        composition
          .slice(0, 8)
          .map((c) => `${c.name} ${(c.bytes / 1024).toFixed(0)} KiB`)
          .join(', '),
    );
    return lines;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
