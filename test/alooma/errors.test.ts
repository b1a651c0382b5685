/**
 * One error vocabulary: both entry points export the same codes, and every
 * error the CLI prints is an AloomaCdktfError with a code from it and a hint.
 */
import { AloomaCdktfError, AloomaErrorCode } from '../../src/alooma/errors';
import * as constructs from '../../src/constructs';
import * as runtime from '../../src/runtime';
import { CliError } from '../../src/runtime/cli/errors';
import { testStack } from '../constructs/helpers';

test('the constructs and the runtime export the same code vocabulary and base class', () => {
  expect(constructs.AloomaErrorCode).toBe(AloomaErrorCode);
  expect(runtime.AloomaErrorCode).toBe(AloomaErrorCode);
  expect(constructs.AloomaCdktfError).toBe(AloomaCdktfError);
  expect(runtime.AloomaCdktfError).toBe(AloomaCdktfError);
});

test('codes are unique lower snake case', () => {
  const values = Object.values(AloomaErrorCode);
  expect(new Set(values).size).toBe(values.length);
  for (const value of values) expect(value).toMatch(/^[a-z]+(_[a-z]+)*$/);
});

test.each([
  [
    'a construct error',
    () => new constructs.AloomaInput(testStack(), 'I', { name: ' x', type: 'RESTAPI' }),
  ],
  [
    'an API client error',
    () =>
      runtime.fromResponse({
        status: 409,
        method: 'POST',
        path: 'plumbing/inputs',
        body: '{"message":"in use"}',
      }),
  ],
  ['a CLI error', () => new CliError('bad_environment', 'X is not a JSON array', 'do not set it')],
  [
    'an Inputs error',
    () => new runtime.InputsError('input_not_found', 'no input "x"', 'see inputs view'),
  ],
  [
    'a missing secret',
    () => new runtime.MissingSecretError([{ input: 'x', path: 'password', env: 'PW' }]),
  ],
])('%s is an AloomaCdktfError with a known code and a hint', (_kind, make) => {
  let error: unknown;
  try {
    const made = make();
    error = made instanceof Error ? made : undefined;
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(AloomaCdktfError);
  const { code, hint } = error as AloomaCdktfError;
  expect(Object.values(AloomaErrorCode)).toContain(code);
  expect(hint).not.toBe('');
});
