import { InputSpec } from '../../../src/runtime/protocol';
import {
  checkInputSpec,
  checkInputWithSecrets,
  InvalidInputError,
} from '../../../src/runtime/reconcile/check-input';
import { applyPlan, InputsApi } from '../../../src/runtime/reconcile/apply';
import { planManifest } from '../../../src/runtime/reconcile/plan';

const odbc = (configuration: Record<string, unknown>): InputSpec => ({
  name: 'orders_db',
  type: 'ODBC',
  constructPath: 'stack/Orders',
  configuration: {
    server: 'db.internal',
    port: 5432,
    database: 'shop',
    db_type: 'psql',
    user: 'reader',
    tables: { orders: 'xmin::text::bigint' },
    ...configuration,
  },
  secrets: { password: { env: 'PG_PASSWORD' } },
  removalPolicy: 'destroy',
});

function thrown(spec: InputSpec): InvalidInputError {
  try {
    checkInputSpec(spec);
  } catch (error) {
    return error as InvalidInputError;
  }
  throw new Error('expected checkInputSpec to throw');
}

describe('checkInputSpec', () => {
  test('GIVEN a bad port THEN the message names input, construct path, field and value', () => {
    const error = thrown(odbc({ port: 'abc' }));
    expect(error.code).toBe('invalid_property');
    expect(error.message).toBe(
      'input "orders_db" (stack/Orders): configuration.port must be an integer from 1 to 65535 (is "abc")',
    );
    expect(error.hint).toMatch(/nothing was written/);
  });

  test('GIVEN a malformed value that may hold credentials THEN it is never printed', () => {
    for (const [field, value] of [
      ['ssh', '{"server":"bastion","password":"hunter2"'],
      ['ssh', '["bastion", "hunter2"]'],
    ] as const) {
      const error = thrown(odbc({ [field]: value }));
      expect(error.message).toMatch(new RegExp(`configuration\\.${field} `));
      expect(error.message).not.toContain('hunter2');
    }
    const rest = thrown({
      name: 'api',
      type: 'REST_INPUT',
      configuration: { base_url: 'ftp://user:hunter2@example.com' },
      removalPolicy: 'destroy',
    });
    expect(rest.message).toMatch(/configuration\.base_url must be an http or https URL$/);
    expect(rest.message).not.toContain('hunter2');
  });

  test('GIVEN a secret Days Past parameter THEN its value counts as present and valid', () => {
    expect(() =>
      checkInputSpec({
        name: 'api',
        type: 'REST_INPUT',
        configuration: {
          base_url: 'https://example.com',
          parameters: [{ parameter: 'days_back', type: 'Days Past' }],
        },
        secrets: { 'parameters.days_back.value': { env: 'DAYS' } },
        removalPolicy: 'destroy',
      }),
    ).not.toThrow();
  });

  describe('secret values read at apply', () => {
    const daysBack: InputSpec = {
      name: 'api',
      type: 'REST_INPUT',
      configuration: {
        base_url: 'https://example.com',
        parameters: [{ parameter: 'days_back', type: 'Days Past' }],
      },
      secrets: { 'parameters.days_back.value': { env: 'DAYS' } },
      removalPolicy: 'destroy',
    };
    const withValue = (value: string) => new Map([['parameters.days_back.value', value]]);

    test('GIVEN a Days Past secret read as a number of days THEN it is accepted', () => {
      expect(() => checkInputWithSecrets(daysBack, withValue('7'))).not.toThrow();
    });

    test('GIVEN a Days Past secret read as text THEN it is refused, and the value is not shown', () => {
      expect(() => checkInputWithSecrets(daysBack, withValue('Last-Week-Secret'))).toThrow(
        InvalidInputError,
      );
      expect(() => checkInputWithSecrets(daysBack, withValue('Last-Week-Secret'))).toThrow(
        /configuration\.parameters\[0\]\.value must be an integer >= 0$/,
      );
    });

    test('GIVEN a password read with a control character THEN it is refused, and not shown', () => {
      const error = (() => {
        try {
          checkInputWithSecrets(odbc({}), new Map([['password', 'Pw-Secret\u0007']]));
        } catch (e) {
          return e as Error;
        }
        throw new Error('not refused');
      })();
      expect(error.message).toMatch(/configuration\.password must be a non-empty string/);
      expect(error.message).not.toContain('Pw-Secret');
    });

    test('GIVEN a plan whose Days Past secret is not a number WHEN applied THEN it stops before any write', async () => {
      const calls: string[] = [];
      const record = (method: string) => async (): Promise<never> => {
        calls.push(method);
        throw new Error(`${method} must not be called`);
      };
      const api: InputsApi = {
        createInput: record('createInput'),
        updateInput: record('updateInput'),
        deleteInput: record('deleteInput'),
        setPaused: record('setPaused'),
      };
      const plan = planManifest(
        { version: 1, owner: 'stack', inputs: [odbc({}), daysBack] } as never,
        [],
      );
      await expect(
        applyPlan(api, plan, { env: { DAYS: 'Last-Week-Secret', PG_PASSWORD: 'pw-1' } }),
      ).rejects.toThrow(/parameters\[0\]\.value must be an integer/);
      expect(calls).toEqual([]);
    });
  });

  test('GIVEN optional text fields stored empty THEN they mean "not set", as the service stored them', () => {
    expect(() =>
      checkInputSpec(odbc({ schema: '', run_at: '', input_default_schema: '' })),
    ).not.toThrow();
  });
});
