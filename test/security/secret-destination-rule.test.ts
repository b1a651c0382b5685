/**
 * The rule of src/alooma/secret-destination.ts (which fields are a secret's
 * destination) and how the runtime's planner uses it.
 */
import {
  changedSecretDestination,
  maskedSecretPaths,
  movedMaskedSecrets,
} from '../../src/alooma/secret-destination';
import { SECRET_MASK } from '../../src/alooma/secret-fields';
import { planInput } from '../../src/runtime/reconcile/plan';
import { InputSpec } from '../../src/runtime/protocol';

const stored = {
  server: 'db1.internal',
  port: 5432,
  database: 'shop',
  user: 'reader',
  db_type: 'psql',
  batch_size: 100000,
  password: SECRET_MASK,
};

describe('the destination of a stored secret', () => {
  test('ODBC: server, port, database, user, ssh and allow_cleartext_password are the password’s destination', () => {
    const after = {
      ...stored,
      server: 'evil.example',
      port: '6543',
      database: 'other',
      user: 'root',
      ssh: '{"server":"bastion","port":22}',
      allow_cleartext_password: true,
    };
    expect(changedSecretDestination('ODBC', 'password', stored, after)).toEqual([
      'server',
      'port',
      'database',
      'user',
      'ssh',
      'allow_cleartext_password',
    ]);
  });

  test('ODBC: the same destination in another spelling, and other fields, keep the secret', () => {
    const after = { ...stored, server: ' DB1.internal ', port: '5432', ssh: '', batch_size: 10 };
    expect(changedSecretDestination('ODBC', 'password', stored, after)).toEqual([]);
    expect(movedMaskedSecrets('ODBC', stored, { ...after, db_type: 'mysql' })).toEqual([]);
  });

  test('REST_INPUT: the origin of base_url for every secret, username for the password only', () => {
    const before = {
      base_url: 'https://api.example.com/v1',
      username: 'svc',
      password: SECRET_MASK,
      parameters: [{ parameter: 'token', type: 'Text', value: SECRET_MASK }],
    };
    expect(maskedSecretPaths(before)).toEqual(['password', 'parameters.token.value']);
    expect(
      movedMaskedSecrets('REST_INPUT', before, {
        ...before,
        base_url: 'https://api.example.com/v2',
      }),
    ).toEqual([]);
    expect(
      movedMaskedSecrets('REST_INPUT', before, {
        ...before,
        base_url: 'http://api.example.com/v1',
      }),
    ).toEqual([
      { path: 'password', fields: ['base_url'] },
      { path: 'parameters.token.value', fields: ['base_url'] },
    ]);
    expect(movedMaskedSecrets('REST_INPUT', before, { ...before, username: 'admin' })).toEqual([
      { path: 'password', fields: ['username'] },
    ]);
  });

  test('S3 and other types: no destination fields (the secret key never travels)', () => {
    const before = { awsBucketName: 'a', awsAccessKeyId: 'AKIA1', awsSecretAccessKey: SECRET_MASK };
    expect(
      movedMaskedSecrets('S3', before, { ...before, awsBucketName: 'b', awsAccessKeyId: 'AKIA2' }),
    ).toEqual([]);
  });

  test('a secret sent again (not the mask) is never "moved"', () => {
    expect(
      movedMaskedSecrets('ODBC', stored, { ...stored, server: 'db2', password: 'new' }),
    ).toEqual([]);
  });
});

describe('GIVEN a live database input with a stored password, the planner', () => {
  const live = {
    id: 'n1',
    name: 'orders_db',
    type: 'ODBC',
    configuration: { ...stored, alooma_cdktf: { owner: 'o', secretVersions: [] } },
  };
  const spec = (server: string): InputSpec => ({
    name: 'orders_db',
    type: 'ODBC',
    configuration: { server, port: 5432, database: 'shop', user: 'reader', db_type: 'psql' },
    secrets: { password: { env: 'PG_PASSWORD' } },
    removalPolicy: 'destroy',
  });

  test('WHEN the server changes THEN the password is due again, as a moved secret', () => {
    const plan = planInput('o', spec('db2.internal'), live);
    expect(plan.kind).toBe('update');
    expect(plan.secretsToWrite).toEqual(['password']);
    expect(plan.movedSecrets).toEqual([{ path: 'password', fields: ['server'], declared: true }]);
  });

  test('WHEN only another field changes THEN the password is not due', () => {
    const plan = planInput(
      'o',
      {
        ...spec('db1.internal'),
        configuration: { ...spec('db1.internal').configuration, batch_size: 5 },
      },
      live,
    );
    expect(plan.kind).toBe('update');
    expect(plan.secretsToWrite).toEqual([]);
    expect(plan.movedSecrets).toBeUndefined();
  });
});
