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
