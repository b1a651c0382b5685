/**
 * The client against a real emulator process: authentication, every method,
 * system-input refusal and what a validation error costs.
 */
import {
  AloomaAuthError,
  AloomaConflictError,
  AloomaError,
  AloomaForbiddenError,
  AloomaNode,
  AloomaNotFoundError,
  AloomaValidationError,
} from '../../../src/runtime/client';
import { SECRET_MASK } from '../../../src/alooma/secret-fields';
import { EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process';
import {
  DEMO_KEY,
  clientFor,
  countInputsNamed,
  nodeSecretMatches,
  odbcConfiguration,
  useEmulatorPerFile,
} from './helpers';

const currentEmulator = useEmulatorPerFile();
let emulator: EmulatorProcess;
beforeAll(() => {
  emulator = currentEmulator();
});

describe('authentication', () => {
  it('GIVEN a username and password WHEN making calls THEN the client logs in once and reuses the session cookie', async () => {
    const { client, events } = clientFor(emulator.url);

    expect(await client.getAccountName()).toBe('demo');
    expect(await client.getAccountName()).toBe('demo');

    const stats = await emulator.stats();
    expect(stats['POST login']).toBe(1);
    expect(stats['GET repository']).toBe(2);
    expect(events.filter((e) => e.type === 'login')).toEqual([
      { type: 'login', reason: 'initial' },
    ]);
    expect(client.metrics).toMatchObject({ requests: 3, relogins: 0, writes: 0 });
  });

  it('GIVEN concurrent first calls WHEN none has logged in yet THEN they share one login', async () => {
    const { client } = clientFor(emulator.url);
    await Promise.all(Array.from({ length: 5 }, () => client.getAccountName()));
    expect((await emulator.stats())['POST login']).toBe(1);
  });

  it('GIVEN an API key WHEN making calls THEN no login is made and the key authenticates every call', async () => {
    const { client, events } = clientFor(emulator.url, { auth: DEMO_KEY });

    expect(await client.getAccountName()).toBe('demo');

    expect((await emulator.stats())['POST login']).toBeUndefined();
    expect(events.some((e) => e.type === 'login')).toBe(false);
  });

  it('GIVEN the account in the URL WHEN it matches the credentials THEN calls go to /<account>/rest/', async () => {
    const { client } = clientFor(emulator.url, { account: 'demo', auth: DEMO_KEY });
    expect(client.restRoot).toBe(`${emulator.url}/demo/rest/`);
    expect(await client.getAccountName()).toBe('demo');
  });

  it('GIVEN an account the credentials do not grant WHEN calling THEN a forbidden error is raised', async () => {
    const { client } = clientFor(emulator.url, { account: 'someone-else', auth: DEMO_KEY });
    const error = await client.getAccountName().catch((e) => e);
    expect(error).toBeInstanceOf(AloomaForbiddenError);
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(error.hint).toMatch(/ALOOMA_ACCOUNT/);
  });

  it('GIVEN a wrong password WHEN calling THEN an auth error with a hint is raised after one login attempt', async () => {
    const { client } = clientFor(emulator.url, {
      auth: { kind: 'password', username: 'demo@example.com', password: 'wrong-password-x' },
      authHint: 'check ALOOMA_USERNAME/ALOOMA_PASSWORD or ALOOMA_API_KEY',
    });

    const error = await client.listInputs().catch((e) => e);

    expect(error).toBeInstanceOf(AloomaAuthError);
    expect(error.message).toBe('POST login failed: 401 Invalid credentials');
    expect(error.hint).toBe('check ALOOMA_USERNAME/ALOOMA_PASSWORD or ALOOMA_API_KEY');
    expect(JSON.stringify(error)).not.toContain('wrong-password-x');
    const stats = await emulator.stats();
    expect(stats['POST login']).toBe(1);
    expect(stats['GET plumbing']).toBeUndefined();
  });

  it('GIVEN a wrong API key WHEN calling THEN an auth error is raised without any re-login', async () => {
    const { client, events } = clientFor(emulator.url, {
      auth: { kind: 'apiKey', apiKey: 'not-the-key' },
    });
    const error = await client.getAccountName().catch((e) => e);
    expect(error).toBeInstanceOf(AloomaAuthError);
    expect(error.message).toBe('GET repository failed: 401 Invalid API key');
    expect(events.some((e) => e.type === 'relogin')).toBe(false);
    expect(client.metrics.requests).toBe(1);
  });
});

describe('sessions that expire', () => {
  let shortLived: EmulatorProcess;
  beforeAll(async () => {
    shortLived = await startEmulatorProcess({ sessionTtlS: 1 });
  });
  afterAll(async () => {
    await shortLived?.stop();
  });

  it('GIVEN an expired session WHEN concurrent calls get 401 THEN the client logs in again once and replays them', async () => {
    const { client, events } = clientFor(shortLived.url);
    await client.getAccountName();
    await sleep(1200);

    const names = await Promise.all([
      client.getAccountName(),
      client.getAccountName(),
      client.listInputs(),
    ]);

    expect(names[0]).toBe('demo');
    expect(client.metrics.relogins).toBe(1);
    expect((await shortLived.stats())['POST login']).toBe(2);
    expect(
      events.filter((e) => e.type === 'login').map((e) => (e as { reason: string }).reason),
    ).toEqual(['initial', 'session_expired']);
    expect(events.filter((e) => e.type === 'relogin').length).toBeGreaterThanOrEqual(1);
    expect(client.metrics.retries).toBe(0);
  });

  it('GIVEN every new session expires before use WHEN calling THEN the client logs in again only once, then fails with auth', async () => {
    // Latency (applied before authentication) longer than the session lifetime: each session is dead on arrival.
    await shortLived.setFaults({ latencyMs: 1050 });
    await shortLived.resetStats();
    const { client } = clientFor(shortLived.url);

    const error = await client.getAccountName().catch((e) => e);

    await shortLived.setFaults({});
    expect(error).toBeInstanceOf(AloomaAuthError);
    expect(error.message).toBe('GET repository failed: 401 Session expired: log in again');
    const stats = await shortLived.stats();
    expect(stats['POST login']).toBe(2);
    expect(stats['GET repository']).toBe(2);
    expect(client.metrics.relogins).toBe(1);
  }, 15000);
});

describe('reading', () => {
  it('GIVEN a new account WHEN reading the structure THEN it holds the system nodes and listInputs keeps inputs only', async () => {
    const { client } = clientFor(emulator.url);

    const structure = await client.getStructure();
    const inputs = await client.listInputs();

    expect(structure.nodes.map((n) => n.category).sort()).toEqual(
      expect.arrayContaining(['INPUT', 'OUTPUT', 'TRANSFORMER']),
    );
    expect(inputs.every((n) => n.category === 'INPUT')).toBe(true);
    expect(inputs.map((n) => n.type)).toContain('RESTREAM');
    expect(client.metrics.structureReads).toBe(2);
    expect((await emulator.stats())['GET plumbing']).toBe(2);
  });

  it('GIVEN an input WHEN reading it by id, in the mapping and by name THEN all agree and secrets read back masked', async () => {
    const { client } = clientFor(emulator.url);
    const created = await client.createInput({
      name: 'read_me',
      type: 'ODBC',
      configuration: odbcConfiguration('s3cret-db'),
    });

    const node = await client.getNode(created.id);
    const mapping = await client.getInputsMapping();
    const found = await client.findInput('read_me');

    expect(node).toMatchObject({
      id: created.id,
      name: 'read_me',
      type: 'ODBC',
      category: 'INPUT',
      paused: false,
    });
    expect(node.configuration.password).toBe(SECRET_MASK);
    expect(mapping[created.id]).toEqual(node);
    expect(found).toEqual(node);
    expect(await client.findInput('no_such_input')).toBeUndefined();
  });

  it('GIVEN an unknown id WHEN getting the node THEN a not-found error is raised without retries', async () => {
    const { client } = clientFor(emulator.url);
    const error = await client.getNode('00000000-0000-0000-0000-000000000000').catch((e) => e);
    expect(error).toBeInstanceOf(AloomaNotFoundError);
    expect(error.message).toBe(
      'GET plumbing/nodes/00000000-0000-0000-0000-000000000000 failed: 404 No node with id 00000000-0000-0000-0000-000000000000',
    );
    expect(client.metrics.retries).toBe(0);
  });
});

describe('writing', () => {
  it('GIVEN a validating create WHEN it succeeds THEN it goes to POST plumbing/inputs and resolves the node with its id', async () => {
    const { client } = clientFor(emulator.url);

    const node = await client.createInput({
      name: 'orders_db',
      type: 'ODBC',
      configuration: odbcConfiguration(),
    });

    expect(node).toMatchObject({
      name: 'orders_db',
      type: 'ODBC',
      category: 'INPUT',
      validated: true,
    });
    expect(node.id).toMatch(/^[0-9a-f-]{36}$/);
    const stats = await emulator.stats();
    expect(stats['POST plumbing/inputs']).toBe(1);
    expect(client.metrics.writes).toBe(1);
  });

  it('GIVEN validate false WHEN creating THEN it goes to POST inputs?validate=false', async () => {
    const { client } = clientFor(emulator.url);
    const node = await client.createInput(
      { name: 'unvalidated', type: 'RESTAPI', configuration: {} },
      { validate: false },
    );
    expect(node.validated).toBe(false);
    expect((await emulator.stats())['POST inputs']).toBe(1);
  });

  it('GIVEN a creation delay WHEN creating THEN the client polls the structure until the input appears', async () => {
    await emulator.setFaults({ createDelayMs: 300 });
    const { client } = clientFor(emulator.url);
    const started = Date.now();

    const node = await client.createInput({
      name: 'slow_to_appear',
      type: 'RESTAPI',
      configuration: {},
    });

    expect(node.name).toBe('slow_to_appear');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(client.metrics.structureReads).toBeGreaterThanOrEqual(2);
  });

  it('GIVEN an input that never appears in time WHEN creating THEN create_unconfirmed is raised with a hint', async () => {
    await emulator.setFaults({ createDelayMs: 2000 });
    const { client } = clientFor(emulator.url);

    const error = await client
      .createInput(
        { name: 'never_in_time', type: 'RESTAPI', configuration: {} },
        { timeoutMs: 200 },
      )
      .catch((e) => e);

    expect(error).toMatchObject({
      code: 'create_unconfirmed',
      name: 'AloomaCreateUnconfirmedError',
    });
    expect(error.hint).toMatch(/will not duplicate/);
  });

  it('GIVEN an invalid configuration WHEN creating THEN a validation error is raised after exactly one POST', async () => {
    const { client, events } = clientFor(emulator.url);
    const configuration = odbcConfiguration();
    delete configuration.password;

    const error = await client
      .createInput({ name: 'no_password', type: 'ODBC', configuration })
      .catch((e) => e);

    expect(error).toBeInstanceOf(AloomaValidationError);
    expect(error.message).toMatch(/^POST plumbing\/inputs failed: 400 .*password/);
    expect((await emulator.stats())['POST plumbing/inputs']).toBe(1);
    expect(client.metrics.retries).toBe(0);
    expect(events.some((e) => e.type === 'retry' || e.type === 'create_check')).toBe(false);
  });

  it('GIVEN a name already in use WHEN creating THEN a second input is created and the new one returned, as the service did', async () => {
    const { client } = clientFor(emulator.url);
    const first = await client.createInput({ name: 'taken', type: 'RESTAPI', configuration: {} });

    const second = await client.createInput({ name: 'taken', type: 'RESTAPI', configuration: {} });

    expect(second.name).toBe('taken');
    expect(second.id).not.toBe(first.id);
    expect((await countInputsNamed(emulator.url, ['taken'])).get('taken')).toBe(2);
    expect((await emulator.stats())['POST plumbing/inputs']).toBe(2);
  });

  it('GIVEN an emulator with --unique-input-names WHEN creating a name in use THEN a conflict error is raised at once', async () => {
    const strict = await startEmulatorProcess({ extraArgs: ['--unique-input-names'] });
    try {
      const { client } = clientFor(strict.url);
      await client.createInput({ name: 'taken', type: 'RESTAPI', configuration: {} });
      const error = await client
        .createInput({ name: 'taken', type: 'RESTAPI', configuration: {} })
        .catch((e) => e);
      expect(error).toBeInstanceOf(AloomaConflictError);
      expect(error.message).toBe(
        "POST plumbing/inputs failed: 409 Input name 'taken' is already in use",
      );
    } finally {
      await strict.stop();
    }
  });

  it('GIVEN a bad spec WHEN creating THEN it is refused before any request', async () => {
    const { client } = clientFor(emulator.url);
    await expect(
      client.createInput({ name: ' ', type: 'RESTAPI', configuration: {} }),
    ).rejects.toMatchObject({
      code: 'validation',
    });
    expect(client.metrics.requests).toBe(0);
  });

  it('GIVEN a node read back with masked secrets WHEN edited and PUT whole THEN the change lands and the password is kept', async () => {
    const { client } = clientFor(emulator.url);
    const created = await client.createInput({
      name: 'edit_me',
      type: 'ODBC',
      configuration: odbcConfiguration('keep-me'),
    });
    const node = await client.getNode(created.id);

    // `schema`, not a field of the password's destination (a new `database` needs the password again).
    const updated = await client.updateInput({
      ...node,
      configuration: { ...node.configuration, schema: 'sales' },
    });

    expect(updated?.configuration.schema).toBe('sales');
    expect((await client.getNode(created.id)).configuration.schema).toBe('sales');
    expect(await nodeSecretMatches(emulator, created.id, 'password', 'keep-me')).toBe(true);
    expect((await emulator.stats())['PUT inputs/:id']).toBe(1);
  });

  it('GIVEN something that is not a node WHEN updating THEN it is refused before any request', async () => {
    const { client } = clientFor(emulator.url);
    await expect(client.updateInput({ id: 'x' } as AloomaNode)).rejects.toMatchObject({
      code: 'validation',
    });
    expect(client.metrics.requests).toBe(0);
  });

  it('GIVEN an input WHEN paused and resumed THEN the node says so', async () => {
    const { client } = clientFor(emulator.url);
    const node = await client.createInput({ name: 'pausable', type: 'RESTAPI', configuration: {} });

    expect(await client.setPaused(node.id, true)).toMatchObject({ paused: true, state: 'PAUSED' });
    expect((await client.getNode(node.id)).paused).toBe(true);
    expect(await client.setPaused(node, false)).toMatchObject({ paused: false });
  });

  it('GIVEN an input WHEN its sleep time is set THEN it reads back', async () => {
    const { client } = clientFor(emulator.url);
    const node = await client.createInput({ name: 'sleepy', type: 'RESTAPI', configuration: {} });

    await client.setInputSleepTime(node.id, 120);

    expect(await client.getInputSleepTime(node.id)).toBe(120);
    await expect(client.setInputSleepTime(node.id, -1)).rejects.toMatchObject({
      code: 'validation',
    });
  });

  it('GIVEN an input WHEN deleted THEN it is gone from the structure and by id', async () => {
    const { client } = clientFor(emulator.url);
    const node = await client.createInput({
      name: 'delete_me',
      type: 'RESTAPI',
      configuration: {},
    });

    await client.deleteInput(node.id);

    expect(await client.findInput('delete_me')).toBeUndefined();
    await expect(client.getNode(node.id)).rejects.toBeInstanceOf(AloomaNotFoundError);
    await expect(client.deleteInput(node.id)).rejects.toBeInstanceOf(AloomaNotFoundError);
  });

  it('GIVEN a client that never saw the input WHEN deleting by id THEN it reads the node first, then deletes', async () => {
    const { client: creator } = clientFor(emulator.url);
    const node = await creator.createInput({
      name: 'delete_by_stranger',
      type: 'RESTAPI',
      configuration: {},
    });
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY });
    await emulator.resetStats();

    await client.deleteInput(node.id);

    const stats = await emulator.stats();
    expect(stats['GET plumbing/nodes/:id']).toBe(1);
    expect(stats['POST plumbing/nodes/remove/:id']).toBe(1);
  });

  it('GIVEN account secrets WHEN set, listed and deleted THEN names come back and values never do', async () => {
    const { client } = clientFor(emulator.url);

    await client.setSecrets({ WAREHOUSE_TOKEN: 'tok-value-1', OTHER: 'other-value' });
    const names = await client.getSecrets();
    await client.deleteSecret('OTHER');

    expect(names).toEqual(expect.arrayContaining(['OTHER', 'WAREHOUSE_TOKEN']));
    expect(await client.getSecrets()).not.toContain('OTHER');
    await expect(client.deleteSecret('OTHER')).rejects.toBeInstanceOf(AloomaNotFoundError);
    await expect(client.setSecrets({ bad: 1 as unknown as string })).rejects.toMatchObject({
      code: 'validation',
    });
  });
});

describe('system inputs', () => {
  it('GIVEN the RESTREAM input WHEN asked to update, delete, pause or set its sleep time THEN the client refuses without writing', async () => {
    const { client } = clientFor(emulator.url);
    const restream = (await client.listInputs()).find((n) => n.type === 'RESTREAM')!;
    await emulator.resetStats();

    const attempts = [
      client.updateInput({ ...restream, configuration: { auto_map: 'false' } }),
      client.deleteInput(restream.id),
      client.deleteInput(restream),
      client.setPaused(restream.id, true),
      client.setInputSleepTime(restream.id, 10),
    ];
    const errors = await Promise.all(attempts.map((p) => (p as Promise<unknown>).catch((e) => e)));

    for (const error of errors) {
      expect(error).toBeInstanceOf(AloomaForbiddenError);
      expect(error).toMatchObject({ code: 'forbidden', status: 0 });
      expect((error as AloomaError).hint).toMatch(/RESTREAM, AGENT/);
    }
    expect((errors[1] as Error).message).toBe(
      `POST plumbing/nodes/remove/${restream.id} refused: RESTREAM input is a system input managed by Alooma`,
    );
    expect((await emulator.stats()).total).toBe(0);
  });

  it('GIVEN a client that never listed inputs WHEN deleting the RESTREAM input by id THEN it reads the node and refuses', async () => {
    const { client: lister } = clientFor(emulator.url, { auth: DEMO_KEY });
    const restream = (await lister.listInputs()).find((n) => n.type === 'RESTREAM')!;
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY });
    await emulator.resetStats();

    const error = await client.deleteInput(restream.id).catch((e) => e);

    expect(error.message).toMatch(/RESTREAM input 'Restream' is a system input/);
    const stats = await emulator.stats();
    expect(stats['GET plumbing/nodes/:id']).toBe(1);
    expect(stats['POST plumbing/nodes/remove/:id']).toBeUndefined();
  });

  it('GIVEN an empty id WHEN deleting THEN it is refused before any request', async () => {
    const { client } = clientFor(emulator.url);
    await expect(client.deleteInput('')).rejects.toMatchObject({ code: 'validation' });
    expect(client.metrics.requests).toBe(0);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
