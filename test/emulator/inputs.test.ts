import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, odbcInput, restInput } from './helpers';

describe('emulator REST API', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN a fresh data dir THEN the account has the system nodes of a real account and no user inputs', async () => {
    const nodes = await new Api(emu.url).nodes();
    expect(nodes.map((n) => [n.name, n.type, n.category])).toEqual([
      ['Code Engine', 'TRANSFORMER', 'TRANSFORMER'],
      ['Restream', 'RESTREAM', 'INPUT'],
      ['Snowflake', 'SNOWFLAKE', 'OUTPUT'],
    ]);
    for (const node of nodes) {
      expect(Object.keys(node)).toEqual([
        'id',
        'name',
        'type',
        'category',
        'configuration',
        'paused',
        'deleted',
        'state',
        'stats',
        'validated',
        'created_at',
      ]);
      expect(node.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    }
    // the output's password is a secret too
    expect(nodes[2].configuration.password).toBe('********');
  });

  describe.each(['/rest', '/demo/rest'])('under %s', (root) => {
    const api = () => new Api(emu.url, { apiKey: 'demo-key', root });
    const name = (base: string) => `${base}_${root === '/rest' ? 'plain' : 'scoped'}`;

    test('GIVEN GET repository THEN config_clientName is the account', async () => {
      const res = await api().get('repository');
      expect(res.status).toBe(200);
      expect(res.body.config_clientName).toBe('demo');
    });

    test('GIVEN the structure path with or without slash and resolution THEN all answer the nodes', async () => {
      for (const path of [
        'plumbing',
        'plumbing/',
        'plumbing?resolution=1min',
        'plumbing/?resolution=1min',
      ]) {
        const res = await api().get(path);
        expect(res.status).toBe(200);
        expect(Array.isArray(res.body.nodes)).toBe(true);
      }
    });

    test('GIVEN a validating create WHEN it succeeds THEN the answer has no id and the node appears by name', async () => {
      const res = await api().request('POST', 'plumbing/inputs', odbcInput(name('orders')));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'created', name: name('orders') });
      expect(JSON.stringify(res.body)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);

      const node = await api().byName(name('orders'));
      expect(node).toMatchObject({
        type: 'ODBC',
        category: 'INPUT',
        paused: false,
        deleted: false,
        validated: true,
      });
      expect(node.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(node.configuration.tables).toBe(
        JSON.stringify({ orders: 'xmin::text::bigint', users: 'xmin::text::bigint' }),
      );

      const one = await api().get(`plumbing/nodes/${node.id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(node);
      const inputs = await api().get('inputs');
      expect(inputs.body[node.id]).toEqual(node);
      expect(Object.values(inputs.body).every((n: any) => n.category === 'INPUT')).toBe(true);
    });

    test('GIVEN POST inputs?validate=false THEN the input is created without source validation', async () => {
      const res = await api().request('POST', 'inputs?validate=false', restInput(name('engage')));
      expect(res.status).toBe(200);
      const node = await api().byName(name('engage'));
      expect(node).toMatchObject({ type: 'REST_INPUT', validated: false });
    });

    test('GIVEN auto_map as a string or a boolean THEN it is stored as sent', async () => {
      await api().create({
        name: name('hook_str'),
        type: 'RESTAPI',
        configuration: { auto_map: 'true' },
      });
      await api().create({
        name: name('hook_bool'),
        type: 'RESTAPI',
        configuration: { auto_map: true },
      });
      expect((await api().byName(name('hook_str'))).configuration.auto_map).toBe('true');
      expect((await api().byName(name('hook_bool'))).configuration.auto_map).toBe(true);
    });

    test('GIVEN an input WHEN PUT with the whole node THEN it is edited, renamed, and returned masked', async () => {
      const node = await api().create(odbcInput(name('edit_me')));
      const edited = {
        ...node,
        name: name('edited'),
        configuration: {
          ...node.configuration,
          batch_size: 5000,
          tables: JSON.stringify({ items: 'updated_at' }),
        },
      };
      const res = await api().request('PUT', `inputs/${node.id}`, edited);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: node.id,
        name: name('edited'),
        configuration: { batch_size: 5000 },
      });
      expect(res.body.configuration.password).toBe('********');
      expect(await api().byName(name('edit_me'))).toBeUndefined();
      expect((await api().get(`plumbing/nodes/${node.id}`)).body.configuration.tables).toBe(
        '{"items":"updated_at"}',
      );
    });

    test('GIVEN an input WHEN PUT with another type THEN 400 and nothing changes', async () => {
      const node = await api().create(odbcInput(name('typed')));
      const res = await api().request('PUT', `inputs/${node.id}`, { ...node, type: 'REST_INPUT' });
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(/'type'/);
      expect((await api().get(`plumbing/nodes/${node.id}`)).body).toEqual(node);
    });

    test('GIVEN an input WHEN paused and resumed THEN paused and state follow', async () => {
      const node = await api().create(odbcInput(name('pausable')));
      const paused = await api().request('PUT', `inputs/${node.id}/pause?pause=true`);
      expect(paused.status).toBe(200);
      expect(paused.body).toMatchObject({ paused: true, state: 'PAUSED' });
      expect((await api().byName(name('pausable'))).paused).toBe(true);
      const resumed = await api().request('PUT', `inputs/${node.id}/pause?pause=false`);
      expect(resumed.body).toMatchObject({ paused: false, state: 'LIVE' });
      expect((await api().request('PUT', `inputs/${node.id}/pause?pause=maybe`)).status).toBe(400);
    });

    test('GIVEN a stale GET WHEN the whole node is PUT back after a pause THEN the pause is kept', async () => {
      const stale = await api().create(odbcInput(name('stale')));
      await api().request('PUT', `inputs/${stale.id}/pause?pause=true`);
      const res = await api().request('PUT', `inputs/${stale.id}`, { ...stale, paused: false });
      expect(res.status).toBe(200);
      expect(res.body.paused).toBe(true);
    });

    test('GIVEN an input WHEN its sleep time is set THEN GET returns it; text, number and object bodies work', async () => {
      const node = await api().create(odbcInput(name('sleepy')));
      expect((await api().get(`inputSleepTime/${node.id}`)).body).toEqual({ inputSleepTime: 0 });
      expect(
        (
          await api().request('PUT', `inputSleepTime/${node.id}`, '120', {
            'content-type': 'text/plain',
          })
        ).body,
      ).toEqual({
        inputSleepTime: 120,
      });
      expect((await api().get(`inputSleepTime/${node.id}`)).body).toEqual({ inputSleepTime: 120 });
      await api().request('PUT', `inputSleepTime/${node.id}`, 30);
      expect((await api().get(`inputSleepTime/${node.id}`)).body).toEqual({ inputSleepTime: 30 });
      await api().request('PUT', `inputSleepTime/${node.id}`, { inputSleepTime: 45 });
      expect((await api().get(`inputSleepTime/${node.id}`)).body).toEqual({ inputSleepTime: 45 });
      expect((await api().request('PUT', `inputSleepTime/${node.id}`, -1)).status).toBe(400);
      expect((await api().get('inputSleepTime/00000000-0000-0000-0000-000000000000')).status).toBe(
        404,
      );
    });

    test('GIVEN an input WHEN removed THEN it leaves the structure, 404s, and its name is free again', async () => {
      const node = await api().create(odbcInput(name('doomed')));
      const res = await api().request('POST', `plumbing/nodes/remove/${node.id}`);
      expect(res.status).toBe(200);
      expect(await api().byName(name('doomed'))).toBeUndefined();
      expect((await api().get(`plumbing/nodes/${node.id}`)).status).toBe(404);
      expect((await api().request('POST', `plumbing/nodes/remove/${node.id}`)).status).toBe(404);
      expect((await api().request('PUT', `inputs/${node.id}`, node)).status).toBe(404);
      const again = await api().create(odbcInput(name('doomed')));
      expect(again.id).not.toBe(node.id);
    });

    test('GIVEN an input id THEN GET inputs/<id> answers that input as GET inputs holds it, secrets masked', async () => {
      const create = await api().request('POST', 'inputs?validate=false', odbcInput(name('by_id')));
      expect(create.status).toBeLessThan(300);
      const listed = (await api().request('GET', 'inputs')).body as Record<string, any>;
      const id = Object.keys(listed).find((k) => listed[k].name === name('by_id'))!;
      const one = await api().request('GET', `inputs/${id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual(listed[id]);
      expect(one.body.configuration.password).toBe('********');
      // a non-input node is not an input
      const transformer = (await api().nodes()).find((n) => n.category === 'TRANSFORMER')!;
      const notInput = await api().request('GET', `inputs/${transformer.id}`);
      expect({ status: notInput.status, message: notInput.body.message }).toEqual({
        status: 404,
        message: `No input with id ${transformer.id}`,
      });
    });

    test('GIVEN unknown ids and routes THEN 404 with a JSON message', async () => {
      const missing = '00000000-0000-0000-0000-000000000000';
      for (const [method, path] of [
        ['GET', `plumbing/nodes/${missing}`],
        ['GET', `inputs/${missing}`],
        ['PUT', `inputs/${missing}/pause?pause=true`],
        ['POST', `plumbing/nodes/remove/${missing}`],
        ['GET', 'no/such/route'],
      ]) {
        const res = await api().request(
          method,
          path,
          method === 'GET' ? undefined : method === 'PUT' ? undefined : {},
        );
        expect(res.status).toBe(404);
        expect(typeof res.body.message).toBe('string');
      }
    });

    test('GIVEN account secrets WHEN put, read and deleted THEN reads show keys with masked values', async () => {
      const key = name('warehouse_password');
      const put = await api().request('PUT', 'secrets', { [key]: 'sup3r', [`${key}_2`]: 'other' });
      expect(put.status).toBe(200);
      const got = await api().get('secrets');
      expect(got.body).toMatchObject({ [key]: '********', [`${key}_2`]: '********' });
      expect(got.text).not.toMatch(/sup3r|other/);
      expect((await api().request('DELETE', `secrets/${key}_2`)).status).toBe(200);
      expect((await api().get('secrets')).body[`${key}_2`]).toBeUndefined();
      expect((await api().request('DELETE', `secrets/${key}_2`)).status).toBe(404);
    });
  });

  describe('system nodes', () => {
    const api = () => new Api(emu.url);

    test('GIVEN the RESTREAM input WHEN a client modifies, pauses, deletes or sets its sleep time THEN 403', async () => {
      const restream = (await api().nodes()).find((n) => n.type === 'RESTREAM');
      expect(
        (await api().request('PUT', `inputs/${restream.id}`, { ...restream, name: 'x' })).status,
      ).toBe(403);
      expect((await api().request('PUT', `inputs/${restream.id}/pause?pause=true`)).status).toBe(
        403,
      );
      expect((await api().request('POST', `plumbing/nodes/remove/${restream.id}`)).status).toBe(
        403,
      );
      expect((await api().request('PUT', `inputSleepTime/${restream.id}`, 5)).status).toBe(403);
      expect(await api().byName('Restream')).toEqual(restream);
    });

    test('GIVEN the transformer and the output WHEN removed THEN 403; WHEN edited as inputs THEN 404', async () => {
      const nodes = await api().nodes();
      for (const node of nodes.filter((n) => n.category !== 'INPUT')) {
        expect((await api().request('POST', `plumbing/nodes/remove/${node.id}`)).status).toBe(403);
        expect((await api().request('PUT', `inputs/${node.id}`, node)).status).toBe(404);
      }
    });

    test('GIVEN a client WHEN it creates a RESTREAM or AGENT input THEN 400', async () => {
      for (const type of ['RESTREAM', 'AGENT']) {
        const res = await api().request('POST', 'plumbing/inputs', {
          name: `my_${type}`,
          type,
          configuration: {},
        });
        expect(res.status).toBe(400);
        expect(res.body.field).toBe('type');
      }
    });
  });
});
