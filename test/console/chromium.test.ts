/**
 * The Chromium the browser tests use (test/helpers/chromium.ts): the system's
 * when there is one, the packaged one (@sparticuz/chromium) when there is
 * none or it does not start, and a loud failure when neither can be used.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveChromium } from '../helpers/chromium';

jest.setTimeout(120_000);

test('GIVEN no system Chromium WHEN resolving THEN the packaged one is unpacked and starts', async () => {
  const unpackRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-chromium-'));
  try {
    const launch = await resolveChromium({ systemPath: '/nonexistent/chromium', unpackRoot });
    expect(launch.source).toBe('packaged');
    expect(launch.version).toMatch(/^Chromium \d+\./);
    expect(path.dirname(launch.executablePath)).toMatch(/alooma-cdktf-chromium-[\d.]+$/);
    expect(fs.readdirSync(unpackRoot)).toHaveLength(1); // no staging folder left behind
    // closing one page must not close the browser
    expect(launch.args).not.toContain('--single-process');
    // fonts: the packaged ones, through a fontconfig file naming where they are
    const conf = fs.readFileSync(path.join(launch.env.FONTCONFIG_PATH, 'fonts.conf'), 'utf8');
    expect(conf).toContain(path.join(path.dirname(launch.executablePath), 'fonts'));
  } finally {
    fs.rmSync(unpackRoot, { recursive: true, force: true });
  }
});

test('GIVEN a system Chromium that starts WHEN resolving THEN it is preferred, with its own flags', async () => {
  // a working Chromium binary at the "system" path: the packaged one, unpacked
  const packaged = await resolveChromium({ systemPath: '/nonexistent/chromium' });
  const launch = await resolveChromium({ systemPath: packaged.executablePath });
  expect(launch).toMatchObject({
    source: 'system',
    executablePath: packaged.executablePath,
    version: packaged.version,
  });
  expect(launch.args).toContain('--headless');
  expect(launch.env.FONTCONFIG_PATH).toBe(process.env.FONTCONFIG_PATH);
});

test('GIVEN a system Chromium that does not start WHEN resolving THEN the packaged one is used', async () => {
  const launch = await resolveChromium({ systemPath: '/bin/false' });
  expect(launch.source).toBe('packaged');
});

test('GIVEN neither can be used WHEN resolving THEN it throws, naming what was tried', async () => {
  const notADir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-chromium-')), 'file');
  fs.writeFileSync(notADir, '');
  await expect(
    resolveChromium({ systemPath: '/nonexistent/chromium', unpackRoot: notADir }),
  ).rejects.toThrow(
    /no Chromium for the browser tests: \/nonexistent\/chromium does not exist; @sparticuz\/chromium: .*Run npm install/,
  );
});
