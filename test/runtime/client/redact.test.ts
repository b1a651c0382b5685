import {
  REDACTED,
  clearRegisteredSecrets,
  redactBody,
  redactHeaders,
  redactText,
  redactUrl,
  redactValue,
  registerSecret,
  registerSecretsIn,
} from '../../../src/runtime/client';
import { SECRET_MASK } from '../../../src/alooma/secret-fields';

afterEach(() => clearRegisteredSecrets());

describe('redactHeaders', () => {
  it('GIVEN credential headers WHEN redacted THEN their values are replaced and the others kept', () => {
    const headers = redactHeaders({
      Authorization: 'API demo-key',
      cookie: 'sessionid=abc',
      'Set-Cookie': ['sessionid=abc; Path=/'],
      'X-Api-Key': 'k',
      'x-session-token': 't',
      'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
      'content-type': 'application/json',
      'x-request-id': 'r1',
      Via: ['1.1 proxy'],
      empty: undefined,
    });
    expect(headers).toEqual({
      Authorization: REDACTED,
      cookie: REDACTED,
      'Set-Cookie': REDACTED,
      'X-Api-Key': REDACTED,
      'x-session-token': REDACTED,
      'Proxy-Authorization': REDACTED,
      'content-type': 'application/json',
      'x-request-id': 'r1',
      Via: ['1.1 proxy'],
    });
  });

  it('GIVEN no headers WHEN redacted THEN the result is empty', () => {
    expect(redactHeaders(undefined)).toEqual({});
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://h/rest/inputs?token=abc&x=1', `https://h/rest/inputs?token=${REDACTED}&x=1`],
    ['inputs?api_key=abc', `inputs?api_key=${REDACTED}`],
    ['inputs?apiKey=abc#frag', `inputs?apiKey=${REDACTED}#frag`],
    ['/x?password=p&user=u', `/x?password=${REDACTED}&user=u`],
    [
      '/x?key=k&sig=s&access_token=t',
      `/x?key=${REDACTED}&sig=${REDACTED}&access_token=${REDACTED}`,
    ],
    ['https://user:pa55@host/rest/', `https://user:${REDACTED}@host/rest/`],
    ['inputs/abc/pause?pause=true', 'inputs/abc/pause?pause=true'],
    ['plumbing/?resolution=1min', 'plumbing/?resolution=1min'],
    ['inputs?validate=false', 'inputs?validate=false'],
    ['inputs?primary_key=id', 'inputs?primary_key=id'],
  ])('GIVEN %s WHEN redacted THEN it reads %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('redactText', () => {
  it.each([
    ['Authorization: API demo-key-123', `Authorization: API ${REDACTED}`],
    ['{"authorization":"Bearer abc.def"}', `{"authorization":"Bearer ${REDACTED}"}`],
    ['sent Bearer abcdefghijkl to the API', `sent Bearer ${REDACTED} to the API`],
    ['Cookie: sessionid=abc; other=1', `Cookie: ${REDACTED}`],
    ['set-cookie: sessionid=abc; Path=/', `set-cookie: ${REDACTED}`],
    ['session sessionid=abcdef expired', `session sessionid=${REDACTED} expired`],
    ['{"password":"p4ss","user":"bob"}', `{"password":"${REDACTED}","user":"bob"}`],
    ['{"nodes":[{"oauth2": "tok', `{"nodes":[{"oauth2": "${REDACTED}`],
    [`{'password': 'p4ss', 'user': 'bob'}`, `{'password': '${REDACTED}', 'user': 'bob'}`],
    ['password: hunter2, server: db', `password: ${REDACTED}, server: db`],
    ['api_key=abc123 rest', `api_key=${REDACTED} rest`],
    [`{"password":"${SECRET_MASK}"}`, `{"password":"${SECRET_MASK}"}`],
    ['{"password":""}', '{"password":""}'],
    ["Field 'password' is required", "Field 'password' is required"],
    ['no Alooma credentials: none of A, B is set', 'no Alooma credentials: none of A, B is set'],
    ['No input with id 123', 'No input with id 123'],
    ['', ''],
  ])('GIVEN %p WHEN redacted THEN it reads %p', (text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('GIVEN a registered secret WHEN it appears in free text, JSON-escaped or URL-encoded THEN every form is replaced', () => {
    registerSecret('p@ss "word"/x');
    expect(redactText('login with p@ss "word"/x failed')).toBe(`login with ${REDACTED} failed`);
    expect(redactText('{"note":"p@ss \\"word\\"/x"}')).toBe(`{"note":"${REDACTED}"}`);
    expect(redactText(`q=${encodeURIComponent('p@ss "word"/x')}`)).toBe(`q=${REDACTED}`);
  });

  it('GIVEN secrets that contain one another WHEN redacted THEN the longest is replaced whole', () => {
    registerSecret('abcd');
    registerSecret('abcdefgh');
    expect(redactText('x abcdefgh y abcd')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('GIVEN empty, short or non-string values WHEN registered THEN they are ignored', () => {
    registerSecret('');
    registerSecret('  ');
    registerSecret('ab');
    registerSecret(undefined);
    registerSecret(null);
    expect(redactText('ab cd')).toBe('ab cd');
  });

  it('GIVEN a secret registered twice WHEN redacting THEN it is still replaced', () => {
    registerSecret('twice-secret');
    registerSecret('twice-secret');
    expect(redactText('twice-secret')).toBe(REDACTED);
  });

  it('GIVEN the registry was cleared WHEN redacting THEN former secrets stay', () => {
    registerSecret('forgotten');
    clearRegisteredSecrets();
    expect(redactText('forgotten')).toBe('forgotten');
  });
});

describe('redactValue and redactBody', () => {
  it('GIVEN a node with secret fields and secret parameters WHEN redacted THEN they are masked and the rest kept', () => {
    registerSecret('free-text-secret');
    const node = {
      name: 'n',
      configuration: {
        password: 'p',
        server: 'db',
        note: 'uses free-text-secret',
        parameters: [
          { parameter: 'session_id', type: 'Text', value: 's' },
          { parameter: 'where', type: 'Text', value: 'w' },
        ],
      },
    };
    expect(redactValue(node)).toEqual({
      name: 'n',
      configuration: {
        password: SECRET_MASK,
        server: 'db',
        note: `uses ${REDACTED}`,
        parameters: [
          { parameter: 'session_id', type: 'Text', value: SECRET_MASK },
          { parameter: 'where', type: 'Text', value: 'w' },
        ],
      },
    });
    expect(node.configuration.password).toBe('p');
  });

  it('GIVEN a JSON body WHEN redacted THEN it is masked and re-serialised', () => {
    expect(redactBody('{"email":"a@b","password":"p"}')).toBe(
      `{"email":"a@b","password":"${SECRET_MASK}"}`,
    );
    expect(redactBody('[{"token":"t"}]')).toBe(`[{"token":"${SECRET_MASK}"}]`);
  });

  it('GIVEN a truncated JSON body WHEN redacted THEN it is redacted as free text', () => {
    expect(redactBody('{"email":"a@b","password":"p')).toBe(
      `{"email":"a@b","password":"${REDACTED}`,
    );
  });

  it('GIVEN an HTML body WHEN redacted THEN registered secrets are still removed', () => {
    registerSecret('html-secret');
    expect(redactBody('<html>html-secret</html>')).toBe(`<html>${REDACTED}</html>`);
  });
});

describe('registerSecretsIn', () => {
  it('GIVEN a configuration WHEN its secrets are registered THEN their values are scrubbed from free text, other values not', () => {
    registerSecretsIn({
      server: 'db.example',
      password: 'cfg-pass-1',
      nested: { api_key: 'cfg-key-2' },
      parameters: [
        { parameter: 'session_id', value: 'cfg-session-3' },
        { parameter: 'where', value: 'cfg-plain-4' },
      ],
      masked: { password: SECRET_MASK },
      notString: { token: 12345 },
    });
    expect(redactText('cfg-pass-1 cfg-key-2 cfg-session-3 cfg-plain-4 db.example 12345')).toBe(
      `${REDACTED} ${REDACTED} ${REDACTED} cfg-plain-4 db.example 12345`,
    );
    expect(redactText(SECRET_MASK)).toBe(SECRET_MASK);
  });

  it('GIVEN non-objects WHEN registering THEN nothing happens', () => {
    registerSecretsIn(undefined);
    registerSecretsIn('password');
    expect(redactText('password')).toBe('password');
  });
});
