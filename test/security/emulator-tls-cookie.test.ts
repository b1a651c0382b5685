/**
 * Served over TLS (`--tls-cert`/`--tls-key`), the emulator's session cookie
 * is `Secure`, so a browser never sends it back over plain HTTP; over plain
 * HTTP it is not (emulator-session-cookie.test.ts).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { EMULATOR_BUNDLE } from '../helpers/emulator-process';
import { selfSignedCertificate } from '../helpers/tls';
import { EmulatorDefaults } from '../../src/runtime/protocol';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

describe('emulator over TLS: the session cookie', () => {
  let child: ChildProcess;
  let port: number;
  let output = '';
  beforeAll(async () => {
    if (!fs.existsSync(EMULATOR_BUNDLE))
      throw new Error(`${EMULATOR_BUNDLE} is missing: npm run build`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-emu-tls-'));
    const { key, cert } = selfSignedCertificate();
    fs.writeFileSync(path.join(dir, 'key.pem'), key);
    fs.writeFileSync(path.join(dir, 'cert.pem'), cert);
    child = spawn(
      process.execPath,
      [
        EMULATOR_BUNDLE,
        '--port',
        '0',
        '--data-dir',
        path.join(dir, 'data'),
        '--tls-cert',
        path.join(dir, 'cert.pem'),
        '--tls-key',
        path.join(dir, 'key.pem'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start:\n${output}`)), 15_000);
      child.stdout!.on('data', () => {
        const match = /listening on (https:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output}`)));
    });
    port = Number(new URL(url).port);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('GIVEN TLS WHEN logging in through the API THEN the cookie is Secure, HttpOnly, SameSite=Lax; logout clears it alike', async () => {
    const login = await request(
      'POST',
      '/rest/login',
      {
        'content-type': 'application/json',
      },
      JSON.stringify({ email: EmulatorDefaults.USERNAME, password: EmulatorDefaults.PASSWORD }),
    );
    expect(login.status).toBe(200);
    const cookie = (login.headers['set-cookie'] as string[])[0];
    expect(cookie).toMatch(/^alooma_emulator_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);

    const pair = cookie.split(';')[0];
    const repo = await request('GET', '/rest/repository', { cookie: pair });
    expect(repo.status).toBe(200);
    const logout = await request('POST', '/rest/logout', { cookie: pair });
    expect(logout.status).toBe(200);
    expect((logout.headers['set-cookie'] as string[])[0]).toMatch(
      /^alooma_emulator_session=; Max-Age=0; .*Secure/,
    );
  });

  test('GIVEN TLS WHEN signing in through the console THEN the cookie is Secure too', async () => {
    const res = await request(
      'POST',
      '/console/login',
      { 'content-type': 'application/x-www-form-urlencoded' },
      `email=${encodeURIComponent(EmulatorDefaults.USERNAME)}&password=${EmulatorDefaults.PASSWORD}`,
    );
    expect(res.status).toBe(303);
    expect((res.headers['set-cookie'] as string[])[0]).toMatch(/; Secure/);
  });

  function request(
    method: string,
    route: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: route,
          headers: { ...headers, connection: 'close' },
          rejectUnauthorized: false, // the test's own self-signed certificate
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
});
