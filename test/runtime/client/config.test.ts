import {
  AloomaClient,
  AloomaConfigError,
  clearRegisteredSecrets,
  redactText,
} from '../../../src/runtime/client';

afterEach(() => clearRegisteredSecrets());

describe('AloomaClient.fromEnv', () => {
  it('GIVEN URL, account and a login in the environment WHEN built THEN the REST root includes the account', () => {
    const client = AloomaClient.fromEnv({
      ALOOMA_API_URL: 'https://alooma.example/',
      ALOOMA_ACCOUNT: 'acme',
      ALOOMA_USERNAME: 'me@acme.example',
      ALOOMA_PASSWORD: 'pw-from-env',
    });
    expect(client.restRoot).toBe('https://alooma.example/acme/rest/');
    expect(client.baseUrl).toBe('https://alooma.example');
    // The password is registered for redaction as soon as it is read.
    expect(redactText('oops pw-from-env')).toBe('oops [REDACTED]');
    client.close();
  });

  it('GIVEN no account WHEN built THEN the REST root is <url>/rest/', () => {
    const client = AloomaClient.fromEnv({
      ALOOMA_API_URL: 'http://127.0.0.1:8787',
      ALOOMA_API_KEY: 'k-123',
    });
    expect(client.restRoot).toBe('http://127.0.0.1:8787/rest/');
    client.close();
  });

  it('GIVEN a connection spec WHEN built THEN its URL, account and variable names win over the defaults', () => {
    const client = AloomaClient.fromEnv(
      {
        ALOOMA_API_URL: 'https://ignored.example',
        ALOOMA_ACCOUNT: 'ignored',
        TEAM_KEY: 'team-key-1',
      },
      { apiUrl: 'https://team.example/base', account: 'team', apiKeyEnv: 'TEAM_KEY' },
    );
    expect(client.restRoot).toBe('https://team.example/base/team/rest/');
    client.close();
  });

  it('GIVEN no URL anywhere WHEN built THEN a config error names ALOOMA_API_URL and the emulator default', () => {
    const error = catchError(() => AloomaClient.fromEnv({ ALOOMA_API_KEY: 'k-123' }));
    expect(error).toBeInstanceOf(AloomaConfigError);
    expect(error).toMatchObject({ code: 'config', status: 0 });
    expect(error.message).toMatch(/ALOOMA_API_URL is not set/);
    expect(error.hint).toMatch(/http:\/\/127\.0\.0\.1:8787/);
  });

  it('GIVEN no URL but a defaultUrl option WHEN built THEN the default is used', () => {
    const client = AloomaClient.fromEnv(
      { ALOOMA_API_KEY: 'k-123', ALOOMA_API_URL: ' ' },
      {},
      { defaultUrl: 'http://127.0.0.1:8787' },
    );
    expect(client.restRoot).toBe('http://127.0.0.1:8787/rest/');
    client.close();
  });

  it('GIVEN no credentials WHEN built THEN a config error names every variable to set', () => {
    const error = catchError(() =>
      AloomaClient.fromEnv({ ALOOMA_API_URL: 'https://h' }, { usernameEnv: 'U', passwordEnv: 'P' }),
    );
    expect(error.message).toBe('no Alooma credentials: none of U, P, ALOOMA_API_KEY is set');
    expect(error.hint).toBe('set U and P, or ALOOMA_API_KEY (one or the other, not both)');
  });

  it('GIVEN a username without password WHEN built THEN the missing variable is named', () => {
    const error = catchError(() =>
      AloomaClient.fromEnv({
        ALOOMA_API_URL: 'https://h',
        ALOOMA_USERNAME: 'me',
        ALOOMA_PASSWORD: '',
      }),
    );
    expect(error.message).toBe(
      'ALOOMA_PASSWORD is not set (the login needs both ALOOMA_USERNAME and ALOOMA_PASSWORD)',
    );
  });

  it('GIVEN a password without username WHEN built THEN the missing variable is named, not the password', () => {
    const error = catchError(() =>
      AloomaClient.fromEnv({ ALOOMA_API_URL: 'https://h', ALOOMA_PASSWORD: 'lonely-pass' }),
    );
    expect(error.message).toMatch(/^ALOOMA_USERNAME is not set/);
    expect(JSON.stringify(error)).not.toContain('lonely-pass');
  });

  it('GIVEN both an API key and a login WHEN built THEN a config error says one or the other, without the values', () => {
    const error = catchError(() =>
      AloomaClient.fromEnv({
        ALOOMA_API_URL: 'https://h',
        ALOOMA_USERNAME: 'me',
        ALOOMA_PASSWORD: 'both-pass',
        ALOOMA_API_KEY: 'both-key',
      }),
    );
    expect(error.message).toBe(
      'both an API key (ALOOMA_API_KEY) and a login (ALOOMA_USERNAME, ALOOMA_PASSWORD) are set; Alooma takes one or the other, not both',
    );
    expect(error.hint).toBe('unset ALOOMA_API_KEY, or unset ALOOMA_USERNAME and ALOOMA_PASSWORD');
    expect(`${error.message} ${error.hint} ${JSON.stringify(error)}`).not.toMatch(
      /both-pass|both-key/,
    );
  });
});

describe('new AloomaClient', () => {
  const auth = { kind: 'apiKey', apiKey: 'key-1' } as const;

  it.each(['not a url', 'ftp://h', ''])(
    'GIVEN the base URL %p WHEN constructing THEN a config error explains',
    (baseUrl) => {
      expect(() => new AloomaClient({ baseUrl, auth })).toThrow(AloomaConfigError);
    },
  );

  it('GIVEN a base URL with query and trailing slashes WHEN constructing THEN they are dropped', () => {
    const client = new AloomaClient({ baseUrl: 'https://h/x//?a=1#f', auth, account: 'my acct' });
    expect(client.restRoot).toBe('https://h/x/my%20acct/rest/');
    client.close();
  });

  it.each([
    [{ kind: 'password', username: '', password: 'p' }],
    [{ kind: 'password', username: 'u', password: '' }],
    [{ kind: 'apiKey', apiKey: ' ' }],
    [{ kind: 'other' }],
    [undefined],
  ])('GIVEN incomplete credentials %j WHEN constructing THEN a config error explains', (bad) => {
    expect(() => new AloomaClient({ baseUrl: 'https://h', auth: bad as never })).toThrow(
      /needs credentials/,
    );
  });

  it('GIVEN an API key with inner whitespace WHEN constructing THEN it is refused', () => {
    expect(
      () => new AloomaClient({ baseUrl: 'https://h', auth: { kind: 'apiKey', apiKey: 'a b' } }),
    ).toThrow(/whitespace/);
  });

  it.each([0, -1, Number.NaN])(
    'GIVEN timeoutMs %p WHEN constructing THEN a config error names it',
    (timeoutMs) => {
      expect(() => new AloomaClient({ baseUrl: 'https://h', auth, timeoutMs })).toThrow(
        /timeoutMs must be a number > 0/,
      );
    },
  );

  it('GIVEN bad retry options WHEN constructing THEN a config error names them', () => {
    expect(() => new AloomaClient({ baseUrl: 'https://h', auth, retry: { retries: -1 } })).toThrow(
      /retries/,
    );
  });

  it('GIVEN a new client WHEN nothing was called THEN its metrics are zero', () => {
    const client = new AloomaClient({ baseUrl: 'https://h', auth });
    expect(client.metrics).toEqual({
      requests: 0,
      retries: 0,
      relogins: 0,
      structureReads: 0,
      writes: 0,
    });
    client.close();
  });
});

function catchError(fn: () => unknown): AloomaConfigError {
  try {
    fn();
  } catch (e) {
    return e as AloomaConfigError;
  }
  throw new Error('expected an error');
}
