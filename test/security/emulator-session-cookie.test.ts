/**
 * The session cookie: a name of its own, and login/logout under the same
 * cross-origin rule as every other write (no login CSRF, no cross-site
 * logout). Attacker-style, against a real emulator process on loopback.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { Api, login } from '../emulator/helpers';
import { rawRequest } from '../emulator/raw-http';

const CREDENTIALS = JSON.stringify({
  email: EmulatorDefaults.USERNAME,
  password: EmulatorDefaults.PASSWORD,
});
/** What a cross-site page's form or fetch carries (browsers send both). */
const CROSS_SITE = { origin: 'http://attacker.example', 'sec-fetch-site': 'cross-site' };

describe('emulator: the session cookie', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN a login over plain HTTP WHEN the cookie is set THEN it has a name of its own, HttpOnly, SameSite=Lax and no Secure', async () => {
    const res = await rawRequest({
      port: emu.port,
      method: 'POST',
      path: '/rest/login',
      headers: { 'content-type': 'application/json' },
      body: CREDENTIALS,
    });
    expect(res.status).toBe(200);
    const cookies = res.headers['set-cookie'] ?? [];
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^alooma_emulator_session=[A-Za-z0-9_-]{43}; /);
    expect(cookies[0]).toMatch(/; HttpOnly/);
    expect(cookies[0]).toMatch(/; SameSite=Lax/);
    expect(cookies[0]).not.toMatch(/Secure/);
    expect(cookies.join('\n')).not.toMatch(/sessionid=/);
  });

  test.each([
    ['JSON', 'application/json', CREDENTIALS],
    // The classic login-CSRF form: the JSON hides in a field name.
    ['form-encoded', 'application/x-www-form-urlencoded', CREDENTIALS.slice(0, -1) + ',"x":"=1"}'],
    ['text/plain', 'text/plain', CREDENTIALS],
  ])(
    'GIVEN a cross-site %s POST login WHEN sent THEN 403 and no cookie',
    async (_kind, contentType, body) => {
      for (const root of ['/rest', `/${EmulatorDefaults.ACCOUNT}/rest`]) {
        for (const headers of [
          CROSS_SITE,
          { origin: 'http://attacker.example' },
          { 'sec-fetch-site': 'cross-site' },
          { origin: 'null' },
          { origin: `http://127.0.0.1:${emu.port + 1}` }, // another app on this host
        ]) {
          const res = await rawRequest({
            port: emu.port,
            method: 'POST',
            path: `${root}/login`,
            headers: { 'content-type': contentType, ...headers },
            body,
          });
          expect({ root, headers, status: res.status }).toEqual({ root, headers, status: 403 });
          expect(res.headers['set-cookie']).toBeUndefined();
        }
      }
    },
  );

  test('GIVEN a logged-in user WHEN another site posts logout THEN 403 and the session still works', async () => {
    const cookie = await login(emu.url);
    const res = await rawRequest({
      port: emu.port,
      method: 'POST',
      path: '/rest/logout',
      headers: { cookie, ...CROSS_SITE },
    });
    expect(res.status).toBe(403);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await new Api(emu.url, { cookie }).get('repository')).status).toBe(200);
  });

  test('GIVEN the same origin or no browser at all WHEN logging in and out THEN it works', async () => {
    for (const headers of [
      {},
      { origin: `http://127.0.0.1:${emu.port}`, 'sec-fetch-site': 'same-origin' },
    ]) {
      const res = await rawRequest({
        port: emu.port,
        method: 'POST',
        path: '/rest/login',
        headers: { 'content-type': 'application/json', ...headers },
        body: CREDENTIALS,
      });
      expect(res.status).toBe(200);
      const cookie = res.headers['set-cookie']![0].split(';')[0];
      const out = await rawRequest({
        port: emu.port,
        method: 'POST',
        path: '/rest/logout',
        headers: { cookie, ...headers },
      });
      expect(out.status).toBe(200);
      expect(out.headers['set-cookie']![0]).toMatch(
        /^alooma_emulator_session=; Max-Age=0; Path=\//,
      );
      expect((await new Api(emu.url, { cookie }).get('repository')).status).toBe(401);
    }
  });
});
