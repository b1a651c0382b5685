import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, control, login, odbcInput, sleep } from './helpers';

describe('emulator authentication', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN no credentials WHEN a REST route is called THEN it answers 401 with a JSON message', async () => {
    for (const root of ['/rest', '/demo/rest']) {
      const res = await new Api(emu.url, { root }).get('plumbing/?resolution=1min');
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/Authentication required/);
    }
  });

  test('GIVEN the demo user WHEN it logs in THEN the session cookie is HttpOnly and grants access', async () => {
    const res = await fetch(`${emu.url}/rest/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@example.com', password: 'demo' }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^alooma_emulator_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/HttpOnly/);

    const cookie = setCookie.split(';')[0];
    const repo = await new Api(emu.url, { cookie }).get('repository');
    expect(repo.status).toBe(200);
    expect(repo.body.config_clientName).toBe('demo');
    const scoped = await new Api(emu.url, { cookie, root: '/demo/rest' }).get('repository');
    expect(scoped.body.config_clientName).toBe('demo');
  });

  test('GIVEN a wrong password or unknown user WHEN logging in THEN 401 Invalid credentials and no cookie', async () => {
    for (const body of [
      { email: 'demo@example.com', password: 'nope' },
      { email: 'nobody@example.com', password: 'demo' },
    ]) {
      const res = await new Api(emu.url, {}).request('POST', 'login', body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Invalid credentials' });
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  test('GIVEN a login body without password WHEN logging in THEN 400', async () => {
    const res = await new Api(emu.url, {}).request('POST', 'login', { email: 'demo@example.com' });
    expect(res.status).toBe(400);
  });

  test('GIVEN the API key WHEN sent as "Authorization: API <key>" THEN requests succeed under both roots', async () => {
    for (const root of ['/rest', '/demo/rest']) {
      const res = await new Api(emu.url, { apiKey: 'demo-key', root }).get('repository');
      expect(res.status).toBe(200);
      expect(res.body.config_clientName).toBe('demo');
    }
  });

  test('GIVEN a wrong API key or a malformed header WHEN calling THEN 401', async () => {
    expect((await new Api(emu.url, { apiKey: 'wrong-key' }).get('plumbing')).status).toBe(401);
    const res = await new Api(emu.url, {}).request('GET', 'plumbing', undefined, {
      authorization: 'Bearer demo-key',
    });
    expect(res.status).toBe(401);
  });

  test('GIVEN a forged or logged-out session cookie WHEN calling THEN 401', async () => {
    const forged = await new Api(emu.url, { cookie: 'alooma_emulator_session=forged' }).get(
      'plumbing',
    );
    expect(forged.status).toBe(401);
    expect(forged.body.message).toMatch(/Invalid session/);
    const cookie = await login(emu.url);
    const api = new Api(emu.url, { cookie });
    expect((await api.get('plumbing')).status).toBe(200);
    expect((await api.request('POST', 'logout')).status).toBe(200);
    expect((await api.get('plumbing')).status).toBe(401);
  });

  test('GIVEN a second account WHEN each uses its own credentials THEN accounts are isolated', async () => {
    const created = await control(emu.url, 'POST', 'accounts', {
      account: 'acme',
      email: 'ops@acme.example',
      password: 'acme-pass',
      apiKey: 'acme-key',
    });
    expect(created.status).toBe(201);
    const demo = new Api(emu.url, { apiKey: 'demo-key' });
    const acme = new Api(emu.url, { apiKey: 'acme-key' });
    const demoInput = await demo.create(odbcInput('isolated_demo_input'));

    // acme sees its own system nodes only, never demo's input
    const acmeNodes = await acme.nodes();
    expect(acmeNodes.map((n) => n.name).sort()).toEqual(['Code Engine', 'Restream', 'Snowflake']);
    expect(acmeNodes.some((n) => n.id === demoInput.id)).toBe(false);
    expect((await acme.get(`plumbing/nodes/${demoInput.id}`)).status).toBe(404);
    expect(Object.keys((await acme.get('inputs')).body)).not.toContain(demoInput.id);
    expect((await acme.get('repository')).body.config_clientName).toBe('acme');

    // acme cannot touch demo's input
    expect(
      (await acme.request('PUT', `inputs/${demoInput.id}`, { ...demoInput, name: 'stolen' }))
        .status,
    ).toBe(404);
    expect((await acme.request('PUT', `inputs/${demoInput.id}/pause?pause=true`)).status).toBe(404);
    expect((await acme.request('POST', `plumbing/nodes/remove/${demoInput.id}`)).status).toBe(404);
    expect((await demo.byName('isolated_demo_input'))?.paused).toBe(false);

    // acme's credentials on demo's root are refused, with a key or a session
    expect(
      (await new Api(emu.url, { apiKey: 'acme-key', root: '/demo/rest' }).get('plumbing')).status,
    ).toBe(403);
    const acmeCookie = await login(emu.url, 'ops@acme.example', 'acme-pass');
    expect(
      (await new Api(emu.url, { cookie: acmeCookie, root: '/demo/rest' }).get('plumbing')).status,
    ).toBe(403);
    expect(
      (await new Api(emu.url, { cookie: acmeCookie, root: '/acme/rest' }).get('plumbing')).status,
    ).toBe(200);

    // acme's user cannot log in through demo's root
    const res = await new Api(emu.url, { root: '/demo/rest' }).request('POST', 'login', {
      email: 'ops@acme.example',
      password: 'acme-pass',
    });
    expect(res.status).toBe(401);

    // both credentials at once must agree
    const demoCookie = await login(emu.url);
    expect(
      (await new Api(emu.url, { cookie: demoCookie, apiKey: 'acme-key' }).get('plumbing')).status,
    ).toBe(401);
    expect(
      (await new Api(emu.url, { cookie: demoCookie, apiKey: 'demo-key' }).get('plumbing')).status,
    ).toBe(200);
  });

  test('GIVEN an existing account name WHEN creating it again through the control API THEN 409', async () => {
    const res = await control(emu.url, 'POST', 'accounts', {
      account: 'demo',
      email: 'other@example.com',
      password: 'x',
      apiKey: 'other-key',
    });
    expect(res.status).toBe(409);
  });
});

describe('emulator sessions', () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess({ sessionTtlS: 1 });
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN a session TTL of 1 s WHEN the session is older THEN 401 Session expired and a new login works', async () => {
    const cookie = await login(emu.url);
    const api = new Api(emu.url, { cookie });
    expect((await api.get('plumbing')).status).toBe(200);
    await sleep(1100);
    const expired = await api.get('plumbing');
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
    const fresh = new Api(emu.url, { cookie: await login(emu.url) });
    expect((await fresh.get('plumbing')).status).toBe(200);
  });
});
