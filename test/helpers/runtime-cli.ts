import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Manifest } from '../../src/runtime/protocol';
import { RUNTIME_BUNDLE } from './emulator-process';

/** Result of one CLI run. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bundled CLI (`node dist/runtime.js ...`) as terraform's local-exec would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  if (!fs.existsSync(RUNTIME_BUNDLE)) {
    throw new Error(`${RUNTIME_BUNDLE} is missing: run "npm run bundle" (npm test does it first).`);
  }
  const result = spawnSync(process.execPath, [RUNTIME_BUNDLE, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Writes a manifest to a new temporary file and returns its path. */
export function writeManifest(manifest: Manifest): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-manifest-'));
  const file = path.join(dir, 'manifest.json');
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  return file;
}

/** Reads the inputs of the emulator's structure with the demo API key. */
export async function liveInputs(
  url: string,
  apiKey = 'demo-key',
): Promise<Array<Record<string, any>>> {
  const read = () =>
    fetch(`${url}/rest/plumbing/?resolution=1min`, {
      // A fresh connection per call: tests block the event loop for minutes in
      // spawnSync (cdktf, terraform), and a kept-alive socket the server closed
      // meanwhile would be reused dead ("other side closed").
      headers: { authorization: `API ${apiKey}`, connection: 'close' },
    });
  // fetch may still hand out such a pooled socket: a read is safe to send once more.
  const res = await read().catch(read);
  if (!res.ok) throw new Error(`GET plumbing: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { nodes: Array<Record<string, any>> };
  return body.nodes.filter((n) => n.category === 'INPUT' && n.type !== 'RESTREAM');
}

/** Sum of the emulator's write counters (POST/PUT/DELETE on /rest routes, login excluded). */
export function writeCount(stats: Record<string, number>): number {
  return Object.entries(stats)
    .filter(([route]) => /^(POST|PUT|DELETE) /.test(route) && !/login/.test(route))
    .reduce((n, [, count]) => n + count, 0);
}

/** Like {@link runCli}, without blocking the event loop (for servers in the test process). */
export function runCliAsync(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNTIME_BUNDLE, ...args], {
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/**
 * Creates an input straight through the API (validation off), as a person or
 * another tool would, and waits until the structure shows it.
 */
export async function createRawInput(
  url: string,
  request: { name: string; type: string; configuration: Record<string, unknown> },
  apiKey = 'demo-key',
): Promise<void> {
  const res = await fetch(`${url}/rest/inputs?validate=false`, {
    method: 'POST',
    headers: {
      authorization: `API ${apiKey}`,
      'content-type': 'application/json',
      connection: 'close',
    },
    body: JSON.stringify(request),
  });
  if (!res.ok) throw new Error(`create ${request.name}: ${res.status} ${await res.text()}`);
  for (let i = 0; i < 100; i++) {
    if ((await liveInputs(url, apiKey)).some((n) => n.name === request.name)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${request.name} never appeared in the structure`);
}
