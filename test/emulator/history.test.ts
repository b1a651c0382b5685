/**
 * The emulator's history of input writes (GET history): one entry per write,
 * who made it, a field-level diff with secrets only as changed, newest first,
 * and kept across a restart.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, login, odbcInput } from './helpers';

let emu: EmulatorProcess;
afterAll(async () => emu?.stop());

test('GIVEN create, edit, pause, resume and delete THEN each is one entry with its actor and diff, and they survive a restart', async () => {
  emu = await startEmulatorProcess();
  const byKey = new Api(emu.url);
  const cookie = await login(emu.url, 'demo@example.com', 'demo');
  const bySession = new Api(emu.url, { cookie });
  const node = await byKey.create(odbcInput('audited', { password: 'History-Pw-1' }));
  const edit = await bySession.request('PUT', `inputs/${node.id}`, {
    ...node,
    configuration: {
      ...node.configuration,
      password: 'History-Pw-2',
      tables: JSON.stringify({ ...JSON.parse(node.configuration.tables), returns: 'updated_at' }),
    },
  });
  expect(edit.status).toBe(200);
  await byKey.request('PUT', `inputs/${node.id}/pause?pause=true`);
  await byKey.request('PUT', `inputs/${node.id}/pause?pause=true`); // already paused: no write
  await byKey.request('PUT', `inputs/${node.id}/pause?pause=false`);
  await byKey.request('POST', `plumbing/nodes/remove/${node.id}`, {});

  const read = async () =>
    (await byKey.request('GET', `history?input=${node.id}`)).body.entries as Array<
      Record<string, any>
    >;
  const entries = await read();
  expect(entries.map((e) => [e.action, e.actor])).toEqual([
    ['delete', 'API key …-key'],
    ['resume', 'API key …-key'],
    ['pause', 'API key …-key'],
    ['update', 'demo@example.com'],
    ['create', 'API key …-key'],
  ]);
  expect(entries[3].changes).toEqual([
    { field: 'password', secret: true },
    { field: 'tables.returns', to: '"updated_at"' },
  ]);
  expect(JSON.stringify(entries)).not.toMatch(/History-Pw/);

  await emu.stop();
  emu = await startEmulatorProcess({ dataDir: emu.dataDir });
  expect(
    await (async () =>
      (await new Api(emu.url).request('GET', `history?input=${node.id}`)).body.entries)(),
  ).toEqual(entries);
});

test('GIVEN secrets nested in objects and JSON strings THEN the history shows them only as changed', async () => {
  const { configurationChanges } = await import('../../src/emulator/history');
  const changes = configurationChanges(
    { headers: [{ name: 'x' }], ssh: '{"server":"b","tunnel":{"private_key":"PK-1"}}' },
    {
      headers: [{ name: 'x', apikey: 'Nested-Key-2' }],
      ssh: '{"server":"b","tunnel":{"private_key":"PK-2"}}',
    },
  );
  expect(changes).toEqual([
    { field: 'headers', from: '[{"name":"x"}]', to: '[{"name":"x","apikey":"********"}]' },
    { field: 'ssh.tunnel', secret: true },
  ]);
  expect(JSON.stringify(changes)).not.toMatch(/PK-|Nested-Key/);
});

test('GIVEN a session cookie WHEN another origin posts with it THEN the write is refused; the console refuses cross-origin form posts', async () => {
  const cookie = await login(emu.url, 'demo@example.com', 'demo');
  const evil = { cookie, origin: 'http://127.0.0.1:1', 'content-type': 'text/plain' };
  const write = await fetch(`${emu.url}/rest/inputs?validate=false`, {
    method: 'POST',
    headers: evil,
    body: JSON.stringify({ name: 'csrf', type: 'RESTAPI', configuration: {} }),
  });
  expect(write.status).toBe(403);
  expect((await new Api(emu.url).nodes()).some((n) => n.name === 'csrf')).toBe(false);
  const consoleLogin = await fetch(`${emu.url}/console/login`, {
    method: 'POST',
    headers: { origin: 'http://127.0.0.1:1', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'email=demo%40example.com&password=demo',
    redirect: 'manual',
  });
  expect(consoleLogin.status).toBe(403);
  // the same write from this origin (or from a client that sends no Origin) goes through
  const ok = await fetch(`${emu.url}/rest/inputs?validate=false`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/json', origin: emu.url },
    body: JSON.stringify({ name: 'same_origin', type: 'RESTAPI', configuration: {} }),
  });
  expect(ok.status).toBe(200);
});
