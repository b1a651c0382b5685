import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, odbcInput, restInput } from './helpers';

describe('emulator validation', () => {
  let emu: EmulatorProcess;
  let api: Api;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    api = new Api(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  /** Posts the input (validating and not) and expects the same 400 naming `field`. */
  async function expectInvalid(input: unknown, field: string, message?: RegExp) {
    for (const path of ['plumbing/inputs', 'inputs?validate=false']) {
      const res = await api.request('POST', path, input);
      expect({ path, status: res.status, field: res.body.field }).toEqual({
        path,
        status: 400,
        field,
      });
      expect(res.body.message).toContain(field);
      if (message) expect(res.body.message).toMatch(message);
    }
    const name = (input as { name?: unknown })?.name;
    if (typeof name === 'string') expect(await api.byName(name)).toBeUndefined();
  }

  const without = (config: Record<string, unknown>, key: string) => {
    const copy = { ...config };
    delete copy[key];
    return copy;
  };

  test.each([
    ['missing', undefined, /required/],
    ['empty', '', /empty/],
    ['blank', '   ', /only whitespace/],
    ['too long', 'x'.repeat(201), /200/],
    ['not a string', 42, /string/],
  ])('GIVEN a %s name THEN 400 naming the field "name"', async (_case, name, message) => {
    await expectInvalid({ ...odbcInput('x'), name }, 'name', message);
  });

  test('GIVEN a 200-character name THEN it is accepted', async () => {
    expect((await api.request('POST', 'plumbing/inputs', odbcInput('n'.repeat(200)))).status).toBe(
      200,
    );
  });

  test('GIVEN an unknown or missing type THEN 400 naming "type"', async () => {
    await expectInvalid(
      { ...odbcInput('bad_type'), type: 'FTP_THING' },
      'type',
      /must be a known input type, not 'FTP_THING'/,
    );
    await expectInvalid({ name: 'no_type', configuration: {} }, 'type', /required/);
  });

  test('GIVEN an ODBC input without password THEN 400 naming configuration.password', async () => {
    const input = odbcInput('no_password');
    await expectInvalid(
      { ...input, configuration: without(input.configuration, 'password') },
      'configuration.password',
    );
  });

  test.each(['server', 'port', 'database', 'db_type', 'user', 'tables'])(
    'GIVEN an ODBC input without %s THEN 400 naming it',
    async (key) => {
      const input = odbcInput(`no_${key}`);
      await expectInvalid(
        { ...input, configuration: without(input.configuration, key) },
        `configuration.${key}`,
      );
    },
  );

  test.each([
    ['not JSON', '{orders: xmin', 'configuration.tables', /not valid JSON/],
    ['a JSON array', JSON.stringify(['orders', 'users']), 'configuration.tables', /not an array/],
    [
      'an object instead of a JSON string',
      { orders: 'xmin::text::bigint' },
      'configuration.tables',
      /JSON string/,
    ],
    [
      'an empty update indicator',
      JSON.stringify({ orders: '' }),
      'configuration.tables.orders',
      /update indicator/,
    ],
    [
      'a non-string update indicator',
      JSON.stringify({ orders: 1 }),
      'configuration.tables.orders',
      /update indicator/,
    ],
  ])('GIVEN ODBC tables that are %s THEN 400 naming %s', async (_case, tables, field, message) => {
    await expectInvalid(odbcInput('bad_tables', { tables }), field, message);
  });

  test.each([
    ['batch_size', -5],
    ['batch_size', 0],
    ['batch_size', 1.5],
    ['batch_size', 'lots'],
    ['replication_type', 'sometimes'],
    ['db_type', 'sqlite'],
    ['port', 70000],
    ['port', 'http'],
    ['auto_map', 'yes'],
    ['ssh', 'not json'],
  ])('GIVEN ODBC %s = %p THEN 400 naming it', async (key, value) => {
    await expectInvalid(odbcInput('bad_value', { [key]: value }), `configuration.${key}`);
  });

  test('GIVEN valid ODBC variants THEN they are accepted', async () => {
    for (const [i, config] of [
      { replication_type: 'full_dump_load', batch_size: '500', port: '5432' },
      { db_type: 'mysql', auto_map: false, tables: '{}' },
      { ssh: JSON.stringify({ server: 'bastion', port: 22 }), run_at: '0 * * * *' },
    ].entries()) {
      const res = await api.request('POST', 'plumbing/inputs', odbcInput(`odbc_ok_${i}`, config));
      expect({ i, status: res.status, body: res.body }).toMatchObject({ i, status: 200 });
    }
  });

  test.each([
    ['base_url', { base_url: 'ftp://example.com' }, 'configuration.base_url'],
    ['base_url', { base_url: 'not a url' }, 'configuration.base_url'],
    ['parameters', { parameters: { session_id: 'x' } }, 'configuration.parameters'],
    [
      'parameter type',
      { parameters: [{ parameter: 'p', type: 'Weeks', value: 1 }] },
      'configuration.parameters[0].type',
    ],
    [
      'parameter name',
      { parameters: [{ type: 'Text', value: 1 }] },
      'configuration.parameters[0].parameter',
    ],
    [
      'Days Past value',
      { parameters: [{ parameter: 'd', type: 'Days Past', value: -1 }] },
      'configuration.parameters[0].value',
    ],
    [
      'duplicate parameter',
      {
        parameters: [
          { parameter: 'p', type: 'Text', value: 'a' },
          { parameter: 'p', type: 'Text', value: 'b' },
        ],
      },
      'configuration.parameters[1].parameter',
    ],
    [
      'template',
      { parameters: [{ parameter: 'd', type: 'Days Past', value: 1, template: 5 }] },
      'configuration.parameters[0].template',
    ],
  ])('GIVEN a REST_INPUT with a bad %s THEN 400 naming %s', async (_case, config, field) => {
    await expectInvalid(restInput('bad_rest', config), field);
  });

  test('GIVEN a REST_INPUT without base_url THEN 400 naming configuration.base_url', async () => {
    const input = restInput('no_base_url');
    await expectInvalid(
      { ...input, configuration: without(input.configuration, 'base_url') },
      'configuration.base_url',
    );
  });

  test('GIVEN other types THEN their minimal requirements are checked', async () => {
    await expectInvalid(
      { name: 'sf', type: 'SALESFORCE', configuration: {} },
      'configuration.oauth2',
    );
    await expectInvalid(
      { name: 'gs', type: 'GOOGLE_SHEETS_STORAGE', configuration: {} },
      'configuration.oauth2',
    );
    await expectInvalid(
      { name: 's3', type: 'S3', configuration: {} },
      'configuration.awsBucketName',
    );
    await expectInvalid(
      { name: 's3', type: 'S3', configuration: { awsBucketName: 'b', awsAccessKeyId: 'AKIA' } },
      'configuration.awsSecretAccessKey',
    );
    await expectInvalid(
      { name: 'mp', type: 'MIXPANEL', configuration: {} },
      'configuration.mixpanelApiKey',
    );
    await expectInvalid(
      {
        name: 'mp',
        type: 'MIXPANEL',
        configuration: { mixpanelApiKey: 'k', mixpanelApiSecret: 's', fromDate: '2024-13-01' },
      },
      'configuration.fromDate',
    );
    await expectInvalid(
      {
        name: 's3',
        type: 'S3',
        configuration: { awsBucketName: 'b', fileFormat: '{"type":"xml"}' },
      },
      'configuration.fileFormat',
    );
    // a type without rules of its own needs nothing more
    expect(
      (
        await api.request('POST', 'plumbing/inputs', {
          name: 'zd',
          type: 'ZENDESK',
          configuration: {},
        })
      ).status,
    ).toBe(200);
  });

  test('GIVEN a body that is not an object or a configuration that is not an object THEN 400', async () => {
    expect((await api.request('POST', 'plumbing/inputs', [1, 2])).status).toBe(400);
    expect(
      (
        await api.request('POST', 'plumbing/inputs', '{not json', {
          'content-type': 'application/json',
        })
      ).status,
    ).toBe(400);
    await expectInvalid(
      { name: 'cfg', type: 'RESTAPI', configuration: 'auto_map=true' },
      'configuration',
    );
  });

  test('GIVEN a name in use WHEN creating or renaming to it THEN it is accepted: inputs may share a name, as the service allowed', async () => {
    const first = await api.create(odbcInput('shared'));
    const second = await api.request('POST', 'inputs?validate=false', odbcInput('shared'));
    expect(second.status).toBe(200);
    const other = await api.create(odbcInput('renamed_to_shared'));
    const rename = await api.request('PUT', `inputs/${other.id}`, { ...other, name: 'shared' });
    expect(rename.status).toBe(200);
    const named = (await api.nodes()).filter((n) => n.name === 'shared');
    expect(named).toHaveLength(3);
    expect(new Set(named.map((n) => n.id)).size).toBe(3);
    expect(named.map((n) => n.id)).toContain(first.id);
  });

  describe('with --unique-input-names', () => {
    let strict: EmulatorProcess;
    let api: Api;
    beforeAll(async () => {
      strict = await startEmulatorProcess({ extraArgs: ['--unique-input-names'] });
      api = new Api(strict.url);
    });
    afterAll(async () => {
      await strict?.stop();
    });

    test('GIVEN a name in use WHEN creating or renaming to it THEN 409 naming "name"', async () => {
      const first = await api.create(odbcInput('taken'));
      const dup = await api.request('POST', 'plumbing/inputs', odbcInput('taken'));
      expect(dup.status).toBe(409);
      expect(dup.body).toEqual({ message: "Input name 'taken' is already in use", field: 'name' });
      expect((await api.request('POST', 'inputs?validate=false', odbcInput('taken'))).status).toBe(
        409,
      );
      // names of system nodes are taken too
      expect((await api.request('POST', 'plumbing/inputs', odbcInput('Restream'))).status).toBe(
        409,
      );

      const other = await api.create(odbcInput('not_taken'));
      const rename = await api.request('PUT', `inputs/${other.id}`, { ...other, name: 'taken' });
      expect(rename.status).toBe(409);
      expect((await api.get(`plumbing/nodes/${other.id}`)).body.name).toBe('not_taken');
      // keeping one's own name is no conflict
      expect((await api.request('PUT', `inputs/${first.id}`, first)).status).toBe(200);
    });
  });

  test('GIVEN an edit WHEN the new configuration is invalid THEN 400 and the input is unchanged', async () => {
    const node = await api.create(odbcInput('edit_invalid'));
    const res = await api.request('PUT', `inputs/${node.id}`, {
      ...node,
      configuration: { ...node.configuration, tables: '["orders"]' },
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('configuration.tables');
    expect((await api.get(`plumbing/nodes/${node.id}`)).body).toEqual(node);
  });

  test('GIVEN a body over 1 MB THEN 413 with a JSON message', async () => {
    const res = await api.request('POST', 'plumbing/inputs', {
      name: 'huge',
      type: 'RESTAPI',
      configuration: { blob: 'x'.repeat(1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.message).toMatch(/larger than/);
  });
});
