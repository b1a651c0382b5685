import {
  AloomaRestInput,
  AloomaRestInputProps,
  AloomaSecret,
  ParameterTemplate,
} from '../../src/constructs';
import { AloomaReconciler } from '../../src/constructs/reconciler';
import { synthJson, terraformDataStack, testStack, validate } from './helpers';

function props(overrides: Partial<AloomaRestInputProps> = {}): AloomaRestInputProps {
  return { name: 'mixpanel_engage', baseUrl: 'https://mixpanel.com/api/2.0/engage', ...overrides };
}

describe('AloomaRestInput', () => {
  test('synthesizes parameters as a map keyed by name, secret values left out', () => {
    const json = synthJson((stack) => {
      const input = new AloomaRestInput(
        stack,
        'Engage',
        props({
          dataField: 'results',
          frequency: 240,
          cronExpression: '0 */1 * * *',
          pagination: { type: 'Incremental', pageParameter: 'page', increment: 1, initialValue: 1 },
          primaryKeys: ['distinct_id'],
          username: 'api-user',
          password: AloomaSecret.fromEnv('MIXPANEL_SECRET'),
        }),
      );
      input.addParameter({
        parameter: 'session_id',
        secretValue: AloomaSecret.fromEnv('MIXPANEL_SESSION', { version: '3' }),
      });
      input.addParameter({ parameter: 'where', type: 'Days Past', value: 2 });
      input.addTemplate('properties["$last_seen"]>="%Y-%m-%dT00:00:00"', 'where');
    }, 'terraform_data');

    expect(json.resource.terraform_data.Engage.input).toMatchInlineSnapshot(`
{
  "configuration": {
    "auto_map": true,
    "base_url": "https://mixpanel.com/api/2.0/engage",
    "cron_expression": "0 */1 * * *",
    "data_field": "results",
    "frequency": 240,
    "increment": 1,
    "initial_value": 1,
    "page_parameter": "page",
    "pagination_type": "Incremental",
    "parameters": {
      "session_id": {
        "type": "Text",
      },
      "where": {
        "template": "properties["$last_seen"]>="%Y-%m-%dT00:00:00"",
        "type": "Days Past",
        "value": 2,
      },
    },
    "primary_keys": [
      "distinct_id",
    ],
    "request": "GET",
    "username": "api-user",
  },
  "paused": false,
  "removal_policy": "destroy",
  "secrets": {
    "parameters.session_id.value": {
      "env": "MIXPANEL_SESSION",
      "version": "3",
    },
    "password": {
      "env": "MIXPANEL_SECRET",
    },
  },
}
`);
  });

  test('the manifest keeps parameters as the API list, in declaration order', () => {
    const stack = testStack();
    const input = new AloomaRestInput(stack, 'Engage', props());
    input.addParameter({ parameter: 'to_date', type: 'Days Past', value: 0 });
    input.addParameter({ parameter: 'api_token', secretValue: AloomaSecret.fromEnv('TOKEN') });
    input.addParameter({ parameter: 'cursor', secretValue: AloomaSecret.fromEnv('CURSOR') });

    expect(input.toInputSpec().configuration.parameters).toEqual([
      { parameter: 'to_date', type: 'Days Past', value: 0 },
      { parameter: 'api_token', type: 'Text' },
      // Not secret by name, so flagged for the shared secret rules.
      { parameter: 'cursor', type: 'Text', secret: true },
    ]);
    expect(input.toInputSpec().secrets).toEqual({
      'parameters.api_token.value': { env: 'TOKEN' },
      'parameters.cursor.value': { env: 'CURSOR' },
    });
  });

  test('a template applies to several parameters; props arrays go through the same methods', () => {
    const stack = testStack();
    const input = new AloomaRestInput(
      stack,
      'Engage',
      props({
        parameters: [
          { parameter: 'from', type: 'Days Past', value: 7 },
          { parameter: 'to', type: 'Days Past', value: 0 },
        ],
        templates: [{ template: '%Y-%m-%d', parameters: ['from', 'to'] }],
      }),
    );

    expect(input.node.tryFindChild('Template0')).toBeInstanceOf(ParameterTemplate);
    expect(input.toInputSpec().configuration.parameters).toEqual([
      { parameter: 'from', type: 'Days Past', value: 7, template: '%Y-%m-%d' },
      { parameter: 'to', type: 'Days Past', value: 0, template: '%Y-%m-%d' },
    ]);
    expect(() => validate(stack)).not.toThrow();
  });

  test('setParameterField edits one field, in call order, even before the parameter is added', () => {
    const stack = testStack();
    const input = new AloomaRestInput(stack, 'Engage', props());
    input.setParameterField('where', 'value', 100);
    input.addParameter({ parameter: 'where', type: 'Days Past', value: 2 });
    input.setParameterField('where', 'value', 10);

    expect(input.toInputSpec().configuration.parameters).toEqual([
      { parameter: 'where', type: 'Days Past', value: 10 },
    ]);
    expect(() => validate(stack)).not.toThrow();
  });

  describe('validation', () => {
    test('a template on a parameter that does not exist fails validation, naming the template', () => {
      const stack = testStack();
      const input = new AloomaRestInput(stack, 'Engage', props());
      input.addParameter({ parameter: 'from', type: 'Days Past', value: 1 });
      input.addTemplate('%Y-%m-%d', ['from', 'untill']);

      expect(() => validate(stack)).toThrow(
        /stack\/Engage\/Template0: template "%Y-%m-%d" names "untill", which the input does not declare \(declared: "from"\).*\[unknown_parameter\]/,
      );
    });

    test('setParameterField on a parameter that does not exist fails validation', () => {
      const stack = testStack();
      new AloomaRestInput(stack, 'Engage', props()).setParameterField('nope', 'value', 1);

      expect(() => validate(stack)).toThrow(
        /setParameterField names "nope".*\[unknown_parameter\]/,
      );
    });

    test('two templates on one parameter conflict', () => {
      const stack = testStack();
      const input = new AloomaRestInput(stack, 'Engage', props());
      input.addParameter({ parameter: 'from', type: 'Days Past', value: 1, template: '%Y' });
      input.addTemplate('%Y-%m-%d', 'from');

      expect(() => validate(stack)).toThrow(
        /parameter "from" gets a template from its own template option and stack\/Engage\/Template0/,
      );
    });

    test('a plain value on a secret parameter conflicts', () => {
      const stack = testStack();
      const input = new AloomaRestInput(stack, 'Engage', props());
      input.addParameter({ parameter: 'cursor', secretValue: AloomaSecret.fromEnv('CURSOR') });
      input.setParameterField('cursor', 'value', 'abc');

      expect(() => validate(stack)).toThrow(
        /sets a plain value on a parameter with a secretValue.*\[conflicting_properties\]/,
      );
    });

    test('parameters are checked when added', () => {
      const input = new AloomaRestInput(testStack(), 'Engage', props());
      input.addParameter({ parameter: 'from', type: 'Days Past', value: 1 });

      expect(() => input.addParameter({ parameter: 'from', value: 'x' })).toThrow(
        /parameter "from" is declared twice.*\[duplicate_parameter\]/,
      );
      expect(() =>
        input.addParameter({ parameter: 'a', value: 'x', secretValue: AloomaSecret.fromEnv('A') }),
      ).toThrow(/sets both value and secretValue.*\[conflicting_properties\]/);
      expect(() => input.addParameter({ parameter: 'b' })).toThrow(
        /parameter "b" value is undefined/,
      );
      expect(() => input.addParameter({ parameter: 'c', type: 'Days Past', value: -1 })).toThrow(
        /an integer >= 0/,
      );
      expect(() =>
        input.addParameter({ parameter: 'd', type: 'Weekly' as never, value: 1 }),
      ).toThrow(/"Text", "Days Past"/);
      expect(() => input.addParameter({ parameter: 'session_id', value: 'abc' })).toThrow(
        /parameter "session_id" holds a plain value at "parameters.session_id.value".*\[plain_secret\]/,
      );
      expect(() => input.addParameter({ parameter: '', value: 1 })).toThrow(/invalid_name/);
    });

    test('setParameterField refuses renames, secrets and plain values on secret-looking parameters', () => {
      const input = new AloomaRestInput(testStack(), 'Engage', props());

      expect(() => input.setParameterField('from', 'parameter', 'to')).toThrow(
        /would rename the parameter/,
      );
      expect(() => input.setParameterField('from', 'secret', true)).toThrow(/secretValue/);
      expect(() => input.setParameterField('api_key', 'value', 'k')).toThrow(/plain_secret/);
      expect(() => input.setParameterField('from', 'type', 'Monthly')).toThrow(/invalid_property/);
    });

    test('props are checked', () => {
      const stack = testStack();
      expect(() => new AloomaRestInput(stack, 'A', props({ baseUrl: 'ftp://x' }))).toThrow(
        /props.baseUrl is "ftp:\/\/x"/,
      );
      expect(
        () => new AloomaRestInput(stack, 'B', props({ baseUrl: 'https://u:p@api.example' })),
      ).toThrow(/plain_secret/);
      expect(() => new AloomaRestInput(stack, 'C', props({ request: 'PUT' as never }))).toThrow(
        /props.request/,
      );
      expect(() => new AloomaRestInput(stack, 'D', props({ frequency: 0 }))).toThrow(
        /props.frequency is 0.*positive number/,
      );
      expect(
        () =>
          new AloomaRestInput(stack, 'E', props({ headers: [{ name: 'X-Token', token: 't' }] })),
      ).toThrow(/plain_secret/);
      expect(
        () => new AloomaRestInput(stack, 'F', props({ extraConfiguration: { parameters: [] } })),
      ).toThrow(/conflicting_properties/);
      expect(() => new AloomaRestInput(stack, 'G', props({ password: 'pw' as never }))).toThrow(
        /plain_secret/,
      );
    });

    test('ParameterTemplate outside a REST input is refused', () => {
      const stack = terraformDataStack();
      expect(
        () =>
          new ParameterTemplate(AloomaReconciler.of(stack), 'T', {
            template: '%Y',
            parameters: 'x',
          }),
      ).toThrow(/ParameterTemplate must be created inside AloomaRestInput.*\[invalid_scope\]/);
    });
  });
});
