import {
  AloomaAuthError,
  AloomaBadResponseError,
  AloomaConfigError,
  AloomaConflictError,
  AloomaError,
  AloomaForbiddenError,
  AloomaNetworkError,
  AloomaNotFoundError,
  AloomaRateLimitError,
  AloomaServerError,
  AloomaValidationError,
  clearRegisteredSecrets,
  fromAxiosError,
  fromResponse,
  parseRetryAfter,
  registerSecret,
} from '../../../src/runtime/client';

const ctx = { method: 'POST', path: 'plumbing/inputs', baseUrl: 'https://alooma.example' };

afterEach(() => clearRegisteredSecrets());

describe('fromResponse', () => {
  it('GIVEN a 400 with a JSON message WHEN classified THEN it is a validation error with one readable line', () => {
    const error = fromResponse({
      ...ctx,
      status: 400,
      body: `{"message":"Field 'password' is required","field":"password"}`,
    });
    expect(error).toBeInstanceOf(AloomaValidationError);
    expect(error).toBeInstanceOf(AloomaError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AloomaValidationError');
    expect(error.message).toBe("POST plumbing/inputs failed: 400 Field 'password' is required");
    expect(error).toMatchObject({
      code: 'validation',
      status: 400,
      method: 'POST',
      path: 'plumbing/inputs',
    });
    expect(error.hint).toMatch(/fix the configuration/);
    expect(error.body).toContain('password');
  });

  it.each([
    [401, AloomaAuthError, 'auth', /ALOOMA_USERNAME\/ALOOMA_PASSWORD or ALOOMA_API_KEY/],
    [403, AloomaForbiddenError, 'forbidden', /system inputs/],
    [404, AloomaNotFoundError, 'not_found', /deleted/],
    [409, AloomaConflictError, 'conflict', /already exists/],
    [422, AloomaValidationError, 'validation', /rejected/],
    [418, AloomaValidationError, 'validation', /rejected/],
    [429, AloomaRateLimitError, 'rate_limited', /concurrency/],
    [500, AloomaServerError, 'server', /retry later/],
    [502, AloomaServerError, 'server', /alooma\.example/],
    [503, AloomaServerError, 'server', /retry later/],
    [504, AloomaServerError, 'server', /retry later/],
    [408, AloomaNetworkError, 'timeout', /timed out/],
  ])(
    'GIVEN status %i WHEN classified THEN it is %p with code %s and a hint',
    (status, type, code, hint) => {
      const error = fromResponse({ ...ctx, status, body: '{"message":"nope"}' });
      expect(error).toBeInstanceOf(type);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.hint).toMatch(hint);
      expect(error.message).toBe(`POST plumbing/inputs failed: ${status} nope`);
    },
  );

  it('GIVEN an auth hint from the caller WHEN a 401 is classified THEN that hint is used', () => {
    const error = fromResponse({
      ...ctx,
      status: 401,
      authHint: 'check MY_USER/MY_PASS or MY_KEY',
    });
    expect(error.hint).toBe('check MY_USER/MY_PASS or MY_KEY');
  });

  it('GIVEN an x-request-id header WHEN classified THEN the error carries it and the server hint quotes it', () => {
    const error = fromResponse({
      ...ctx,
      status: 500,
      headers: { 'X-Request-Id': 'req-123' },
      body: '',
    });
    expect(error.requestId).toBe('req-123');
    expect(error.hint).toContain('req-123');
    expect(error.message).toBe('POST plumbing/inputs failed: 500 Internal Server Error');
  });

  it('GIVEN an empty body WHEN classified THEN the message uses the status text', () => {
    expect(fromResponse({ ...ctx, status: 404 }).message).toBe(
      'POST plumbing/inputs failed: 404 Not Found',
    );
    expect(fromResponse({ ...ctx, status: 499 }).message).toBe(
      'POST plumbing/inputs failed: 499 HTTP error',
    );
  });

  it.each([
    ['{"error":"bad thing"}', 'bad thing'],
    ['{"detail":"detailed"}', 'detailed'],
    ['{"error":{"message":"nested"}}', 'nested'],
    ['"just a string"', 'just a string'],
    ['plain text\nover two lines', 'plain text over two lines'],
    ['{"unrelated":1}', '{"unrelated":1}'],
  ])('GIVEN the body %s WHEN classified THEN the message detail is %s', (body, detail) => {
    expect(fromResponse({ ...ctx, status: 400, body }).message).toBe(
      `POST plumbing/inputs failed: 400 ${detail}`,
    );
  });

  it('GIVEN a very long body WHEN classified THEN message and body are truncated', () => {
    const error = fromResponse({ ...ctx, status: 400, body: 'x'.repeat(10000) });
    expect(error.message.length).toBeLessThan(400);
    expect(error.body!.length).toBeLessThanOrEqual(4096);
  });

  it('GIVEN a 502 HTML page from a proxy WHEN classified THEN it is a (retryable) server error titled by the page', () => {
    const error = fromResponse({
      ...ctx,
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    });
    expect(error).toBeInstanceOf(AloomaServerError);
    expect(error.message).toBe('POST plumbing/inputs failed: 502 502 Bad Gateway');
  });

  it('GIVEN an HTML 404 page WHEN classified THEN it is a bad_response pointing at the URL, not a missing input', () => {
    const error = fromResponse({
      ...ctx,
      status: 404,
      body: '<!DOCTYPE html><html><title>Not here</title></html>',
    });
    expect(error).toBeInstanceOf(AloomaBadResponseError);
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe('POST plumbing/inputs failed: 404 got an HTML page ("Not here")');
    expect(error.hint).toMatch(
      /may not be an Alooma API: got an HTML page; check ALOOMA_API_URL \(https:\/\/alooma\.example\)/,
    );
  });

  it('GIVEN an HTML error page without a title WHEN classified THEN the detail says so', () => {
    expect(
      fromResponse({ ...ctx, status: 500, body: '<html><body>oops</body></html>' }).message,
    ).toMatch(/500 HTML error page$/);
  });

  it('GIVEN a 200 HTML page WHEN classified THEN it is a bad_response with the HTML hint', () => {
    const error = fromResponse({
      ...ctx,
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<p>hi</p>',
    });
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe('POST plumbing/inputs failed: 200 got an HTML page');
    expect(error.hint).toMatch(/got an HTML page/);
  });

  it('GIVEN a 200 with a reason (invalid JSON) WHEN classified THEN it is a bad_response with that reason', () => {
    const error = fromResponse({
      ...ctx,
      status: 200,
      body: '{"nodes": [',
      badResponseReason: 'invalid JSON (truncated?)',
    });
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe('POST plumbing/inputs failed: 200 invalid JSON (truncated?)');
    expect(error.hint).toMatch(/not what the Alooma API sends/);
  });

  it('GIVEN a redirect WHEN classified THEN it is a bad_response naming the target', () => {
    const error = fromResponse({
      ...ctx,
      status: 301,
      headers: { location: 'https://other.example/rest/' },
    });
    expect(error.code).toBe('bad_response');
    expect(error.message).toBe(
      'POST plumbing/inputs failed: 301 redirect to https://other.example/rest/',
    );
    expect(error.hint).toMatch(/redirects/);
    expect(fromResponse({ ...ctx, status: 302 }).message).toBe(
      'POST plumbing/inputs failed: 302 redirect',
    );
  });

  it('GIVEN a 429 with Retry-After WHEN classified THEN retryAfterMs is set', () => {
    const error = fromResponse({
      ...ctx,
      status: 429,
      headers: { 'retry-after': ['2'] },
    }) as AloomaRateLimitError;
    expect(error.retryAfterMs).toBe(2000);
    expect(JSON.parse(JSON.stringify(error)).retryAfterMs).toBe(2000);
  });

  it('GIVEN a body holding secrets WHEN classified THEN message and body are redacted', () => {
    registerSecret('hunter2-registered');
    const error = fromResponse({
      ...ctx,
      path: 'inputs?api_key=k3y-in-url',
      status: 400,
      body: '{"message":"bad password hunter2-registered","configuration":{"password":"p4ss","server":"db"}}',
    });
    const everything = `${error.message} ${error.body} ${error.path} ${JSON.stringify(error)} ${error.stack}`;
    expect(everything).not.toContain('hunter2-registered');
    expect(everything).not.toContain('p4ss');
    expect(everything).not.toContain('k3y-in-url');
    expect(error.body).toContain('"server":"db"');
  });

  it('GIVEN an error WHEN serialised to JSON THEN only its fields appear', () => {
    const json = JSON.parse(
      JSON.stringify(fromResponse({ ...ctx, status: 404, body: '{"message":"gone"}' })),
    );
    expect(json).toEqual({
      name: 'AloomaNotFoundError',
      code: 'not_found',
      status: 404,
      message: 'POST plumbing/inputs failed: 404 gone',
      hint: expect.any(String),
      method: 'POST',
      path: 'plumbing/inputs',
      body: '{"message":"gone"}',
    });
  });
});

describe('fromAxiosError', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EAI_AGAIN', 'EPIPE', 'ERR_NETWORK'])(
    'GIVEN %s WHEN classified THEN it is a network error (status 0) with the reachability hint',
    (code) => {
      const error = fromAxiosError({ code, message: `connect ${code} 10.0.0.1:443` }, ctx);
      expect(error).toBeInstanceOf(AloomaNetworkError);
      expect(error).toMatchObject({ code: 'network', status: 0, causeCode: code });
      expect(error.message).toBe(
        `POST plumbing/inputs failed: network error ${code} (connect ${code} 10.0.0.1:443)`,
      );
      expect(error.hint).toBe(
        'is the API at https://alooma.example reachable? for the local emulator run `alooma-cdktf emulator`',
      );
    },
  );

  it.each([
    ['ETIMEDOUT', 'timeout of 30000ms exceeded'],
    ['ECONNABORTED', 'timeout of 30000ms exceeded'],
    [undefined, 'Request timeout'],
  ])('GIVEN %s (%s) WHEN classified THEN it is a timeout naming the limit', (code, message) => {
    const error = fromAxiosError({ code, message }, { ...ctx, timeoutMs: 30000 });
    expect(error.code).toBe('timeout');
    expect(error.hint).toMatch(/did not answer within 30000 ms/);
  });

  it('GIVEN a timeout without a known limit WHEN classified THEN the hint says "in time"', () => {
    expect(fromAxiosError({ code: 'ETIMEDOUT', message: 'x' }, ctx).hint).toMatch(
      /did not answer in time/,
    );
  });

  it.each([
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'EPROTO',
  ])('GIVEN %s WHEN classified THEN it is a tls error with a certificate hint', (code) => {
    const error = fromAxiosError({ code, message: 'certificate problem' }, ctx);
    expect(error.code).toBe('tls');
    expect(error.status).toBe(0);
    expect(error.message).toBe(
      `POST plumbing/inputs failed: TLS error ${code} (certificate problem)`,
    );
    expect(error.hint).toMatch(/certificate of https:\/\/alooma\.example/);
    expect(error.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
  });

  it('GIVEN an axios ERR_NETWORK wrapping a system error WHEN classified THEN the system code is used', () => {
    const error = fromAxiosError(
      { code: 'ERR_NETWORK', message: 'x', cause: { code: 'ECONNRESET' } },
      ctx,
    );
    expect(error.causeCode).toBe('ECONNRESET');
  });

  it('GIVEN an AggregateError of connection attempts WHEN classified THEN the first attempt code is used', () => {
    const error = fromAxiosError(
      { message: '', errors: [{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }] },
      ctx,
    );
    expect(error).toMatchObject({ code: 'network', causeCode: 'ECONNREFUSED' });
    expect(error.message).toBe(
      'POST plumbing/inputs failed: network error ECONNREFUSED (ECONNREFUSED)',
    );
  });

  it('GIVEN nothing known WHEN classified THEN it is still a network error', () => {
    const error = fromAxiosError({}, { method: 'GET', path: 'x' });
    expect(error.message).toBe('GET x failed: network error (no response)');
    expect(error.hint).toMatch(/the configured URL/);
  });

  it('GIVEN a message with credentials in the URL WHEN classified THEN they are redacted', () => {
    const error = fromAxiosError(
      { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND https://user:s3cr3t@host/?token=abc' },
      ctx,
    );
    expect(error.message).not.toContain('s3cr3t');
    expect(error.message).not.toContain('abc');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  it.each([
    ['2', 2000],
    [' 0 ', 0],
    ['1.5', 1500],
    ['Mon, 01 Jan 2024 00:00:10 GMT', 10000],
    ['Sun, 31 Dec 2023 23:59:00 GMT', 0],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('GIVEN Retry-After %p THEN it waits %p ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('AloomaConfigError', () => {
  it('GIVEN a config problem WHEN built THEN it has code config, status 0 and the hint', () => {
    const error = new AloomaConfigError('no URL', 'set ALOOMA_API_URL');
    expect(error).toMatchObject({
      code: 'config',
      status: 0,
      message: 'no URL',
      hint: 'set ALOOMA_API_URL',
    });
    expect(error.name).toBe('AloomaConfigError');
  });
});
