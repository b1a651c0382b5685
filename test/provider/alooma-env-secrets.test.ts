/**
 * The `<secret>_env` attributes as plain functions: the schema declares one
 * next to every write-only secret; validation refuses a value and a
 * variable together; the plan names an unset variable only when the secret
 * is due; apply reads the variable only then (an environment that throws on
 * any read proves the other cases never touch it). Real Terraform runs the
 * same story in alooma-env-secrets.e2e.test.ts.
 */
import { Logger } from '../../src/provider/wire/log';
import { type ObjectValue } from '../../src/provider/wire/values';
import {
  databaseInputKind,
  inputResource,
  mixpanelInputKind,
  restInputKind,
  s3InputKind,
  secretsToWrite,
  validateInput,
  type InputKind,
} from '../../src/provider/resources';

const KINDS = [databaseInputKind, restInputKind, s3InputKind, mixpanelInputKind];

/** An environment whose every read fails the test. */
const UNTOUCHABLE = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, name) => {
    throw new Error(`the environment was read (${String(name)})`);
  },
  has: (_t, name) => {
    throw new Error(`the environment was read (${String(name)})`);
  },
});

const DB: ObjectValue = {
  name: 'orders-db',
  server: 'db',
  port: 5432,
  database: 'shop',
  db_type: 'psql',
  user: 'reader',
  password: null,
  password_env: 'PG_PASSWORD',
  password_version: '1',
};

test('every write-only secret has a <secret>_env attribute: an optional, plain string with a description', () => {
  for (const kind of KINDS) {
    expect(kind.secrets.length).toBeGreaterThan(0);
    for (const s of kind.secrets) {
      expect(s.envAttribute).toBe(`${s.attribute}_env`);
      const attribute = kind.attributes[s.envAttribute];
      expect(attribute).toMatchObject({ optional: true });
      expect(attribute.sensitive).toBeFalsy();
      expect(attribute.writeOnly).toBeFalsy();
      expect(attribute.description).toContain(s.attribute);
    }
  }
  const parameter = restInputKind.attributes.parameters.nested!.attributes.secret_value_env;
  expect(parameter).toMatchObject({ optional: true });
  expect(parameter.writeOnly).toBeFalsy();
  expect(parameter.description).toContain('secret_value');
});

test('a value and a variable together are refused at the _env path; a variable needs its version', () => {
  const s3 = {
    name: 'clicks',
    bucket: 'b',
    access_key_id: 'AKIAEXAMPLE',
    secret_access_key: 'x',
    secret_access_key_env: 'AWS_SECRET',
    secret_access_key_version: '1',
  };
  expect(validateInput(s3InputKind, s3).map((d) => d.path)).toEqual([
    [{ attribute: 'secret_access_key_env' }],
  ]);
  const noVersion = { ...s3, secret_access_key: null, secret_access_key_version: null };
  const [d] = validateInput(s3InputKind, noVersion);
  expect(d.path).toEqual([{ attribute: 'secret_access_key_version' }]);
  expect(d.detail).toContain('is required with secret_access_key_env');
  // the rules see a secret from the variable as set (S3: a key id needs its secret)
  expect(validateInput(s3InputKind, { ...noVersion, secret_access_key_version: '1' })).toEqual([]);
  const rest = {
    name: 'api',
    base_url: 'https://x.example',
    parameters: {
      token: { secret_value: 'x', secret_value_env: 'TOKEN', secret_value_version: '1' },
    },
  };
  expect(validateInput(restInputKind, rest).map((x) => x.path)).toEqual([
    [{ attribute: 'parameters' }, { key: 'token' }, { attribute: 'secret_value_env' }],
  ]);
});

describe('apply: secretsToWrite reads a variable only for a due secret', () => {
  test('create reads it', () => {
    const secrets = secretsToWrite(databaseInputKind, DB, DB, null, { PG_PASSWORD: 'p1' });
    expect([...secrets.fields]).toEqual([['password', 'p1']]);
  });

  test('an unchanged version never touches the environment', () => {
    expect(secretsToWrite(databaseInputKind, DB, DB, DB, UNTOUCHABLE).fields.size).toBe(0);
  });

  test('a version change reads it', () => {
    const bumped = { ...DB, password_version: '2' };
    const secrets = secretsToWrite(databaseInputKind, bumped, bumped, DB, { PG_PASSWORD: 'p2' });
    expect([...secrets.fields]).toEqual([['password', 'p2']]);
  });

  test('unset (or empty) when due: missing_secret naming the attribute and variable, nothing else', () => {
    for (const env of [{}, { PG_PASSWORD: '' }]) {
      expect(() => secretsToWrite(databaseInputKind, DB, DB, null, env)).toThrow(
        expect.objectContaining({
          code: 'missing_secret',
          message: expect.stringContaining(
            'password_env names the environment variable PG_PASSWORD, which is unset or empty at apply',
          ),
        }),
      );
    }
  });

  test('a REST parameter new to the input is due; one already there with its version is not read', () => {
    const prior: ObjectValue = {
      name: 'api',
      parameters: {
        old: { type: 'Text', secret_value_env: 'OLD', secret_value_version: '1' },
      },
    };
    const config: ObjectValue = {
      name: 'api',
      parameters: {
        ...(prior.parameters as ObjectValue),
        fresh: { type: 'Text', secret_value_env: 'FRESH', secret_value_version: '1' },
      },
    };
    const env = new Proxy({ FRESH: 'f' } as NodeJS.ProcessEnv, {
      get: (t, name) => {
        if (name !== 'FRESH') throw new Error(`read ${String(name)}`);
        return t[name];
      },
    });
    const secrets = secretsToWrite(restInputKind, config, config, prior, env);
    expect([...secrets.parameters]).toEqual([['fresh', 'f']]);
  });
});

describe('plan: an unset variable of a due secret is an error at the _env path', () => {
  const quiet = new Logger('test', 'off');
  const ctx = { provider: undefined, signal: new AbortController().signal, log: quiet };
  const plan = (kind: InputKind, config: ObjectValue, prior: ObjectValue | null) =>
    inputResource(kind).plan!({ config, prior, planned: config, private: Buffer.alloc(0) }, ctx);

  afterEach(() => {
    delete process.env.PG_PASSWORD;
  });

  test('create with the variable unset: one diagnostic on password_env naming it', async () => {
    const { diagnostics } = await plan(databaseInputKind, DB, null);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics![0]).toMatchObject({
      summary: 'Secret environment variable not set',
      path: [{ attribute: 'password_env' }],
    });
    expect(diagnostics![0].detail).toContain('environment variable PG_PASSWORD');
  });

  test('set: no diagnostic, and its value is nowhere in the plan result', async () => {
    process.env.PG_PASSWORD = 'Plan-Secret-8812';
    const result = await plan(databaseInputKind, DB, null);
    expect(result.diagnostics).toEqual([]);
    expect(JSON.stringify(result)).not.toContain('Plan-Secret-8812');
  });

  test('unset, version unchanged: no diagnostic', async () => {
    expect((await plan(databaseInputKind, DB, DB)).diagnostics).toEqual([]);
  });
});
