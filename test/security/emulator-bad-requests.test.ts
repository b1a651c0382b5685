/**
 * Requests built to trip the emulator up: each is answered with a 4xx and
 * its reason, never a 500 (and nothing lands in a header it should not).
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { Api } from '../emulator/helpers';
import { rawRequest } from '../emulator/raw-http';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const credentials = (next: string) =>
  `email=${encodeURIComponent(EmulatorDefaults.USERNAME)}&password=${EmulatorDefaults.PASSWORD}&next=${next}`;

/** `next` values that cannot become a Location header, percent-encoded as a form or URL carries them. */
const BAD_NEXTS = {
  'CR/LF': '%2Fconsole%2F%0D%0ASet-Cookie%3A%20planted%3D1',
  LF: '%2Fconsole%2F%0Ax',
  'non-ASCII': '%2Fconsole%2F%C3%A9',
  'a space': '%2Fconsole%2Fa%20b',
};

describe('emulator: malformed requests get a 4xx with a reason', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test.each([
    ['input', 'history?input=a&input=b'],
    ['limit', 'history?limit=1&limit=2'],
  ])('GIVEN %s given twice WHEN GET history THEN 400 naming it', async (name, path) => {
    const res = await new Api(emu.url).get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      message: `Query parameter '${name}' must be given at most once`,
      field: name,
    });
  });

  test.each(Object.entries(BAD_NEXTS))(
    'GIVEN a next with %s WHEN the console login is shown or posted THEN 400 with the reason, no redirect, no session',
    async (_kind, next) => {
      const shown = await rawRequest({
        port: emu.port,
        method: 'GET',
        path: `/console/login?next=${next}`,
      });
      const posted = await rawRequest({
        port: emu.port,
        method: 'POST',
        path: '/console/login',
        headers: FORM,
        body: credentials(next),
      });
      const twice = await rawRequest({
        port: emu.port,
        method: 'POST',
        path: '/console/login',
        headers: FORM,
        body: `${credentials('%2Fconsole%2F')}&next=%2Fconsole%2Fhistory`,
      });
      for (const res of [shown, posted, twice]) {
        expect(res.status).toBe(400);
        expect(res.text).toMatch(/Parameter &#39;next&#39; must be given at most once/);
        expect(res.headers.location).toBeUndefined();
        expect(res.headers['set-cookie']).toBeUndefined();
      }
    },
  );

  test('GIVEN a console path as next WHEN signing in THEN the redirect goes there', async () => {
    const res = await rawRequest({
      port: emu.port,
      method: 'POST',
      path: '/console/login',
      headers: FORM,
      body: credentials('%2Fconsole%2Fhistory%3Fx%3D%25C3%25A9'),
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/console/history?x=%C3%A9');
  });

  test('THEN the emulator logged no server error for any of them', () => {
    expect(emu.output()).not.toMatch(/Internal server error|ERR_INVALID_CHAR|TypeError/);
  });
});
