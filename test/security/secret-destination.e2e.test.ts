/**
 * Issue 19, through the runtime: when the code moves a database input to
 * another server, the runtime sends the password again (the emulator would
 * refuse the mask there), counted by the emulator's "secret writes"; when it
 * has no value to send, it stops before any write with a typed error. The
 * bundled CLI against a real emulator process, as terraform's local-exec
 * runs it.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import {
  createRawInput,
  liveInputs,
  runCli,
  writeCount,
  writeManifest,
} from '../helpers/runtime-cli';
import { InputSpec, Manifest } from '../../src/runtime/protocol';
import { AloomaClient } from '../../src/runtime/client';
import { Inputs, InputsError } from '../../src/runtime/inputs/inputs';

let emulator: EmulatorProcess;
const PASSWORD = 'Pg-Moving-Secret-77';

beforeAll(async () => {
  emulator = await startEmulatorProcess();
});
afterAll(async () => emulator?.stop());

const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ALOOMA_API_URL: emulator.url,
  ALOOMA_API_KEY: 'demo-key',
  ...extra,
});

async function live(name: string): Promise<Record<string, any>> {
  return (await liveInputs(emulator.url)).find((n) => n.name === name)!;
}

async function counts(): Promise<{ writes: number; secretWrites: number }> {
  const stats = await emulator.stats();
  return { writes: writeCount(stats), secretWrites: stats['secret writes'] ?? 0 };
}

describe('the runtime sends a secret again when its destination changes', () => {
  const owner = 'moving';

  test('GIVEN an input created with its password WHEN the server changes THEN plan says the password is sent again, and apply sends it exactly once', async () => {
    expect(
      runCli(
        ['apply', '--manifest', writeManifest(manifest(owner, [db('moving_db', 'db1.internal')]))],
        env({ PG_PASSWORD: PASSWORD }),
      ).code,
    ).toBe(0);
    const created = await live('moving_db');

    const moved = writeManifest(manifest(owner, [db('moving_db', 'db2.internal')]));
    const plan = runCli(['plan', '--manifest', moved], env({ PG_PASSWORD: PASSWORD }));
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ password: (secret, written, sent again: server changed)');

    await emulator.resetStats();
    const apply = runCli(['apply', '--manifest', moved], env({ PG_PASSWORD: PASSWORD }));
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/0 created, 1 updated/);
    expect(await counts()).toEqual({ writes: 1, secretWrites: 1 });
    const after = await live('moving_db');
    expect(after.id).toBe(created.id);
    expect(after.configuration.server).toBe('db2.internal');
    expect(await emulator.secretMatches(created.id, 'password', PASSWORD)).toBe(true);
  });

  test('WHEN a field that is not a destination changes THEN the password is not sent', async () => {
    await emulator.resetStats();
    const apply = runCli(
      [
        'apply',
        '--manifest',
        writeManifest(manifest(owner, [db('moving_db', 'db2.internal', { batch_size: 5000 })])),
      ],
      env({ PG_PASSWORD: PASSWORD }),
    );
    expect(apply.code).toBe(0);
    expect(await counts()).toEqual({ writes: 1, secretWrites: 0 });
  });

  test('WHEN the server changes and the password variable is unset THEN missing_secret naming input, field and variable, before any write', async () => {
    await emulator.resetStats();
    const apply = runCli(
      ['apply', '--manifest', writeManifest(manifest(owner, [db('moving_db', 'db3.internal')]))],
      env(),
    );
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain(
      'error[missing_secret]: secret variable is not set: PG_PASSWORD (input "moving_db", password: ' +
        'server changed, so the stored value cannot be kept and must be sent again)',
    );
    expect(await counts()).toEqual({ writes: 0, secretWrites: 0 });
    expect((await live('moving_db')).configuration.server).toBe('db2.internal');
  });

  test('WHEN the code moves an input whose stored secret it does not declare THEN secret_destination_changed, before any write', async () => {
    await createRawInput(emulator.url, {
      name: 'hand_made_api',
      type: 'REST_INPUT',
      configuration: {
        ...api('hand_made_api', 'https://api.example.com/events').configuration,
        username: 'collector',
        password: 'Set-By-Hand-1',
      },
    });
    await emulator.resetStats();
    const apply = runCli(
      [
        'apply',
        '--manifest',
        writeManifest(
          manifest('adopter', [api('hand_made_api', 'https://collector.example.net/')]),
        ),
      ],
      env(),
    );
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toContain(
      'error[secret_destination_changed]: the destination of a stored secret changes and the code ' +
        'gives no value to send again: input "hand_made_api", password (base_url changed)',
    );
    expect(await counts()).toEqual({ writes: 0, secretWrites: 0 });
    const still = await live('hand_made_api');
    expect(still.configuration.base_url).toBe('https://api.example.com/events');
    expect(await emulator.secretMatches(still.id, 'password', 'Set-By-Hand-1')).toBe(true);
  });
});

describe('the Inputs operations (what `alooma-cdktf inputs edit` runs)', () => {
  test('WHEN an edit moves a database input without its password THEN secret_destination_changed before any write, dry run included', async () => {
    const client = new AloomaClient({
      baseUrl: emulator.url,
      auth: { kind: 'apiKey', apiKey: 'demo-key' },
    });
    await emulator.resetStats();
    for (const applyChanges of [false, true]) {
      const error = await new Inputs(client, { applyChanges, print: () => undefined })
        .editInputConfiguration('moving_db', 'port', 6543)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InputsError);
      expect(error).toMatchObject({
        code: 'secret_destination_changed',
        message:
          'changing port of input "moving_db" moves its stored password, which may not follow; nothing written',
      });
    }
    expect(await counts()).toEqual({ writes: 0, secretWrites: 0 });
    expect((await live('moving_db')).configuration.port).toBe(5432);
  });
});

function manifest(owner: string, inputs: InputSpec[]): Manifest {
  return { version: 1, owner, connection: {}, inputs };
}

function db(name: string, server: string, extra: Record<string, unknown> = {}): InputSpec {
  return {
    name,
    type: 'ODBC',
    configuration: {
      server,
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'reader',
      auto_map: true,
      tables: { orders: 'xmin::text::bigint' },
      ...extra,
    },
    secrets: { password: { env: 'PG_PASSWORD' } },
    paused: false,
    removalPolicy: 'destroy',
  };
}

/** A REST input; its basic-auth `password`, set by hand in Alooma, is not declared by the code (it stays live). */
function api(name: string, baseUrl: string): InputSpec {
  return {
    name,
    type: 'REST_INPUT',
    configuration: {
      base_url: baseUrl,
      request: 'GET',
      parameters: [{ parameter: 'since', type: 'Days Past', value: 2, template: '%Y-%m-%d' }],
    },
    paused: false,
    removalPolicy: 'destroy',
  };
}
