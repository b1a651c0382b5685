/**
 * A write that moves a stored secret to a new destination
 * (src/alooma/secret-destination.ts) sends that secret again from its
 * source in the configuration, versions unchanged: the API refuses the mask
 * there (issue 19). Plain functions: the end to end case is
 * test/e2e/provider-references.e2e.test.ts (step 3).
 */
import { AloomaErrorCode } from '../../src/alooma/errors';
import { SECRET_MASK } from '../../src/alooma/secret-fields';
import { withMovedSecrets, type SecretsToWrite } from '../../src/provider/resources/input-resource';
import { databaseInputKind, restInputKind } from '../../src/provider/resources';
import type { ObjectValue } from '../../src/provider/wire/values';
import type { AloomaNode } from '../../src/runtime/client';

const OWNER = 'team';
const NONE: SecretsToWrite = { fields: new Map(), parameters: new Map() };
const PASSWORD = 'Moved-Pw-4471';

const database = {
  name: 'orders-db',
  server: 'db.internal.example',
  port: 5432,
  database: 'shop',
  db_type: 'psql',
  user: 'replicator',
  password_version: '1',
  tables: { orders: 'id' },
};
const liveDatabase: AloomaNode = {
  id: 'db-1',
  name: 'orders-db',
  type: 'ODBC',
  category: 'INPUT',
  configuration: {
    server: 'db.internal.example',
    port: 5432,
    database: 'shop',
    db_type: 'psql',
    user: 'replicator',
    password: SECRET_MASK,
    tables: '{"orders":"id"}',
  },
};

function moved(planned: ObjectValue, config: ObjectValue, env: NodeJS.ProcessEnv = {}) {
  return withMovedSecrets(databaseInputKind, config, planned, liveDatabase, NONE, OWNER, env);
}

describe('withMovedSecrets', () => {
  test('GIVEN a stored password WHEN the write keeps its destination (a table added) THEN nothing more is sent', () => {
    const planned = { ...database, tables: { orders: 'id', users: 'id' } };
    expect(moved(planned, { ...planned, password: PASSWORD })).toBe(NONE);
  });

  test('GIVEN a stored password WHEN the server changes THEN the password is sent again from the configuration', () => {
    const planned = { ...database, server: 'db2.internal.example' };
    const secrets = moved(planned, { ...planned, password: PASSWORD });
    expect(Object.fromEntries(secrets.fields)).toEqual({ password: PASSWORD });
  });

  test('GIVEN a password from a variable WHEN the database changes THEN the variable is read now; unset, the write is refused naming it', () => {
    const planned = { ...database, database: 'shop2', password_env: 'PG_PW' };
    expect(Object.fromEntries(moved(planned, planned, { PG_PW: PASSWORD }).fields)).toEqual({
      password: PASSWORD,
    });
    expect(() => moved(planned, planned, {})).toThrow(
      expect.objectContaining({
        code: AloomaErrorCode.MISSING_SECRET,
        message: expect.stringMatching(/PG_PW.*changing database moves the stored password/),
      }),
    );
  });

  test('GIVEN no source of the password in the configuration WHEN the user changes THEN the write is refused before it is sent', () => {
    const planned = { ...database, user: 'other' };
    expect(() => moved(planned, planned)).toThrow(
      expect.objectContaining({
        code: AloomaErrorCode.SECRET_DESTINATION_CHANGED,
        message: expect.stringMatching(/changing user of input db-1 moves its stored password/),
      }),
    );
  });

  test("GIVEN a REST secret parameter WHEN base_url's origin changes THEN it is sent again; a new path alone keeps it", () => {
    const live: AloomaNode = {
      id: 'rest-1',
      name: 'events',
      type: 'REST_INPUT',
      category: 'INPUT',
      configuration: {
        base_url: 'https://api.example.com/events',
        parameters: [{ parameter: 'token', type: 'String', value: SECRET_MASK, secret: true }],
      },
    };
    const rest = (baseUrl: string) => ({
      name: 'events',
      base_url: baseUrl,
      parameters: { token: { type: 'String', secret_value_version: '1' } },
    });
    const config = (baseUrl: string) => ({
      ...rest(baseUrl),
      parameters: { token: { type: 'String', secret_value: 'Tok-88', secret_value_version: '1' } },
    });
    const write = (baseUrl: string) =>
      withMovedSecrets(restInputKind, config(baseUrl), rest(baseUrl), live, NONE, OWNER, {});
    expect(Object.fromEntries(write('https://other.example.com/events').parameters)).toEqual({
      token: 'Tok-88',
    });
    expect(write('https://api.example.com/v2/events')).toBe(NONE);
  });
});
