/**
 * DNS rebinding: a web page makes the browser send requests to the local
 * emulator under the page's own host name. Every request naming a host the
 * emulator does not answer for gets 421, and nothing is done: no session, no
 * write, not even a count.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { Api } from '../emulator/helpers';
import { jsonOf, rawRequest } from '../emulator/raw-http';

const API_KEY = { authorization: `API ${EmulatorDefaults.API_KEY}` };
const JSON_TYPE = { 'content-type': 'application/json' };

describe('emulator: the Host header', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess({ extraArgs: ['--allowed-host', 'alooma.test'] });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const foreignHosts = (port: number) => [
    `attacker.example:${port}`,
    'attacker.example',
    `127.0.0.1.nip.io:${port}`,
    `localhost.attacker.example:${port}`,
    `127.0.0.2:${port}`,
    `[::ffff:7f00:1]:${port}`,
    `alooma.test.attacker.example:${port}`,
  ];

  test('GIVEN a foreign Host WHEN any route is called THEN 421 and nothing is done', async () => {
    await emu.resetStats();
    for (const host of foreignHosts(emu.port)) {
      const attempts = [
        { method: 'GET', path: '/rest/repository', headers: { ...API_KEY } },
        {
          method: 'POST',
          path: '/rest/login',
          headers: { ...JSON_TYPE },
          body: JSON.stringify({
            email: EmulatorDefaults.USERNAME,
            password: EmulatorDefaults.PASSWORD,
          }),
        },
        {
          method: 'PUT',
          path: '/rest/secrets',
          headers: { ...API_KEY, ...JSON_TYPE },
          body: JSON.stringify({ planted: 'by-attacker' }),
        },
        {
          method: 'POST',
          path: '/console/login',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `email=${encodeURIComponent(EmulatorDefaults.USERNAME)}&password=${EmulatorDefaults.PASSWORD}`,
        },
        { method: 'GET', path: '/console/login', headers: {} },
        { method: 'GET', path: '/_emulator/stats', headers: {} },
        { method: 'GET', path: '/no/such/route', headers: {} },
      ];
      for (const attempt of attempts) {
        const res = await rawRequest({
          port: emu.port,
          ...attempt,
          headers: { ...attempt.headers, host: host },
        });
        expect({ host, path: attempt.path, status: res.status }).toEqual({
          host,
          path: attempt.path,
          status: 421,
        });
        expect(res.headers['set-cookie']).toBeUndefined();
        expect(jsonOf(res)?.message).toMatch(/does not answer for the host .*--allowed-host/);
      }
    }
    // Nothing happened: no secret planted, no request counted.
    const secrets = await new Api(emu.url).get('secrets');
    expect(secrets.body).not.toHaveProperty('planted');
    const stats = await emu.stats();
    expect(stats.total).toBe(1); // the GET secrets just above
  });

  test('GIVEN the loopback names, the listening address or a configured name WHEN called THEN answered', async () => {
    for (const host of [
      `127.0.0.1:${emu.port}`,
      `localhost:${emu.port}`,
      `LOCALHOST:${emu.port}`,
      `[::1]:${emu.port}`,
      '127.0.0.1',
      `alooma.test:${emu.port}`,
    ]) {
      const res = await rawRequest({
        port: emu.port,
        method: 'GET',
        path: '/rest/repository',
        headers: { ...API_KEY, host },
      });
      expect({ host, status: res.status }).toEqual({ host, status: 200 });
    }
  });
});
