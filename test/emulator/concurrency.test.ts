import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, odbcInput, restInput } from './helpers';

describe('emulator under concurrent writers', () => {
  let emu: EmulatorProcess;
  let api: Api;
  beforeAll(async () => {
    // The uniqueness rule under concurrent writers: only with --unique-input-names (the
    // service, and the emulator by default, accept several inputs with one name).
    emu = await startEmulatorProcess({ extraArgs: ['--unique-input-names'] });
    api = new Api(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN 20 parallel creates with distinct names THEN all 20 exist once, with distinct ids', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `parallel_${i}`);
    const results = await Promise.all(
      names.map((n) => api.request('POST', 'plumbing/inputs', odbcInput(n))),
    );
    expect(results.map((r) => r.status)).toEqual(names.map(() => 200));

    const nodes = (await api.nodes()).filter((n) => n.name.startsWith('parallel_'));
    expect(nodes.map((n) => n.name).sort()).toEqual([...names].sort());
    expect(new Set(nodes.map((n) => n.id)).size).toBe(20);
  });

  test('GIVEN 20 parallel creates of the SAME name THEN exactly one succeeds and the rest get 409', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.request(
          'POST',
          i % 2 ? 'plumbing/inputs' : 'inputs?validate=false',
          restInput('contended'),
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(19).fill(409)]);
    expect((await api.nodes()).filter((n) => n.name === 'contended')).toHaveLength(1);
  });

  test('GIVEN 20 inputs WHEN 20 writers PUT a different field each, in parallel THEN every change is there', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `edited_${i}`);
    await Promise.all(names.map((n) => api.request('POST', 'plumbing/inputs', odbcInput(n))));
    const before = (await api.nodes()).filter((n) => n.name.startsWith('edited_'));
    expect(before).toHaveLength(20);

    const change = (node: any, i: number) => {
      const c = { ...node.configuration };
      switch (i % 4) {
        case 0:
          c.batch_size = 1000 + i;
          break;
        case 1:
          c.tables = JSON.stringify({ [`table_${i}`]: 'updated_at' });
          break;
        case 2:
          c.schema = `schema_${i}`;
          break;
        default:
          c.auto_map = false;
      }
      return { ...node, name: `${node.name}_renamed`, configuration: c };
    };
    const results = await Promise.all(
      before.map((node, i) => api.request('PUT', `inputs/${node.id}`, change(node, i))),
    );
    expect(results.map((r) => r.status)).toEqual(before.map(() => 200));

    const after = new Map((await api.nodes()).map((n) => [n.id, n]));
    before.forEach((node, i) => {
      expect(after.get(node.id)).toEqual(change(node, i));
    });
  });

  test('GIVEN one input WHEN 20 writers pause/resume and edit it concurrently THEN no write undoes another', async () => {
    const node = await api.create(odbcInput('hot_input'));
    const edits = Array.from({ length: 10 }, (_, i) =>
      api.request('PUT', `inputs/${node.id}`, {
        ...node,
        configuration: { ...node.configuration, batch_size: 2000 + i },
      }),
    );
    const pauses = Array.from({ length: 10 }, () =>
      api.request('PUT', `inputs/${node.id}/pause?pause=true`),
    );
    const results = await Promise.all([...edits, ...pauses]);
    expect(results.every((r) => r.status === 200)).toBe(true);

    const final = await api.byName('hot_input');
    // every PUT carried paused: false from a stale GET, yet the pauses stand
    expect(final.paused).toBe(true);
    expect(final.configuration.batch_size).toBeGreaterThanOrEqual(2000);
    expect(final.configuration.password).toBe('********');
  });

  test('GIVEN 20 parallel creates and deletes interleaved THEN the structure is consistent', async () => {
    const victims = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => api.create(odbcInput(`victim_${i}`))),
    );
    await Promise.all([
      ...victims.map((v) => api.request('POST', `plumbing/nodes/remove/${v.id}`)),
      ...victims.map((v) =>
        api.request('POST', 'plumbing/inputs', odbcInput(`${v.name}_successor`)),
      ),
    ]);
    const names = (await api.nodes()).map((n) => n.name);
    for (const v of victims) {
      expect(names).not.toContain(v.name);
      expect(names.filter((n) => n === `${v.name}_successor`)).toHaveLength(1);
    }
  });

  test('GIVEN two emulator processes on one data dir WHEN both get 20 creates of one name THEN exactly one wins', async () => {
    const twin = await startEmulatorProcess({
      dataDir: emu.dataDir,
      extraArgs: ['--unique-input-names'],
    });
    try {
      const apis = [api, new Api(twin.url)];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          apis[i % 2].request('POST', 'plumbing/inputs', odbcInput('cross_process')),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(409)]);
      // nothing is cached: each process sees what the other wrote
      const [mine, theirs] = await Promise.all(apis.map((a) => a.byName('cross_process')));
      expect(theirs).toEqual(mine);
    } finally {
      await twin.stop();
    }
  });
});
