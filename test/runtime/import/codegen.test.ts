import { generateImportCode } from '../../../src/runtime/import/codegen';
import { AloomaNode } from '../../../src/runtime/client/types';
import { DEFAULT_SECRET_VERSION } from '../../../src/alooma/secret-fields';
import { stateFromLive } from '../../../src/provider/resources/input-resource';
import { databaseInputKind } from '../../../src/provider/resources/database-input';
import { genericInputKind } from '../../../src/provider/resources/input';

/** The provisioner engines' code (adopted by name): what the tests before engine `provider` check. */
const TF_DATA = { engine: 'terraform_data' } as const;

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

describe('import code of S3 and Mixpanel inputs (engine terraform_data)', () => {
  test('GIVEN an S3 input THEN it becomes an AloomaS3Input with its props and a secret named after secretAccessKey', () => {
    const { code, secretVariables } = generateImportCode([s3], TF_DATA);
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
    const { code, secretVariables } = generateImportCode(
      [
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
      ],
      TF_DATA,
    );
    expect(code).toContain(
      "new AloomaS3Input(scope, 'Clicks', {\n    name: 'clicks',\n    bucket: 'b',\n  });",
    );
    expect(secretVariables).toEqual([]);
  });

  test('GIVEN an S3 input the construct cannot render as it is (a key id without its secret) THEN it stays an AloomaInput', () => {
    const { code } = generateImportCode(
      [{ ...s3, configuration: { ...s3.configuration, awsSecretAccessKey: '' } }],
      TF_DATA,
    );
    expect(code).toContain("new AloomaInput(scope, 'Clicks', {");
    expect(code).not.toContain('AloomaS3Input');
  });

  test('GIVEN an S3 input with a field the construct does not manage THEN a comment names it', () => {
    const { code } = generateImportCode(
      [{ ...s3, configuration: { ...s3.configuration, schedule: 'hourly' } }],
      TF_DATA,
    );
    expect(code).toContain(
      '  // Kept in Alooma as they are, not managed by AloomaS3Input: schedule.\n  new AloomaS3Input(',
    );
  });

  test('GIVEN a Mixpanel input THEN it becomes an AloomaMixpanelInput whose secret is named after apiSecret', () => {
    const { code, secretVariables } = generateImportCode([mixpanel], TF_DATA);
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
    const { code } = generateImportCode(
      [{ ...mixpanel, configuration: { ...mixpanel.configuration, fromDate: '31/01/2024' } }],
      TF_DATA,
    );
    expect(code).toContain("new AloomaInput(scope, 'MixpanelEvents', {");
  });
});

describe('import code of inputs a stack already manages (engine terraform_data)', () => {
  test('GIVEN an input with an ownership marker THEN a comment names the stack and the result lists it', () => {
    const { code, owned } = generateImportCode(
      [
        webhook,
        {
          ...mixpanel,
          configuration: { ...mixpanel.configuration, alooma_cdktf: { owner: 'analytics' } },
        },
      ],
      TF_DATA,
    );
    expect(owned).toEqual([{ input: 'mixpanel_events', owner: 'analytics' }]);
    expect(code).toContain(
      '  // "mixpanel_events" is managed by the stack "analytics" (its ownership marker):\n' +
        '  // deployed from another stack it fails with error[conflict] until "analytics"\n',
    );
    expect(code.match(/is managed by the stack/g)).toHaveLength(1);
    expect(code).not.toContain('alooma_cdktf');
  });

  test('GIVEN no marker THEN nothing is said', () => {
    expect(generateImportCode([webhook, s3], TF_DATA).owned).toEqual([]);
  });
});

const odbc: AloomaNode = {
  id: 'db-1',
  name: 'orders_db',
  type: 'ODBC',
  category: 'INPUT',
  configuration: {
    server: 'db.internal',
    port: '5432',
    database: 'shop',
    db_type: 'psql',
    user: 'reader',
    password: '********',
    tables: '{"orders": "xmin::text::bigint"}',
  },
};

const rest: AloomaNode = {
  id: 'rest-1',
  name: 'events_api',
  type: 'REST_INPUT',
  category: 'INPUT',
  configuration: {
    base_url: 'https://api.example.com/events',
    parameters: [{ parameter: 'session_id', type: 'Text', value: '********' }],
  },
};

describe('import code for engine provider (the default)', () => {
  test('GIVEN no engine THEN each construct imports its input by id, after its tables', () => {
    const { code } = generateImportCode([odbc, webhook]);
    expect(code).toContain(
      [
        "  new InputTable(ordersDb, 'OrdersTable', { name: 'orders', updateIndicator: 'xmin::text::bigint' });",
        "  ordersDb.importFrom('db-1');",
      ].join('\n'),
    );
    expect(code).toContain("    autoMap: true,\n  }).importFrom('1');");
    expect(code).toContain(
      "// Call it with a cdktf TerraformStack whose AloomaConnection has engine: 'provider':",
    );
  });

  test('GIVEN a secret set in an input no stack marked THEN it carries version "1", the one the provider reads', () => {
    const { code, secretVariables } = generateImportCode([odbc]);
    expect(code).toContain(
      "password: AloomaSecret.fromEnv('ORDERS_DB_PASSWORD', { version: '1' }),",
    );
    expect(secretVariables).toEqual([
      { variable: 'ORDERS_DB_PASSWORD', input: 'orders_db', field: 'password', version: '1' },
    ]);
    expect(code).not.toContain('the first deploy writes them');
  });

  test("GIVEN a marker recording the secrets' versions THEN each carries its marker's version", () => {
    const marked = (node: AloomaNode, path: string, version: string): AloomaNode => ({
      ...node,
      configuration: {
        ...node.configuration,
        alooma_cdktf: { owner: 'orders', secretVersions: [{ path, version }] },
      },
    });
    const { code } = generateImportCode([
      marked(odbc, 'password', '3'),
      marked(rest, 'parameters.session_id.value', '7'),
    ]);
    expect(code).toContain(
      "password: AloomaSecret.fromEnv('ORDERS_DB_PASSWORD', { version: '3' }),",
    );
    expect(code).toContain(
      "secretValue: AloomaSecret.fromEnv('EVENTS_API_PARAMETERS_SESSION_ID_VALUE', { version: '7' })",
    );
  });

  test('GIVEN a secret the provider reads no version for (unset, or a marker without it) THEN no version, and the header says the first deploy writes it', () => {
    const unset = { ...odbc, configuration: { ...odbc.configuration, password: '' } };
    const { code, secretVariables } = generateImportCode([unset]);
    expect(code).toContain("password: AloomaSecret.fromEnv('ORDERS_DB_PASSWORD'),");
    expect(secretVariables[0].version).toBeUndefined();
    expect(code).toContain(
      '// Alooma records no version for these, so the first deploy writes them (set the variables):\n//   ORDERS_DB_PASSWORD\n',
    );
  });

  test('GIVEN extra fields, REST headers and a generic secret THEN the code declares them as for terraform_data, each secret with the version the provider reads', () => {
    const inputs: AloomaNode[] = [
      { ...odbc, configuration: { ...odbc.configuration, custom_query: 'select 1' } },
      {
        ...rest,
        configuration: {
          ...rest.configuration,
          headers: [{ name: 'Accept', value: 'application/json' }],
          timeout: 30,
        },
      },
      {
        ...webhook,
        type: 'SALESFORCE',
        name: 'crm',
        configuration: { auto_map: 'true', oauth2: '********', custom_objects: 'Account' },
      },
    ];
    const { code, secretVariables } = generateImportCode(inputs);
    expect(code).toContain(
      "    extraConfiguration: {\n      custom_query: 'select 1',\n    },\n  });",
    );
    expect(code).toContain("    headers: [{ name: 'Accept', value: 'application/json' }],\n");
    expect(code).toContain('    extraConfiguration: {\n      timeout: 30,\n    },\n  });');
    expect(code).toContain(
      [
        "  new AloomaInput(scope, 'Crm', {",
        "    name: 'crm',",
        "    type: 'SALESFORCE',",
        '    autoMap: true,',
        '    configuration: {',
        "      custom_objects: 'Account',",
        '    },',
        '    secrets: {',
        "      oauth2: AloomaSecret.fromEnv('CRM_OAUTH2', { version: '1' }),",
        '    },',
        "  }).importFrom('1');",
      ].join('\n'),
    );
    expect(secretVariables).toContainEqual({
      variable: 'CRM_OAUTH2',
      input: 'crm',
      field: 'oauth2',
      version: '1',
    });
    // nothing left out, nothing commented out
    expect(code).not.toMatch(/Kept in Alooma|cannot declare|^\s*\/\/ new /m);
    // the same code as for terraform_data, the import calls and the versions aside
    const plain = (text: string) =>
      text
        .split('\n')
        .filter((l) => !l.startsWith('//') && !/^\s*\w+\.importFrom\(/.test(l))
        .join('\n')
        .replace(/\)\.importFrom\('[^']*'\)/g, ')')
        .replace(/, \{ version: '\d+' \}\)/g, ')');
    expect(plain(code)).toBe(plain(generateImportCode(inputs, TF_DATA).code));
  });

  test('GIVEN engine terraform_data THEN no import and no version: the first deploy adopts by name', () => {
    const { code } = generateImportCode([odbc], TF_DATA);
    expect(code).not.toContain('importFrom');
    expect(code).toContain("password: AloomaSecret.fromEnv('ORDERS_DB_PASSWORD'),");
    expect(code).toContain('for engine "terraform_data"');
  });

  test("GIVEN another stack's input THEN the comment says the provider refuses its import", () => {
    const { code } = generateImportCode([
      { ...webhook, configuration: { alooma_cdktf: { owner: 'billing' } } },
    ]);
    expect(code).toContain(
      '// imported into another stack the provider refuses it with error[conflict] until "billing"',
    );
  });
});

describe('the version the code gives is the one the provider reads at import', () => {
  test.each([
    ['unmarked, set', odbc],
    ['unmarked, unset', { ...odbc, configuration: { ...odbc.configuration, password: '' } }],
    [
      'marked with a version',
      {
        ...odbc,
        configuration: {
          ...odbc.configuration,
          alooma_cdktf: { owner: 'o', secretVersions: [{ path: 'password', version: '4' }] },
        },
      },
    ],
    [
      'marked without one',
      { ...odbc, configuration: { ...odbc.configuration, alooma_cdktf: { owner: 'o' } } },
    ],
  ])('GIVEN a database input %s', (_, node) => {
    const { secretVariables } = generateImportCode([node]);
    // what Terraform plans against: the construct's version (its default when none is given)
    const planned = secretVariables[0].version ?? DEFAULT_SECRET_VERSION;
    const state = stateFromLive(databaseInputKind, node, { id: node.id });
    expect(state.password_version).toBe(secretVariables[0].version ?? null);
    // equal: no secret write; different only where the code says the first deploy writes it
    expect(planned === state.password_version).toBe(secretVariables[0].version !== undefined);
  });
});

describe("the version the code gives a generic input's secret is the one the provider reads at import", () => {
  const crm: AloomaNode = {
    id: 'g-1',
    name: 'crm',
    type: 'SALESFORCE',
    category: 'INPUT',
    configuration: { auto_map: 'true', oauth2: '********', client_secret: '' },
  };
  test.each([
    ['unmarked, set', crm, '1'],
    [
      'marked with a version',
      {
        ...crm,
        configuration: {
          ...crm.configuration,
          alooma_cdktf: { owner: 'o', secretVersions: [{ path: 'oauth2', version: '6' }] },
        },
      },
      '6',
    ],
    [
      'marked without one',
      { ...crm, configuration: { ...crm.configuration, alooma_cdktf: { owner: 'o' } } },
      undefined,
    ],
  ])('GIVEN a generic input %s', (_, node, expected) => {
    const { secretVariables, code } = generateImportCode([node]);
    // the unset client_secret is no secret to declare
    expect(secretVariables.map((s) => s.field)).toEqual(['oauth2']);
    expect(secretVariables[0].version).toBe(expected);
    expect(code).not.toContain('client_secret');
    // the provider's Read at import (prior: the id only) gives secrets_version the same
    const state = stateFromLive(genericInputKind, node, { id: node.id });
    const read = state.secrets_version as Record<string, string> | null;
    expect(read?.oauth2).toBe(expected);
  });
});
