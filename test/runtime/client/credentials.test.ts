/**
 * The one reading of the credential variables (`resolveCredentials` in
 * runtime/protocol.ts), shared by `AloomaClient.fromEnv` and the constructs'
 * live diff: what it finds, and that the client builds exactly when it finds
 * usable credentials, with the same kind.
 */
import {
  AloomaClient,
  AloomaConfigError,
  ConnectionSpec,
  clearRegisteredSecrets,
  resolveCredentials,
} from '../../../src/runtime';

afterEach(() => clearRegisteredSecrets());

const URL_ENV = { ALOOMA_API_URL: 'https://alooma.example' };

type Case = [string, NodeJS.ProcessEnv, ConnectionSpec, Record<string, unknown>];

const CASES: Case[] = [
  ['an API key', { ALOOMA_API_KEY: ' k-1 ' }, {}, { kind: 'apiKey', apiKey: 'k-1' }],
  [
    'a login',
    { ALOOMA_USERNAME: 'me@x', ALOOMA_PASSWORD: ' spaced pw ' },
    {},
    { kind: 'password', username: 'me@x', password: ' spaced pw ' },
  ],
  [
    'the connection’s own variable names',
    { TEAM_USER: 'team@x', TEAM_PASS: 'tp', ALOOMA_API_KEY: '' },
    { usernameEnv: 'TEAM_USER', passwordEnv: 'TEAM_PASS' },
    { kind: 'password', usernameEnv: 'TEAM_USER', passwordEnv: 'TEAM_PASS' },
  ],
  [
    'a key under the connection’s variable',
    { TEAM_KEY: 'tk' },
    { apiKeyEnv: 'TEAM_KEY' },
    { kind: 'apiKey', apiKey: 'tk', apiKeyEnv: 'TEAM_KEY' },
  ],
  [
    'a key and a login',
    { ALOOMA_API_KEY: 'k', ALOOMA_PASSWORD: 'p' },
    {},
    { kind: 'both', loginSet: ['ALOOMA_PASSWORD'] },
  ],
  [
    'half a login',
    { ALOOMA_USERNAME: 'me@x', ALOOMA_PASSWORD: '' },
    {},
    { kind: 'incomplete', missing: 'ALOOMA_PASSWORD' },
  ],
  ['blank values only', { ALOOMA_API_KEY: '  ', ALOOMA_USERNAME: ' ' }, {}, { kind: 'none' }],
  ['nothing', {}, {}, { kind: 'none' }],
  [
    'a key from Terraform, absent (a destroy-time step), and the default key',
    { ALOOMA_API_KEY: 'default-key' },
    { apiKeyEnv: 'ALOOMA_CDKTF_SECRET_K', apiKeyFromTerraform: true },
    { kind: 'apiKey', apiKey: 'default-key', apiKeyEnv: 'ALOOMA_API_KEY' },
  ],
  [
    'a key from Terraform, absent, and nothing else',
    {},
    { apiKeyEnv: 'ALOOMA_CDKTF_SECRET_K', apiKeyFromTerraform: true },
    { kind: 'terraform_key_absent', apiKeyEnv: 'ALOOMA_API_KEY' },
  ],
  [
    'a key from Terraform, present (the apply step)',
    { ALOOMA_CDKTF_SECRET_K: 'tf-key', ALOOMA_API_KEY: 'default-key' },
    { apiKeyEnv: 'ALOOMA_CDKTF_SECRET_K', apiKeyFromTerraform: true },
    { kind: 'apiKey', apiKey: 'tf-key', apiKeyEnv: 'ALOOMA_CDKTF_SECRET_K' },
  ],
];

describe('resolveCredentials', () => {
  it.each(CASES)('GIVEN %s WHEN read THEN it is found as such', (_name, env, connection, want) => {
    expect(resolveCredentials(env, connection)).toMatchObject(want);
  });
});

describe('fromEnv reads credentials with resolveCredentials', () => {
  it.each(CASES)(
    'GIVEN %s WHEN a client is built THEN it builds exactly when they are usable',
    (_name, env, connection) => {
      const found = resolveCredentials(env, connection);
      let built: AloomaClient | undefined;
      let error: unknown;
      try {
        built = AloomaClient.fromEnv({ ...URL_ENV, ...env }, connection);
      } catch (e) {
        error = e;
      }
      if (found.kind === 'apiKey' || found.kind === 'password') {
        expect(error).toBeUndefined();
        built?.close();
      } else {
        expect(error).toBeInstanceOf(AloomaConfigError);
        // The error names the variables the lookup read.
        expect(`${(error as Error).message} ${(error as AloomaConfigError).hint}`).toContain(
          found.kind === 'incomplete' ? found.missing : found.apiKeyEnv,
        );
      }
    },
  );
});
