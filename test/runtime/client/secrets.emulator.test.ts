/**
 * Secrets never reach an error or an event: the login password, the API key,
 * input passwords and account secret values, whatever the failure, even when
 * a server echoes them back.
 */
import { inspect } from 'node:util';
import { ClientEvent } from '../../../src/runtime/client';
import { EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process';
import {
  LocalServer,
  clientFor,
  closeClients,
  createAccount,
  odbcConfiguration,
  setFaults,
  startServer,
} from './helpers';

const PASSWORD = 'Login-Pa55-8f3e2a';
const API_KEY = 'ApiKey-Value-77c1d9';
const DB_PASSWORD = 'Db-Pa55-41b7e0';
const ACCOUNT_SECRET = 'Acct-Secret-9d2c44';
const ALL = [PASSWORD, API_KEY, DB_PASSWORD, ACCOUNT_SECRET];

let emulator: EmulatorProcess;
let echo: LocalServer | undefined;
const events: ClientEvent[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  await createAccount(emulator, {
    account: 'leaky',
    email: 'leak@example.com',
    password: PASSWORD,
    apiKey: API_KEY,
  });
});
afterAll(async () => {
  closeClients();
  await echo?.close();
  await emulator?.stop();
});

const login = { kind: 'password', username: 'leak@example.com', password: PASSWORD } as const;
const key = { kind: 'apiKey', apiKey: API_KEY } as const;
const capture = { onEvent: (e: ClientEvent) => void events.push(e) };

it('GIVEN failures of every kind WHEN their errors and events are captured THEN no secret value appears in them', async () => {
  const { client } = clientFor(emulator.url, { auth: login, ...capture });
  const { client: byKey } = clientFor(emulator.url, { auth: key, account: 'leaky', ...capture });

  // Normal work, then faults: retries and create checks emit events.
  await client.setSecrets({ WAREHOUSE: ACCOUNT_SECRET });
  await setFaults(emulator, { errorAfterWriteRate: 1 });
  const node = await client.createInput({
    name: 'leak_db',
    type: 'ODBC',
    configuration: odbcConfiguration(DB_PASSWORD),
  });
  await emulator.setFaults({ errorRate: 0.5 });
  for (let i = 0; i < 4; i++) {
    await client.updateInput({
      ...node,
      configuration: { ...node.configuration, password: DB_PASSWORD },
    });
  }
  await emulator.setFaults({});

  // Failures from the API.
  // A rename of the input onto a system input's type: refused (the API accepts same-name creates).
  errors.push(
    await client
      .updateInput({
        ...node,
        type: 'RESTREAM',
        configuration: { ...node.configuration, password: DB_PASSWORD },
      })
      .catch((e) => e),
  );
  errors.push(
    await client
      .createInput({
        name: 'leak_bad',
        type: 'ODBC',
        configuration: odbcConfiguration(DB_PASSWORD, { port: 'x' }),
      })
      .catch((e) => e),
  );
  errors.push(await client.getNode(`missing-${DB_PASSWORD}`).catch((e) => e));
  errors.push(await byKey.deleteSecret(ACCOUNT_SECRET).catch((e) => e));
  errors.push(
    await clientFor(emulator.url, { auth: { ...login, password: `${PASSWORD}-wrong` }, ...capture })
      .client.getAccountName()
      .catch((e) => e),
  );
  errors.push(
    await clientFor(emulator.url, {
      auth: { kind: 'apiKey', apiKey: `${API_KEY}-wrong` },
      ...capture,
    })
      .client.listInputs()
      .catch((e) => e),
  );

  // A server that echoes the request (headers and body) back, as HTML and as a JSON error.
  echo = await startServer((req, res, body, n) => {
    const echoed = `${JSON.stringify(req.headers)} ${body}`;
    if (n % 2 === 1) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><title>${echoed}</title><body>${echoed}</body></html>`);
    } else {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ message: `rejected ${echoed}`, request: { headers: req.headers, body } }),
      );
    }
  });
  const { client: toEcho } = clientFor(echo.url, { auth: key, ...capture });
  const { client: loginToEcho } = clientFor(echo.url, { auth: login, ...capture });
  errors.push(
    await toEcho.updateInput({ ...node, configuration: { password: DB_PASSWORD } }).catch((e) => e),
  );
  errors.push(await toEcho.setSecrets({ X: ACCOUNT_SECRET }).catch((e) => e));
  errors.push(await loginToEcho.getAccountName().catch((e) => e));
  errors.push(await loginToEcho.getAccountName().catch((e) => e));

  expect(errors).toHaveLength(10);
  for (const error of errors) expect(error).toHaveProperty('code');
  expect(events.some((e) => e.type === 'retry')).toBe(true);
  expect(events.some((e) => e.type === 'create_check')).toBe(true);

  const seen = [
    ...errors.flatMap((e) => [
      JSON.stringify(e),
      inspect(e, { depth: 5 }),
      String(e),
      (e as Error).stack ?? '',
    ]),
    JSON.stringify(events),
  ].join('\n');
  for (const secret of ALL) expect(seen).not.toContain(secret);
  // The echo really happened: the redacted forms are there.
  expect(seen).toContain('[REDACTED]');
});
