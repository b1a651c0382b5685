/**
 * `npm start` (scripts/start.js) run for real: it bundles, starts its own
 * emulator, deploys the example stack with the real cdktf CLI and terraform,
 * lists the inputs and stops the emulator. Run in a copy of the project (its
 * own dist/, cdktf.out/ and state) on a free port, so it never touches this
 * checkout's files or an emulator someone keeps on 8787.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { TERRAFORM } from '../helpers/terraform';

const ROOT = path.resolve(__dirname, '../..');
/** What `npm start` needs of the repository: the project as a user clones it. */
const PROJECT_FILES = ['package.json', 'cdktf.json', 'tsconfig.json', 'main.ts', 'scripts', 'src'];

jest.setTimeout(400_000);

describe('npm start (scripts/start.js)', () => {
  let project: string;
  let dataDir: string;
  let result: { code: number; stdout: string; stderr: string };
  let port: number;

  beforeAll(async () => {
    const version = spawnSync(TERRAFORM, ['version'], { encoding: 'utf8' });
    if (version.status !== 0)
      throw new Error(`terraform is required (${TERRAFORM}): ${version.error ?? version.stderr}`);
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-start-'));
    for (const entry of PROJECT_FILES)
      fs.cpSync(path.join(ROOT, entry), path.join(project, entry), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-start-home-'));
    dataDir = path.join(project, 'emulator-data');
    port = await freePort();

    result = await runNode(path.join(project, 'scripts/start.js'), project, {
      PATH: process.env.PATH,
      HOME: home,
      CI: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      DISABLE_VERSION_CHECK: '1',
      ALOOMA_EMULATOR_PORT: String(port),
      ALOOMA_EMULATOR_DATA_DIR: dataDir,
    });
  });

  afterAll(() => {
    if (project) fs.rmSync(project, { recursive: true, force: true });
  });

  it('GIVEN no emulator running WHEN npm start runs THEN it deploys and exits 0', () => {
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    expect(result.stdout).toContain('Inputs in Alooma now:');
    expect(result.stdout).toContain('orders_db');
  });

  it('THEN the emulator started on the port asked for, with its data where asked', () => {
    expect(result.stdout).toContain(`Alooma emulator listening on http://127.0.0.1:${port} `);
    expect(result.stdout).toContain(`data in ${dataDir};`);
    expect(fs.existsSync(path.join(dataDir, 'alooma.db'))).toBe(true);
  });

  it('THEN the startup lines come once, first, and "The emulator stopped" comes last', () => {
    const lines = result.stdout.split('\n').filter((l) => l.trim() !== '');
    const indexes = (pattern: RegExp) =>
      lines.flatMap((line, i) => (pattern.test(line) ? [i] : []));
    const listening = indexes(/^Alooma emulator listening on /);
    const emulatorConsole = indexes(/^Web console: .*\(sign in as [^)]*\)$/);
    const inputs = indexes(/^Inputs in Alooma now:/);
    const stopped = indexes(/^The emulator stopped/);

    expect(listening).toHaveLength(1);
    // The emulator's own "Web console" line, and start.js's at the end (with its hint).
    expect(emulatorConsole).toEqual([listening[0] + 1]);
    expect(inputs).toHaveLength(1);
    expect(stopped).toEqual([lines.length - 1]);
    expect(listening[0]).toBeLessThan(inputs[0]);
    expect(inputs[0]).toBeLessThan(stopped[0]);
  });

  it('THEN the emulator has really stopped when it says so', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/rest/repository`)).rejects.toThrow();
  });
});

/** Runs `node script` asynchronously (this process's event loop stays free), capturing output. */
function runNode(
  script: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 360_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
