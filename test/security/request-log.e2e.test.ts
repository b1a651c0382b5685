/**
 * The emulator's request log (`--log`) holds no secret: a real emulator
 * process, with a secret in every body and header a client sends one in
 * (input passwords, account secrets, the login password, the API key, the
 * session cookie, a token header), logs each request and none of them.
 *
 * Secrets in query strings are the emulator's own finding of issue 19
 * ("`--log` writes full URLs with query strings"), tested with its fix.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { odbcInput } from '../emulator/helpers';

jest.setTimeout(60_000);

const INPUT_PASSWORD = 'Log-Body-Input-Pw-5183';
const ACCOUNT_SECRET = 'Log-Body-Account-Secret-2270';
const LOGIN_PASSWORD = 'Log-Body-Login-Pw-8841';
const API_KEY = 'Log-Header-Api-Key-6619';
const TOKEN_HEADER = 'Log-Header-Token-3357';

let emulator: EmulatorProcess;
beforeAll(async () => {
  emulator = await startEmulatorProcess({ extraArgs: ['--log'] });
  const created = await fetch(`${emulator.url}/_emulator/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      account: 'logged',
      email: 'logged@example.com',
      password: LOGIN_PASSWORD,
      apiKey: API_KEY,
    }),
  });
  expect(created.status).toBe(201);
});
afterAll(async () => emulator?.stop());

/** One request to the REST API; the answer's status. */
async function send(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${emulator.url}/rest/${path}`, {
    method,
    headers: {
      authorization: `API ${API_KEY}`,
      'x-api-token': TOKEN_HEADER,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

test('secrets in bodies and headers are never logged, while every request is', async () => {
  const logBefore = emulator.output().length;
  const requests: Array<{ method: string; status: number; id: string }> = [];
  const track = async (method: string, _path: string, response: Promise<Response>) => {
    const answer = await response;
    requests.push({ method, status: answer.status, id: answer.headers.get('x-request-id')! });
    return answer;
  };

  // bodies: an input's password (create and update), the account's secret store, a login
  await track(
    'POST',
    'inputs',
    send('POST', 'inputs?validate=false', odbcInput('logged_db', { password: INPUT_PASSWORD })),
  );
  const plumbing = (await (await send('GET', 'plumbing')).json()) as {
    nodes: Array<{ id: string; name: string }>;
  };
  const node = plumbing.nodes.find((n) => n.name === 'logged_db')!;
  await track(
    'PUT',
    `inputs/${node.id}`,
    send('PUT', `inputs/${node.id}`, odbcInput('logged_db', { password: INPUT_PASSWORD })),
  );
  await track('PUT', 'secrets', send('PUT', 'secrets', { k: ACCOUNT_SECRET }));
  const login = await track(
    'POST',
    'login',
    send('POST', 'login', { email: 'logged@example.com', password: LOGIN_PASSWORD }, {}),
  );
  // headers: the session cookie the login set (and the API key and token header on every request)
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const session = cookie.split('=')[1];
  expect(session.length).toBeGreaterThan(8);
  // the cookie alone authenticates this one: proof that it was sent
  await track('GET', 'inputs', fetch(`${emulator.url}/rest/inputs`, { headers: { cookie } }));

  expect(requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  // every request is in the log (its id), so a secret in it could be seen; lines arrive
  // asynchronously, so wait for them (bounded)
  const deadline = Date.now() + 10_000;
  let log = '';
  do {
    log = emulator.output().slice(logBefore);
    if (requests.every((r) => log.includes(r.id))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (Date.now() < deadline);
  for (const { id } of requests) expect(log).toContain(id);
  const secrets = [INPUT_PASSWORD, ACCOUNT_SECRET, LOGIN_PASSWORD, API_KEY, TOKEN_HEADER, session];
  expect(secrets.filter((secret) => log.includes(secret))).toEqual([]);
});
