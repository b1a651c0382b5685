import { AloomaMixpanelInput, AloomaS3Input, AloomaSecret } from '../../src/constructs';
import { testStack } from './helpers';

describe('AloomaS3Input', () => {
  test('renders the configuration of create_s3_input; the secret key is a reference', () => {
    const input = new AloomaS3Input(testStack(), 'Clicks', {
      name: 'clickstream_s3',
      bucket: 'clickstream',
      prefix: 'events/',
      loadFiles: 'new',
      fileFormat: { type: 'delimited', delimiter: ';', quoteChar: '"' },
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: AloomaSecret.fromEnv('CLICKS_AWS_SECRET', { version: '1' }),
    });
    expect(input.toInputSpec()).toMatchObject({
      type: 'S3',
      configuration: {
        awsBucketName: 'clickstream',
        filePrefix: 'events/',
        loadFiles: 'new',
        fileFormat: { type: 'delimited', delimiter: ';', quoteChar: '"' },
        awsAccessKeyId: 'AKIAEXAMPLE',
        auto_map: true,
      },
      secrets: { awsSecretAccessKey: { env: 'CLICKS_AWS_SECRET', version: '1' } },
    });
  });

  test('defaults: the whole bucket, all files, JSON, no keys (a bucket policy)', () => {
    const input = new AloomaS3Input(testStack(), 'Clicks', { name: 'c', bucket: 'b' });
    expect(input.toInputSpec().configuration).toEqual({
      awsBucketName: 'b',
      filePrefix: '',
      loadFiles: 'all',
      fileFormat: { type: 'json' },
      auto_map: true,
    });
    expect(input.toInputSpec().secrets).toBeUndefined();
  });

  test('a tab-delimited format is kept as given (the API takes any string; issue 17)', () => {
    const input = new AloomaS3Input(testStack(), 'Tsv', {
      name: 'tsv',
      bucket: 'b',
      fileFormat: { type: 'delimited', delimiter: '\t', escapeChar: '\\' },
    });
    expect(input.toInputSpec().configuration.fileFormat).toEqual({
      type: 'delimited',
      delimiter: '\t',
      escapeChar: '\\',
    });
    expect(
      () =>
        new AloomaS3Input(testStack(), 'Bad', {
          name: 'bad',
          bucket: 'b',
          fileFormat: { type: 'delimited', delimiter: 9 as never },
        }),
    ).toThrow(/props.fileFormat.delimiter is 9.*a string/);
  });

  test('a key id without its secret, an unknown format or load mode are refused at once', () => {
    expect(
      () => new AloomaS3Input(testStack(), 'C', { name: 'c', bucket: 'b', accessKeyId: 'AKIA' }),
    ).toThrow(/accessKeyId and props.secretAccessKey go together.*\[conflicting_properties\]/);
    expect(
      () =>
        new AloomaS3Input(testStack(), 'C', {
          name: 'c',
          bucket: 'b',
          fileFormat: { type: 'xml' as never },
        }),
    ).toThrow(/props.fileFormat.type is "xml".*one of "json", "delimited", "other"/);
    expect(
      () =>
        new AloomaS3Input(testStack(), 'C', { name: 'c', bucket: 'b', loadFiles: 'some' as never }),
    ).toThrow(/props.loadFiles is "some".*\[invalid_property\]/);
  });
});

describe('AloomaMixpanelInput', () => {
  test('renders the configuration of create_mixpanel_input; the API secret is a reference', () => {
    const input = new AloomaMixpanelInput(testStack(), 'Events', {
      name: 'mixpanel_events',
      apiKey: 'project-key',
      apiSecret: AloomaSecret.fromEnv('MIXPANEL_SECRET'),
      fromDate: '2024-01-31',
    });
    expect(input.toInputSpec()).toMatchObject({
      type: 'MIXPANEL',
      configuration: { mixpanelApiKey: 'project-key', fromDate: '2024-01-31', auto_map: true },
      secrets: { mixpanelApiSecret: { env: 'MIXPANEL_SECRET' } },
    });
  });

  test('a date that does not exist is refused at synth', () => {
    expect(
      () =>
        new AloomaMixpanelInput(testStack(), 'E', {
          name: 'e',
          apiKey: 'k',
          apiSecret: AloomaSecret.fromEnv('S'),
          fromDate: '2023-02-29',
        }),
    ).toThrow(/props.fromDate is "2023-02-29".*a date YYYY-MM-DD/);
  });
});
