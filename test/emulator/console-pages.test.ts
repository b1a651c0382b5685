/**
 * The web console's pages over plain HTTP (no browser): what they say about
 * the inputs they list. The browser checks live in test/console/.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { Api, odbcInput } from './helpers';

describe('web console pages', () => {
  let emu: EmulatorProcess;
  let cookie: string;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    await new Api(emu.url).create(odbcInput('orders_db'));
    cookie = await consoleLogin(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test("GIVEN a new account WHEN the inputs list is shown THEN the Restream input says it is Alooma's own system input", async () => {
    const page = await get(emu.url, '/console/', cookie);
    expect(page.status).toBe(200);
    const restream = row(page.text, 'Restream');
    expect(restream).toMatch(/Alooma&#39;s own RESTREAM system input/);
    expect(restream).toMatch(/Restream Queue/);
    expect(restream).toMatch(/Nobody created it/);
    expect(restream).toMatch(/<td>Alooma \(system input\)<\/td>/);
    expect(restream).not.toMatch(/unmanaged/);
  });

  test('GIVEN an input a user created WHEN the inputs list is shown THEN it carries no such note', async () => {
    const page = await get(emu.url, '/console/', cookie);
    const orders = row(page.text, 'orders_db');
    expect(orders).not.toMatch(/system input/);
    expect(orders).toMatch(/<td>unmanaged<\/td>/);
  });

  test('GIVEN the Restream input WHEN its page is shown THEN it says the same', async () => {
    const restream = (await new Api(emu.url).nodes()).find((n) => n.type === 'RESTREAM');
    const page = await get(emu.url, `/console/inputs/${restream.id}`, cookie);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<p class="note">Alooma&#39;s own RESTREAM system input/);
    expect(page.text).toMatch(/<dt>Owner<\/dt><dd>Alooma \(system input\)<\/dd>/);
  });
});

/** Signs in through the console's form, as a browser does; returns the cookie pair. */
async function consoleLogin(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      email: EmulatorDefaults.USERNAME,
      password: EmulatorDefaults.PASSWORD,
    }).toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const setCookie = res.headers.get('set-cookie');
  if (!setCookie) throw new Error('console login set no cookie');
  return setCookie.split(';')[0];
}

async function get(baseUrl: string, path: string, cookie: string) {
  const res = await fetch(`${baseUrl}${path}`, { headers: { cookie }, redirect: 'manual' });
  return { status: res.status, text: await res.text() };
}

/** The `<tr>` of the inputs table whose link text is `name`. */
function row(html: string, name: string): string {
  const found = html
    .split('<tr>')
    .find((r) => new RegExp(`<a href="/console/inputs/[^"]+">${name}</a>`).test(r));
  if (!found) throw new Error(`no row for ${name} in:\n${html}`);
  return found;
}
