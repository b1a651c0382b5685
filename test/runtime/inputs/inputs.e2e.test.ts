/**
 * Every operation of the reference Inputs API, against a real emulator
 * process loaded with the reference sample inputs.
 */
import { AloomaClient } from '../../../src/runtime/client';
import { Inputs, InputsError } from '../../../src/runtime/inputs/inputs';
import { SECRET_MASK } from '../../../src/alooma/secret-fields';
import { EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process';
import { createRawInput, liveInputs, runCli, writeCount } from '../../helpers/runtime-cli';
import { loadSamples, SAMPLE_SECRETS } from '../../helpers/samples';

let emulator: EmulatorProcess;
let client: AloomaClient;
let printed: string[];

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  await loadSamples(emulator.url);
  client = new AloomaClient({
    baseUrl: emulator.url,
    auth: { kind: 'apiKey', apiKey: 'demo-key' },
  });
});
afterAll(async () => emulator?.stop());
beforeEach(async () => {
  printed = [];
  await emulator.resetStats();
});

function inputs(applyChanges: boolean, extra: Record<string, unknown> = {}): Inputs {
  return new Inputs(client, {
    applyChanges,
    previewFull: false,
    print: (l) => printed.push(l),
    ...extra,
  });
}
async function live(name: string): Promise<Record<string, any>> {
  return (await liveInputs(emulator.url)).find((n) => n.name === name)!;
}
const output = () => printed.join('\n');

describe('reading', () => {
  test('getAllInputs returns every input with one structure read', async () => {
    const all = await inputs(false).getAllInputs();
    expect(all.map((n) => n.name)).toEqual(
      expect.arrayContaining(['orders_db', 'mixpanel_engage', 'webhook_events']),
    );
    expect((await emulator.stats())['GET plumbing']).toBe(1);
  });

  test('getInput of a missing name raises input_not_found naming known inputs (the reference crashes)', async () => {
    const error = await inputs(false)
      .getInput('nope')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputsError);
    expect(error).toMatchObject({ code: 'input_not_found' });
    expect((error as InputsError).hint).toMatch(/orders_db/);
  });

  test('viewInputs prints an aligned table, or JSON with secrets masked', async () => {
    await inputs(false).viewInputs();
    expect(output()).toMatch(/^name\s+type\s+state\s+tables\s+id/);
    expect(output()).toMatch(/orders_db\s+ODBC\s+\S+\s+3\s/);
    printed = [];
    await inputs(false).viewInputs('mixpanel_engage', 'json');
    expect(output()).toContain(SECRET_MASK);
    expect(output()).not.toContain(SAMPLE_SECRETS.session_id);
  });

  test('listInputs prints names, or quoted and comma-separated', async () => {
    const names = await inputs(false).listInputs(true, true);
    expect(names).toEqual([...names].sort());
    expect(output()).toMatch(/'clickstream_s3', 'mixpanel_engage', /);
  });

  test('listTables parses the JSON-string tables of a database input', async () => {
    expect(await inputs(false).listTables('orders_db')).toEqual(['order_items', 'orders', 'users']);
    await expect(inputs(false).listTables('webhook_events')).rejects.toMatchObject({
      code: 'no_tables',
    });
  });
});

describe('changing, dry run first', () => {
  test('addTableToInput in dry run prints the table diff and writes nothing', async () => {
    const result = await inputs(false).addTableToInput('orders_db', { items: 'updated_at' });
    expect(result.applied).toBe(false);
    expect(output()).toMatch(/added \(1\):\n\s+configuration\.tables\.items: "updated_at"/);
    expect(writeCount(await emulator.stats())).toBe(0);
  });

  test('addTableToInput with applyChanges adds the table and keeps the stored password', async () => {
    await inputs(true).addTableToInput('orders_db', { items: 'updated_at' });
    const stats = await emulator.stats();
    expect(writeCount(stats)).toBe(1);
    expect(stats['GET plumbing']).toBe(1);
    const node = await live('orders_db');
    expect(JSON.parse(node.configuration.tables)).toMatchObject({
      items: 'updated_at',
      orders: 'xmin::text::bigint',
    });
    expect(node.configuration.password).toBe(SECRET_MASK);
    expect(await emulator.secretMatches(node.id, 'password', SAMPLE_SECRETS.password)).toBe(true);
  });

  test('editInputConfiguration sets one field', async () => {
    await inputs(true).editInputConfiguration('orders_db', 'batch_size', 500);
    expect((await live('orders_db')).configuration.batch_size).toBe(500);
    expect(output()).toMatch(/changed \(1\):\n\s+configuration\.batch_size: 100000 -> 500/);
  });

  test('changeAutoMappingMode turns auto-mapping off', async () => {
    await inputs(true).changeAutoMappingMode('orders_db', false);
    expect([false, 'false']).toContain((await live('orders_db')).configuration.auto_map);
  });

  test('addTemplateToParameterConfiguration templates several parameters; an unknown one is an error', async () => {
    await inputs(true).addTemplateToParameterConfiguration(
      'mixpanel_engage',
      ['where', 'session_id'],
      '%Y-%m-%d',
    );
    const params = (await live('mixpanel_engage')).configuration.parameters;
    expect(params.map((p: any) => p.template)).toEqual(['%Y-%m-%d', '%Y-%m-%d']);
    await expect(
      inputs(true).addTemplateToParameterConfiguration('mixpanel_engage', 'nope', '%Y'),
    ).rejects.toMatchObject({
      code: 'parameter_not_found',
    });
  });

  test('editParameterConfiguration changes days past from 2 to 10 and keeps the secret parameter', async () => {
    await inputs(true).editParameterConfiguration('mixpanel_engage', 'where', 'value', 10);
    const params = (await live('mixpanel_engage')).configuration.parameters;
    expect(params.find((p: any) => p.parameter === 'where').value).toBe(10);
    expect(params.find((p: any) => p.parameter === 'session_id').value).toBe(SECRET_MASK);
    const id = (await live('mixpanel_engage')).id;
    expect(
      await emulator.secretMatches(id, 'parameters.session_id.value', SAMPLE_SECRETS.session_id),
    ).toBe(true);
  });

  test('previewInputChanges groups changes and shows matching only when asked', async () => {
    const before = await inputs(false).getInput('orders_db');
    const after = { ...before, configuration: { ...before.configuration, server: 'db2' } };
    const diff = inputs(false).previewInputChanges(before, after, { showMatching: true });
    expect(diff.changed).toHaveLength(1);
    expect(output()).toMatch(/changed \(1\):[\s\S]*matching/);
  });

  test('applyInputChanges writes the whole node and names it in the message (the reference prints undefined)', async () => {
    const node = await inputs(false).getInput('orders_db');
    // A new server with the masked password: the stored secret may not follow (issue 19); the
    // API's 400 comes through as a validation error naming the field, and nothing is written.
    const refused = await inputs(true)
      .applyInputChanges({ ...node, configuration: { ...node.configuration, server: 'db2' } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'validation' });
    expect((refused as Error).message).toContain("'password' (changed: server)");
    expect(output()).toBe('');
    expect((await live('orders_db')).configuration.server).toBe(node.configuration.server);

    await inputs(true).applyInputChanges({
      ...node,
      configuration: { ...node.configuration, server: 'db2', password: 'Pw-For-Db2-1' },
    });
    expect(output()).toBe('Applied changes to input "orders_db".');
    expect((await live('orders_db')).configuration.server).toBe('db2');
    expect(await emulator.secretMatches(node.id, 'password', 'Pw-For-Db2-1')).toBe(true);
  });
});

describe('pause, resume, delete, create', () => {
  test('pauseInput and resumeInput call the pause endpoint (the reference builds a broken URL)', async () => {
    expect(await inputs(false).pauseInput('orders_db')).toBe(false);
    expect((await live('orders_db')).paused).toBe(false);
    expect(await inputs(true).pauseInput('orders_db')).toBe(true);
    expect((await live('orders_db')).paused).toBe(true);
    expect(await inputs(true).resumeInput('orders_db')).toBe(true);
    expect((await live('orders_db')).paused).toBe(false);
  });

  test('createInputDatabase copies an input and takes db_type from the credentials (the reference copies the schema)', async () => {
    const credentials = {
      server: 'replica',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'u',
      password: 'Pw-Create-1',
    };
    expect(
      await inputs(false).createInputDatabase(credentials, 'orders_copy', 'orders_db'),
    ).toBeUndefined();
    expect(await live('orders_copy')).toBeUndefined();
    const created = await inputs(true).createInputDatabase(
      credentials,
      'orders_copy',
      'orders_db',
      undefined,
      true,
      'COPY',
    );
    expect(created?.name).toBe('orders_copy');
    const node = await live('orders_copy');
    expect(node.configuration).toMatchObject({
      db_type: 'psql',
      input_default_schema: 'COPY',
      server: 'replica',
    });
    expect(JSON.parse(node.configuration.tables)).toHaveProperty('orders');
    expect(JSON.stringify(node)).not.toContain('Pw-Create-1');
  });

  test('deleteInput is a dry run unless applyChanges; system inputs are refused', async () => {
    expect(await inputs(false).deleteInput('orders_copy')).toBe(false);
    expect(await live('orders_copy')).toBeDefined();
    expect(await inputs(true).deleteInput('orders_copy')).toBe(true);
    expect(await live('orders_copy')).toBeUndefined();
    const all = await client.listInputs();
    const restream = all.find((n) => n.type === 'RESTREAM')!;
    await expect(inputs(true).deleteInput(restream.name)).rejects.toMatchObject({
      code: 'system_input',
    });
  });
});

describe('the inputs CLI', () => {
  const env = () => ({ ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key' });

  test('list --format json is machine-readable', () => {
    const result = runCli(['inputs', 'list', '--format', 'json'], env());
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(expect.arrayContaining(['orders_db']));
  });

  test('add-tables is a dry run printing the diff; --apply writes', async () => {
    const dry = runCli(['inputs', 'add-tables', 'orders_db', 'payments=id'], env());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/configuration\.tables\.payments: "id"/);
    expect(dry.stdout).toMatch(/Dry run/);
    expect(JSON.parse((await live('orders_db')).configuration.tables)).not.toHaveProperty(
      'payments',
    );
    expect(
      runCli(['inputs', 'add-tables', 'orders_db', 'payments=id', '--apply'], env()).code,
    ).toBe(0);
    expect(JSON.parse((await live('orders_db')).configuration.tables)).toHaveProperty(
      'payments',
      'id',
    );
  });

  test('delete --apply without --yes is refused with a hint', async () => {
    const result = runCli(['inputs', 'delete', 'webhook_events', '--apply'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error[confirmation_required]: deleting "webhook_events" cannot be undone\n  hint: add --yes to confirm\n',
    );
    expect(await live('webhook_events')).toBeDefined();
  });

  test('two inputs with one name: operations by that name stop, list both ids and touch neither', async () => {
    for (let i = 0; i < 2; i++) {
      await createRawInput(emulator.url, {
        name: 'twin_hook',
        type: 'RESTAPI',
        configuration: { auto_map: 'true' },
      });
    }
    const twins = (await liveInputs(emulator.url)).filter((n) => n.name === 'twin_hook');
    expect(twins).toHaveLength(2);
    await emulator.resetStats();
    for (const args of [
      ['inputs', 'pause', 'twin_hook', '--apply'],
      ['inputs', 'delete', 'twin_hook', '--apply', '--yes'],
      ['inputs', 'auto-map', 'twin_hook', 'off', '--apply'],
    ]) {
      const result = runCli(args, env());
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({
        args,
        code: 1,
        stderr: expect.stringMatching(
          new RegExp(
            `^error\\[ambiguous_input_name\\]: "twin_hook" names 2 inputs \\(ids ${twins.map((t) => t.id).join(', ')}\\)\n {2}hint: rename all but one`,
          ),
        ),
      });
    }
    expect(writeCount(await emulator.stats())).toBe(0);
    expect((await liveInputs(emulator.url)).filter((n) => n.name === 'twin_hook')).toEqual(twins);
  });

  test('inputs history prints what was written to an input, newest first; JSON for scripts', async () => {
    const table = runCli(['inputs', 'history', 'orders_db'], env());
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/when\s+action\s+who\s+changes/);
    const json = runCli(['inputs', 'history', 'orders_db', '--format', 'json'], env());
    expect(json.code).toBe(0);
    const entries = JSON.parse(json.stdout) as Array<{
      action: string;
      inputName: string;
      changes: unknown[];
    }>;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.inputName === 'orders_db')).toBe(true);
    expect(entries[entries.length - 1].action).toBe('create');
    expect(json.stdout).not.toContain(SAMPLE_SECRETS.password);
  });

  test('a missing input is one line and a hint', () => {
    const result = runCli(['inputs', 'tables', 'nope'], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error\[input_not_found\]: no input named "nope"\n {2}hint: known inputs: /,
    );
  });

  test('edit, auto-map, template and set-param write with --apply', async () => {
    expect(
      runCli(['inputs', 'edit', 'orders_db', 'batch_size', '250', '--apply'], env()).code,
    ).toBe(0);
    expect(runCli(['inputs', 'auto-map', 'orders_db', 'on', '--apply'], env()).code).toBe(0);
    expect(
      runCli(
        ['inputs', 'template', 'mixpanel_engage', 'where', '--template', '%Y', '--apply'],
        env(),
      ).code,
    ).toBe(0);
    expect(
      runCli(['inputs', 'set-param', 'mixpanel_engage', 'where', 'value', '3', '--apply'], env())
        .code,
    ).toBe(0);
    const orders = await live('orders_db');
    expect(orders.configuration.batch_size).toBe(250);
    expect([true, 'true']).toContain(orders.configuration.auto_map);
    const where = (await live('mixpanel_engage')).configuration.parameters.find(
      (p: any) => p.parameter === 'where',
    );
    expect(where).toMatchObject({ template: '%Y', value: 3 });
  });

  test('pause and resume through the CLI', async () => {
    expect(runCli(['inputs', 'pause', 'webhook_events', '--apply'], env()).code).toBe(0);
    expect((await live('webhook_events')).paused).toBe(true);
    expect(runCli(['inputs', 'resume', 'webhook_events', '--apply'], env()).code).toBe(0);
    expect((await live('webhook_events')).paused).toBe(false);
  });
});
