/**
 * The value codec: Terraform's msgpack and JSON encodings of values, read
 * and written against cty types from the schema.
 */
import { encode } from '@msgpack/msgpack';
import {
  conform,
  decodeJson,
  decodeMsgpack,
  encodeMsgpack,
  UNKNOWN,
  Unknown,
  unknownPaths,
  ValueCodecError,
  type CtyType,
} from '../../src/provider/wire/values';

const item: CtyType = [
  'object',
  {
    id: 'string',
    tables: ['map', 'string'],
    batch: 'number',
    paused: 'bool',
    parameters: ['map', ['object', { type: 'string', value: 'string' }]],
    tags: ['set', 'string'],
  },
];

test('GIVEN a value with unknowns at every depth WHEN it round-trips through msgpack THEN the unknowns come back as the marker', () => {
  const value = {
    id: UNKNOWN,
    tables: { users: 'id', orders: UNKNOWN },
    batch: 500,
    paused: false,
    parameters: { since: { type: 'Text', value: UNKNOWN } },
    tags: UNKNOWN,
  };
  const back = decodeMsgpack(encodeMsgpack(value, item), item);
  expect(back).toEqual(value);
  expect((back as { id: unknown }).id).toBeInstanceOf(Unknown);
});

test('an unknown is written as cty writes it: msgpack extension 0 (fixext1, one zero byte)', () => {
  expect(Buffer.from(encodeMsgpack(UNKNOWN, 'string')).toString('hex')).toBe('d40000');
});

test('an unknown with refinements (extension 12, as Terraform sends "not null" unknowns) is read as unknown', () => {
  const refined = Buffer.from([0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3]); // ext8, type 12, {1: true}
  expect(decodeMsgpack(refined, 'string')).toBe(UNKNOWN);
});

test('null and the empty map stay apart', () => {
  const type: CtyType = ['object', { tables: ['map', 'string'] }];
  expect(decodeMsgpack(encodeMsgpack({ tables: null }, type), type)).toEqual({ tables: null });
  expect(decodeMsgpack(encodeMsgpack({ tables: {} }, type), type)).toEqual({ tables: {} });
  expect(Buffer.from(encodeMsgpack({ tables: null }, type)).toString('hex')).toBe(
    '81a67461626c6573c0',
  );
  expect(Buffer.from(encodeMsgpack({ tables: {} }, type)).toString('hex')).toBe(
    '81a67461626c657380',
  );
});

test('every object carries every attribute: one left out is written as null', () => {
  const bytes = encodeMsgpack({ id: 'a' }, item);
  expect(decodeMsgpack(bytes, item)).toEqual({
    id: 'a',
    tables: null,
    batch: null,
    paused: null,
    parameters: null,
    tags: null,
  });
  const nested = encodeMsgpack({ parameters: { since: { type: 'Text' } } }, item);
  expect((decodeMsgpack(nested, item) as { parameters: unknown }).parameters).toEqual({
    since: { type: 'Text', value: null },
  });
});

test('GIVEN a value of the wrong type WHEN it is encoded THEN the error names the path and the type, never the value', () => {
  const secret = 'hunter2-do-not-print';
  const attempt = () =>
    encodeMsgpack(
      { parameters: { since: { type: 'Text', value: 42 as never } }, id: secret },
      item,
    );
  expect(attempt).toThrow(ValueCodecError);
  expect(attempt).toThrow('parameters["since"].value: must be a string');
  const wrongId = () => encodeMsgpack({ id: 7 as never, tables: { x: secret } }, item);
  expect(wrongId).toThrow(/^id: must be a string$/);
});

test('an attribute the schema does not define is refused, by name', () => {
  expect(() => conform({ id: 'a', password: 'x' }, item, [], true)).toThrow(
    'the value: has attributes the schema does not define: password',
  );
});

test('stored state (JSON) is read against the type, and may hold no unknown', () => {
  const json = Buffer.from(
    JSON.stringify({ id: 'a', tables: { users: 'id' }, batch: 10, paused: true }),
  );
  expect(decodeJson(json, item)).toEqual({
    id: 'a',
    tables: { users: 'id' },
    batch: 10,
    paused: true,
    parameters: null,
    tags: null,
  });
  expect(() => conform(UNKNOWN, 'string', [{ attribute: 'id' }], false)).toThrow('id: is unknown');
});

test('numbers: msgpack integers and floats, and a big number cty writes as a decimal string', () => {
  expect(decodeMsgpack(encodeMsgpack(3, 'number'), 'number')).toBe(3);
  expect(decodeMsgpack(encodeMsgpack(2.5, 'number'), 'number')).toBe(2.5);
  expect(decodeMsgpack(encode('12345678901234567890'), 'number')).toBe(
    Number('12345678901234567890'),
  );
});

test('unknownPaths tells attributes from map keys', () => {
  const value = decodeMsgpack(
    encodeMsgpack(
      {
        id: 'a',
        tables: { users: UNKNOWN },
        parameters: { since: { type: 'Text', value: UNKNOWN } },
      },
      item,
    ),
    item,
  );
  expect(unknownPaths(value, item)).toEqual([
    [{ attribute: 'tables' }, { key: 'users' }],
    [{ attribute: 'parameters' }, { key: 'since' }, { attribute: 'value' }],
  ]);
});
