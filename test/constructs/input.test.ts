import { Testing } from 'cdktf';
import { AloomaInput, AloomaInputType, AloomaSecret, RemovalPolicy } from '../../src/constructs';
import { synth, synthJson, terraformDataStack, testStack } from './helpers';

describe('AloomaInput', () => {
  test('synthesizes a webhook with its identity and configuration', () => {
    const json = synthJson(
      (stack) =>
        new AloomaInput(stack, 'Webhook', {
          name: 'webhook_events',
          type: AloomaInputType.RESTAPI,
        }),
      'terraform_data',
    );

    expect({ ...json.resource.terraform_data.Webhook, provisioner: undefined, '//': undefined })
      .toMatchInlineSnapshot(`
{
  "//": undefined,
  "input": {
    "configuration": {
      "auto_map": true,
    },
    "paused": false,
    "removal_policy": "destroy",
  },
  "lifecycle": {
    "create_before_destroy": true,
  },
  "provisioner": undefined,
  "triggers_replace": {
    "name": "webhook_events",
    "type": "RESTAPI",
  },
}
`);
  });

  test('secrets become references in input and manifest, plain configuration stays', () => {
    const stack = terraformDataStack();
    const input = new AloomaInput(stack, 'Clicks', {
      name: 'clickstream_s3',
      type: AloomaInputType.S3,
      configuration: {
        awsBucketName: 'clickstream',
        awsAccessKeyId: 'AKIAEXAMPLE',
        fileFormat: { type: 'json' },
      },
      secrets: { awsSecretAccessKey: AloomaSecret.fromEnv('CLICKS_AWS_SECRET', { version: '1' }) },
      paused: true,
      defaultSchema: 'CLICKS',
    });

    expect(input.toInputSpec()).toEqual({
      name: 'clickstream_s3',
      type: 'S3',
      configuration: {
        awsBucketName: 'clickstream',
        awsAccessKeyId: 'AKIAEXAMPLE',
        fileFormat: { type: 'json' },
        auto_map: true,
        input_default_schema: 'CLICKS',
      },
      secrets: { awsSecretAccessKey: { env: 'CLICKS_AWS_SECRET', version: '1' } },
      paused: true,
      removalPolicy: 'destroy',
      constructPath: input.node.path,
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(
      { tfResourceType: 'terraform_data' },
      {
        input: expect.objectContaining({
          secrets: { awsSecretAccessKey: { env: 'CLICKS_AWS_SECRET', version: '1' } },
        }),
      },
    );
  });

  test('a secret version bump changes the planned input (so the plan shows it and apply re-runs)', () => {
    const render = (version: string) =>
      synthJson(
        (stack) =>
          new AloomaInput(stack, 'Sf', {
            name: 'salesforce_production',
            type: AloomaInputType.SALESFORCE,
            secrets: { oauth2: AloomaSecret.fromEnv('SF_TOKEN', { version }) },
          }),
        'terraform_data',
      ).resource.terraform_data.Sf;

    expect(render('1').input).not.toEqual(render('2').input);
    expect(render('1').triggers_replace).toEqual(render('2').triggers_replace);
  });

  test('RETAIN: no destroy provisioner', () => {
    expect(
      synth(
        (stack) =>
          new AloomaInput(stack, 'Kept', {
            name: 'kept',
            type: 'RESTAPI',
            removalPolicy: RemovalPolicy.RETAIN,
          }),
        'terraform_data',
      ),
    ).not.toMatch(/"when": "destroy"[\s\S]*ALOOMA_CDKTF_INPUT_NAME/);
  });

  describe('validation', () => {
    test('a plain value under a secret-looking key is refused, naming the key', () => {
      expect(
        () =>
          new AloomaInput(testStack(), 'Sheets', {
            name: 'team_sheets',
            type: AloomaInputType.GOOGLE_SHEETS_STORAGE,
            configuration: { root_folder: 'abc', oauth2: '<token>' },
          }),
      ).toThrow(
        /stack\/Sheets: props.configuration holds a plain value at "oauth2", which looks like a secret.*\[plain_secret\]/,
      );
      expect(
        () =>
          new AloomaInput(testStack(), 'Nested', {
            name: 'n',
            type: 'MIXPANEL',
            configuration: { settings: { api_secret: 's' } },
          }),
      ).toThrow(/"settings.api_secret"/);
    });

    test('key ids are not secrets', () => {
      expect(
        () =>
          new AloomaInput(testStack(), 'S3', {
            name: 's3',
            type: 'S3',
            configuration: { awsBucketName: 'clicks', awsAccessKeyId: 'AKIA' },
            secrets: { awsSecretAccessKey: AloomaSecret.fromEnv('S3_SECRET') },
          }),
      ).not.toThrow();
    });

    test('system inputs and malformed types are refused', () => {
      expect(
        () => new AloomaInput(testStack(), 'R', { name: 'r', type: 'RESTREAM' as never }),
      ).toThrow(/\[system_input_type\]/);
      expect(
        () => new AloomaInput(testStack(), 'A', { name: 'a', type: 'agent' as never }),
      ).toThrow(/\[system_input_type\]/);
      expect(
        () => new AloomaInput(testStack(), 'B', { name: 'b', type: 'web hook' as never }),
      ).toThrow(/props.type is "web hook"/);
    });

    test('conflicting or reserved configuration is refused', () => {
      const secret = AloomaSecret.fromEnv('T');
      expect(
        () =>
          new AloomaInput(testStack(), 'X', {
            name: 'x',
            type: 'S3',
            configuration: { token: '' },
            secrets: { token: secret },
          }),
      ).toThrow(
        /"token" is in both props.configuration and props.secrets.*\[conflicting_properties\]/,
      );
      expect(
        () =>
          new AloomaInput(testStack(), 'Y', {
            name: 'y',
            type: 'S3',
            configuration: { auto_map: 'true' },
          }),
      ).toThrow(/Use props.autoMap instead/);
      expect(
        () =>
          new AloomaInput(testStack(), 'Z', { name: 'z', type: 'S3', secrets: { 'a.b': secret } }),
      ).toThrow(/no dots/);
      expect(
        () =>
          new AloomaInput(testStack(), 'W', {
            name: 'w',
            type: 'S3',
            configuration: { alooma_cdktf: { owner: 'me' } },
          }),
      ).toThrow(/configuration sets "alooma_cdktf".*\[reserved_field\]/);
    });

    test('configuration must be plain JSON', () => {
      expect(
        () =>
          new AloomaInput(testStack(), 'F', {
            name: 'f',
            type: 'S3',
            configuration: { when: new Date(0) },
          }),
      ).toThrow(/props.configuration.when is .*JSON value/);
      expect(
        () =>
          new AloomaInput(testStack(), 'N', {
            name: 'n',
            type: 'S3',
            configuration: { size: Number.POSITIVE_INFINITY },
          }),
      ).toThrow(/finite number/);
    });
  });
});
