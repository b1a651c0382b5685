/**
 * The rules that used to be written in several layers and now live once in
 * src/alooma: what a live input is, system types, the secret path of a REST
 * parameter, the secret values of a configuration, the ownership marker.
 */
import { MARKER_FIELD } from '../../src/alooma/fields';
import { isInputNode, isSystemInputType } from '../../src/alooma/input-types';
import { readOwnershipMarker } from '../../src/alooma/ownership-marker';
import { DAYS_PAST, PARAMETER_VALUE, parameterValueRule } from '../../src/alooma/rules';
import {
  findSecrets,
  parameterOfSecretPath,
  parameterSecretPath,
  SECRET_MASK,
  withSecretAtPath,
} from '../../src/alooma/secret-fields';

describe('isInputNode', () => {
  test.each([
    [{ category: 'INPUT' }, true],
    [{}, true],
    [{ category: 'INPUT', deleted: false }, true],
    [{ category: 'INPUT', deleted: true }, false],
    [{ category: 'TRANSFORMER' }, false],
    [{ category: 'OUTPUT' }, false],
    [{ category: 'input' }, false],
  ])('%j is a live input: %s', (node, expected) => {
    expect(isInputNode(node)).toBe(expected);
  });
});

test.each([
  ['RESTREAM', true],
  ['restream', true],
  ['Agent', true],
  ['ODBC', false],
  ['RESTREAMS', false],
])('isSystemInputType(%j) is %s', (type, expected) => {
  expect(isSystemInputType(type)).toBe(expected);
});

describe('the secret path of a REST parameter', () => {
  test.each(['api_key', 'partner.session_id', 'a.value', 'value'])(
    'GIVEN the parameter %j THEN its path reads back to its name',
    (name) => {
      expect(parameterOfSecretPath(parameterSecretPath(name))).toBe(name);
    },
  );

  test.each(['password', 'parameters', 'parameters..value', 'ssh.password', 'parameters.x.values'])(
    'GIVEN the path %j THEN it names no parameter',
    (path) => {
      expect(parameterOfSecretPath(path)).toBeUndefined();
    },
  );

  test('GIVEN a parameter path THEN the value goes into that parameter, the input is not changed', () => {
    const configuration = { parameters: [{ parameter: 'a.b', type: 'Text' }, { parameter: 'c' }] };
    expect(withSecretAtPath(configuration, 'parameters.a.b.value', 's3cr3t')).toEqual({
      parameters: [{ parameter: 'a.b', type: 'Text', value: 's3cr3t' }, { parameter: 'c' }],
    });
    expect(configuration.parameters[0]).toEqual({ parameter: 'a.b', type: 'Text' });
  });

  test('GIVEN a plain path THEN the value goes into that top-level key', () => {
    expect(withSecretAtPath({ user: 'u' }, 'password', 'pw')).toEqual({
      user: 'u',
      password: 'pw',
    });
  });
});

test('findSecrets gives every secret value with its path, parameters by name, and no mask', () => {
  const found = findSecrets({
    user: 'reader',
    password: 'pw-1',
    ssh: { server: 'bastion', private_key: 'key-1' },
    token: SECRET_MASK,
    api_key: '',
    parameters: [
      { parameter: 'from', type: 'Days Past', value: 2 },
      { parameter: 'session_id', value: 'sess-1' },
      { parameter: 'plain_name', value: 'flagged-1', secret: true },
    ],
  });
  expect(found).toEqual([
    { path: 'password', value: 'pw-1' },
    { path: 'ssh.private_key', value: 'key-1' },
    { path: parameterSecretPath('session_id'), value: 'sess-1' },
    { path: parameterSecretPath('plain_name'), value: 'flagged-1' },
  ]);
});

describe('readOwnershipMarker', () => {
  test.each([
    [{ owner: 'stack', syncFingerprint: 'f' }],
    ['{"owner":"stack","syncFingerprint":"f"}'],
  ])('GIVEN the marker %j THEN it is read', (stored) => {
    expect(readOwnershipMarker({ [MARKER_FIELD]: stored })).toEqual({
      owner: 'stack',
      syncFingerprint: 'f',
    });
  });

  test.each([[undefined], ['not json'], ['"stack"'], [{ owner: 7 }], [['stack']], [{}]])(
    'GIVEN %j THEN there is no marker',
    (stored) => {
      expect(readOwnershipMarker({ [MARKER_FIELD]: stored })).toBeUndefined();
    },
  );
});

test('a Days Past parameter takes a number of days, any other type a plain value', () => {
  expect(parameterValueRule('Days Past')).toBe(DAYS_PAST);
  expect(parameterValueRule('Text')).toBe(PARAMETER_VALUE);
  expect(parameterValueRule(undefined)).toBe(PARAMETER_VALUE);
});
