/**
 * One rule, three places: every case runs through the construct check (at
 * synth), the runtime check (a manifest input about to be applied) and the
 * emulator (a real process answering POST plumbing/inputs), and all three
 * must reach the same verdict. Each case is written once, in the API's terms
 * (a configuration field and a value) plus how the construct spells it.
 */
import { TerraformStack } from 'cdktf';
import { toApiConfiguration } from '../../src/alooma/canonical';
import { parameterSecretPath, withSecretAtPath } from '../../src/alooma/secret-fields';
import {
  AloomaDatabaseInput,
  AloomaDatabaseInputProps,
  AloomaInput,
  AloomaInputProps,
  AloomaMixpanelInput,
  AloomaRestInput,
  AloomaS3Input,
  AloomaRestInputProps,
  AloomaSecret,
} from '../../src/constructs';
import { InputSpec } from '../../src/runtime/protocol';
import { checkInputSpec } from '../../src/runtime/reconcile/check-input';
import { Api } from '../emulator/helpers';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { testStack, validate } from '../constructs/helpers';

type Kind = 'database' | 'rest' | 'generic' | 's3' | 'mixpanel';
type Props = Record<string, any>;

/** How one field is spelled in construct props and in the manifest's input. */
interface Binding {
  readonly kind: Kind;
  readonly field: string;
  readonly props: (props: Props, value: unknown) => Props;
  readonly spec: (spec: InputSpec, value: unknown) => InputSpec;
}

const PASSWORD = 'same-verdict-password';

function databaseProps(): AloomaDatabaseInputProps {
  return {
    name: 'verdict_db',
    source: {
      server: 'db.internal.example',
      port: 5432,
      database: 'shop',
      dbType: 'psql',
      user: 'reader',
      password: AloomaSecret.fromEnv('VERDICT_DB_PASSWORD'),
    },
    tables: { orders: 'xmin::text::bigint' },
  };
}

function restProps(): AloomaRestInputProps {
  return {
    name: 'verdict_rest',
    baseUrl: 'https://api.example.com/events',
    parameters: [{ parameter: 'from_date', type: 'Days Past', value: 2 }],
  };
}

function genericProps(): AloomaInputProps {
  return { name: 'verdict_webhook', type: 'RESTAPI' };
}

const BASE: Record<Kind, () => Props> = {
  database: databaseProps as () => Props,
  rest: restProps as () => Props,
  generic: genericProps as () => Props,
  s3: () => ({
    name: 'verdict_s3',
    bucket: 'clickstream',
    accessKeyId: 'AKIAEXAMPLE',
    secretAccessKey: AloomaSecret.fromEnv('VERDICT_AWS_SECRET'),
  }),
  mixpanel: () => ({
    name: 'verdict_mixpanel',
    apiKey: 'project-key',
    apiSecret: AloomaSecret.fromEnv('VERDICT_MIXPANEL_SECRET'),
    fromDate: '2024-01-31',
  }),
};

function build(stack: TerraformStack, kind: Kind, props: Props) {
  if (kind === 'database') return new AloomaDatabaseInput(stack, 'Input', props as never);
  if (kind === 'rest') return new AloomaRestInput(stack, 'Input', props as never);
  if (kind === 's3') return new AloomaS3Input(stack, 'Input', props as never);
  if (kind === 'mixpanel') return new AloomaMixpanelInput(stack, 'Input', props as never);
  return new AloomaInput(stack, 'Input', props as never);
}

const setConfig =
  (key: string) =>
  (spec: InputSpec, value: unknown): InputSpec => ({
    ...spec,
    configuration: { ...spec.configuration, [key]: value },
  });

const source = (key: string) => (props: Props, value: unknown) => ({
  ...props,
  source: { ...props.source, [key]: value },
});
const prop = (key: string) => (props: Props, value: unknown) => ({ ...props, [key]: value });

const db = (field: string, props: Binding['props']): Binding => ({
  kind: 'database',
  field,
  props,
  spec: setConfig(field),
});
const rest = (field: string, props: Binding['props']): Binding => ({
  kind: 'rest',
  field,
  props,
  spec: setConfig(field),
});

const NAME: Binding = {
  kind: 'database',
  field: 'name',
  props: prop('name'),
  spec: (spec, value) => ({ ...spec, name: value as string }),
};
const TYPE: Binding = {
  kind: 'generic',
  field: 'type',
  props: prop('type'),
  spec: (spec, value) => ({ ...spec, type: value as string }),
};
const TABLE_NAME: Binding = {
  kind: 'database',
  field: 'tables (name)',
  props: (props, value) => ({ ...props, tables: { [value as string]: 'updated_at' } }),
  spec: (spec, value) => setConfig('tables')(spec, { [value as string]: 'updated_at' }),
};
const UPDATE_INDICATOR: Binding = {
  kind: 'database',
  field: 'tables (update indicator)',
  props: (props, value) => ({ ...props, tables: { orders: value } }),
  spec: (spec, value) => setConfig('tables')(spec, { orders: value }),
};
const PARAMETER = (key: 'type' | 'value'): Binding => ({
  kind: 'rest',
  field: `parameters[0].${key}`,
  props: (props, value) => ({
    ...props,
    parameters: [{ ...props.parameters[0], [key]: value }],
  }),
  spec: (spec, value) =>
    setConfig('parameters')(spec, [
      { ...(spec.configuration.parameters as Props[])[0], [key]: value },
    ]),
});

const PORT = db('port', source('port'));
const DB_TYPE = db('db_type', source('dbType'));
const SERVER = db('server', source('server'));
const BATCH_SIZE = db('batch_size', prop('batchSize'));
const REPLICATION_TYPE = db('replication_type', prop('replicationType'));
const RUN_AT = db('run_at', prop('runAt'));
const BASE_URL = rest('base_url', prop('baseUrl'));
const REQUEST = rest('request', prop('request'));
const FREQUENCY = rest('frequency', prop('frequency'));
const CRON_EXPRESSION = rest('cron_expression', prop('cronExpression'));
const PRIMARY_KEYS = rest('primary_keys', prop('primaryKeys'));
const LOAD_FILES: Binding = {
  kind: 's3',
  field: 'loadFiles',
  props: prop('loadFiles'),
  spec: setConfig('loadFiles'),
};
const FILE_TYPE: Binding = {
  kind: 's3',
  field: 'fileFormat.type',
  props: (props, value) => ({ ...props, fileFormat: { type: value } }),
  spec: (spec, value) => setConfig('fileFormat')(spec, { type: value }),
};
/** A member of a delimited S3 `fileFormat` (`delimiter`, `quoteChar`, `escapeChar`). */
const FILE_FORMAT = (key: string): Binding => ({
  kind: 's3',
  field: `fileFormat.${key}`,
  props: (props, value) => ({ ...props, fileFormat: { type: 'delimited', [key]: value } }),
  spec: (spec, value) => setConfig('fileFormat')(spec, { type: 'delimited', [key]: value }),
});
/** The value of a REST parameter of the given type. */
const PARAMETER_OF_TYPE = (type: string): Binding => ({
  kind: 'rest',
  field: `parameters[0].value (${type})`,
  props: (props, value) => ({ ...props, parameters: [{ parameter: 'since', type, value }] }),
  spec: (spec, value) => setConfig('parameters')(spec, [{ parameter: 'since', type, value }]),
});
/**
 * A second REST parameter, named by the value, whose value is a secret: the
 * manifest carries its path `parameters.<name>.value`, the runtime checks a
 * stand-in there, the emulator gets the real value there.
 */
const SECRET_PARAMETER: Binding = {
  kind: 'rest',
  field: 'parameters[1] (secret value)',
  props: (props, value) => ({
    ...props,
    parameters: [
      ...props.parameters,
      { parameter: value, secretValue: AloomaSecret.fromEnv('VERDICT_PARAMETER_SECRET') },
    ],
  }),
  spec: (spec, value) => ({
    ...setConfig('parameters')(spec, [
      ...(spec.configuration.parameters as Props[]),
      { parameter: value, type: 'Text', secret: true },
    ]),
    secrets: {
      ...spec.secrets,
      [parameterSecretPath(value as string)]: { env: 'VERDICT_PARAMETER_SECRET' },
    },
  }),
};
const FROM_DATE: Binding = {
  kind: 'mixpanel',
  field: 'fromDate',
  props: prop('fromDate'),
  spec: setConfig('fromDate'),
};

const ACCEPTED = true;
const REFUSED = false;

const CASES: ReadonlyArray<readonly [Binding, unknown, boolean]> = [
  [NAME, 'orders', ACCEPTED],
  [NAME, 'x'.repeat(200), ACCEPTED],
  [NAME, 'x'.repeat(201), REFUSED],
  // 200 characters as a person counts them (400 UTF-16 units).
  [NAME, '😀'.repeat(200), ACCEPTED],
  [NAME, '', REFUSED],
  [NAME, '   ', REFUSED],
  [NAME, ' orders', REFUSED],
  [NAME, 'orders\nusers', REFUSED],
  [NAME, 'bell\u0007', REFUSED],
  [NAME, 'lone \ud800 surrogate', REFUSED],
  [NAME, `quotes ' " and spaces inside`, ACCEPTED],
  [TYPE, 'RESTAPI', ACCEPTED],
  [TYPE, 'ZENDESK', ACCEPTED],
  // A Mixpanel input needs its API key, secret and fromDate, which this configuration lacks.
  [TYPE, 'MIXPANEL', REFUSED],
  // An S3 input needs awsBucketName, which this configuration lacks.
  [TYPE, 'S3', REFUSED],
  [TYPE, 'FTP_THING', REFUSED],
  [TYPE, 'RESTREAM', REFUSED],
  // System types in any case.
  [TYPE, 'restream', REFUSED],
  [TYPE, 'Agent', REFUSED],
  [PORT, 5432, ACCEPTED],
  [PORT, '6543', ACCEPTED],
  [PORT, 0, REFUSED],
  [PORT, 65536, REFUSED],
  [PORT, 1.5, REFUSED],
  [PORT, 'abc', REFUSED],
  [DB_TYPE, 'psql', ACCEPTED],
  [DB_TYPE, 'mysql', ACCEPTED],
  [DB_TYPE, 'pgsql', REFUSED],
  [DB_TYPE, 'PSQL', REFUSED],
  [SERVER, 'db.internal.example', ACCEPTED],
  [SERVER, '', REFUSED],
  [SERVER, 'db\u0000x', REFUSED],
  [BATCH_SIZE, 2500, ACCEPTED],
  [BATCH_SIZE, '2500', ACCEPTED],
  [BATCH_SIZE, 0, REFUSED],
  [BATCH_SIZE, -5, REFUSED],
  [REPLICATION_TYPE, 'full_dump_load', ACCEPTED],
  [REPLICATION_TYPE, 'sometimes', REFUSED],
  [RUN_AT, '0 * * * *', ACCEPTED],
  [RUN_AT, 'hourly', REFUSED],
  [TABLE_NAME, 'sales.invoices', ACCEPTED],
  [TABLE_NAME, ' orders', REFUSED],
  [UPDATE_INDICATOR, 'updated_at', ACCEPTED],
  [UPDATE_INDICATOR, '', REFUSED],
  [UPDATE_INDICATOR, 'updated_at\n', REFUSED],
  [BASE_URL, 'https://api.example.com/v2', ACCEPTED],
  [BASE_URL, 'ftp://api.example.com', REFUSED],
  [BASE_URL, 'not a url', REFUSED],
  [REQUEST, 'POST', ACCEPTED],
  [REQUEST, 'PUT', REFUSED],
  [FREQUENCY, 15, ACCEPTED],
  [FREQUENCY, 0, REFUSED],
  [CRON_EXPRESSION, '*/5 * * * *', ACCEPTED],
  [CRON_EXPRESSION, 'every day', REFUSED],
  [PRIMARY_KEYS, ['id'], ACCEPTED],
  [PRIMARY_KEYS, ['id', ''], REFUSED],
  [PARAMETER('type'), 'Text', ACCEPTED],
  [PARAMETER('type'), 'Weeks', REFUSED],
  [PARAMETER('value'), 7, ACCEPTED],
  [PARAMETER('value'), -1, REFUSED],
  // Days Past: a whole number of days >= 0, as a number or a decimal string.
  [PARAMETER_OF_TYPE('Days Past'), 0, ACCEPTED],
  [PARAMETER_OF_TYPE('Days Past'), '7', ACCEPTED],
  [PARAMETER_OF_TYPE('Days Past'), 1.5, REFUSED],
  [PARAMETER_OF_TYPE('Days Past'), 'last week', REFUSED],
  [PARAMETER_OF_TYPE('Days Past'), true, REFUSED],
  // Text: any plain value.
  [PARAMETER_OF_TYPE('Text'), -1, ACCEPTED],
  [PARAMETER_OF_TYPE('Text'), 'last week', ACCEPTED],
  [PARAMETER_OF_TYPE('Text'), true, ACCEPTED],
  [PARAMETER_OF_TYPE('Text'), [1], REFUSED],
  // The secret lands at parameters.<name>.value, dots in the name included.
  [SECRET_PARAMETER, 'api_key', ACCEPTED],
  [SECRET_PARAMETER, 'partner.session_id', ACCEPTED],
  [SECRET_PARAMETER, 'from_date', REFUSED],
  [LOAD_FILES, 'new', ACCEPTED],
  [LOAD_FILES, 'some', REFUSED],
  [FILE_TYPE, 'delimited', ACCEPTED],
  [FILE_TYPE, 'xml', REFUSED],
  [FILE_FORMAT('delimiter'), ',', ACCEPTED],
  [FILE_FORMAT('delimiter'), '\t', ACCEPTED],
  [FILE_FORMAT('delimiter'), ' ', ACCEPTED],
  [FILE_FORMAT('delimiter'), '|', ACCEPTED],
  [FILE_FORMAT('quoteChar'), '"', ACCEPTED],
  [FILE_FORMAT('escapeChar'), '\\', ACCEPTED],
  [FILE_FORMAT('delimiter'), 9, REFUSED],
  [FILE_FORMAT('quoteChar'), ['"'], REFUSED],
  [FROM_DATE, '2024-02-29', ACCEPTED],
  [FROM_DATE, '2023-02-29', REFUSED],
  [FROM_DATE, 'yesterday', REFUSED],
];

describe('one verdict from constructs, runtime and emulator', () => {
  let emu: EmulatorProcess;
  let api: Api;
  const baseSpec = {} as Record<Kind, InputSpec>;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
    api = new Api(emu.url);
    for (const kind of Object.keys(BASE) as Kind[]) {
      baseSpec[kind] = build(testStack(), kind, BASE[kind]()).toInputSpec();
    }
  });
  afterAll(async () => {
    await emu?.stop();
  });

  let created = 0;

  test.each(CASES.map(([binding, value, ok]) => [binding.field, value, ok, binding] as const))(
    '%s = %j: accepted %s everywhere',
    async (_field, value, ok, binding) => {
      const construct = verdict(() => {
        const stack = testStack();
        build(stack, binding.kind, binding.props(BASE[binding.kind](), value));
        validate(stack);
      });
      const spec = binding.spec(baseSpec[binding.kind], value);
      const runtime = verdict(() => checkInputSpec(spec));
      const name = binding === NAME ? spec.name : `${spec.name}_${++created}`;
      let configuration = toApiConfiguration(spec.configuration);
      // The real secret values where the runtime puts them.
      for (const path of Object.keys(spec.secrets ?? {}))
        configuration = withSecretAtPath(configuration, path, PASSWORD);
      const answer = await api.request('POST', 'inputs?validate=false', {
        name,
        type: spec.type,
        configuration,
      });
      const emulator = answer.status < 300 ? 'accepted' : `refused (${answer.status})`;

      expect({ construct, runtime, emulator }).toEqual({
        construct: ok ? 'accepted' : 'refused',
        runtime: ok ? 'accepted' : 'refused',
        emulator: ok ? 'accepted' : 'refused (400)',
      });
    },
  );
});

function verdict(check: () => void): 'accepted' | 'refused' {
  try {
    check();
    return 'accepted';
  } catch (error) {
    // Thrown at once (a typed error) or by cdktf's validation (its message carries `[code]`).
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code !== 'string' && !/\[[a-z_]+\]/.test(String(message))) throw error;
    return 'refused';
  }
}
