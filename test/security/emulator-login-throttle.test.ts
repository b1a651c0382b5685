/**
 * Password guessing against the emulator's login: failures make the account
 * and the address wait (429 with Retry-After, the password not even checked),
 * and an unknown user costs the same work as a known one. Each case has an
 * emulator process of its own (its own counters); every loop is bounded.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES } from '../../src/emulator/login';
import { sleep } from '../emulator/helpers';
import { rawRequest } from '../emulator/raw-http';

const USER = EmulatorDefaults.USERNAME;
const RIGHT = EmulatorDefaults.PASSWORD;

async function apiLogin(emu: EmulatorProcess, email: string, password: string) {
  const started = performance.now();
  const res = await rawRequest({
    port: emu.port,
    method: 'POST',
    path: '/rest/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return { ...res, ms: performance.now() - started };
}

describe('emulator: login back-off', () => {
  let emu: EmulatorProcess | undefined;
  afterEach(async () => {
    await emu?.stop();
    emu = undefined;
  });

  test('GIVEN repeated wrong passwords for one user WHEN the right one follows THEN 429 with Retry-After until the wait is over', async () => {
    emu = await startEmulatorProcess();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await apiLogin(emu, USER, `guess-${i}`)).status);
    // The first failures are answered; then (almost) only "wait": a guess is checked again
    // only when a wait is over (2 s, then 4 s, ...), which a slow machine may reach once.
    expect(statuses.slice(0, ACCOUNT_FREE_FAILURES + 1)).toEqual([
      ...Array(ACCOUNT_FREE_FAILURES).fill(401),
      429,
    ]);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(ACCOUNT_FREE_FAILURES + 1);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);

    const locked = await apiLogin(emu, USER, RIGHT);
    expect(locked.status).toBe(429);
    expect(locked.headers['set-cookie']).toBeUndefined();
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(locked.text).toMatch(/Too many failed logins .*retry after \d+ s/);

    // The console's form is the same door.
    const form = await rawRequest({
      port: emu.port,
      method: 'POST',
      path: '/console/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=${encodeURIComponent(USER)}&password=${RIGHT}`,
    });
    expect(form.status).toBe(429);
    expect(form.headers['retry-after']).toBeDefined();
    expect(form.headers['set-cookie']).toBeUndefined();

    await sleep(retryAfter * 1000 + 250);
    const after = await apiLogin(emu, USER, RIGHT);
    expect(after.status).toBe(200);
    // A success forgets the account's failures.
    expect((await apiLogin(emu, USER, 'one-more-guess')).status).toBe(401);
  });

  test('GIVEN one address failing for many users WHEN a real user logs in from it THEN it waits too', async () => {
    emu = await startEmulatorProcess();
    for (let i = 0; i < ADDRESS_FREE_FAILURES; i++)
      expect((await apiLogin(emu, `nobody-${i}@example.com`, 'x')).status).toBe(401);
    const locked = await apiLogin(emu, USER, RIGHT);
    expect(locked.status).toBe(429);
    await sleep(Number(locked.headers['retry-after']) * 1000 + 250);
    expect((await apiLogin(emu, USER, RIGHT)).status).toBe(200);
  });

  test('GIVEN an unknown user WHEN logging in THEN it costs the same work as a wrong password for a known one', async () => {
    emu = await startEmulatorProcess();
    await apiLogin(emu, USER, RIGHT); // warm up (and clears nothing that matters)
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < ACCOUNT_FREE_FAILURES - 1; i++) {
      const a = await apiLogin(emu, USER, `wrong-${i}`);
      const b = await apiLogin(emu, `nobody-${i}@example.com`, `wrong-${i}`);
      expect([a.status, b.status]).toEqual([401, 401]);
      known.push(a.ms);
      unknown.push(b.ms);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    // Before: ~3 ms against ~75 ms. Now both run one scrypt.
    expect(median(unknown)).toBeGreaterThan(0.5 * median(known));
  });
});
