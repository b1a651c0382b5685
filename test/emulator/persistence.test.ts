import { SAMPLES_FILE } from '../helpers/samples';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMULATOR_BUNDLE, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, login, odbcInput, restInput, secretMatches } from './helpers';

const SAMPLES = SAMPLES_FILE;

describe('emulator persistence and command line', () => {
  test('GIVEN inputs, a pause, a sleep time, secrets and a session WHEN restarted on the same data dir THEN all are still there', async () => {
    const first = await startEmulatorProcess();
    const api = new Api(first.url);
    const db = await api.create(odbcInput('survivor_db', { password: 'pw-persist' }));
    const rest = await api.create(restInput('survivor_rest'));
    const gone = await api.create(odbcInput('deleted_before_restart'));
    await api.request('PUT', `inputs/${rest.id}/pause?pause=true`);
    await api.request('PUT', `inputSleepTime/${db.id}`, 300);
    await api.request('PUT', 'secrets', { warehouse: 'w-1' });
    await api.request('POST', `plumbing/nodes/remove/${gone.id}`);
    const cookie = await login(first.url);
    const before = await api.nodes();
    await first.stop();
    expect(first.child.exitCode).toBe(0);

    const second = await startEmulatorProcess({ dataDir: first.dataDir });
    try {
      const api2 = new Api(second.url);
      const after = await api2.nodes();
      expect(after).toEqual(before);
      expect(after.filter((n) => n.name === 'Restream')).toHaveLength(1); // seeded once, not on every start
      expect((await api2.byName('survivor_rest')).paused).toBe(true);
      expect((await api2.get(`inputSleepTime/${db.id}`)).body).toEqual({ inputSleepTime: 300 });
      expect(Object.keys((await api2.get('secrets')).body)).toEqual(['warehouse']);
      expect(await secretMatches(second.url, db.id, 'password', 'pw-persist')).toBe(true);
      expect((await new Api(second.url, { cookie }).get('repository')).status).toBe(200);
      expect(await api2.byName('deleted_before_restart')).toBeUndefined();
    } finally {
      await second.stop();
    }
  });

  test('GIVEN an emulator killed with SIGKILL WHEN restarted THEN committed writes are there (WAL)', async () => {
    const first = await startEmulatorProcess();
    const api = new Api(first.url);
    await api.create(odbcInput('committed_before_kill'));
    await first.kill();
    const second = await startEmulatorProcess({ dataDir: first.dataDir });
    try {
      expect(await new Api(second.url).byName('committed_before_kill')).toBeDefined();
    } finally {
      await second.stop();
    }
  });

  test('GIVEN --seed-samples WHEN started twice THEN the sample inputs are loaded once, with their ids', async () => {
    const samples = JSON.parse(fs.readFileSync(SAMPLES, 'utf8')) as { id: string; name: string }[];
    const first = await startEmulatorProcess({ extraArgs: ['--seed-samples', SAMPLES] });
    await first.stop();
    const second = await startEmulatorProcess({
      dataDir: first.dataDir,
      extraArgs: ['--seed-samples', SAMPLES],
    });
    try {
      const nodes = await new Api(second.url).nodes();
      for (const sample of samples) {
        expect(nodes.filter((n) => n.name === sample.name).map((n) => n.id)).toEqual([sample.id]);
      }
      const sheets = nodes.find((n) => n.name === 'team_sheets');
      expect(sheets.configuration.oauth2).toBe('********');
    } finally {
      await second.stop();
    }
  });

  test('GIVEN SIGINT THEN the emulator exits 0 and leaves no WAL behind', async () => {
    const emu = await startEmulatorProcess();
    await new Api(emu.url).create(odbcInput('before_sigint'));
    emu.child.kill('SIGINT');
    await new Promise((resolve) => emu.child.once('exit', resolve));
    expect(emu.child.exitCode).toBe(0);
    expect(fs.readdirSync(emu.dataDir)).toEqual(['alooma.db']);
  });

  test('GIVEN the startup lines THEN they name the URL, the demo credentials and the console', async () => {
    const emu = await startEmulatorProcess();
    try {
      // The console line follows the listening line; it may arrive a moment later.
      for (let i = 0; i < 50 && !emu.output().includes('Web console:'); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const lines = emu.output().trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /listening on http:\/\/127\.0\.0\.1:\d+ .*demo@example\.com.*demo-key/,
      );
      expect(lines[1]).toMatch(
        /^Web console: http:\/\/127\.0\.0\.1:\d+\/ \(sign in as demo@example\.com/,
      );
    } finally {
      await emu.stop();
    }
  });

  test.each([
    [['--port', 'abc'], /--port/],
    [['--error-rate', '2'], /--error-rate/],
    [['--no-such-flag'], /unknown option/],
  ])('GIVEN bad flags %p THEN the process exits non-zero with a message', (args, message) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-emu-'));
    const res = spawnSync(process.execPath, [EMULATOR_BUNDLE, '--data-dir', dataDir, ...args], {
      encoding: 'utf8',
    });
    expect(res.status).not.toBe(0);
    expect(res.stderr).toMatch(message);
  });

  test('GIVEN --help THEN every flag is listed', () => {
    const res = spawnSync(process.execPath, [EMULATOR_BUNDLE, '--help'], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    for (const flag of [
      '--host',
      '--port',
      '--data-dir',
      '--latency-ms',
      '--error-rate',
      '--throttle-rate',
      '--retry-after',
      '--create-delay-ms',
      '--session-ttl',
      '--enable-control',
    ]) {
      expect(res.stdout).toContain(flag);
    }
  });

  test('GIVEN the control API is not enabled THEN /_emulator answers 404', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-emu-'));
    // main() with a process.argv-style array, as the runtime CLI calls it (in-process, bundled)
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundle, by path
    const { main } = require(EMULATOR_BUNDLE) as typeof import('../../src/emulator/main');
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const signals = ['SIGTERM', 'SIGINT'] as const;
    const listenersBefore = signals.map((s) => process.listeners(s));
    const emu = await main([
      'node',
      'alooma-cdktf',
      'emulator',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ]);
    try {
      expect(log.mock.calls[0][0]).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+ /);
      expect((await fetch(`${emu.url}/_emulator/stats`)).status).toBe(404);
      expect((await new Api(emu.url).get('repository')).body.config_clientName).toBe('demo');
    } finally {
      log.mockRestore();
      await emu.close();
      // main() installed its shutdown handlers on this (jest) process: remove only those.
      signals.forEach((s, i) => {
        for (const l of process.listeners(s))
          if (!listenersBefore[i].includes(l)) process.removeListener(s, l);
      });
    }
  });
});
