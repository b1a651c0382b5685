import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, control, odbcInput, sleep } from './helpers';

describe('emulator fault injection and stats', () => {
  let emu: EmulatorProcess;
  let api: Api;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    api = new Api(emu.url);
  });
  afterEach(async () => {
    await emu.setFaults({});
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN errorRate 1 THEN every REST request is 503 and nothing is written; control routes still work', async () => {
    await emu.setFaults({ errorRate: 1 });
    const create = await api.request('POST', 'plumbing/inputs', odbcInput('never_written'));
    expect(create.status).toBe(503);
    expect(create.body.message).toMatch(/unavailable/);
    expect((await api.get('plumbing')).status).toBe(503);
    expect((await control(emu.url, 'GET', 'stats')).status).toBe(200);
    await emu.setFaults({});
    expect(await api.byName('never_written')).toBeUndefined();
  });

  test('GIVEN throttleRate 1 and retryAfterS 3 THEN 429 with Retry-After: 3', async () => {
    await emu.setFaults({ throttleRate: 1, retryAfterS: 3 });
    const res = await api.get('plumbing');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    await emu.setFaults({ throttleRate: 1 });
    expect((await api.get('plumbing')).headers.get('retry-after')).toBe('1');
  });

  test('GIVEN faults WHEN credentials are missing THEN the fault still comes first (as a front proxy would)', async () => {
    await emu.setFaults({ throttleRate: 1 });
    expect((await new Api(emu.url, {}).get('plumbing')).status).toBe(429);
  });

  test('GIVEN errorRate 0.5 THEN about half the requests fail, and each failure is all-or-nothing', async () => {
    await emu.setFaults({ errorRate: 0.5 });
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        api.request('POST', 'inputs?validate=false', odbcInput(`flaky_${i}`)),
      ),
    );
    const ok = results.map((r, i) => [r.status, i] as const).filter(([s]) => s === 200);
    expect(ok.length).toBeGreaterThan(5);
    expect(ok.length).toBeLessThan(35);
    await emu.setFaults({});
    const names = new Set((await api.nodes()).map((n) => n.name));
    results.forEach((r, i) => expect(names.has(`flaky_${i}`)).toBe(r.status === 200));
  });

  test('GIVEN createDelayMs THEN a created input appears only after the delay', async () => {
    await emu.setFaults({ createDelayMs: 700 });
    const started = Date.now();
    const res = await api.request('POST', 'plumbing/inputs', odbcInput('slow_to_appear'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'created', name: 'slow_to_appear' });
    expect(await api.byName('slow_to_appear')).toBeUndefined();

    let node: any;
    while (!node && Date.now() - started < 5000) {
      node = await api.byName('slow_to_appear');
      if (!node) await sleep(50);
    }
    expect(node).toBeDefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
  });

  test('GIVEN latencyMs 300 THEN each REST request takes at least 300 ms; control routes do not', async () => {
    await emu.setFaults({ latencyMs: 300 });
    const started = Date.now();
    expect((await api.get('repository')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const controlStarted = Date.now();
    await emu.stats();
    expect(Date.now() - controlStarted).toBeLessThan(250);
  });

  test('GIVEN errorAfterWriteRate 1 THEN a write is applied but answered 503 (lost response); reads are unaffected', async () => {
    await control(emu.url, 'PUT', 'faults', { errorAfterWriteRate: 1 });
    const res = await api.request('POST', 'plumbing/inputs', odbcInput('lost_response'));
    expect(res.status).toBe(503);
    expect((await api.byName('lost_response'))?.name).toBe('lost_response');
    const stats = await emu.stats();
    expect(stats['injected 503 after write']).toBeGreaterThanOrEqual(1);
  });

  test('GIVEN invalid faults THEN the control API answers 400 and keeps the old ones', async () => {
    await emu.setFaults({ latencyMs: 1 });
    const res = await control(emu.url, 'PUT', 'faults', { errorRate: 2 });
    expect(res.status).toBe(400);
    expect((await control(emu.url, 'GET', 'faults')).body.latencyMs).toBe(1);
  });

  test('GIVEN requests on both roots THEN stats count them by route key, with totals and injected faults', async () => {
    await emu.resetStats();
    const node = await api.create(odbcInput('counted'));
    const scoped = new Api(emu.url, { apiKey: 'demo-key', root: '/demo/rest' });
    await scoped.get('plumbing/?resolution=1min');
    await api.get('inputs');
    await api.get(`plumbing/nodes/${node.id}`);
    await api.request('PUT', `inputs/${node.id}`, node);
    await api.request('PUT', `inputs/${node.id}/pause?pause=true`);
    await api.request('PUT', `inputSleepTime/${node.id}`, 10);
    await api.get(`inputSleepTime/${node.id}`);
    await api.request('POST', 'inputs?validate=false', odbcInput('counted_2'));
    await api.request('PUT', 'secrets', { k: 'v' });
    await api.get('secrets');
    await api.request('DELETE', 'secrets/k');
    await api.get('repository');
    await new Api(emu.url, {}).request('POST', 'login', {
      email: 'demo@example.com',
      password: 'demo',
    });
    await api.request('POST', `plumbing/nodes/remove/${node.id}`);
    await api.get('nothing/here');
    await emu.setFaults({ throttleRate: 1 });
    await api.get('plumbing');
    await emu.setFaults({ errorRate: 1 });
    await api.get('plumbing');
    await emu.setFaults({});

    const stats = await emu.stats();
    expect(stats).toEqual({
      total: 19,
      'injected 503': 1,
      'injected 429': 1,
      'injected 503 after write': 0,
      'secret writes': 3, // the two ODBC creates with a password, PUT secrets
      'unknown route': 1,
      'POST plumbing/inputs': 1,
      'POST inputs': 1,
      'GET plumbing': 4, // api.create's lookup, the scoped read, and the two faulted ones
      'GET inputs': 1,
      'GET plumbing/nodes/:id': 1,
      'PUT inputs/:id': 1,
      'PUT inputs/:id/pause': 1,
      'PUT inputSleepTime/:id': 1,
      'GET inputSleepTime/:id': 1,
      'PUT secrets': 1,
      'GET secrets': 1,
      'DELETE secrets/:key': 1,
      'GET repository': 1,
      'POST login': 1,
      'POST plumbing/nodes/remove/:id': 1,
    });

    await emu.resetStats();
    expect((await emu.stats()).total).toBe(0);
  });
});
