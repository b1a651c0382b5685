/**
 * `http://` only to loopback: a client of an `http://` URL whose host is not
 * loopback is refused when it is built, before it could send the API key,
 * the password or a secret in clear, unless the caller opts in.
 *
 * How "no request left" is shown: a listener on 127.0.0.1 is reachable as
 * `http://0.0.0.0:<port>` (connecting to 0.0.0.0 reaches the local host), a
 * host the rule does not count as loopback. With the opt-in, a call under
 * that name reaches the listener (the control); without it, the client is
 * refused and the listener counts no request.
 */
import {
  AloomaClient,
  AloomaConfigError,
  AloomaInsecureUrlError,
  clearRegisteredSecrets,
  isLoopbackHost,
} from '../../../src/runtime/client';
import { LocalServer, closeClients, clientFor, startServer } from './helpers';

const KEY = { kind: 'apiKey', apiKey: 'insecure-test-key' } as const;

let listener: LocalServer;
beforeEach(async () => {
  listener = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ nodes: [] }));
  });
});
afterEach(async () => {
  closeClients();
  clearRegisteredSecrets();
  await listener.close();
});

describe('which hosts are loopback', () => {
  it.each([
    'http://127.0.0.1:8787',
    'http://127.255.255.254',
    'http://127.1',
    'http://localhost:8787',
    'http://LOCALHOST',
    'http://localhost.:8787',
    'http://[::1]:8787',
    'http://[0:0:0:0:0:0:0:1]',
  ])('GIVEN %s THEN its host is loopback', (url) => {
    expect(isLoopbackHost(new URL(url).hostname)).toBe(true);
  });

  it.each([
    'http://0.0.0.0',
    'http://128.0.0.1',
    'http://10.0.0.1',
    'http://192.168.1.127',
    'http://app.alooma.com',
    'http://localhost.example.com',
    'http://127.0.0.1.nip.io',
    'http://[::2]',
    'http://[::ffff:127.0.0.1]',
  ])('GIVEN %s THEN its host is not loopback', (url) => {
    expect(isLoopbackHost(new URL(url).hostname)).toBe(false);
  });
});

describe('http:// to a host that is not loopback', () => {
  it('GIVEN http:// to a remote host WHEN building a client THEN an insecure-URL config error names the opt-in', () => {
    const error = catchError(
      () => new AloomaClient({ baseUrl: 'http://user:url-pass@app.alooma.example/x', auth: KEY }),
    );
    expect(error).toBeInstanceOf(AloomaInsecureUrlError);
    expect(error).toBeInstanceOf(AloomaConfigError);
    expect(error).toMatchObject({ code: 'config', status: 0 });
    expect(error.message).toBe(
      'the Alooma API URL http://app.alooma.example is not encrypted and app.alooma.example is not a loopback host: ' +
        'the credentials and input secrets would travel in clear',
    );
    expect(error.hint).toBe(
      'use https://app.alooma.example; http:// is for the local emulator (127.0.0.1, ::1, localhost). ' +
        'To send in clear anyway, set ALOOMA_ALLOW_INSECURE_HTTP=1 (client option allowInsecureHttp)',
    );
    expect(JSON.stringify(error)).not.toMatch(/url-pass|insecure-test-key/);
  });

  it('GIVEN a listener reached under a name that is not loopback WHEN building a client of it THEN it is refused and no request reaches the listener', async () => {
    const url = `http://0.0.0.0:${listener.port}`;

    expect(() => clientFor(url, { auth: KEY })).toThrow(AloomaInsecureUrlError);
    expect(() =>
      AloomaClient.fromEnv({ ALOOMA_API_URL: url, ALOOMA_API_KEY: 'insecure-test-key' }),
    ).toThrow(AloomaInsecureUrlError);

    // Control: under the same name, with the opt-in, a call does arrive.
    const { client } = clientFor(url, { auth: KEY, allowInsecureHttp: true });
    await expect(client.listInputs()).resolves.toEqual([]);
    expect(listener.requests).toBe(1);
  });

  it('GIVEN the opt-in variable WHEN built from the environment THEN http:// to that host is allowed and used', async () => {
    const url = `http://0.0.0.0:${listener.port}`;
    for (const value of ['1', 'true', 'TRUE']) {
      const client = AloomaClient.fromEnv({
        ALOOMA_API_URL: url,
        ALOOMA_API_KEY: 'insecure-test-key',
        ALOOMA_ALLOW_INSECURE_HTTP: value,
      });
      await client.listInputs();
      client.close();
    }
    expect(listener.requests).toBe(3);
  });

  it.each(['0', 'false', '', 'no thanks'])(
    'GIVEN ALOOMA_ALLOW_INSECURE_HTTP=%p WHEN built from the environment THEN http:// to a remote host is still refused',
    (value) => {
      expect(() =>
        AloomaClient.fromEnv({
          ALOOMA_API_URL: 'http://app.alooma.example',
          ALOOMA_API_KEY: 'k',
          ALOOMA_ALLOW_INSECURE_HTTP: value,
        }),
      ).toThrow(AloomaInsecureUrlError);
    },
  );

  it('GIVEN the opt-in variable but the option set to false WHEN built from the environment THEN the option wins', () => {
    expect(() =>
      AloomaClient.fromEnv(
        {
          ALOOMA_API_URL: 'http://app.alooma.example',
          ALOOMA_API_KEY: 'k',
          ALOOMA_ALLOW_INSECURE_HTTP: '1',
        },
        {},
        { allowInsecureHttp: false },
      ),
    ).toThrow(AloomaInsecureUrlError);
  });
});

describe('what stays allowed', () => {
  it('GIVEN https:// to a remote host WHEN building a client THEN it is accepted', () => {
    const { client } = clientFor('https://app.alooma.example', { auth: KEY });
    expect(client.restRoot).toBe('https://app.alooma.example/rest/');
  });

  it.each(['127.0.0.1', 'localhost'])(
    'GIVEN http:// to the loopback listener as %s WHEN calling THEN the request is sent',
    async (host) => {
      const { client } = clientFor(`http://${host}:${listener.port}`, { auth: KEY });
      await expect(client.listInputs()).resolves.toEqual([]);
      expect(listener.requests).toBe(1);
    },
  );

  it.each(['http://[::1]:8787', 'http://127.5.6.7:8787'])(
    'GIVEN %s WHEN building a client THEN it is accepted',
    (url) => {
      const { client } = clientFor(url, { auth: KEY });
      expect(client.baseUrl).toBe(url);
    },
  );
});

function catchError(fn: () => unknown): AloomaConfigError {
  try {
    fn();
  } catch (e) {
    return e as AloomaConfigError;
  }
  throw new Error('expected an error');
}
