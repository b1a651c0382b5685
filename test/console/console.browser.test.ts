/**
 * The emulator's web console in a real browser: the system's Chromium, or the
 * one inside the npm package @sparticuz/chromium when there is none
 * (test/helpers/chromium.ts), driven by playwright-core, against a real emulator
 * process holding the example stack (main.ts), deployed as `npm start`
 * deploys it: synthesized, then applied by Terraform through the Alooma
 * provider that synthesis installs next to the stack.
 * Screenshots of the pages go to test-output/console/.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { resolveChromium } from '../helpers/chromium';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { filesUnder } from '../helpers/files';
import { createRawInput } from '../helpers/runtime-cli';
import { terraformOk } from '../helpers/terraform';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/console');
const HOSTILE = '<img src=x onerror=alert(1)>';
const SECRETS = {
  ORDERS_DB_PASSWORD: 'Console-Db-Secret-5510',
  MIXPANEL_API_SECRET: 'Console-Mp-Secret-7720',
};

let emulator: EmulatorProcess;
let browser: Browser;
let stackDir: string;
const dialogs: string[] = [];

/** Applies the synthesized stack with Terraform and the provider installed at synth (offline, no CLI configuration). */
function apply(): string {
  const result = terraformOk(stackDir, ['apply', '-auto-approve', '-no-color'], {
    TF_CLI_CONFIG_FILE: '/dev/null',
    ALOOMA_API_KEY: 'demo-key',
    ...SECRETS,
  });
  expect(result.output).not.toContain(SECRETS.ORDERS_DB_PASSWORD);
  return result.stdout;
}

async function historyCount(): Promise<number> {
  const res = await fetch(`${emulator.url}/rest/history?limit=5000`, {
    headers: { authorization: 'API demo-key' },
  });
  return ((await res.json()) as { entries: unknown[] }).entries.length;
}

async function signIn(page: Page, password = 'demo'): Promise<void> {
  await page.goto(`${emulator.url}/console/login`);
  await page.getByLabel('E-mail').fill('demo@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('domcontentloaded');
}

beforeAll(async () => {
  // Throws (the test fails, never skips) when no Chromium starts.
  const chromiumLaunch = await resolveChromium();
  emulator = await startEmulatorProcess();
  // The example stack, synthesized as cdktf synth would (into a temporary outdir).
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-console-'));
  const synth = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'main.ts')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        CDKTF_OUTDIR: outdir,
        ALOOMA_LIVE_DIFF: 'off',
        ALOOMA_API_URL: emulator.url,
      },
    },
  );
  expect(synth.status).toBe(0);
  stackDir = path.dirname(filesUnder(outdir).find((f) => f.endsWith(`${path.sep}cdk.tf.json`))!);
  terraformOk(stackDir, ['init', '-no-color'], { TF_CLI_CONFIG_FILE: '/dev/null' });
  apply();
  await createRawInput(emulator.url, { name: HOSTILE, type: 'RESTAPI', configuration: {} });
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: chromiumLaunch.executablePath,
    args: chromiumLaunch.args,
    env: chromiumLaunch.env,
  });
  console.log(`console browser test: ${chromiumLaunch.source} ${chromiumLaunch.version}`);
});
afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

test('pages without a session redirect to the login; a wrong password is refused', async () => {
  const page = await newPage();
  for (const target of ['/console/', '/console/history', '/']) {
    await page.goto(`${emulator.url}${target}`);
    expect(new URL(page.url()).pathname).toBe('/console/login');
  }
  await page.screenshot({ path: path.join(SHOTS, '1-login.png') });
  await signIn(page, 'not-the-password');
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Wrong e-mail or password/);
  // an API key opens the API, not the console
  const res = await fetch(`${emulator.url}/console/`, {
    headers: { authorization: 'API demo-key' },
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  await page.close();
});

test('after signing in, the inputs of the example stack are listed, the hostile name as text', async () => {
  const page = await newPage();
  await signIn(page);
  expect(new URL(page.url()).pathname).toBe('/console/');
  const names = await page.locator('tbody tr td:first-child').allTextContents();
  expect(names).toEqual(expect.arrayContaining(['orders_db', 'mixpanel_engage', HOSTILE]));
  expect(await page.locator('img').count()).toBe(0);
  const orders = page.locator('tr', { has: page.getByRole('link', { name: 'orders_db' }) });
  await expect(orders.textContent()).resolves.toMatch(/ODBC.*live.*order_items.*shop-inputs/s);
  // filter by name, by keyboard
  await page.getByLabel('Filter by name').fill('orders');
  await Promise.all([page.waitForURL(/\?q=orders/), page.keyboard.press('Enter')]);
  expect(await page.locator('tbody tr').count()).toBe(1);
  await page.goto(`${emulator.url}/console/`);
  await page.screenshot({ path: path.join(SHOTS, '2-inputs.png'), fullPage: true });
  // the CSP forbids any script
  const res = await fetch(`${emulator.url}/console/login`);
  expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(dialogs).toEqual([]);
  await page.close();
});

test('one input: configuration with the secret masked, tables with update indicators', async () => {
  const page = await newPage();
  await signIn(page);
  await page.getByRole('link', { name: 'orders_db' }).click();
  await page.waitForLoadState('domcontentloaded');
  const text = (await page.locator('main').textContent()) ?? '';
  expect(text).toContain('"password": "********"');
  expect(text).not.toContain(SECRETS.ORDERS_DB_PASSWORD);
  expect(text).toMatch(/order_items\s*xmin::text::bigint/);
  expect(text).toMatch(/Owner\s*shop-inputs/);
  await page.screenshot({ path: path.join(SHOTS, '3-input.png'), fullPage: true });
  await page.close();
});

test('the history shows each deploy: a no-op adds no entry, a one-table change exactly one', async () => {
  const before = await historyCount();
  expect(apply()).toMatch(/0 added, 0 changed, 0 destroyed/); // no-op redeploy
  expect(await historyCount()).toBe(before);

  // a table added to orders_db in the synthesized stack, as an edit of main.ts would
  const stackFile = path.join(stackDir, 'cdk.tf.json');
  const stack = JSON.parse(fs.readFileSync(stackFile, 'utf8'));
  const orders = Object.values(
    stack.resource.alooma_database_input as Record<string, { name: string; tables: object }>,
  ).find((r) => r.name === 'orders_db')!;
  orders.tables = { ...orders.tables, returns: 'updated_at' };
  fs.writeFileSync(stackFile, JSON.stringify(stack));
  expect(apply()).toMatch(/0 added, 1 changed, 0 destroyed/);
  expect(await historyCount()).toBe(before + 1);

  const page = await newPage();
  await signIn(page);
  await page.getByRole('link', { name: 'History' }).click();
  await page.waitForLoadState('domcontentloaded');
  const first = page.locator('table.history tbody tr').first();
  const row = (await first.textContent()) ?? '';
  expect(row).toMatch(/orders_db\s*update\s*API key …-key/);
  expect(row).toContain('tables.returns added: "updated_at"');
  const all = (await page.locator('main').textContent()) ?? '';
  expect(all).toContain('password changed (secret)');
  expect(all).not.toContain(SECRETS.ORDERS_DB_PASSWORD);
  await page.screenshot({ path: path.join(SHOTS, '4-history.png'), fullPage: true });
  await page.close();
});
