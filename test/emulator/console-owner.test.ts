/**
 * The console shows who manages each input, read by the same reader of the
 * ownership marker as the runtime's planner (src/alooma/ownership-marker.ts):
 * the marker as an object or as its JSON text, nothing when it names no owner.
 * Plain HTTP against a real emulator process (the browser test covers pages).
 */
import { MARKER_FIELD } from '../../src/alooma/fields';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, login, restInput } from './helpers';

let emu: EmulatorProcess;
afterAll(async () => emu?.stop());

test('GIVEN inputs with the marker as an object, as JSON text, and without an owner THEN the console lists their owners', async () => {
  emu = await startEmulatorProcess();
  const api = new Api(emu.url);
  const markers: Record<string, unknown> = {
    as_object: { owner: 'stack-object' },
    as_text: JSON.stringify({ owner: 'stack-text' }),
    no_owner: { syncFingerprint: 'x' },
  };
  for (const [name, marker] of Object.entries(markers))
    await api.create(restInput(name, { [MARKER_FIELD]: marker }));

  const cookie = await login(emu.url, 'demo@example.com', 'demo');
  const page = await fetch(`${emu.url}/console/`, { headers: { cookie } });
  expect(page.status).toBe(200);
  const ownerByName = Object.fromEntries(
    [
      ...(await page.text()).matchAll(
        /<tr>\s*<td><a [^>]*>([^<]+)<\/a><\/td>(?:\s*<td>.*<\/td>){3}\s*<td>([^<]*)<\/td>/g,
      ),
    ].map((m) => [m[1], m[2]]),
  );
  expect(ownerByName).toMatchObject({
    as_object: 'stack-object',
    as_text: 'stack-text',
    no_owner: 'unmanaged',
  });
});
