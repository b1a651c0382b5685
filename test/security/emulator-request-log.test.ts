/**
 * `--log` writes one entry per request and response. A secret in any place a
 * request can carry one (query string, Authorization, Cookie, JSON body) must
 * never reach it; the test first checks the log holds the requests at all,
 * so it can fail.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { Api, control, odbcInput } from '../emulator/helpers';

const SECRETS = {
  apiKey: 'HEADER-APIKEY-7f3a91',
  password: 'LOGIN-PASSWORD-9b2c44',
  query: 'QUERY-SECRET-1e8d20',
  bareQuery: 'QUERY-BARE-3a7c55',
  accountSecret: 'BODY-SECRET-5d1e66',
  dbPassword: 'BODY-DBPASS-2c4f77',
};

describe('emulator: the --log request log', () => {
  let emu: EmulatorProcess;
  let sessionToken: string;
  beforeAll(async () => {
    emu = await startEmulatorProcess({ extraArgs: ['--log'] });
    const created = await control(emu.url, 'POST', 'accounts', {
      account: 'logged',
      email: 'logged@example.com',
      password: SECRETS.password,
      apiKey: SECRETS.apiKey,
    });
    expect(created.status).toBe(201);

    const api = new Api(emu.url, { apiKey: SECRETS.apiKey });
    expect((await api.get(`history?input=${SECRETS.query}&limit=5`)).status).toBe(200);
    expect((await api.get(`repository?${SECRETS.bareQuery}`)).status).toBe(200);
    expect((await api.request('PUT', 'secrets', { k: SECRETS.accountSecret })).status).toBe(200);
    const input = odbcInput('logged_input', { password: SECRETS.dbPassword });
    expect((await api.request('POST', 'plumbing/inputs?validate=false', input)).status).toBe(200);

    const login = await fetch(`${emu.url}/rest/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'logged@example.com', password: SECRETS.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    sessionToken = cookie.split('=')[1];
    expect((await new Api(emu.url, { cookie }).get('plumbing')).status).toBe(200);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('GIVEN --log WHEN requests are made THEN each is logged with its path and query names', () => {
    const log = emu.output();
    expect(log).toMatch(/"url":"\/rest\/history\?input=\[REDACTED\]&limit=\[REDACTED\]"/);
    expect(log).toMatch(/"url":"\/rest\/repository\?\[REDACTED\]"/);
    expect(log).toMatch(/"url":"\/rest\/secrets"/);
    expect(log).toMatch(/"url":"\/rest\/login"/);
    expect(log).toMatch(/"statusCode":200/);
  });

  test.each(Object.entries(SECRETS))(
    'GIVEN a secret in a request (%s) WHEN logged THEN it is nowhere in the log',
    (_place, secret) => {
      expect(emu.output()).not.toContain(secret);
    },
  );

  test('GIVEN a session cookie WHEN logged THEN its token is nowhere in the log', () => {
    expect(sessionToken.length).toBeGreaterThan(20);
    expect(emu.output()).not.toContain(sessionToken);
  });
});
