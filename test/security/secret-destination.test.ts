/**
 * Attacker-style tests of issue 19's finding "a stored database password can
 * be sent to any host": a real emulator process, a real PostgreSQL (the
 * source the input was validated against) and a fake PostgreSQL listener on
 * 127.0.0.1 that asks for the password in clear and records what it gets.
 * Loopback only; every loop is bounded.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { PostgresServer, SourceDatabase, startPostgres } from '../helpers/postgres';
import { selfSignedCertificate } from '../helpers/tls';
import { Api, restInput } from '../emulator/helpers';
import { FakePostgres, startFakePostgres } from './secret-destination-postgres';

const MASK = '********';

describe('a stored secret does not follow a changed destination (issue 19)', () => {
  let pg: PostgresServer;
  let sourceA: SourceDatabase;
  let sourceB: SourceDatabase;
  let fake: FakePostgres;
  let emu: EmulatorProcess;
  let api: Api;

  beforeAll(async () => {
    pg = await startPostgres();
    sourceA = await pg.createSourceDatabase();
    sourceB = await pg.createSourceDatabase();
    fake = await startFakePostgres();
    emu = await startEmulatorProcess(); // default flags: source validation on
    api = new Api(emu.url);
  });
  afterAll(async () => {
    await emu?.stop();
    await fake?.close();
    await pg?.stop();
  });

  /** Creates an input validated against source A; returns the node as GET inputs/:id shows it (masked). */
  async function validatedInput(name: string): Promise<any> {
    const node = await api.create({
      name,
      type: 'ODBC',
      configuration: sourceA.odbcConfiguration({ orders: 'updated_at' }),
    });
    const read = await api.get(`inputs/${node.id}`);
    expect(read.status).toBe(200);
    expect(read.body.configuration.password).toBe(MASK);
    return read.body;
  }

  async function secretWrites(): Promise<number> {
    return (await emu.stats())['secret writes'] ?? 0;
  }

  describe('GIVEN an input validated against a real database, read back with its password masked', () => {
    test('WHEN a PUT moves it to the fake listener and sends the mask THEN 400 naming the fields, nothing written, nothing sent', async () => {
      const node = await validatedInput('moved_with_mask');
      const connectionsBefore = fake.connections.length;
      const writesBefore = await secretWrites();

      for (const extra of [{}, { allow_cleartext_password: true }]) {
        const res = await api.request('PUT', `inputs/${node.id}`, {
          ...node,
          configuration: { ...node.configuration, port: fake.port, ...extra },
        });
        expect(res.status).toBe(400);
        expect(res.body.field).toBe('configuration.password');
        const fields =
          'allow_cleartext_password' in extra ? 'port, allow_cleartext_password' : 'port';
        expect(res.body.message).toBe(
          `The destination of stored secret 'password' (changed: ${fields}) changed, so the mask ` +
            `'${MASK}' cannot keep the stored value: send 'password' again with the new destination`,
        );
      }

      // Nothing written: same port, same stored password; nothing sent: the listener saw no one.
      const after = await api.get(`inputs/${node.id}`);
      expect(after.body.configuration.port).toBe(sourceA.port);
      expect(await emu.secretMatches(node.id, 'password', sourceA.password)).toBe(true);
      expect(await secretWrites()).toBe(writesBefore);
      expect(fake.connections.length).toBe(connectionsBefore);
      expect(fake.passwords()).toEqual([]);
    });

    test('WHEN it moves to another database and user with the mask THEN 400 naming both; with that password sent again THEN it is validated and stored', async () => {
      const node = await validatedInput('moved_to_b');
      const target = {
        ...node.configuration,
        database: sourceB.database,
        user: sourceB.user,
      };
      const refused = await api.request('PUT', `inputs/${node.id}`, {
        ...node,
        configuration: target,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain("'password' (changed: database, user)");
      expect(await emu.secretMatches(node.id, 'password', sourceA.password)).toBe(true);

      const writesBefore = await secretWrites();
      const accepted = await api.request('PUT', `inputs/${node.id}`, {
        ...node,
        configuration: { ...target, password: sourceB.password },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body.configuration).toMatchObject({
        database: sourceB.database,
        user: sourceB.user,
        password: MASK,
      });
      expect(await emu.secretMatches(node.id, 'password', sourceB.password)).toBe(true);
      expect(await secretWrites()).toBe(writesBefore + 1);
    });

    test('WHEN an edit leaves the destination alone THEN the mask keeps the stored password', async () => {
      const node = await validatedInput('same_destination');
      const res = await api.request('PUT', `inputs/${node.id}`, {
        ...node,
        configuration: { ...node.configuration, port: String(sourceA.port), batch_size: 5000 },
      });
      expect(res.status).toBe(200);
      expect(await emu.secretMatches(node.id, 'password', sourceA.password)).toBe(true);
    });

    test('WHEN it moves to the listener with a new secret and cleartext allowed THEN the listener gets only the new secret', async () => {
      const node = await validatedInput('moved_with_new_secret');
      const res = await api.request('PUT', `inputs/${node.id}`, {
        ...node,
        configuration: {
          ...node.configuration,
          port: fake.port,
          password: 'a-new-secret-for-the-listener',
          allow_cleartext_password: true,
        },
      });
      // The fake refuses every login: source validation fails, nothing is written.
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('configuration.password');
      expect(res.body.message).not.toContain('a-new-secret-for-the-listener');
      expect(fake.passwords()).toEqual(['a-new-secret-for-the-listener']);
      expect(fake.passwords()).not.toContain(sourceA.password);
      expect(await emu.secretMatches(node.id, 'password', sourceA.password)).toBe(true);
    });
  });

  describe('GIVEN a listener that asks for the password in clear', () => {
    const at = (port: number, extra: Record<string, unknown> = {}) => ({
      type: 'ODBC',
      configuration: {
        ...sourceA.odbcConfiguration({ orders: 'updated_at' }),
        port,
        password: 'never-in-clear',
        ...extra,
      },
    });

    test('WHEN it has no TLS THEN it gets no password, and the create is refused naming allow_cleartext_password', async () => {
      const before = fake.connections.length;
      const res = await api.request('POST', 'plumbing/inputs', {
        name: 'cleartext_refused',
        ...at(fake.port),
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        field: 'configuration.allow_cleartext_password',
        message:
          `Source validation failed: PostgreSQL at 127.0.0.1:${fake.port} refused: the server asked ` +
          'for the password in clear on a connection without TLS; it was not sent (enable TLS on the ' +
          'server, use scram-sha-256, or set allow_cleartext_password: true on the input)',
      });
      const seen = fake.connections.slice(before);
      // TLS asked first (answered 'N'), then a plain connection that got as far as the password request.
      expect(seen.map((c) => [c.sslRequested, c.user])).toEqual([
        [true, undefined],
        [false, sourceA.user],
      ]);
      expect(seen.map((c) => c.password)).toEqual([undefined, undefined]);
      expect(await api.byName('cleartext_refused')).toBeUndefined();
    });

    test('WHEN the input sets allow_cleartext_password THEN the password is sent (the input said so)', async () => {
      const before = fake.connections.length;
      const res = await api.request('POST', 'plumbing/inputs', {
        name: 'cleartext_allowed',
        ...at(fake.port, { allow_cleartext_password: true }),
      });
      expect(res.status).toBe(400); // the fake refuses every login
      expect(res.body.field).toBe('configuration.password');
      expect(fake.connections.slice(before).map((c) => c.password)).toEqual([
        undefined,
        'never-in-clear',
      ]);
    });

    test('WHEN it offers TLS THEN the emulator uses it, and the password travels only inside TLS', async () => {
      const secure = await startFakePostgres(selfSignedCertificate());
      try {
        const res = await api.request('POST', 'plumbing/inputs', {
          name: 'cleartext_over_tls',
          ...at(secure.port),
        });
        expect(res.status).toBe(400); // the fake refuses every login
        expect(res.body.field).toBe('configuration.password');
        expect(secure.connections).toEqual([
          { sslRequested: true, tls: true, user: sourceA.user, password: 'never-in-clear' },
        ]);
      } finally {
        await secure.close();
      }
    });
  });

  describe('GIVEN a REST input with a secret parameter', () => {
    test('WHEN base_url moves to another host with the mask THEN 400; a new path on the same origin keeps it', async () => {
      const node = await api.create(restInput('rest_moved'));
      const read = (await api.get(`inputs/${node.id}`)).body;
      const moved = await api.request('PUT', `inputs/${node.id}`, {
        ...read,
        configuration: { ...read.configuration, base_url: 'https://collector.attacker.example/x' },
      });
      expect(moved.status).toBe(400);
      expect(moved.body.message).toContain("'parameters.session_id.value' (changed: base_url)");
      expect(moved.body.field).toBe('configuration.parameters.session_id.value');

      const samePlace = await api.request('PUT', `inputs/${node.id}`, {
        ...read,
        configuration: {
          ...read.configuration,
          base_url: 'https://MIXPANEL.com:443/api/2.0/export',
        },
      });
      expect(samePlace.status).toBe(200);
      expect(await emu.secretMatches(node.id, 'parameters.session_id.value', 'rest-secret-1')).toBe(
        true,
      );
    });
  });
});
