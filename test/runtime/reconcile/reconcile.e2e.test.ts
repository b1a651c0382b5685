/**
 * The reconcile engine through the bundled CLI, against a real emulator
 * process: what terraform's local-exec runs.
 */
import { EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process';
import {
  createRawInput,
  liveInputs,
  runCli,
  writeCount,
  writeManifest,
} from '../../helpers/runtime-cli';
import { InputSpec, Manifest, MARKER_FIELD } from '../../../src/runtime/protocol';

let emulator: EmulatorProcess;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  env = { ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key', PG_PASSWORD: 'pg-Secret-42' };
});
afterAll(async () => emulator?.stop());

describe('apply, as an ordered story', () => {
  const owner = 'story';
  let firstIds: Record<string, string>;

  test('GIVEN an empty account WHEN apply runs THEN every input is created, paused where asked', async () => {
    const result = runCli(
      [
        'apply',
        '--manifest',
        writeManifest(manifest(owner, [db('orders_db'), rest('events_api', true)])),
      ],
      env,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/orders_db \(ODBC\) created/);
    expect(result.stdout).toMatch(/Apply complete \(story\): 2 created, 0 updated/);
    const live = await liveInputs(emulator.url);
    const byName = Object.fromEntries(live.map((n) => [n.name, n]));
    expect(JSON.parse(byName.orders_db.configuration.tables)).toEqual({
      orders: 'xmin::text::bigint',
      users: 'xmin::text::bigint',
    });
    expect(byName.orders_db.configuration.password).not.toBe('pg-Secret-42');
    expect(byName.orders_db.configuration[MARKER_FIELD]).toMatchObject({ owner });
    expect(byName.events_api.paused).toBe(true);
    firstIds = { orders_db: byName.orders_db.id, events_api: byName.events_api.id };
  });

  test('WHEN apply runs again THEN it reads the structure once and writes nothing', async () => {
    await emulator.resetStats();
    const result = runCli(
      [
        'apply',
        '--manifest',
        writeManifest(manifest(owner, [db('orders_db'), rest('events_api', true)])),
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /0 created, 0 updated, 0 paused, 0 resumed, 0 deleted, 2 unchanged; 0 write\(s\)/,
    );
    const stats = await emulator.stats();
    expect(writeCount(stats)).toBe(0);
    expect(stats['GET plumbing']).toBe(1);
  });

  test('WHEN tables change THEN plan shows the table-level diff (exit 2) and apply updates in place, same id', async () => {
    const changed = manifest(owner, [
      db('orders_db', { orders: 'xmin::text::bigint', items: 'updated_at' }),
      rest('events_api', false),
    ]);
    const file = writeManifest(changed);
    const plan = runCli(['plan', '--manifest', file], env);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ orders_db (ODBC) will be updated in place');
    expect(plan.stdout).toContain('- tables.users = "xmin::text::bigint"');
    expect(plan.stdout).toContain('+ tables.items = "updated_at"');
    expect(plan.stdout).toContain('~ paused: paused -> running');

    await emulator.resetStats();
    const apply = runCli(['apply', '--manifest', file], env);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/1 updated, 0 paused, 1 resumed/);
    // orders_db: one PUT; events_api: the resume plus one PUT recording the marker's syncFingerprint.
    expect(writeCount(await emulator.stats())).toBe(3);
    const live = await liveInputs(emulator.url);
    const orders = live.find((n) => n.name === 'orders_db')!;
    expect(orders.id).toBe(firstIds.orders_db);
    expect(JSON.parse(orders.configuration.tables)).toEqual({
      orders: 'xmin::text::bigint',
      items: 'updated_at',
    });
    expect(live.find((n) => n.name === 'events_api')!.paused).toBe(false);
    expect(runCli(['plan', '--manifest', file], env).code).toBe(0);
    const compact = runCli(['plan', '--compact', '--manifest', file], env);
    expect(compact.stdout).toBe('alooma (story): 2 input(s) in sync with live Alooma.\n');
  });

  test('WHEN an input leaves the manifest THEN prune deletes it and leaves unmanaged inputs alone', async () => {
    await createRawInput(emulator.url, {
      name: 'someone_elses',
      type: 'RESTAPI',
      configuration: { auto_map: 'true' },
    });
    const file = writeManifest(manifest(owner, [db('orders_db')]));
    const result = runCli(['prune', '--manifest', file], {
      ...env,
      ALOOMA_CDKTF_PREVIOUS_NAMES: JSON.stringify(['orders_db', 'events_api', 'someone_elses']),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/1 deleted/);
    expect(result.stdout).toMatch(/someone_elses.*not managed by alooma-cdktf/);
    expect((await liveInputs(emulator.url)).map((n) => n.name).sort()).toEqual([
      'orders_db',
      'someone_elses',
    ]);
  });

  test('WHEN delete runs for a name THEN that input is deleted; a second delete is a no-op', async () => {
    const file = writeManifest(manifest(owner, [db('orders_db')]));
    const first = runCli(['delete', '--manifest', file], {
      ...env,
      ALOOMA_CDKTF_INPUT_NAME: 'orders_db',
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/1 deleted/);
    const second = runCli(['delete', '--manifest', file], {
      ...env,
      ALOOMA_CDKTF_INPUT_NAME: 'orders_db',
    });
    expect(second.stdout).toMatch(/does not exist in Alooma; nothing to do/);
    expect((await liveInputs(emulator.url)).map((n) => n.name)).toEqual(['someone_elses']);
  });
});

describe('secret rotation', () => {
  test('GIVEN a deployed input WHEN its secret version is bumped THEN the new value reaches the API, once', async () => {
    const spec = (version: string | undefined): InputSpec => ({
      ...db('rotating_db'),
      secrets: { password: { env: 'PG_PASSWORD', ...(version ? { version } : {}) } },
    });
    expect(
      runCli(['apply', '--manifest', writeManifest(manifest('rot', [spec(undefined)]))], env).code,
    ).toBe(0);
    const id = (await liveInputs(emulator.url)).find((n) => n.name === 'rotating_db')!.id;
    expect(await emulator.secretMatches(id, 'password', 'pg-Secret-42')).toBe(true);

    const rotated = { ...env, PG_PASSWORD: 'pg-Rotated-43' };
    const unchanged = runCli(
      ['apply', '--manifest', writeManifest(manifest('rot', [spec(undefined)]))],
      rotated,
    );
    expect(unchanged.stdout).toMatch(/1 unchanged/);
    expect(await emulator.secretMatches(id, 'password', 'pg-Secret-42')).toBe(true);

    const bumped = runCli(
      ['apply', '--manifest', writeManifest(manifest('rot', [spec('2')]))],
      rotated,
    );
    expect(bumped.stdout).toMatch(/password \(secret\) rotated/);
    expect(bumped.stdout + bumped.stderr).not.toContain('pg-Rotated-43');
    expect(await emulator.secretMatches(id, 'password', 'pg-Rotated-43')).toBe(true);
    expect(
      runCli(['plan', '--manifest', writeManifest(manifest('rot', [spec('2')]))], rotated).code,
    ).toBe(0);
  });
});

describe('errors', () => {
  test('GIVEN no credentials WHEN apply runs THEN one line names the variables to set', () => {
    const result = runCli(['apply', '--manifest', writeManifest(manifest('x', [db('a')]))], {
      ALOOMA_API_URL: emulator.url,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /ALOOMA_USERNAME.*ALOOMA_PASSWORD.*ALOOMA_API_KEY|ALOOMA_API_KEY.*ALOOMA_USERNAME/,
    );
    expect(result.stderr).toMatch(/hint:/);
  });

  test('GIVEN a secret variable is unset WHEN apply runs THEN nothing is written and the variable is named', async () => {
    await emulator.resetStats();
    const result = runCli(
      ['apply', '--manifest', writeManifest(manifest('x', [db('needs_secret')]))],
      {
        ALOOMA_API_URL: emulator.url,
        ALOOMA_API_KEY: 'demo-key',
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/PG_PASSWORD/);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('GIVEN a missing manifest WHEN plan runs THEN the error says how to get one', () => {
    const result = runCli(['plan', '--manifest', '/nonexistent/manifest.json'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error\[manifest_unreadable\]: cannot read manifest/);
  });

  test('every command has --help', () => {
    for (const command of ['plan', 'apply', 'prune', 'delete']) {
      const result = runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/--manifest/);
    }
  });
});

function manifest(owner: string, inputs: InputSpec[]): Manifest {
  return { version: 1, owner, connection: {}, inputs };
}

function db(
  name: string,
  tables: Record<string, string> = { orders: 'xmin::text::bigint', users: 'xmin::text::bigint' },
): InputSpec {
  return {
    name,
    type: 'ODBC',
    configuration: {
      server: 'db.internal',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'reader',
      auto_map: true,
      tables,
    },
    secrets: { password: { env: 'PG_PASSWORD' } },
    paused: false,
    removalPolicy: 'destroy',
  };
}

function rest(name: string, paused: boolean): InputSpec {
  return {
    name,
    type: 'REST_INPUT',
    configuration: {
      base_url: 'https://api.example.com/events',
      request: 'GET',
      parameters: [{ parameter: 'since', type: 'Days Past', value: 2, template: '%Y-%m-%d' }],
    },
    paused,
    removalPolicy: 'destroy',
  };
}
