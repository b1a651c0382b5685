import { Manifest } from '../../src/runtime/protocol';
import {
  assertConnectionResolved,
  hasReferences,
  resolveReferences,
} from '../../src/runtime/references';

const ref = (id: string) => ({ alooma_cdktf_ref: id });

function manifest(): Manifest {
  return {
    version: 1,
    owner: 'shop',
    connection: { apiUrl: ref('@connection/apiUrl') as never },
    inputs: [
      {
        name: 'orders_db',
        type: 'ODBC',
        configuration: {
          server: ref('orders_db/configuration/server'),
          tables: { orders: ref('orders_db/configuration/tables/orders') },
        },
        paused: ref('orders_db/paused') as never,
        removalPolicy: 'destroy',
      },
    ],
  };
}

const values = {
  '@connection/apiUrl': 'http://127.0.0.1:1',
  'orders_db/configuration/server': 'prod-db.internal',
  'orders_db/configuration/tables/orders': 'xmin::text::bigint',
  'orders_db/paused': true,
};

describe('resolveReferences', () => {
  test('GIVEN every value THEN placeholders are replaced at any depth, nothing else changes', () => {
    const resolved = resolveReferences(manifest(), {
      ALOOMA_CDKTF_REFERENCES: JSON.stringify(values),
    });
    expect(hasReferences(resolved)).toBe(false);
    expect(resolved.connection.apiUrl).toBe('http://127.0.0.1:1');
    expect(resolved.inputs[0]).toMatchObject({
      configuration: { server: 'prod-db.internal', tables: { orders: 'xmin::text::bigint' } },
      paused: true,
    });
  });

  test('GIVEN a missing value THEN it fails naming the reference, with a hint', () => {
    const { 'orders_db/paused': _paused, ...partial } = values;
    expect(() =>
      resolveReferences(manifest(), { ALOOMA_CDKTF_REFERENCES: JSON.stringify(partial) }),
    ).toThrow(
      expect.objectContaining({
        code: 'bad_environment',
        message: expect.stringContaining('orders_db/paused'),
      }),
    );
    expect(() => resolveReferences(manifest(), {})).toThrow(/ALOOMA_CDKTF_REFERENCES is not set/);
  });

  test('GIVEN only the connection is needed (prune, delete) THEN input placeholders stay', () => {
    const resolved = resolveReferences(
      manifest(),
      { ALOOMA_CDKTF_REFERENCES: JSON.stringify({ '@connection/apiUrl': 'http://127.0.0.1:2' }) },
      { only: 'connection' },
    );
    expect(resolved.connection.apiUrl).toBe('http://127.0.0.1:2');
    expect(hasReferences(resolved.inputs)).toBe(true);
  });

  test('GIVEN a destroy step of a deploy whose connection was literal THEN the environment stands in, or a hint says so', () => {
    const old = { ALOOMA_CDKTF_REFERENCES: '{}' };
    const unresolved = resolveReferences(manifest(), old, { only: 'connection' });
    expect(() => assertConnectionResolved(unresolved)).toThrow(
      expect.objectContaining({
        hint: expect.stringMatching(
          /export ALOOMA_API_URL \(and ALOOMA_ACCOUNT\) to the Alooma it used/,
        ),
      }),
    );
    const resolved = resolveReferences(
      manifest(),
      { ...old, ALOOMA_API_URL: 'http://127.0.0.1:3' },
      { only: 'connection' },
    );
    expect(resolved.connection.apiUrl).toBe('http://127.0.0.1:3');
  });

  test('GIVEN a manifest without references THEN it is returned as it is, with no variable needed', () => {
    const plain: Manifest = { ...manifest(), connection: {}, inputs: [] };
    expect(resolveReferences(plain, {})).toBe(plain);
  });
});
