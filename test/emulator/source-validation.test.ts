/**
 * Source validation against a REAL PostgreSQL server (test/helpers/postgres.ts
 * starts a throwaway cluster, or uses ALOOMA_TEST_PG_URL). Without PostgreSQL
 * these tests fail with the reason; they never skip.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import {
  PostgresServer,
  SourceDatabase,
  freePort,
  startPostgres,
  startSilentServer,
} from '../helpers/postgres';
import { Api, odbcInput } from './helpers';

describe('emulator source validation (real PostgreSQL)', () => {
  let pg: PostgresServer;
  let src: SourceDatabase;
  let emu: EmulatorProcess;
  let api: Api;

  beforeAll(async () => {
    pg = await startPostgres();
    src = await pg.createSourceDatabase();
    emu = await startEmulatorProcess(); // default flags: source validation on (resolvable)
    api = new Api(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
    await pg?.stop();
  });

  const input = (name: string, tables: Record<string, string>, overrides = {}) => ({
    name,
    type: 'ODBC',
    configuration: { ...src.odbcConfiguration(tables), ...overrides },
  });

  /** POSTs a validating create; expects 400 with that field, nothing created; returns the message. */
  async function expectRefused(body: { name: string }, field: string): Promise<string> {
    const res = await api.request('POST', 'plumbing/inputs', body);
    expect({ status: res.status, field: res.body.field }).toEqual({ status: 400, field });
    expect(await api.byName(body.name)).toBeUndefined();
    return res.body.message;
  }

  describe('GIVEN a reachable PostgreSQL source', () => {
    test('WHEN every table exists and every indicator is valid THEN the input is created and validated', async () => {
      const res = await api.request(
        'POST',
        'plumbing/inputs',
        input('pg_ok', {
          orders: 'updated_at',
          users: 'xmin::text::bigint',
          'sales.invoices': 'issued_at',
          'Line Items': 'changed_at',
        }),
      );
      expect(res.status).toBe(200);
      expect(await api.byName('pg_ok')).toMatchObject({ type: 'ODBC', validated: true });
    });

    test('WHEN the password is wrong THEN 400 naming password authentication, and nothing is created', async () => {
      const message = await expectRefused(
        input('pg_bad_password', { orders: 'updated_at' }, { password: 'not-the-password' }),
        'configuration.password',
      );
      expect(message).toMatch(/^Source validation failed: /);
      expect(message).toContain(`password authentication failed for user "${src.user}"`);
      expect(message).not.toContain('not-the-password');
    });

    test('WHEN a table does not exist THEN 400 naming that table', async () => {
      const message = await expectRefused(
        input('pg_missing_table', { orders: 'updated_at', no_such_table: 'updated_at' }),
        'configuration.tables.no_such_table',
      );
      expect(message).toBe(
        `Source validation failed for table 'no_such_table': relation "public.no_such_table" does not exist`,
      );
    });

    test('WHEN an update indicator names a missing column THEN 400 naming the table and the column', async () => {
      const res = await api.request(
        'POST',
        'plumbing/inputs',
        input('pg_bad_indicator', { users: 'updated_at', orders: 'nope' }),
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        message: `Source validation failed for table 'orders': column "nope" does not exist`,
        field: 'configuration.tables.orders',
      });
      expect(await api.byName('pg_bad_indicator')).toBeUndefined();
    });

    test('WHEN the role may not read a table THEN 400 naming the table', async () => {
      const message = await expectRefused(
        input('pg_no_privilege', { private_notes: 'id' }),
        'configuration.tables.private_notes',
      );
      expect(message).toContain('permission denied for table private_notes');
    });

    test('WHEN the schema or the database does not exist THEN 400 naming that field', async () => {
      expect(
        await expectRefused(
          input('pg_no_schema', { orders: 'updated_at' }, { schema: 'nowhere' }),
          'configuration.schema',
        ),
      ).toContain('schema "nowhere" does not exist');
      expect(
        await expectRefused(
          input('pg_no_db', { orders: 'updated_at' }, { database: 'no_such_db' }),
          'configuration.database',
        ),
      ).toContain('database "no_such_db" does not exist');
    });

    test('WHEN created with validate=false THEN nothing is checked, even a wrong password', async () => {
      const res = await api.request(
        'POST',
        'inputs?validate=false',
        input('pg_unvalidated', { no_such_table: 'nope' }, { password: 'wrong' }),
      );
      expect(res.status).toBe(200);
      expect(await api.byName('pg_unvalidated')).toMatchObject({ validated: false });
    });
  });

  describe('GIVEN an update indicator that is more than an expression', () => {
    test.each([
      ['1; DROP TABLE orders', "';'"],
      ['updated_at -- trailing comment', "'--'"],
      ['updated_at /* comment */', "'/*'"],
    ])(
      'WHEN it is %j THEN 400 naming the table, and the orders table is untouched',
      async (indicator, token) => {
        const message = await expectRefused(
          input('pg_injection', { orders: indicator }),
          'configuration.tables.orders',
        );
        expect(message).toContain(`Source validation failed for table 'orders'`);
        expect(message).toContain(token);
        expect(await src.tableExists('orders')).toBe(true);
        expect(await src.orderCount()).toBe(3);
      },
    );

    test('WHEN it is a valid expression with side effects THEN it is checked but never evaluated', async () => {
      const sequence = async () => {
        const admin = await pg.connectAdmin(src.database);
        try {
          return (await admin.query('SELECT last_value, is_called FROM public.orders_id_seq'))
            .rows[0];
        } finally {
          await admin.end();
        }
      };
      const before = await sequence();
      const res = await api.request(
        'POST',
        'plumbing/inputs',
        input('pg_side_effects', { orders: "nextval('public.orders_id_seq')" }),
      );
      expect(res.status).toBe(200);
      expect(await sequence()).toEqual(before);
    });
  });

  describe('GIVEN an unreachable source', () => {
    test('WHEN nothing listens on the port THEN 400 with the connection error, fast', async () => {
      const port = await freePort();
      const started = Date.now();
      const message = await expectRefused(
        input('pg_closed_port', { orders: 'updated_at' }, { port }),
        'configuration.port',
      );
      expect(Date.now() - started).toBeLessThan(3000);
      expect(message).toBe(
        `Source validation failed: cannot connect to PostgreSQL at 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
      );
    });

    test('WHEN the server never answers THEN 400 after the configured connect timeout', async () => {
      const silent = await startSilentServer();
      const quick = await startEmulatorProcess({ extraArgs: ['--source-timeout-ms', '500'] });
      try {
        const started = Date.now();
        const res = await new Api(quick.url).request(
          'POST',
          'plumbing/inputs',
          input('pg_silent', { orders: 'updated_at' }, { port: silent.port }),
        );
        const elapsed = Date.now() - started;
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          message: `Source validation failed: cannot connect to PostgreSQL at 127.0.0.1:${silent.port}: no answer within 500 ms`,
          field: 'configuration.server',
        });
        expect(elapsed).toBeGreaterThanOrEqual(450);
        expect(elapsed).toBeLessThan(2500);
      } finally {
        await quick.stop();
        await silent.close();
      }
    });
  });

  describe('GIVEN an input edited with PUT inputs/<id>', () => {
    async function createValid(name: string) {
      const res = await api.request(
        'POST',
        'plumbing/inputs',
        input(name, { orders: 'updated_at' }),
      );
      expect(res.status).toBe(200);
      const node = await api.byName(name);
      expect(node.configuration.password).not.toBe(src.password); // read back masked
      return node;
    }
    const withTables = (node: any, tables: Record<string, string>) => ({
      ...node,
      configuration: { ...node.configuration, tables: JSON.stringify(tables) },
    });

    test('WHEN tables change and the body carries the masked password THEN validation uses the stored password', async () => {
      const node = await createValid('pg_edit_tables');

      const bad = await api.request(
        'PUT',
        `inputs/${node.id}`,
        withTables(node, { orders: 'updated_at', no_such_table: 'x' }),
      );
      // A table error, not a login error: the stored password logged in.
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe('configuration.tables.no_such_table');

      const good = await api.request(
        'PUT',
        `inputs/${node.id}`,
        withTables(node, { orders: 'updated_at', users: 'updated_at' }),
      );
      expect(good.status).toBe(200);
      expect(JSON.parse(good.body.configuration.tables)).toEqual({
        orders: 'updated_at',
        users: 'updated_at',
      });
    });

    test('WHEN only settings outside the source change THEN it is not validated again; WHEN the source changes THEN it is', async () => {
      const node = await createValid('pg_edit_batch');
      const admin = await pg.connectAdmin();
      try {
        // The database's password rotates behind Alooma's back: the stored one no longer works.
        await admin.query(`ALTER ROLE "${src.user}" PASSWORD 'rotated-elsewhere'`);
        const batch = await api.request('PUT', `inputs/${node.id}`, {
          ...node,
          configuration: { ...node.configuration, batch_size: 5000, run_at: '15 * * * *' },
        });
        expect(batch.status).toBe(200);

        const tables = await api.request(
          'PUT',
          `inputs/${node.id}`,
          withTables(node, { users: 'updated_at' }),
        );
        expect(tables.status).toBe(400);
        expect(tables.body.field).toBe('configuration.password');

        const skipped = await api.request(
          'PUT',
          `inputs/${node.id}?validate=false`,
          withTables(node, { users: 'updated_at' }),
        );
        expect(skipped.status).toBe(200);
      } finally {
        await admin.query(`ALTER ROLE "${src.user}" PASSWORD '${src.password}'`);
        await admin.end();
      }
    });

    test('WHEN an input created with validate=false is edited with validation THEN it is validated in full', async () => {
      await api.request(
        'POST',
        'inputs?validate=false',
        input('pg_edit_unvalidated', { no_such_table: 'x' }),
      );
      const node = await api.byName('pg_edit_unvalidated');
      const res = await api.request('PUT', `inputs/${node.id}`, {
        ...node,
        configuration: { ...node.configuration, batch_size: 10 },
      });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('configuration.tables.no_such_table');
    });
  });

  describe('GIVEN sources the emulator does not check', () => {
    test('WHEN db_type is not PostgreSQL, or the source is behind an SSH tunnel THEN it is accepted unchecked', async () => {
      const closed = await freePort();
      const mysql = await api.request(
        'POST',
        'plumbing/inputs',
        input('mysql_unchecked', { orders: 'nope' }, { db_type: 'mysql', port: closed }),
      );
      expect(mysql.status).toBe(200);
      const ssh = await api.request(
        'POST',
        'plumbing/inputs',
        input(
          'pg_behind_ssh',
          { orders: 'nope' },
          { port: closed, ssh: JSON.stringify({ server: 'bastion', port: 22 }) },
        ),
      );
      expect(ssh.status).toBe(200);
      expect(emu.output()).toMatch(
        /source validation skipped for input 'pg_behind_ssh'.*SSH tunnel/,
      );
    });

    test('WHEN the host name does not resolve (a placeholder) THEN the default mode accepts it with a warning', async () => {
      const res = await api.request('POST', 'plumbing/inputs', odbcInput('placeholder_db'));
      expect(res.status).toBe(200);
      expect(await api.byName('placeholder_db')).toMatchObject({ validated: true });
      expect(emu.output()).toMatch(
        /source validation skipped for input 'placeholder_db': host 'db\.internal\.example' does not resolve here/,
      );
    });
  });

  describe('GIVEN the emulator flags', () => {
    test('WHEN --source-validation strict THEN a host that does not resolve is refused', async () => {
      const strict = await startEmulatorProcess({ extraArgs: ['--source-validation', 'strict'] });
      try {
        expect(strict.output()).toContain('source validation strict');
        const res = await new Api(strict.url).request(
          'POST',
          'plumbing/inputs',
          odbcInput('strict_placeholder'),
        );
        expect(res.status).toBe(400);
        expect(res.body.field).toBe('configuration.server');
        expect(res.body.message).toMatch(
          /^Source validation failed: cannot resolve the host name 'db\.internal\.example'/,
        );
        const real = await new Api(strict.url).request(
          'POST',
          'plumbing/inputs',
          input('strict_real', { orders: 'updated_at' }),
        );
        expect(real.status).toBe(200);
      } finally {
        await strict.stop();
      }
    });

    test('WHEN --no-source-validation THEN validating creates accept any source', async () => {
      const off = await startEmulatorProcess({ extraArgs: ['--no-source-validation'] });
      try {
        expect(off.output()).toContain('source validation off');
        const res = await new Api(off.url).request(
          'POST',
          'plumbing/inputs',
          input('off_bad_password', { no_such_table: 'nope' }, { password: 'wrong' }),
        );
        expect(res.status).toBe(200);
        expect(await new Api(off.url).byName('off_bad_password')).toMatchObject({
          validated: true,
        });
      } finally {
        await off.stop();
      }
    });
  });

  test('THEN no password ever reached the emulator output', () => {
    expect(emu.output()).toContain("input 'pg_behind_ssh'"); // runs last: the output is complete
    expect(emu.output()).not.toContain(src.password);
    expect(emu.output()).not.toContain('not-the-password');
  });
});
