/**
 * The data directory holds secrets in clear (database passwords, REST
 * secrets): only its owner may read it, also when an earlier version left it
 * world-readable.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulatorProcess } from '../helpers/emulator-process';
import { Api, odbcInput } from '../emulator/helpers';

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const DATABASE = 'alooma.db';

describe('emulator: data directory permissions', () => {
  let base: string;
  const previousUmask = process.umask(0o022); // what the emulator inherits: a common umask
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-perm-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));
  afterAll(() => process.umask(previousUmask));

  test('GIVEN no data directory WHEN the emulator starts and stores a secret THEN the directory is 0700 and every database file 0600', async () => {
    const dataDir = path.join(base, 'new', 'data');
    const emu = await startEmulatorProcess({ dataDir });
    try {
      await new Api(emu.url).create(odbcInput('perm_new', { password: 'secret-in-clear' }));
      expect(mode(dataDir).toString(8)).toBe('700');
      const files = fs.readdirSync(dataDir);
      expect(files).toContain(DATABASE);
      for (const file of files)
        expect({ file, mode: mode(path.join(dataDir, file)).toString(8) }).toEqual({
          file,
          mode: '600',
        });
    } finally {
      await emu.stop();
    }
  });

  test('GIVEN a directory and database an earlier version left 0755 and 0644 WHEN the emulator starts THEN they become 0700 and 0600', async () => {
    const dataDir = path.join(base, 'old');
    const first = await startEmulatorProcess({ dataDir });
    await first.stop();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, DATABASE), 0o644);

    const emu = await startEmulatorProcess({ dataDir });
    try {
      expect(mode(dataDir).toString(8)).toBe('700');
      expect(mode(path.join(dataDir, DATABASE)).toString(8)).toBe('600');
    } finally {
      await emu.stop();
    }
  });

  test('GIVEN a data directory that holds other files WHEN the emulator starts THEN the directory is left as it is and the database is 0600', async () => {
    const dataDir = path.join(base, 'shared');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'README.txt'), 'not the emulator');

    const emu = await startEmulatorProcess({ dataDir });
    try {
      expect(mode(dataDir).toString(8)).toBe('755');
      expect(mode(path.join(dataDir, DATABASE)).toString(8)).toBe('600');
    } finally {
      await emu.stop();
    }
  });
});
