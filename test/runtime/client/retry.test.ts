import {
  AloomaError,
  AloomaErrorCode,
  DEFAULT_RETRY_OPTIONS,
  backoffDelayMs,
  decideRetry,
  fromAxiosError,
  fromResponse,
  isRetryable,
  resolveRetryOptions,
  withRetry,
} from '../../../src/runtime/client';

describe('resolveRetryOptions', () => {
  it('GIVEN no options WHEN resolved THEN every default is filled in', () => {
    expect(resolveRetryOptions()).toEqual({
      retries: 4,
      minDelayMs: 200,
      maxDelayMs: 5000,
      factor: 2,
      jitter: 'full',
      honourRetryAfter: true,
      maxRetryAfterMs: 30000,
    });
  });

  it('GIVEN some options WHEN resolved THEN they override the defaults and undefined ones do not', () => {
    const resolved = resolveRetryOptions({ retries: 0, jitter: 'none', minDelayMs: undefined });
    expect(resolved).toEqual({ ...DEFAULT_RETRY_OPTIONS, retries: 0, jitter: 'none' });
  });

  it.each([
    [{ retries: -1 }, /retries must be a number >= 0/],
    [{ retries: 1.5 }, /retries must be an integer/],
    [{ minDelayMs: Number.NaN }, /minDelayMs/],
    [{ maxDelayMs: -5 }, /maxDelayMs/],
    [{ maxRetryAfterMs: Infinity }, /maxRetryAfterMs/],
    [{ factor: 0.5 }, /factor must be a number >= 1/],
    [{ jitter: 'some' as never }, /jitter must be/],
  ])(
    'GIVEN invalid options %j WHEN resolved THEN a config error names the option',
    (options, message) => {
      expect(() => resolveRetryOptions(options)).toThrow(message);
      try {
        resolveRetryOptions(options);
      } catch (e) {
        expect((e as AloomaError).code).toBe('config');
      }
    },
  );
});

describe('backoffDelayMs', () => {
  const opts = resolveRetryOptions({ minDelayMs: 100, maxDelayMs: 1000, factor: 2 });

  it('GIVEN no jitter WHEN computing successive retries THEN the delay doubles up to the cap', () => {
    const none = { ...opts, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, none))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('GIVEN full jitter WHEN random returns r THEN the delay is r times the exponential ceiling', () => {
    expect(backoffDelayMs(1, opts, () => 0)).toBe(0);
    expect(backoffDelayMs(1, opts, () => 0.5)).toBe(50);
    expect(backoffDelayMs(3, opts, () => 0.5)).toBe(200);
    expect(backoffDelayMs(10, opts, () => 0.999)).toBe(999);
  });

  it('GIVEN equal jitter WHEN random spans [0, 1) THEN the delay stays within [ceiling/2, ceiling]', () => {
    const equal = { ...opts, jitter: 'equal' as const };
    expect(backoffDelayMs(2, equal, () => 0)).toBe(100);
    expect(backoffDelayMs(2, equal, () => 0.999)).toBe(200);
  });

  it('GIVEN retry number 0 WHEN computing THEN it is treated as the first retry', () => {
    expect(backoffDelayMs(0, { ...opts, jitter: 'none' })).toBe(100);
  });

  it('GIVEN a factor of 1 WHEN computing THEN the delay is constant', () => {
    const flat = { ...opts, factor: 1, jitter: 'none' as const };
    expect([1, 2, 5].map((n) => backoffDelayMs(n, flat))).toEqual([100, 100, 100]);
  });
});

describe('isRetryable', () => {
  it.each([500, 502, 503, 504, 429, 408])('GIVEN a %i answer THEN it is retried', (status) => {
    expect(isRetryable(response(status))).toBe(true);
  });

  it.each([400, 401, 403, 404, 409, 422, 501, 505])(
    'GIVEN a %i answer THEN it is never retried',
    (status) => {
      expect(isRetryable(response(status))).toBe(false);
    },
  );

  it.each(['ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED', undefined])(
    'GIVEN a network failure %s THEN it is retried',
    (code) => {
      expect(isRetryable(network(code))).toBe(true);
    },
  );

  it.each([
    'ECONNREFUSED',
    'ENOTFOUND',
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'ERR_INVALID_CHAR',
  ])('GIVEN a connection failure %s that retrying does not cure THEN it is not retried', (code) => {
    expect(isRetryable(network(code))).toBe(false);
  });

  it('GIVEN a 2xx answer that is not the API (bad_response) THEN it is not retried', () => {
    expect(
      isRetryable(fromResponse({ method: 'GET', path: 'x', status: 200, body: '<html></html>' })),
    ).toBe(false);
  });

  it('GIVEN an error that is not an AloomaError THEN it is not retried', () => {
    expect(isRetryable(new Error('boom'))).toBe(false);
    expect(isRetryable('boom')).toBe(false);
  });
});

describe('decideRetry', () => {
  const opts = resolveRetryOptions({ retries: 3, minDelayMs: 100, maxDelayMs: 1000 });
  const half = () => 0.5;

  it('GIVEN a 503 and retries left WHEN deciding THEN it retries after the jittered backoff', () => {
    expect(decideRetry(response(503), 0, opts, half)).toEqual({ retry: true, delayMs: 50 });
    expect(decideRetry(response(503), 2, opts, half)).toEqual({ retry: true, delayMs: 200 });
  });

  it('GIVEN the retries are used up WHEN deciding THEN it gives up', () => {
    expect(decideRetry(response(503), 3, opts, half)).toEqual({
      retry: false,
      reason: 'retries_exhausted',
    });
  });

  it('GIVEN retries 0 WHEN deciding THEN even a retryable error is not retried', () => {
    expect(decideRetry(response(503), 0, { ...opts, retries: 0 }, half)).toEqual({
      retry: false,
      reason: 'retries_exhausted',
    });
  });

  it('GIVEN a 400 WHEN deciding THEN it is not retried', () => {
    expect(decideRetry(response(400), 0, opts, half)).toEqual({
      retry: false,
      reason: 'not_retryable',
    });
  });

  it('GIVEN a 429 with Retry-After 2 WHEN deciding THEN it waits 2 s plus a spread below minDelayMs', () => {
    const error = response(429, { 'retry-after': '2' });
    expect(decideRetry(error, 0, opts, () => 0)).toEqual({ retry: true, delayMs: 2000 });
    expect(decideRetry(error, 0, opts, half)).toEqual({ retry: true, delayMs: 2050 });
  });

  it('GIVEN a 503 with Retry-After WHEN deciding THEN Retry-After is honoured too', () => {
    expect(decideRetry(response(503, { 'retry-after': '1' }), 0, opts, () => 0)).toEqual({
      retry: true,
      delayMs: 1000,
    });
  });

  it('GIVEN a Retry-After HTTP-date WHEN deciding THEN it waits until that date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    const error = fromResponse({
      method: 'GET',
      path: 'x',
      status: 429,
      headers: { 'retry-after': 'Mon, 01 Jan 2024 00:00:03 GMT' },
      now,
    });
    expect(error.retryAfterMs).toBe(3000);
    expect(decideRetry(error, 0, { ...opts, jitter: 'none' }, half)).toEqual({
      retry: true,
      delayMs: 3000,
    });
  });

  it('GIVEN no jitter and a Retry-After WHEN deciding THEN the wait is exactly Retry-After', () => {
    expect(
      decideRetry(response(429, { 'retry-after': '1' }), 0, { ...opts, jitter: 'none' }, half),
    ).toEqual({
      retry: true,
      delayMs: 1000,
    });
  });

  it('GIVEN a Retry-After longer than maxRetryAfterMs WHEN deciding THEN it fails at once', () => {
    expect(decideRetry(response(429, { 'retry-after': '3600' }), 0, opts, half)).toEqual({
      retry: false,
      reason: 'retry_after_too_long',
    });
  });

  it('GIVEN honourRetryAfter false WHEN a 429 says Retry-After THEN the backoff delay is used instead', () => {
    const ignoring = { ...opts, honourRetryAfter: false };
    expect(decideRetry(response(429, { 'retry-after': '3600' }), 1, ignoring, half)).toEqual({
      retry: true,
      delayMs: 100,
    });
  });

  it('GIVEN a 429 without Retry-After WHEN deciding THEN the backoff delay is used', () => {
    expect(decideRetry(response(429), 0, opts, half)).toEqual({ retry: true, delayMs: 50 });
  });
});

describe('withRetry', () => {
  const opts = resolveRetryOptions({
    retries: 3,
    minDelayMs: 100,
    maxDelayMs: 1000,
    jitter: 'none',
  });

  it('GIVEN an operation that fails twice with 503 WHEN run THEN it succeeds on the third attempt after backoff', async () => {
    const slept: number[] = [];
    const retries: Array<{ attempt: number; delayMs: number; code: string }> = [];
    const attempts: number[] = [];
    const result = await withRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 2) throw response(503);
        return 'ok';
      },
      opts,
      {
        sleep: async (ms) => void slept.push(ms),
        onRetry: ({ attempt, delayMs, error }) =>
          retries.push({ attempt, delayMs, code: error.code }),
      },
    );
    expect(result).toBe('ok');
    expect(attempts).toEqual([0, 1, 2]);
    expect(slept).toEqual([100, 200]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 100, code: 'server' },
      { attempt: 2, delayMs: 200, code: 'server' },
    ]);
  });

  it('GIVEN an operation that always fails with 503 WHEN run THEN it makes 1 + retries attempts and throws the last error', async () => {
    let calls = 0;
    const slept: number[] = [];
    await expect(
      withRetry(
        async () => {
          calls++;
          throw response(503);
        },
        opts,
        { sleep: async (ms) => void slept.push(ms) },
      ),
    ).rejects.toMatchObject({ code: 'server', status: 503 });
    expect(calls).toBe(4);
    expect(slept).toEqual([100, 200, 400]);
  });

  it('GIVEN a 404 WHEN run THEN it fails after one attempt without sleeping', async () => {
    let calls = 0;
    const sleep = jest.fn(async () => undefined);
    await expect(
      withRetry(
        async () => {
          calls++;
          throw response(404);
        },
        opts,
        { sleep },
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(calls).toBe(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('GIVEN a programming error (not an AloomaError) WHEN run THEN it is rethrown at once', async () => {
    const boom = new TypeError('x is undefined');
    await expect(
      withRetry(async () => Promise.reject(boom), opts, { sleep: async () => undefined }),
    ).rejects.toBe(boom);
  });

  it('GIVEN the default sleep and random WHEN an attempt is retried THEN it really waits', async () => {
    const started = Date.now();
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw response(503);
        return calls;
      },
      resolveRetryOptions({ minDelayMs: 30, jitter: 'none' }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });
});

function response(status: number, headers: Record<string, string> = {}): AloomaError {
  return fromResponse({
    method: 'GET',
    path: 'plumbing/',
    status,
    headers,
    body: '{"message":"x"}',
  });
}

function network(code: string | undefined): AloomaError {
  const error = fromAxiosError(
    { code, message: code ? `connect ${code}` : 'socket hang up' },
    { method: 'GET', path: 'x' },
  );
  expect([AloomaErrorCode.NETWORK, AloomaErrorCode.TIMEOUT, AloomaErrorCode.TLS]).toContain(
    error.code,
  );
  return error;
}
