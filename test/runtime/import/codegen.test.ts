import { generateImportCode } from '../../../src/runtime/import/codegen';
import { AloomaNode } from '../../../src/runtime/client/types';

const webhook: AloomaNode = {
  id: '1',
  name: 'storefront_hook',
  type: 'RESTAPI',
  category: 'INPUT',
  configuration: { auto_map: 'true' },
};

describe('import code for either CDK core', () => {
  test('GIVEN no core THEN the constructs come from alooma-cdktf, for a cdktf stack', () => {
    const { code } = generateImportCode([webhook]);
    expect(code).toMatch(/^import \{ AloomaInput, AloomaSecret \} from 'alooma-cdktf';$/m);
    expect(code).toMatch(/import \{ App, TerraformStack \} from 'cdktf'/);
  });

  test('GIVEN core cdktn THEN they come from alooma-cdktf/cdktn, for a cdktn stack', () => {
    const { code } = generateImportCode([webhook], { core: 'cdktn' });
    expect(code).toMatch(/^import \{ AloomaInput, AloomaSecret \} from 'alooma-cdktf\/cdktn';$/m);
    expect(code).toMatch(/import \{ App, TerraformStack \} from 'cdktn'/);
    expect(code).not.toMatch(/from 'alooma-cdktf';/);
  });

  test('GIVEN an explicit module THEN it wins', () => {
    const { code } = generateImportCode([webhook], { core: 'cdktn', moduleName: './lib' });
    expect(code).toMatch(/from '\.\/lib';/);
  });
});

const s3: AloomaNode = {
  id: '2',
  name: 'clicks',
  type: 'S3',
  category: 'INPUT',
  configuration: {
    auto_map: 'true',
    awsBucketName: 'clickstream',
    filePrefix: 'raw/',
    loadFiles: 'new',
    fileFormat: '{"delimiter": ";", "type": "delimited"}',
    awsAccessKeyId: 'AKIAEXAMPLE',
    awsSecretAccessKey: '********',
  },
};

const mixpanel: AloomaNode = {
  id: '3',
  name: 'mixpanel_events',
  type: 'MIXPANEL',
  category: 'INPUT',
  configuration: {
    mixpanelApiKey: '0123abcd',
    mixpanelApiSecret: '********',
    fromDate: '2024-01-31',
  },
};

describe('import code of S3 and Mixpanel inputs', () => {
  test('GIVEN an S3 input THEN it becomes an AloomaS3Input with its props and a secret named after secretAccessKey', () => {
    const { code, secretVariables } = generateImportCode([s3]);
    expect(code).toContain(
      [
        "  new AloomaS3Input(scope, 'Clicks', {",
        "    name: 'clicks',",
        "    bucket: 'clickstream',",
        "    prefix: 'raw/',",
        "    loadFiles: 'new',",
        "    fileFormat: { type: 'delimited', delimiter: ';' },",
        "    accessKeyId: 'AKIAEXAMPLE',",
        "    secretAccessKey: AloomaSecret.fromEnv('CLICKS_SECRET_ACCESS_KEY'),",
        '    autoMap: true,',
        '  });',
      ].join('\n'),
    );
    expect(code).toMatch(/^import \{ AloomaS3Input, AloomaSecret \} from 'alooma-cdktf';$/m);
    expect(code).not.toContain('AloomaInput(');
    expect(secretVariables).toEqual([
      { variable: 'CLICKS_SECRET_ACCESS_KEY', input: 'clicks', field: 'awsSecretAccessKey' },
    ]);
  });

  test("GIVEN an S3 input with the construct's defaults and no key THEN the defaults and the key are left out", () => {
    const { code, secretVariables } = generateImportCode([
      {
        ...s3,
        configuration: {
          awsBucketName: 'b',
          filePrefix: '',
          loadFiles: 'all',
          fileFormat: { type: 'json' },
          awsSecretAccessKey: '',
        },
      },
    ]);
    expect(code).toContain(
      "new AloomaS3Input(scope, 'Clicks', {\n    name: 'clicks',\n    bucket: 'b',\n  });",
    );
    expect(secretVariables).toEqual([]);
  });

  test('GIVEN an S3 input the construct cannot render as it is (a key id without its secret) THEN it stays an AloomaInput', () => {
    const { code } = generateImportCode([
      { ...s3, configuration: { ...s3.configuration, awsSecretAccessKey: '' } },
    ]);
    expect(code).toContain("new AloomaInput(scope, 'Clicks', {");
    expect(code).not.toContain('AloomaS3Input');
  });

  test('GIVEN an S3 input with a field the construct does not manage THEN a comment names it', () => {
    const { code } = generateImportCode([
      { ...s3, configuration: { ...s3.configuration, schedule: 'hourly' } },
    ]);
    expect(code).toContain(
      '  // Kept in Alooma as they are, not managed by AloomaS3Input: schedule.\n  new AloomaS3Input(',
    );
  });

  test('GIVEN a Mixpanel input THEN it becomes an AloomaMixpanelInput whose secret is named after apiSecret', () => {
    const { code, secretVariables } = generateImportCode([mixpanel]);
    expect(code).toContain(
      [
        "  new AloomaMixpanelInput(scope, 'MixpanelEvents', {",
        "    name: 'mixpanel_events',",
        "    apiKey: '0123abcd',",
        "    apiSecret: AloomaSecret.fromEnv('MIXPANEL_EVENTS_API_SECRET'),",
        "    fromDate: '2024-01-31',",
        '  });',
      ].join('\n'),
    );
    expect(secretVariables.map((s) => s.variable)).toEqual(['MIXPANEL_EVENTS_API_SECRET']);
  });

  test('GIVEN a Mixpanel input with a date the construct refuses THEN it stays an AloomaInput', () => {
    const { code } = generateImportCode([
      { ...mixpanel, configuration: { ...mixpanel.configuration, fromDate: '31/01/2024' } },
    ]);
    expect(code).toContain("new AloomaInput(scope, 'MixpanelEvents', {");
  });
});

describe('import code of inputs a stack already manages', () => {
  test('GIVEN an input with an ownership marker THEN a comment names the stack and the result lists it', () => {
    const { code, owned } = generateImportCode([
      webhook,
      {
        ...mixpanel,
        configuration: { ...mixpanel.configuration, alooma_cdktf: { owner: 'analytics' } },
      },
    ]);
    expect(owned).toEqual([{ input: 'mixpanel_events', owner: 'analytics' }]);
    expect(code).toContain(
      '  // "mixpanel_events" is managed by the stack "analytics" (its ownership marker):\n' +
        '  // deployed from another stack it fails with error[conflict] until "analytics"\n',
    );
    expect(code.match(/is managed by the stack/g)).toHaveLength(1);
    expect(code).not.toContain('alooma_cdktf');
  });

  test('GIVEN no marker THEN nothing is said', () => {
    expect(generateImportCode([webhook, s3]).owned).toEqual([]);
  });
});
