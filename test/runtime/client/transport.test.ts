/**
 * What the emulator never serves: closed ports, HTML pages, truncated JSON,
 * redirects, hanging and resetting servers, untrusted certificates. Tiny
 * local node:http(s) servers stand in for a misconfigured URL or a broken
 * proxy; the API itself is tested against the emulator elsewhere.
 */
import { selfSignedCertificate } from '../../helpers/tls';
import {
  AloomaBadResponseError,
  AloomaNetworkError,
  AloomaServerError,
} from '../../../src/runtime/client';
import { DEMO_KEY, LocalServer, clientFor, closeClients, closedPort, startServer } from './helpers';

let servers: LocalServer[] = [];
afterEach(async () => {
  closeClients();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(...args: Parameters<typeof startServer>): Promise<LocalServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}

describe('unreachable API', () => {
  it('GIVEN nothing listens on the port WHEN calling THEN a network error with the reachability hint comes at once, unretried', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const { client } = clientFor(url, { auth: DEMO_KEY });
    const started = Date.now();

    const error = await client.listInputs().catch((e) => e);

    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(AloomaNetworkError);
    expect(error).toMatchObject({ code: 'network', status: 0, causeCode: 'ECONNREFUSED' });
    expect(error.message).toMatch(
      /^GET plumbing\/\?resolution=1min failed: network error ECONNREFUSED/,
    );
    expect(error.hint).toBe(
      `is the API at ${url} reachable? for the local emulator run \`alooma-cdktf emulator --port ${port}\``,
    );
    expect(client.metrics).toMatchObject({ requests: 1, retries: 0 });
  });

  it('GIVEN a password login to a closed port WHEN calling THEN the login fails with the network error', async () => {
    const { client } = clientFor(`http://127.0.0.1:${await closedPort()}`);
    await expect(client.getAccountName()).rejects.toMatchObject({ code: 'network', path: 'login' });
  });
});

describe('answers that are not the API', () => {
  it('GIVEN a web server answering HTML WHEN reading THEN bad_response says the URL may not be an Alooma API', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<!doctype html><html><head><title>Welcome to nginx!</title></head><body>hi</body></html>',
      );
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });

    const error = await client.getStructure().catch((e) => e);

    expect(error).toBeInstanceOf(AloomaBadResponseError);
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      'GET plumbing/?resolution=1min failed: 200 got an HTML page ("Welcome to nginx!")',
    );
    expect(error.hint).toBe(
      `the URL may not be an Alooma API: got an HTML page; check ALOOMA_API_URL (${server.url})`,
    );
    expect(server.requests).toBe(1);
  });

  it('GIVEN an HTML page for a write WHEN writing THEN it is a bad_response too', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>login page</body></html>');
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });
    await expect(client.setPaused({ id: 'abc', type: 'ODBC' }, true)).rejects.toMatchObject({
      code: 'bad_response',
    });
  });

  it('GIVEN a 404 HTML page WHEN reading THEN it is a bad_response, not "input not found"', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html><title>404 Not Found</title></html>');
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });
    await expect(client.getNode('x')).rejects.toMatchObject({ code: 'bad_response', status: 404 });
  });

  it.each([
    ['truncated JSON', 'application/json', '{"nodes": [{"id": "a"', /invalid JSON \(truncated\?\)/],
    ['plain text', 'text/plain', 'OK', /invalid JSON/],
    ['an empty body', 'application/json', '', /empty body where JSON was expected/],
    [
      'JSON of another shape',
      'application/json',
      '{"items": []}',
      /the answer is not \{nodes: \[\.\.\.\]\}/,
    ],
    [
      'nodes that are not nodes',
      'application/json',
      '{"nodes": [{"id": 1}]}',
      /the answer is not \{nodes/,
    ],
  ])(
    'GIVEN %s for the structure WHEN reading THEN bad_response explains',
    async (_what, type, body, message) => {
      const server = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': type });
        res.end(body);
      });
      const { client } = clientFor(server.url, { auth: DEMO_KEY });
      const error = await client.getStructure().catch((e) => e);
      expect(error.code).toBe('bad_response');
      expect(error.message).toMatch(message);
      expect(server.requests).toBe(1);
    },
  );

  it.each([
    [
      'repository without config_clientName',
      (c: Client) => c.getAccountName(),
      '{"x": 1}',
      /no config_clientName/,
    ],
    [
      'an inputs mapping that is a list',
      (c: Client) => c.getInputsMapping(),
      '[1]',
      /not an object/,
    ],
    ['a node without fields', (c: Client) => c.getNode('x'), '{}', /not a node/],
    [
      'a sleep time that is not a number',
      (c: Client) => c.getInputSleepTime('x'),
      '{"inputSleepTime": "soon"}',
      /no inputSleepTime/,
    ],
    [
      'secrets as a number',
      (c: Client) => c.getSecrets(),
      '42',
      /neither a list of names nor an object/,
    ],
  ])('GIVEN %s WHEN reading THEN bad_response explains', async (_what, call, body, message) => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });
    await expect(call(client)).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringMatching(message),
    });
  });

  it('GIVEN tolerated answer shapes WHEN reading THEN they are normalised', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url!.includes('secrets') ? '["b","a"]' : '"90"');
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });
    expect(await client.getSecrets()).toEqual(['a', 'b']);
    expect(await client.getInputSleepTime('x')).toBe(90);
  });

  it('GIVEN a plain-text answer to a write WHEN writing THEN it is accepted', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });
    await expect(client.setPaused({ id: 'abc', type: 'ODBC' }, true)).resolves.toBeUndefined();
  });

  it('GIVEN a redirect WHEN calling THEN it is not followed and bad_response names the target', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(301, { location: 'https://elsewhere.example/rest/' });
      res.end();
    });
    const { client } = clientFor(server.url, { auth: DEMO_KEY });
    const error = await client.deleteInput({ id: 'abc', type: 'ODBC' }).catch((e) => e);
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      'POST plumbing/nodes/remove/abc failed: 301 redirect to https://elsewhere.example/rest/',
    );
    expect(server.requests).toBe(1);
  });
});

describe('flaky transport', () => {
  it('GIVEN a server that does not answer in time WHEN calling THEN each attempt times out and the error says so', async () => {
    const server = await serve(() => undefined);
    const { client } = clientFor(server.url, {
      auth: DEMO_KEY,
      timeoutMs: 100,
      retry: { retries: 1, minDelayMs: 5 },
    });

    const error = await client.getAccountName().catch((e) => e);

    expect(error).toBeInstanceOf(AloomaNetworkError);
    expect(error.code).toBe('timeout');
    expect(error.hint).toMatch(/did not answer within 100 ms/);
    expect(server.requests).toBe(2);
  });

  it('GIVEN a connection reset on the first attempt WHEN calling THEN the client retries and succeeds', async () => {
    const server = await serve((req, res, _body, n) => {
      if (n === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"config_clientName":"acme"}');
    });
    const { client, events } = clientFor(server.url, { auth: DEMO_KEY });

    expect(await client.getAccountName()).toBe('acme');
    expect(client.metrics.retries).toBe(1);
    expect(events.find((e) => e.type === 'retry')).toMatchObject({ code: 'network' });
  });

  it('GIVEN a 502 with a request id WHEN it persists THEN the server error carries the id and the attempts match the policy', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'application/json', 'x-request-id': 'req-42' });
      res.end('{"message":"upstream down"}');
    });
    const { client } = clientFor(server.url, {
      auth: DEMO_KEY,
      retry: { retries: 2, minDelayMs: 1 },
    });

    const error = await client.getAccountName().catch((e) => e);

    expect(error).toBeInstanceOf(AloomaServerError);
    expect(error).toMatchObject({
      status: 502,
      requestId: 'req-42',
      message: 'GET repository failed: 502 upstream down',
    });
    expect(server.requests).toBe(3);
  });

  it('GIVEN an onEvent sink that throws WHEN calling THEN the call still succeeds', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"config_clientName":"acme"}');
    });
    const { client } = clientFor(server.url, {
      auth: DEMO_KEY,
      onEvent: () => {
        throw new Error('sink down');
      },
    });
    expect(await client.getAccountName()).toBe('acme');
  });
});

describe('TLS', () => {
  let tls: { key: string; cert: string } | undefined;
  beforeAll(() => {
    tls = selfSignedCertificate();
  });

  it('GIVEN a self-signed certificate WHEN calling THEN a tls error with a certificate hint is raised, unretried', async () => {
    const server = await serve((_req, res) => res.end('{}'), tls);
    const { client } = clientFor(server.url, { auth: DEMO_KEY });

    const error = await client.getAccountName().catch((e) => e);

    expect(error.code).toBe('tls');
    expect(error.causeCode).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(client.metrics.requests).toBe(1);
  });

  it('GIVEN https:// to a plain http server WHEN calling THEN the handshake failure is a tls error', async () => {
    const server = await serve((_req, res) => res.end('{}'));
    const { client } = clientFor(server.url.replace('http:', 'https:'), { auth: DEMO_KEY });
    await expect(client.getAccountName()).rejects.toMatchObject({ code: 'tls' });
  });
});

type Client = ReturnType<typeof clientFor>['client'];
