import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, control, odbcInput, restInput, secretMatches } from './helpers';

describe('emulator secrets', () => {
  let emu: EmulatorProcess;
  let api: Api;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    api = new Api(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  /** Every read path of the API, as text. */
  async function everyRead(id: string): Promise<string[]> {
    const texts: string[] = [];
    for (const root of ['/rest', '/demo/rest']) {
      const scoped = new Api(emu.url, { apiKey: 'demo-key', root });
      for (const path of ['plumbing/?resolution=1min', 'inputs', `plumbing/nodes/${id}`]) {
        const res = await scoped.get(path);
        expect(res.status).toBe(200);
        texts.push(res.text);
      }
    }
    return texts;
  }

  test('GIVEN an ODBC password and a secret REST parameter THEN no GET returns them; the mask is returned', async () => {
    const db = await api.create(odbcInput('masked_db', { password: 'pw-ODBC-123' }));
    const rest = await api.create(restInput('masked_rest', { password: 'pw-REST-456' }));
    for (const text of [...(await everyRead(db.id)), ...(await everyRead(rest.id))]) {
      expect(text).not.toContain('pw-ODBC-123');
      expect(text).not.toContain('pw-REST-456');
      expect(text).not.toContain('rest-secret-1');
    }
    expect(db.configuration.password).toBe('********');
    expect(rest.configuration.password).toBe('********');
    expect(rest.configuration.parameters).toEqual([
      { parameter: 'session_id', type: 'Text', value: '********' },
      { parameter: 'where', type: 'Days Past', value: 2, template: '%Y-%m-%d' },
    ]);
    // ...and they are really stored
    expect(await secretMatches(emu.url, db.id, 'password', 'pw-ODBC-123')).toBe(true);
    expect(
      await secretMatches(emu.url, rest.id, 'parameters.session_id.value', 'rest-secret-1'),
    ).toBe(true);
  });

  test('GIVEN a GET-change-PUT edit carrying the mask THEN the stored secrets are kept', async () => {
    const node = await api.create(restInput('keep_secrets', { password: 'pw-keep' }));
    // the client reorders parameters and edits a non-secret one
    const [session, where] = node.configuration.parameters;
    const res = await api.request('PUT', `inputs/${node.id}`, {
      ...node,
      configuration: {
        ...node.configuration,
        frequency: 60,
        parameters: [{ ...where, value: 7 }, session],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.configuration.frequency).toBe(60);
    expect(await secretMatches(emu.url, node.id, 'password', 'pw-keep')).toBe(true);
    expect(
      await secretMatches(emu.url, node.id, 'parameters.session_id.value', 'rest-secret-1'),
    ).toBe(true);
    expect(await secretMatches(emu.url, node.id, 'parameters.session_id.value', '********')).toBe(
      false,
    );
  });

  test('GIVEN a PUT with new secret values THEN they replace the stored ones (rotation reaches the API)', async () => {
    const node = await api.create(odbcInput('rotate_me', { password: 'pw-old' }));
    const res = await api.request('PUT', `inputs/${node.id}`, {
      ...node,
      configuration: { ...node.configuration, password: 'pw-new' },
    });
    expect(res.status).toBe(200);
    expect(res.body.configuration.password).toBe('********');
    expect(await secretMatches(emu.url, node.id, 'password', 'pw-new')).toBe(true);
    expect(await secretMatches(emu.url, node.id, 'password', 'pw-old')).toBe(false);

    const rest = await api.create(restInput('rotate_param'));
    const parameters = rest.configuration.parameters.map((p: any) =>
      p.parameter === 'session_id' ? { ...p, value: 'rest-secret-2' } : p,
    );
    await api.request('PUT', `inputs/${rest.id}`, {
      ...rest,
      configuration: { ...rest.configuration, parameters },
    });
    expect(
      await secretMatches(emu.url, rest.id, 'parameters.session_id.value', 'rest-secret-2'),
    ).toBe(true);
  });

  test('GIVEN a PUT without the password key THEN the ODBC edit is refused (the password is required)', async () => {
    const node = await api.create(odbcInput('drop_pw', { password: 'pw-stay' }));
    const { password: _dropped, ...configuration } = node.configuration;
    const res = await api.request('PUT', `inputs/${node.id}`, { ...node, configuration });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('configuration.password');
    expect(await secretMatches(emu.url, node.id, 'password', 'pw-stay')).toBe(true);
  });

  test('GIVEN a create carrying the mask as a secret THEN 400: the mask is never stored as a secret', async () => {
    const res = await api.request(
      'POST',
      'plumbing/inputs',
      odbcInput('copied_masked', { password: '********' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('configuration.password');
    const rest = restInput('copied_param');
    (rest.configuration.parameters[0] as { value: unknown }).value = '********';
    const res2 = await api.request('POST', 'plumbing/inputs', rest);
    expect(res2.status).toBe(400);
    expect(res2.body.field).toBe('configuration.parameters[0].value');
  });

  test('GIVEN a parameter marked secret: true THEN its value is masked and kept like a secret key', async () => {
    const input = restInput('flagged_param', {
      parameters: [{ parameter: 'account', type: 'Text', value: 'acct-77', secret: true }],
    });
    const node = await api.create(input);
    // the flag itself is not a secret: it reads back as true, so a PUT of the node keeps it
    expect(node.configuration.parameters[0]).toEqual({
      parameter: 'account',
      type: 'Text',
      value: '********',
      secret: true,
    });
    expect((await api.request('PUT', `inputs/${node.id}`, node)).status).toBe(200);
    expect(await secretMatches(emu.url, node.id, 'parameters.account.value', 'acct-77')).toBe(true);
  });

  test('GIVEN account secrets WHEN the mask is PUT back THEN the value is kept; a new value replaces it', async () => {
    await api.request('PUT', 'secrets', { token: 'tok-1' });
    const read = await api.get('secrets');
    expect(read.body.token).toBe('********');
    expect((await api.request('PUT', 'secrets', read.body)).status).toBe(200);
    const check = (value: string) =>
      control(emu.url, 'POST', 'secrets/check', { account: 'demo', key: 'token', value });
    expect((await check('tok-1')).body).toEqual({ set: true, matches: true });
    await api.request('PUT', 'secrets', { token: 'tok-2' });
    expect((await check('tok-2')).body.matches).toBe(true);
    expect((await api.request('PUT', 'secrets', { token: 5 })).status).toBe(400);
  });
});
