/**
 * The Alooma resources' mapping (Terraform object <-> Alooma node) and plan
 * rules as plain functions, and their CRUD against a real emulator process
 * through the real client: one structure read per process, gone only when
 * absent, create adopting this owner's input and refusing anyone else's.
 */
import { Logger } from '../../src/provider/wire/log';
import { FrameworkServer } from '../../src/provider/framework';
import { UNKNOWN, formatPath, type ObjectValue } from '../../src/provider/wire/values';
import { aloomaProvider } from '../../src/provider/provider';
import {
  concurrencyLimit,
  databaseInput,
  databaseInputKind,
  desiredConfiguration,
  genericInputKind,
  inputResource,
  mixpanelInputKind,
  restInputKind,
  secretsToWrite,
  stateFromLive,
  validateInput,
  type AloomaProviderData,
} from '../../src/provider/resources';
import type { AloomaNode } from '../../src/runtime/client';
import { startEmulatorProcess, type EmulatorProcess } from '../helpers/emulator-process';
import { writeCount } from '../helpers/runtime-cli';

const quiet = new Logger('test', 'off');

/** A database input's planned state, as the framework plans it (defaults filled). */
function plannedDatabase(overrides: ObjectValue = {}): ObjectValue {
  return {
    id: UNKNOWN,
    name: 'orders-db',
    paused: false,
    auto_map: true,
    default_schema: null,
    retain_on_delete: false,
    server: 'db.internal.example',
    port: 5432,
    database: 'shop',
    schema: null,
    db_type: 'psql',
    user: 'replicator',
    password: null,
    password_version: '1',
    password_env: null,
    tables: { orders: 'xmin::text::bigint' },
    replication_type: 'incremental_load',
    batch_size: 100000,
    run_at: null,
    ssh: null,
    extra_configuration: null,
    ...overrides,
  };
}

function liveDatabase(
  configuration: Record<string, unknown>,
  extra: Partial<AloomaNode> = {},
): AloomaNode {
  return {
    id: 'id-1',
    name: 'orders-db',
    type: 'ODBC',
    category: 'INPUT',
    paused: false,
    configuration,
    ...extra,
  };
}

const NO_SECRETS = { fields: new Map(), parameters: new Map() };

describe('mapping: Read', () => {
  test('GIVEN live values spelled otherwise WHEN read THEN the prior spelling is kept where the meaning is the same', () => {
    const prior = plannedDatabase({
      id: 'id-1',
      tables: {},
      ssh: '{"server":"bastion","port":22}',
    });
    const state = stateFromLive(
      databaseInputKind,
      liveDatabase({
        server: 'db.internal.example',
        port: '5432',
        database: 'shop',
        db_type: 'psql',
        user: 'replicator',
        password: '********',
        tables: '{}',
        auto_map: 'true',
        batch_size: '100000',
        replication_type: 'incremental_load',
        ssh: { port: 22, server: 'bastion' },
        alooma_cdktf: { owner: 'team', secretVersions: [{ path: 'password', version: '1' }] },
      }),
      prior,
    );
    expect(state).toEqual({ ...prior, id: 'id-1' });
  });

  test('GIVEN drift in Alooma WHEN read THEN the live values show, secrets null, versions from the marker', () => {
    const prior = plannedDatabase({ id: 'id-1' });
    const state = stateFromLive(
      databaseInputKind,
      liveDatabase(
        {
          server: 'db.internal.example',
          port: 5432,
          database: 'shop',
          db_type: 'psql',
          user: 'replicator',
          password: '********',
          tables: JSON.stringify({ orders: 'xmin::text::bigint', refunds: 'updated_at' }),
          batch_size: 500,
          alooma_cdktf: { owner: 'team', secretVersions: [{ path: 'password', version: '7' }] },
        },
        { paused: true },
      ),
      prior,
    );
    expect(state).toMatchObject({
      paused: true,
      batch_size: 500,
      tables: { orders: 'xmin::text::bigint', refunds: 'updated_at' },
      password: null,
      password_version: '7',
      // absent in Alooma: at the API's defaults
      auto_map: true,
      replication_type: 'incremental_load',
    });
  });

  test('GIVEN an import (prior is the id only) WHEN read THEN retain_on_delete is false and the rest is live', () => {
    const state = stateFromLive(
      genericInputKind,
      { id: 'w', name: 'hook', type: 'RESTAPI', category: 'INPUT', configuration: { path: '/x' } },
      { id: 'w' },
    );
    expect(state).toEqual({
      id: 'w',
      name: 'hook',
      type: 'RESTAPI',
      paused: false,
      auto_map: true,
      default_schema: null,
      retain_on_delete: false,
      configuration: '{"path":"/x"}',
      secrets: null,
      secrets_env: null,
      secrets_version: null,
    });
  });

  test('GIVEN REST parameters WHEN read THEN a secret value is never read, its version comes from the marker', () => {
    const state = stateFromLive(
      restInputKind,
      {
        id: 'r',
        name: 'api',
        type: 'REST_INPUT',
        category: 'INPUT',
        configuration: {
          base_url: 'https://x.example',
          parameters: [
            { parameter: 'since', type: 'Days Past', value: 3 },
            { parameter: 'token', type: 'Text', value: '********', secret: true },
          ],
          alooma_cdktf: {
            owner: 't',
            secretVersions: [{ path: 'parameters.token.value', version: '4' }],
          },
        },
      },
      null,
    );
    expect(state.parameters).toEqual({
      since: {
        type: 'Days Past',
        value: '3',
        template: null,
        secret_value: null,
        secret_value_version: null,
        secret_value_env: null,
      },
      token: {
        type: 'Text',
        value: null,
        template: null,
        secret_value: null,
        secret_value_version: '4',
        secret_value_env: null,
      },
    });
  });
});

describe('mapping: the configuration apply sends', () => {
  test('GIVEN a live input WHEN a table is added THEN unchanged fields go back exactly as read, masks included', () => {
    const live = liveDatabase({
      server: 'db.internal.example',
      port: '5432',
      database: 'shop',
      db_type: 'psql',
      user: 'replicator',
      password: '********',
      tables: '{"orders": "xmin::text::bigint"}',
      batch_size: 100000,
      replication_type: 'incremental_load',
      auto_map: 'true',
      something_unmanaged: { kept: true },
      alooma_cdktf: { owner: 'team', secretVersions: [{ path: 'password', version: '1' }] },
    });
    const planned = plannedDatabase({ tables: { orders: 'xmin::text::bigint', customers: 'id' } });
    const sent = desiredConfiguration(databaseInputKind, planned, live, NO_SECRETS, 'team');
    expect(sent).toEqual({
      ...live.configuration,
      tables: JSON.stringify({ orders: 'xmin::text::bigint', customers: 'id' }),
    });
  });

  test('GIVEN nothing changed WHEN the configuration is made THEN it equals the live one (no PUT)', () => {
    const live = liveDatabase({
      server: 'db.internal.example',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'replicator',
      password: '********',
      tables: '{"orders":"xmin::text::bigint"}',
      batch_size: 100000,
      replication_type: 'incremental_load',
      auto_map: true,
      alooma_cdktf: { secretVersions: [{ version: '1', path: 'password' }], owner: 'team' },
    });
    expect(
      desiredConfiguration(databaseInputKind, plannedDatabase(), live, NO_SECRETS, 'team'),
    ).toEqual(live.configuration);
  });

  test('GIVEN a secret due and an optional field unset WHEN sent THEN the secret is written, the field removed, the marker records the version', () => {
    const live = liveDatabase({ password: '********', schema: 'public', port: 5432 });
    const sent = desiredConfiguration(
      databaseInputKind,
      plannedDatabase({ password_version: '2' }),
      live,
      { fields: new Map([['password', 'new-secret']]), parameters: new Map() },
      'team',
    );
    expect(sent.password).toBe('new-secret');
    expect(sent).not.toHaveProperty('schema');
    expect(sent.alooma_cdktf).toEqual({
      owner: 'team',
      secretVersions: [{ path: 'password', version: '2' }],
    });
  });
});

test('alooma_input: `configuration` manages every other field; a key removed from it is removed, secrets and the marker stay', () => {
  const live: AloomaNode = {
    id: 'g',
    name: 'hook',
    type: 'RESTAPI',
    category: 'INPUT',
    configuration: {
      path: '/a',
      retries: '3',
      token: '********',
      auto_map: true,
      alooma_cdktf: { owner: 'team' },
    },
  };
  const planned = {
    name: 'hook',
    type: 'RESTAPI',
    paused: false,
    auto_map: true,
    default_schema: null,
    retain_on_delete: false,
    configuration: JSON.stringify({ path: '/b' }),
  };
  expect(desiredConfiguration(genericInputKind, planned, live, NO_SECRETS, 'team')).toEqual({
    path: '/b',
    token: '********',
    auto_map: true,
    alooma_cdktf: { owner: 'team' },
  });
  // the same fields in another key order: the prior text is kept as written
  const spelled = '{ "retries": "3", "path": "/a" }';
  expect(
    stateFromLive(genericInputKind, live, { ...planned, configuration: spelled }).configuration,
  ).toBe(spelled);
  expect(
    stateFromLive(genericInputKind, live, { ...planned, configuration: '{"path":"/b"}' })
      .configuration,
  ).toBe('{"path":"/a","retries":"3"}');
});

describe('plan rules: when a secret is written', () => {
  const config = plannedDatabase({ password: 's3cret' });
  test('on create', () => {
    expect([
      ...secretsToWrite(databaseInputKind, config, plannedDatabase(), null).fields.keys(),
    ]).toEqual(['password']);
  });
  test('not on update with the same version', () => {
    const prior = plannedDatabase({ id: 'id-1' });
    expect(secretsToWrite(databaseInputKind, config, plannedDatabase(), prior).fields.size).toBe(0);
  });
  test('on update when the version changes', () => {
    const prior = plannedDatabase({ id: 'id-1' });
    const planned = plannedDatabase({ password_version: '2' });
    expect([...secretsToWrite(databaseInputKind, config, planned, prior).fields.keys()]).toEqual([
      'password',
    ]);
  });
  test('for a REST parameter new to the input, and only that one', () => {
    const parameter = (version: string) => ({
      type: 'Text',
      value: null,
      template: null,
      secret_value: null,
      secret_value_version: version,
    });
    const prior = { id: 'r', parameters: { a: parameter('1') } };
    const planned = { parameters: { a: parameter('1'), b: parameter('1') } };
    const cfg = {
      parameters: {
        a: { ...parameter('1'), secret_value: 'x' },
        b: { ...parameter('1'), secret_value: 'y' },
      },
    };
    expect([...secretsToWrite(restInputKind, cfg, planned, prior).parameters.keys()]).toEqual([
      'b',
    ]);
  });
});

describe('validation', () => {
  const details = (config: ObjectValue) =>
    validateInput(databaseInputKind, config).map((d) => `${formatPath(d.path ?? [])}: ${d.detail}`);

  test('a bad port is reported at its path, without its value', () => {
    const [d, ...rest] = validateInput(
      databaseInputKind,
      plannedDatabase({ port: 70000, password: 'p' }),
    );
    expect(rest).toEqual([]);
    expect(d.path).toEqual([{ attribute: 'port' }]);
    expect(d.detail).toContain('port must be an integer from 1 to 65535');
    expect(d.detail).not.toContain('70000');
  });

  test('values unknown at plan pass (they are checked at apply)', () => {
    expect(details(plannedDatabase({ port: UNKNOWN, tables: UNKNOWN, password: UNKNOWN }))).toEqual(
      [],
    );
  });

  test('a missing password, a secret without its version, a bad table indicator', () => {
    expect(details(plannedDatabase())).toEqual([
      'password: password is required. (The value is not shown: it may be sensitive.)',
    ]);
    expect(details(plannedDatabase({ password: 'p', password_version: null }))).toEqual([
      'password_version: password_version is required with password: change it to write password again. (The value is not shown: it may be sensitive.)',
    ]);
    expect(details(plannedDatabase({ password: 'p', tables: { orders: ' ' } }))[0]).toMatch(
      /^tables\["orders"\]: /,
    );
  });

  test('a REST parameter problem names the parameter by key', () => {
    const [d] = validateInput(restInputKind, {
      name: 'api',
      base_url: 'https://x.example',
      parameters: {
        since: {
          type: 'Weeks',
          value: '3',
          template: null,
          secret_value: null,
          secret_value_version: null,
        },
      },
    });
    expect(d.path).toEqual([{ attribute: 'parameters' }, { key: 'since' }, { attribute: 'type' }]);
  });

  test('the generic input refuses system types and types with a resource of their own', () => {
    expect(validateInput(genericInputKind, { name: 'x', type: 'RESTREAM' })[0].detail).toContain(
      'cannot be created by clients',
    );
    expect(validateInput(genericInputKind, { name: 'x', type: 'ODBC' })[0].detail).toContain(
      'use alooma_database_input',
    );
    expect(validateInput(genericInputKind, { name: 'x', type: 'RESTAPI' })).toEqual([]);
  });
});

test('the provider serves its schema: every attribute described, secrets write-only and sensitive', async () => {
  const server = new FrameworkServer(aloomaProvider, quiet);
  const schema = await server.getProviderSchema();
  expect(Object.keys(schema.resource_schemas).sort()).toEqual([
    'alooma_database_input',
    'alooma_input',
    'alooma_mixpanel_input',
    'alooma_rest_input',
    'alooma_s3_input',
  ]);
  const writeOnly = Object.entries(schema.resource_schemas).flatMap(([type, s]) =>
    s.block.attributes.filter((a) => a.write_only).map((a) => `${type}.${a.name}:${a.sensitive}`),
  );
  expect(writeOnly.sort()).toEqual([
    'alooma_database_input.password:true',
    'alooma_input.secrets:true',
    'alooma_mixpanel_input.api_secret:true',
    'alooma_rest_input.password:true',
    'alooma_s3_input.secret_access_key:true',
  ]);
  // a REST parameter's secret is built as every other secret: write-only, sensitive, _env, _version
  const rest = schema.resource_schemas.alooma_rest_input.block.attributes;
  const parameter = rest.find((a) => a.name === 'parameters')!.nested_type!.attributes;
  const password = rest.filter((a) => a.name.startsWith('password'));
  const secretValue = parameter.filter((a) => a.name.startsWith('secret_value'));
  expect(
    secretValue.map((a) => [a.name.replace('secret_value', ''), a.write_only, a.sensitive]),
  ).toEqual(password.map((a) => [a.name.replace('password', ''), a.write_only, a.sensitive]));
  expect(secretValue.find((a) => a.name === 'secret_value_env')!.description).toContain(
    'Conflicts with secret_value and value.',
  );
  expect(schema.provider.block.attributes.find((a) => a.name === 'owner')?.required).toBe(true);
});

test('the provider block: owner by the name rule, one kind of credentials, concurrency >= 1', () => {
  const diagnostics = aloomaProvider.validate!({
    config: { owner: 'team\nb', api_key: 'k', username: 'u', password: null, concurrency: 0 },
  });
  expect(diagnostics.map((d) => formatPath(d.path ?? []))).toEqual([
    'owner',
    'concurrency',
    'api_key',
  ]);
  expect(aloomaProvider.validate!({ config: { owner: UNKNOWN, concurrency: UNKNOWN } })).toEqual(
    [],
  );
});

test('the provider block: credential variables of other names, checked and exclusive with the value', () => {
  const diagnostics = aloomaProvider.validate!({
    config: {
      owner: 'team',
      api_key: 'k',
      api_key_env: 'MY_KEY',
      username_env: '1BAD',
      password_env: 'MY_PASSWORD',
    },
  });
  expect(diagnostics.map((d) => [formatPath(d.path ?? []), d.detail])).toEqual([
    ['api_key_env', 'set api_key or api_key_env, not both.'],
    [
      'username_env',
      'username_env must name an environment variable (letters, digits and _, not starting with a digit).',
    ],
  ]);
  expect(
    aloomaProvider.validate!({
      config: { owner: 'team', api_key_env: 'MY_KEY', username_env: UNKNOWN },
    }),
  ).toEqual([]);
});

describe('typed resources: extra_configuration and REST headers', () => {
  test('GIVEN extra keys WHEN sent THEN only they are set; a key set to null is removed; others stay as read', () => {
    const live = liveDatabase({
      server: 'db.internal.example',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'replicator',
      tables: '{"orders":"xmin::text::bigint"}',
      batch_size: 100000,
      replication_type: 'incremental_load',
      auto_map: true,
      daily_api_calls: '500',
      legacy_flag: 'on',
      unmanaged: 1,
      alooma_cdktf: { owner: 'team', secretVersions: [{ path: 'password', version: '1' }] },
    });
    const planned = plannedDatabase({
      extra_configuration: JSON.stringify({
        daily_api_calls: 500,
        fetch_size: 500,
        legacy_flag: null,
      }),
    });
    const sent = desiredConfiguration(databaseInputKind, planned, live, NO_SECRETS, 'team');
    const { legacy_flag: _gone, ...kept } = live.configuration;
    // "500" means 500 (src/alooma/canonical): kept as read; fetch_size added; legacy_flag removed; unmanaged untouched
    expect(sent).toEqual({ ...kept, fetch_size: 500 });
  });

  test('GIVEN the same values spelled otherwise WHEN read THEN the prior text is kept; drift on a key shows, others are not read', () => {
    const prior = plannedDatabase({
      id: 'id-1',
      extra_configuration: '{ "fetch_size": 500, "daily_api_calls": 20, "gone": null }',
    });
    const configuration = {
      server: 'db.internal.example',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'replicator',
      tables: '{"orders":"xmin::text::bigint"}',
      fetch_size: 500,
      daily_api_calls: '20',
      unmanaged: 1,
      alooma_cdktf: { owner: 'team', secretVersions: [{ path: 'password', version: '1' }] },
    };
    expect(
      stateFromLive(databaseInputKind, liveDatabase(configuration), prior).extra_configuration,
    ).toBe(prior.extra_configuration);
    const drifted = stateFromLive(
      databaseInputKind,
      liveDatabase({ ...configuration, fetch_size: 900, gone: 'back' }),
      prior,
    );
    expect(JSON.parse(drifted.extra_configuration as string)).toEqual({
      daily_api_calls: '20',
      fetch_size: 900,
      gone: 'back',
    });
    // an import: the keys managed are not known
    expect(
      stateFromLive(databaseInputKind, liveDatabase(configuration), { id: 'id-1' })
        .extra_configuration,
    ).toBeNull();
  });

  test('GIVEN bad extra_configuration WHEN validated THEN each problem is at the attribute, the value never shown', () => {
    const paths = (extra: string) =>
      validateInput(databaseInputKind, plannedDatabase({ extra_configuration: extra })).map((d) => [
        formatPath(d.path ?? []),
        d.detail,
      ]);
    expect(paths('[1]')).toEqual([
      [
        'extra_configuration',
        'extra_configuration must be the JSON text of an object (use jsonencode({...})). (The value is not shown: it may be sensitive.)',
      ],
    ]);
    expect(
      paths('{"port": 1, "db_password": "hunter2", "alooma_cdktf": {}}').map(([, d]) => d),
    ).toEqual([
      expect.stringContaining('sets "alooma_cdktf", where the provider records the owner'),
      expect.stringContaining('sets "db_password", a secret field'),
      expect.stringContaining('sets "port", which port manages: set port'),
    ]);
    expect(JSON.stringify(paths('{"db_password": "hunter2"}'))).not.toContain('hunter2');
    // a secret nested in a plain field is refused too: its value would be in state
    const nested = paths('{"options": {"mode": "basic", "password": "hunter2"}}');
    expect(nested.map(([, d]) => d)).toEqual([
      expect.stringContaining('sets "options.password", a secret field'),
    ]);
    expect(JSON.stringify(nested)).not.toContain('hunter2');
  });

  test('GIVEN REST headers as JSON text WHEN sent and read THEN the API holds the list; the same list in another spelling is no diff', () => {
    const headers = '[ {"name": "Accept", "value": "application/json"} ]';
    const planned = {
      name: 'api',
      paused: false,
      auto_map: true,
      base_url: 'https://api.example.com/v1',
      request: 'GET',
      headers,
    };
    const sent = desiredConfiguration(restInputKind, planned, undefined, NO_SECRETS, 'team');
    expect(sent.headers).toEqual([{ name: 'Accept', value: 'application/json' }]);
    const live: AloomaNode = {
      id: 'r',
      name: 'api',
      type: 'REST_INPUT',
      category: 'INPUT',
      configuration: sent,
    };
    expect(stateFromLive(restInputKind, live, { ...planned, id: 'r' }).headers).toBe(headers);
    const drifted = stateFromLive(
      restInputKind,
      { ...live, configuration: { ...sent, headers: [] } },
      { ...planned, id: 'r' },
    );
    expect(drifted.headers).toBe('[]');
    // not a list of objects: refused at its attribute by the rules of src/alooma
    const [d] = validateInput(restInputKind, { ...planned, headers: '{"Accept": "x"}' });
    expect(d.path).toEqual([{ attribute: 'headers' }]);
  });
});

describe('alooma_input: secrets in the free-form configuration', () => {
  const planned = (overrides: ObjectValue = {}): ObjectValue => ({
    id: 'g',
    name: 'hook',
    type: 'RESTAPI',
    paused: false,
    auto_map: true,
    default_schema: null,
    retain_on_delete: false,
    configuration: '{"path":"/a"}',
    secrets: null,
    secrets_env: null,
    secrets_version: { client_key: '1', oauth2: '1' },
    ...overrides,
  });
  const config = planned({
    secrets: { client_key: 'Client-Key-Value' },
    secrets_env: { oauth2: 'MY_OAUTH' },
  });

  test('GIVEN secrets by key WHEN planned THEN each is written on create, when its version changes or when it is new', () => {
    const due = (p: ObjectValue, prior: ObjectValue | null) => [
      ...secretsToWrite(genericInputKind, config, p, prior, { MY_OAUTH: 'Oauth-Value' }).fields,
    ];
    expect(due(planned(), null)).toEqual([
      ['client_key', 'Client-Key-Value'],
      ['oauth2', 'Oauth-Value'],
    ]);
    expect(due(planned(), planned())).toEqual([]);
    expect(due(planned({ secrets_version: { client_key: '2', oauth2: '1' } }), planned())).toEqual([
      ['client_key', 'Client-Key-Value'],
    ]);
    expect(due(planned(), planned({ secrets_version: { client_key: '1' } }))).toEqual([
      ['oauth2', 'Oauth-Value'],
    ]);
  });

  test('GIVEN secrets WHEN sent THEN written where due, the mask kept otherwise, versions in the marker; never in configuration or state', () => {
    const live: AloomaNode = {
      id: 'g',
      name: 'hook',
      type: 'RESTAPI',
      category: 'INPUT',
      configuration: {
        path: '/a',
        client_key: 'Stored-In-Clear-By-Api',
        oauth2: '********',
        auto_map: true,
        alooma_cdktf: {
          owner: 'team',
          secretVersions: [
            { path: 'client_key', version: '1' },
            { path: 'oauth2', version: '1' },
          ],
        },
      },
    };
    // nothing due: the configuration is the live one (no PUT), the key not seen as an open field
    expect(desiredConfiguration(genericInputKind, planned(), live, NO_SECRETS, 'team')).toEqual(
      live.configuration,
    );
    const sent = desiredConfiguration(
      genericInputKind,
      planned({ secrets_version: { client_key: '2', oauth2: '1' } }),
      live,
      { fields: new Map([['client_key', 'New-Key']]), parameters: new Map() },
      'team',
    );
    expect(sent).toMatchObject({ client_key: 'New-Key', oauth2: '********' });
    expect(sent.alooma_cdktf).toEqual({
      owner: 'team',
      secretVersions: [
        { path: 'client_key', version: '2' },
        { path: 'oauth2', version: '1' },
      ],
    });
    // Read: no value, the versions from the marker (an import included), the variable names kept
    const state = stateFromLive(genericInputKind, live, { id: 'g' });
    expect(state).toMatchObject({
      configuration: '{"path":"/a"}',
      secrets: null,
      secrets_version: { client_key: '1', oauth2: '1' },
      secrets_env: null,
    });
    expect(JSON.stringify(state)).not.toContain('Stored-In-Clear-By-Api');
    expect(stateFromLive(genericInputKind, live, config).secrets_env).toEqual({
      oauth2: 'MY_OAUTH',
    });
  });

  test('GIVEN a variable in secrets_env unset WHEN a plan writes that key THEN the error is at secrets_env["key"]; not when its version is unchanged', async () => {
    const ctx = { provider: undefined, signal: new AbortController().signal, log: quiet };
    const fromEnv = planned({ secrets_env: { oauth2: 'GAPS_UNSET_OAUTH' } });
    const plan = (prior: ObjectValue | null) =>
      inputResource(genericInputKind).plan!(
        { config: fromEnv, prior, planned: fromEnv, private: Buffer.alloc(0) },
        ctx,
      );
    const { diagnostics } = await plan(null);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics![0]).toMatchObject({
      summary: 'Secret environment variable not set',
      path: [{ attribute: 'secrets_env' }, { key: 'oauth2' }],
    });
    expect(diagnostics![0].detail).toContain('environment variable GAPS_UNSET_OAUTH');
    expect((await plan(fromEnv)).diagnostics).toEqual([]);
  });

  test('GIVEN bad secret maps WHEN validated THEN each at its path, no value shown', () => {
    const problems = validateInput(
      genericInputKind,
      planned({
        configuration: '{"path":"/a","oauth2":"x"}',
        secrets: { client_key: 'Client-Key-Value', auto_map: 'v' },
        secrets_env: { client_key: 'K', oauth2: 'O' },
        secrets_version: { oauth2: '1', stale: '1' },
      }),
    ).map((d) => [formatPath(d.path ?? []), d.detail]);
    expect(problems.map(([p]) => p)).toEqual([
      'secrets_version',
      'secrets["auto_map"]',
      'secrets_env["client_key"]',
      'secrets_version',
      'configuration',
      'secrets_version["stale"]',
    ]);
    expect(JSON.stringify(problems)).not.toContain('Client-Key-Value');
  });
});

test('alooma_mixpanel_input maps its fields and refuses a bad date at its path', () => {
  const config = {
    name: 'events',
    api_key: 'project-key',
    api_secret: 's',
    api_secret_version: '1',
    from_date: '2024-02-30',
  };
  const [d] = validateInput(mixpanelInputKind, config);
  expect(d.path).toEqual([{ attribute: 'from_date' }]);
  const sent = desiredConfiguration(
    mixpanelInputKind,
    { ...config, api_secret: null, auto_map: true, from_date: '2024-01-31' },
    undefined,
    { fields: new Map([['mixpanelApiSecret', 's']]), parameters: new Map() },
    'team',
  );
  expect(sent).toEqual({
    auto_map: true,
    mixpanelApiKey: 'project-key',
    fromDate: '2024-01-31',
    mixpanelApiSecret: 's',
    alooma_cdktf: { owner: 'team', secretVersions: [{ path: 'mixpanelApiSecret', version: '1' }] },
  });
});

test('concurrencyLimit keeps at most `limit` calls in flight', async () => {
  const limit = concurrencyLimit(2);
  let running = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 6 }, () =>
      limit(async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
      }),
    ),
  );
  expect(most).toBe(2);
});

describe('against the emulator process', () => {
  let emulator: EmulatorProcess;
  let data: AloomaProviderData;
  const ctx = () => ({ provider: data, signal: new AbortController().signal, log: quiet });

  beforeAll(async () => {
    emulator = await startEmulatorProcess();
  });
  const configure = () =>
    aloomaProvider.configure!(
      {
        config: { api_url: emulator.url, api_key: 'demo-key', owner: 'team', concurrency: 2 },
        terraformVersion: '1.11.4',
      },
      { signal: new AbortController().signal, log: quiet },
    );
  beforeEach(async () => {
    data = await configure();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  test('GIVEN three reads at once THEN one structure read serves them all; an absent input is gone', async () => {
    const created = await data.client.createInput({
      name: 'hook-a',
      type: 'RESTAPI',
      configuration: {},
    });
    const metrics = (data.client as unknown as { metrics: { structureReads: number } }).metrics;
    const before = metrics.structureReads;
    const reads = await Promise.all(
      [created.id, created.id, 'no-such-id'].map((id) =>
        databaseInput.read({ state: { id }, private: Buffer.alloc(0) }, ctx()),
      ),
    );
    expect(reads[2]).toBeNull();
    expect(reads[0]?.state.name).toBe('hook-a');
    expect(metrics.structureReads - before).toBe(1);
  });

  test('GIVEN the API failing with 5xx THEN Read throws: never "gone"', async () => {
    await emulator.setFaults({ errorRate: 1 });
    try {
      await expect(
        databaseInput.read({ state: { id: 'x' }, private: Buffer.alloc(0) }, ctx()),
      ).rejects.toThrow();
    } finally {
      await emulator.setFaults({ errorRate: 0 });
    }
  });

  test("GIVEN this owner's input of the name THEN create adopts it; another owner's is refused with the ids", async () => {
    const ours = await data.client.createInput(
      {
        name: 'adopt-me',
        type: 'ODBC',
        configuration: {
          server: 'db.internal.example',
          port: 5432,
          database: 'shop',
          db_type: 'psql',
          user: 'replicator',
          password: 'old',
          tables: '{}',
          alooma_cdktf: { owner: 'team' },
        },
      },
      { validate: false },
    );
    const planned = plannedDatabase({ name: 'adopt-me' });
    const result = await databaseInput.create(
      { config: { ...planned, password: 'pw' }, planned, private: Buffer.alloc(0) },
      ctx(),
    );
    expect(result.state.id).toBe(ours.id);
    expect((await data.client.findInputs('adopt-me')).map((n) => n.id)).toEqual([ours.id]);
    expect(await emulator.secretMatches(ours.id, 'password', 'pw')).toBe(true);

    const theirs = await data.client.createInput({
      name: 'not-yours',
      type: 'RESTAPI',
      configuration: { alooma_cdktf: { owner: 'billing' } },
    });
    // the next apply (a new provider process): its creates look names up in a read of their own
    data = await configure();
    const webhook = {
      id: UNKNOWN,
      name: 'not-yours',
      type: 'RESTAPI',
      paused: false,
      auto_map: true,
      default_schema: null,
      retain_on_delete: false,
      configuration: null,
    };
    const { genericInput } = await import('../../src/provider/resources');
    await expect(
      genericInput.create({ config: webhook, planned: webhook, private: Buffer.alloc(0) }, ctx()),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining(`${theirs.id} (owner "billing")`),
    });
    expect((await data.client.findInputs('not-yours')).length).toBe(1);
  });

  test('GIVEN a value known only at apply that breaks a rule THEN create refuses it before any write, naming the attribute only', async () => {
    // at plan the port was unknown (a reference): validation let it pass
    expect(
      validateInput(databaseInputKind, plannedDatabase({ port: UNKNOWN, password: 'p' })),
    ).toEqual([]);
    const planned = plannedDatabase({ name: 'late-port', port: 70000 });
    await emulator.resetStats();
    const failure = databaseInput.create(
      { config: { ...planned, password: 'pw' }, planned, private: Buffer.alloc(0) },
      ctx(),
    );
    await expect(failure).rejects.toMatchObject({
      code: 'invalid_property',
      message: expect.stringContaining('port must be an integer from 1 to 65535'),
    });
    await expect(failure).rejects.not.toMatchObject({ message: expect.stringContaining('70000') });
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  /** The generic resource's planned webhook of `name`. */
  const plannedHook = (name: string): ObjectValue => ({
    id: UNKNOWN,
    name,
    type: 'RESTAPI',
    paused: false,
    auto_map: true,
    default_schema: null,
    retain_on_delete: false,
    configuration: null,
  });

  /** POST an input as another tool would, without waiting for it to show in the structure. */
  async function postInput(name: string, owner: string): Promise<void> {
    const res = await fetch(`${emulator.url}/rest/inputs?validate=false`, {
      method: 'POST',
      headers: {
        authorization: 'API demo-key',
        'content-type': 'application/json',
        connection: 'close',
      },
      body: JSON.stringify({ name, type: 'RESTAPI', configuration: { alooma_cdktf: { owner } } }),
    });
    expect(res.ok).toBe(true);
  }

  test('GIVEN StopProvider (the signal aborted) THEN create, update and delete write nothing and fail with stopped', async () => {
    const { genericInput } = await import('../../src/provider/resources');
    const existing = await data.client.createInput({
      name: 'stop-hook',
      type: 'RESTAPI',
      configuration: { alooma_cdktf: { owner: 'team' } },
    });
    const stop = new AbortController();
    stop.abort();
    const stopped = { provider: data, signal: stop.signal, log: quiet };
    await emulator.resetStats();
    const planned = plannedHook('stop-new');
    const prior = { ...plannedHook('stop-hook'), id: existing.id };
    const calls = [
      genericInput.create({ config: planned, planned, private: Buffer.alloc(0) }, stopped),
      genericInput.update(
        {
          config: { ...prior, paused: true },
          planned: { ...prior, paused: true },
          prior,
          private: Buffer.alloc(0),
        },
        stopped,
      ),
      genericInput.delete({ prior, private: Buffer.alloc(0) }, stopped),
    ];
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'stopped' });
    expect(writeCount(await emulator.stats())).toBe(0);
    expect((await data.client.findInputs('stop-new')).length).toBe(0);
  });

  test("GIVEN another owner's create of the name that shows only after ours THEN ours is deleted again: conflict, the name once", async () => {
    const { genericInput } = await import('../../src/provider/resources');
    // creates show in the structure 1 s after they are answered (Alooma creates asynchronously)
    await emulator.setFaults({ createDelayMs: 1000 });
    try {
      await postInput('race-hook', 'billing');
      const planned = plannedHook('race-hook');
      await expect(
        genericInput.create({ config: planned, planned, private: Buffer.alloc(0) }, ctx()),
      ).rejects.toMatchObject({
        code: 'conflict',
        message: expect.stringContaining('created an input with this name at the same time'),
      });
      const left = await data.client.findInputs('race-hook');
      expect(left.map((n) => (n.configuration.alooma_cdktf as { owner: string }).owner)).toEqual([
        'billing',
      ]);

      // this owner's earlier create that showed late: adopted, not doubled
      await postInput('late-hook', 'team');
      const late = plannedHook('late-hook');
      const result = await genericInput.create(
        { config: late, planned: late, private: Buffer.alloc(0) },
        ctx(),
      );
      const kept = await data.client.findInputs('late-hook');
      expect(kept.map((n) => n.id)).toEqual([result.state.id]);
    } finally {
      await emulator.setFaults({});
    }
  });

  test('username and password of the provider block log in (one login for the process)', async () => {
    const login = await aloomaProvider.configure!(
      {
        config: {
          api_url: emulator.url,
          username: 'demo@example.com',
          password: 'demo',
          owner: 'team',
        },
        terraformVersion: '1.11.4',
      },
      { signal: new AbortController().signal, log: quiet },
    );
    const [a, b] = await Promise.all([login.liveInputs(), login.client.findInputs('nothing')]);
    expect(a.size).toBeGreaterThan(0);
    expect(b).toEqual([]);
  });

  test('an http:// URL to a host that is not loopback is refused at configure', async () => {
    await expect(
      (async () =>
        aloomaProvider.configure!(
          {
            config: { api_url: 'http://alooma.example.com', api_key: 'k', owner: 'team' },
            terraformVersion: '1.11.4',
          },
          { signal: new AbortController().signal, log: quiet },
        ))(),
    ).rejects.toMatchObject({
      name: 'AloomaInsecureUrlError',
      message: expect.stringContaining('is not encrypted'),
    });
  });
});
