import { TerraformStack, TerraformVariable } from 'cdktf';
import {
  AloomaDatabaseInput,
  AloomaDatabaseInputProps,
  AloomaSecret,
  InputTable,
  RemovalPolicy,
} from '../../src/constructs';
import { redactHashes, synth, synthJson, testStack, validate } from './helpers';

const TERRAFORM_DATA = { tfResourceType: 'terraform_data' };

function props(overrides: Partial<AloomaDatabaseInputProps> = {}): AloomaDatabaseInputProps {
  return {
    name: 'orders_db',
    source: {
      server: 'db.internal.example',
      port: 5432,
      database: 'shop',
      schema: 'public',
      dbType: 'psql',
      user: 'alooma_reader',
      password: AloomaSecret.fromEnv('PG_PASSWORD', { version: '2' }),
    },
    tables: { orders: 'xmin::text::bigint' },
    ...overrides,
  };
}

describe('AloomaDatabaseInput', () => {
  test('synthesizes one terraform_data with identity in triggers_replace and configuration in input', () => {
    const json = JSON.parse(
      redactHashes(
        synth((stack) => {
          const input = new AloomaDatabaseInput(stack, 'Orders', props({ defaultSchema: 'SHOP' }));
          input.addTable('users', 'updated_at');
        }, 'terraform_data'),
      ),
    );

    expect(json.resource.terraform_data.Orders).toMatchInlineSnapshot(`
{
  "input": {
    "configuration": {
      "auto_map": true,
      "batch_size": 100000,
      "database": "shop",
      "db_type": "psql",
      "input_default_schema": "SHOP",
      "port": 5432,
      "replication_type": "incremental_load",
      "schema": "public",
      "server": "db.internal.example",
      "tables": {
        "orders": "xmin::text::bigint",
        "users": "updated_at",
      },
      "user": "alooma_reader",
    },
    "paused": false,
    "removal_policy": "destroy",
    "secrets": {
      "password": {
        "env": "PG_PASSWORD",
        "version": "2",
      },
    },
  },
  "lifecycle": {
    "create_before_destroy": true,
  },
  "provisioner": [
    {
      "local-exec": {
        "command": "node assets/AloomaReconciler_Runtime_73F2F938/<hash>/runtime-stub.js delete --manifest assets/AloomaReconciler_Manifest_CFACD51D/v1/manifest.json",
        "environment": {
          "ALOOMA_CDKTF_INPUT_NAME": "\${self.triggers_replace.name}",
        },
        "when": "destroy",
      },
    },
  ],
  "triggers_replace": {
    "name": "orders_db",
    "type": "ODBC",
  },
}
`);
  });

  test('tables are a map in input, so adding one is an in-place update', () => {
    const before = synthJson(
      (stack) => new AloomaDatabaseInput(stack, 'Orders', props()),
      'terraform_data',
    );
    const after = synthJson(
      (stack) => new AloomaDatabaseInput(stack, 'Orders', props()).addTable('items', 'updated_at'),
      'terraform_data',
    );

    expect(after.resource.terraform_data.Orders.input.configuration.tables).toEqual({
      orders: 'xmin::text::bigint',
      items: 'updated_at',
    });
    expect(after.resource.terraform_data.Orders.triggers_replace).toEqual(
      before.resource.terraform_data.Orders.triggers_replace,
    );
  });

  test('identity is only name and type: nothing else is in triggers_replace', () => {
    const json = synthJson(
      (stack) => new AloomaDatabaseInput(stack, 'Orders', props({ paused: true, batchSize: 10 })),
      'terraform_data',
    );

    expect(Object.keys(json.resource.terraform_data.Orders.triggers_replace)).toEqual([
      'name',
      'type',
    ]);
  });

  test('tables can be given as a record, a list and through addTable, in that order', () => {
    const stack = testStack();
    const input = new AloomaDatabaseInput(
      stack,
      'Orders',
      props({
        tables: [
          { name: 'a', updateIndicator: 'id' },
          { name: 'b', updateIndicator: 'id' },
        ],
      }),
    );
    input.addTable('c', 'updated_at');
    new InputTable(input, 'D', { name: 'd', updateIndicator: 'xmin::text::bigint' });

    expect(input.tables).toEqual({ a: 'id', b: 'id', c: 'updated_at', d: 'xmin::text::bigint' });
  });

  test('props and defaults reach the configuration', () => {
    expect(
      synth(
        (stack) =>
          new AloomaDatabaseInput(
            stack,
            'Orders',
            props({
              autoMap: false,
              paused: true,
              replicationType: 'full_dump_load',
              batchSize: 5000,
              runAt: '0 */2 * * *',
              ssh: { server: 'bastion', port: 22, user: 'tunnel' },
              extraConfiguration: { query_timeout: 60 },
            }),
          ),
        'terraform_data',
      ),
    ).toHaveResourceWithProperties(TERRAFORM_DATA, {
      input: {
        configuration: expect.objectContaining({
          auto_map: false,
          replication_type: 'full_dump_load',
          batch_size: 5000,
          run_at: '0 */2 * * *',
          ssh: { server: 'bastion', port: 22, user: 'tunnel' },
          query_timeout: 60,
        }),
        paused: true,
        removal_policy: 'destroy',
        secrets: { password: { env: 'PG_PASSWORD', version: '2' } },
      },
    });
  });

  test('RETAIN has no destroy provisioner', () => {
    const json = synthJson(
      (stack) =>
        new AloomaDatabaseInput(stack, 'Orders', props({ removalPolicy: RemovalPolicy.RETAIN })),
      'terraform_data',
    );

    expect(json.resource.terraform_data.Orders.provisioner).toBeUndefined();
    expect(json.resource.terraform_data.Orders.input.removal_policy).toBe('retain');
  });

  describe('validation', () => {
    function create(
      overrides: Partial<AloomaDatabaseInputProps>,
      stack: TerraformStack = testStack(),
    ) {
      return new AloomaDatabaseInput(stack, 'Orders', props(overrides));
    }

    test.each([
      [
        '',
        /stack\/Orders: props.name "" is not a valid name: it must not be empty.*\[invalid_name\]/,
      ],
      ['   ', /only whitespace/],
      [' orders', /must not start or end with whitespace/],
      ['a\nb', /control character/],
      ['x'.repeat(201), /at most 200 characters \(got 201\)/],
    ])('an invalid name %j is refused', (name, message) => {
      expect(() => create({ name })).toThrow(message);
    });

    test('quotes, spaces and unicode are legal in names', () => {
      expect(() => create({ name: `it's "the" Bestellungen – 注文` })).not.toThrow();
    });

    test.each([0, -1, 1.5, Number.NaN])('batchSize %p is refused', (batchSize) => {
      expect(() => create({ batchSize })).toThrow(
        /stack\/Orders: props.batchSize is .*positive integer.*\[invalid_property\]/,
      );
    });

    test('a table without update indicator is refused', () => {
      expect(() => create({ tables: { orders: '' } })).toThrow(
        /stack\/Orders\/Table:orders: table "orders" has no update indicator.*\[missing_update_indicator\]/,
      );
      expect(() => create({}).addTable('items', undefined as unknown as string)).toThrow(
        /missing_update_indicator/,
      );
    });

    test('a table declared twice is refused', () => {
      expect(() => create({}).addTable('orders', 'id')).toThrow(
        /table "orders" is declared twice.*\[duplicate_table\]/,
      );
    });

    test('InputTable outside a database input is refused', () => {
      const stack = testStack();
      expect(() => new InputTable(stack, 'T', { name: 'orders', updateIndicator: 'id' })).toThrow(
        /stack\/T: InputTable must be created inside AloomaDatabaseInput.*\[invalid_scope\]/,
      );
    });

    test('a plain password is refused with a hint to use a secret reference', () => {
      expect(() =>
        create({ source: { ...props().source, password: 'hunter2' as unknown as AloomaSecret } }),
      ).toThrow(
        /props.source.password holds a plain value.*AloomaSecret.fromEnv.*\[plain_secret\]/,
      );
    });

    test('secrets in ssh or extraConfiguration are refused', () => {
      expect(() => create({ ssh: { server: 'bastion', password: 'x' } })).toThrow(
        /props.ssh holds a plain value at "password"/,
      );
      expect(() => create({ extraConfiguration: { api_token: 'x' } })).toThrow(/plain_secret/);
    });

    test('extraConfiguration may not set what typed props manage', () => {
      expect(() => create({ extraConfiguration: { batch_size: 5 } })).toThrow(
        /props.extraConfiguration sets "batch_size", which a typed property.*\[conflicting_properties\]/,
      );
      expect(() => create({ extraConfiguration: { auto_map: false } })).toThrow(
        /Use props.autoMap instead/,
      );
      expect(() => create({ extraConfiguration: { alooma_cdktf: {} } })).toThrow(/reserved_field/);
    });

    test('an invalid secret variable name or version is refused', () => {
      const source = props().source;
      expect(() =>
        create({ source: { ...source, password: AloomaSecret.fromEnv('PG PASSWORD') } }),
      ).toThrow(/invalid_secret_reference/);
      expect(() =>
        create({
          source: { ...source, password: AloomaSecret.fromEnv('ALOOMA_CDKTF_INPUT_NAME') },
        }),
      ).toThrow(/reserves/);
      expect(() =>
        create({ source: { ...source, password: AloomaSecret.fromEnv('PG', { version: '' }) } }),
      ).toThrow(/version/);
    });

    test('a Terraform reference is refused where it would be the identity, with why', () => {
      const stack = testStack();
      const name = new TerraformVariable(stack, 'name', { type: 'string' });
      expect(() => create({ name: name.stringValue }, stack)).toThrow(
        /props.name is a Terraform reference .* it is the input's identity.*\[unresolved_token\]/,
      );
    });

    test('ports, replication types and db types are checked', () => {
      expect(() => create({ source: { ...props().source, port: 70000 } })).toThrow(
        /props.source.port is 70000.*1 to 65535/,
      );
      expect(() => create({ replicationType: 'sometimes' as never })).toThrow(
        /props.replicationType/,
      );
      expect(() => create({ source: { ...props().source, dbType: 'pgsql' as never } })).toThrow(
        /props.source.dbType is "pgsql".*one of "psql"/,
      );
      expect(() => create({ runAt: 'hourly' })).toThrow(/props.runAt.*cron/);
    });

    test('a valid input passes the stack validations', () => {
      const stack = testStack();
      create({}, stack);
      expect(() => validate(stack)).not.toThrow();
    });
  });
});
