/**
 * The 1 MiB body limit holds on the bytes received, not on what
 * `Content-Length` says: a chunked upload (no length at all) is held to it too.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { Api, odbcInput } from '../emulator/helpers';
import { jsonOf, rawRequest } from '../emulator/raw-http';

const MIB = 1024 * 1024;
const HEADERS = {
  authorization: `API ${EmulatorDefaults.API_KEY}`,
  'content-type': 'application/json',
};

describe('emulator: the body limit', () => {
  let emu: EmulatorProcess;
  let api: Api;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    api = new Api(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN a chunked 3 MiB PUT secrets WHEN sent THEN 413 and nothing stored', async () => {
    const res = await rawRequest({
      port: emu.port,
      method: 'PUT',
      path: '/rest/secrets',
      headers: HEADERS,
      body: JSON.stringify({ big: 'x'.repeat(3 * MIB) }),
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect(jsonOf(res).message).toBe(`Request body is larger than ${MIB} bytes`);
    expect((await api.get('secrets')).body).not.toHaveProperty('big');
  });

  test('GIVEN a chunked 3 MiB PUT inputs/<id> WHEN sent THEN 413 and the input is unchanged', async () => {
    const node = await api.create(odbcInput('body_limit_put'));
    const res = await rawRequest({
      port: emu.port,
      method: 'PUT',
      path: `/rest/inputs/${node.id}?validate=false`,
      headers: HEADERS,
      body: JSON.stringify({
        name: 'body_limit_put',
        type: 'ODBC',
        configuration: { ...odbcInput('x').configuration, schema: 's'.repeat(3 * MIB) },
      }),
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect((await api.byName('body_limit_put')).configuration.schema).toBe('public');
  });

  test('GIVEN a chunked 3 MiB create WHEN sent THEN 413 and no input', async () => {
    const res = await rawRequest({
      port: emu.port,
      method: 'POST',
      path: '/rest/plumbing/inputs?validate=false',
      headers: HEADERS,
      body: JSON.stringify(odbcInput('body_limit_create', { schema: 's'.repeat(3 * MIB) })),
      chunked: true,
    });
    expect(res.status).toBe(413);
    expect(await api.byName('body_limit_create')).toBeUndefined();
  });

  test.each([true, false])(
    'GIVEN a text body over the limit (chunked: %s) WHEN sent THEN 413 as well',
    async (chunked) => {
      const node = await api.create(odbcInput(`body_limit_sleep_${chunked}`));
      const res = await rawRequest({
        port: emu.port,
        method: 'PUT',
        path: `/rest/inputSleepTime/${node.id}`,
        headers: { ...HEADERS, 'content-type': 'text/plain' },
        body: ' '.repeat(2 * MIB) + '120',
        chunked,
      });
      expect(res.status).toBe(413);
      expect((await api.get(`inputSleepTime/${node.id}`)).body.inputSleepTime).not.toBe(120);
    },
  );

  test('GIVEN a chunked body under the limit WHEN sent THEN it is accepted', async () => {
    const res = await rawRequest({
      port: emu.port,
      method: 'PUT',
      path: '/rest/secrets',
      headers: HEADERS,
      body: JSON.stringify({ fits: 'y'.repeat(MIB - 100) }),
      chunked: true,
    });
    expect(res.status).toBe(200);
    expect((await api.get('secrets')).body).toHaveProperty('fits');
  });
});
