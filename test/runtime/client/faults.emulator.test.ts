/**
 * The client against a real emulator injecting faults: 503s, 429s with
 * Retry-After, lost responses after writes, creation delay. The emulator
 * accepts several inputs with one name, as the service did, so "never two
 * inputs of one name" is the client's doing, not the server's.
 */
import { AloomaRateLimitError, AloomaServerError, ClientEvent } from '../../../src/runtime/client';
import { EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process';
import {
  DEMO_KEY,
  clientFor,
  countInputsNamed,
  odbcConfiguration,
  setFaults,
  useEmulatorPerFile,
} from './helpers';

const currentEmulator = useEmulatorPerFile();
let emulator: EmulatorProcess;
beforeAll(() => {
  emulator = currentEmulator();
});

describe('retries of idempotent calls', () => {
  it('GIVEN 40% of requests answer 503 WHEN reading and writing THEN every call succeeds through retries', async () => {
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY });
    const node = await client.createInput({
      name: 'flaky_target',
      type: 'RESTAPI',
      configuration: {},
    });
    await emulator.setFaults({ errorRate: 0.4 });

    for (let i = 0; i < 5; i++) {
      await client.getNode(node.id);
      await client.setPaused(node.id, i % 2 === 0);
      await client.setInputSleepTime(node.id, i);
    }
    await client.listInputs();
    await client.getInputsMapping();
    await client.getSecrets();

    const stats = await emulator.stats();
    expect(stats['injected 503']).toBeGreaterThan(0);
    expect(client.metrics.retries).toBe(stats['injected 503']);
    expect(await client.getInputSleepTime(node.id)).toBe(4);
  });

  it('GIVEN the login answers 503 for a while WHEN calling THEN the call retries the login and then succeeds', async () => {
    await emulator.setFaults({ errorRate: 1 });
    const { client, events } = clientFor(emulator.url, {
      retry: { retries: 10, minDelayMs: 20, maxDelayMs: 40, jitter: 'none' },
    });
    setTimeout(() => void emulator.setFaults({}), 60);

    expect(await client.getAccountName()).toBe('demo');

    const stats = await emulator.stats();
    expect(stats['injected 503']).toBeGreaterThan(0);
    expect(stats['POST login']).toBe(stats['injected 503'] + 1);
    expect(
      events
        .filter((e) => e.type === 'retry')
        .every((e) => (e as { message: string }).message.startsWith('POST login')),
    ).toBe(true);
  });

  it('GIVEN every request answers 503 WHEN calling THEN the client gives up after 1 + retries attempts with a server error', async () => {
    await emulator.setFaults({ errorRate: 1 });
    const events: ClientEvent[] = [];
    const { client } = clientFor(emulator.url, {
      auth: DEMO_KEY,
      retry: { retries: 3, minDelayMs: 5 },
      onEvent: (e) => events.push(e),
    });

    const error = await client.getStructure().catch((e) => e);

    expect(error).toBeInstanceOf(AloomaServerError);
    expect(error.message).toBe(
      'GET plumbing/?resolution=1min failed: 503 Service temporarily unavailable (injected fault)',
    );
    expect((await emulator.stats())['injected 503']).toBe(4);
    expect(
      events.filter((e) => e.type === 'retry').map((e) => (e as { attempt: number }).attempt),
    ).toEqual([1, 2, 3]);
  });

  it('GIVEN a lost response of a delete WHEN the retry gets 404 THEN the delete counts as done', async () => {
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY });
    const node = await client.createInput({
      name: 'lost_delete',
      type: 'RESTAPI',
      configuration: {},
    });
    await setFaults(emulator, { errorAfterWriteRate: 1 });

    await client.deleteInput(node.id);

    await emulator.setFaults({});
    expect(await client.findInput('lost_delete')).toBeUndefined();
    expect((await emulator.stats())['POST plumbing/nodes/remove/:id']).toBe(2);
  });

  it('GIVEN a lost response of a secret delete WHEN the retry gets 404 THEN the delete counts as done', async () => {
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY });
    await client.setSecrets({ GONE: 'gone-value' });
    await setFaults(emulator, { errorAfterWriteRate: 1 });

    await client.deleteSecret('GONE');

    await emulator.setFaults({});
    expect(await client.getSecrets()).not.toContain('GONE');
  });
});

describe('rate limits', () => {
  it('GIVEN a 429 with Retry-After 1 WHEN calling THEN the client waits at least 1 s before retrying', async () => {
    await emulator.setFaults({ throttleRate: 1, retryAfterS: 1 });
    const events: ClientEvent[] = [];
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY, onEvent: (e) => events.push(e) });
    const started = Date.now();
    setTimeout(() => void emulator.setFaults({}), 300);

    await client.getAccountName();

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const retry = events.find((e) => e.type === 'retry') as Extract<ClientEvent, { type: 'retry' }>;
    expect(retry).toMatchObject({ code: 'rate_limited', status: 429, attempt: 1 });
    expect(retry.delayMs).toBeGreaterThanOrEqual(1000);
    expect((await emulator.stats())['injected 429']).toBe(1);
  });

  it('GIVEN a Retry-After longer than maxRetryAfterMs WHEN calling THEN the client fails at once with the wait in the error', async () => {
    await emulator.setFaults({ throttleRate: 1, retryAfterS: 120 });
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY });
    const started = Date.now();

    const error = await client.getAccountName().catch((e) => e);

    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(AloomaRateLimitError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 120000 });
    expect(error.hint).toMatch(/concurrency/);
  });
});

describe('creates under faults', () => {
  it('GIVEN 40% 503s WHEN creating 20 inputs concurrently THEN each exists exactly once', async () => {
    await emulator.setFaults({ errorRate: 0.4 });
    const { client } = clientFor(emulator.url);
    const names = Array.from({ length: 20 }, (_, i) => `503_input_${i}`);

    const nodes = await Promise.all(
      names.map((name) =>
        client.createInput({ name, type: 'ODBC', configuration: odbcConfiguration() }),
      ),
    );

    await emulator.setFaults({});
    expect(nodes.map((n) => n.name)).toEqual(names);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(20);
    expect([...(await countInputsNamed(emulator.url, names)).values()]).toEqual(names.map(() => 1));
    expect((await emulator.stats())['injected 503']).toBeGreaterThan(0);
    expect(client.metrics.retries).toBeGreaterThan(0);
  });

  it('GIVEN lost responses (write applied, answer 503) and a creation delay WHEN creating 20 inputs THEN none is duplicated', async () => {
    await setFaults(emulator, { errorAfterWriteRate: 0.5, createDelayMs: 150 });
    const events: ClientEvent[] = [];
    const { client } = clientFor(emulator.url, { onEvent: (e) => events.push(e) });
    const names = Array.from({ length: 20 }, (_, i) => `lost_input_${i}`);

    const nodes = await Promise.all(
      names.map((name) => client.createInput({ name, type: 'RESTAPI', configuration: {} })),
    );

    await emulator.setFaults({});
    expect(nodes.map((n) => n.name)).toEqual(names);
    expect([...(await countInputsNamed(emulator.url, names)).values()]).toEqual(names.map(() => 1));
    // Every lost create (counted from the client's own request events) was looked for
    // before anything was posted again.
    const lostCreates = events.filter(
      (e) =>
        e.type === 'request' &&
        e.method === 'POST' &&
        e.path === 'plumbing/inputs' &&
        e.status === 503,
    ).length;
    expect(lostCreates).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'create_check').length).toBe(lostCreates);
  });

  it('GIVEN 30% 503s, 20% 429s and lost responses WHEN creating 20 inputs THEN each exists exactly once', async () => {
    await setFaults(emulator, {
      errorRate: 0.3,
      throttleRate: 0.2,
      retryAfterS: 0,
      errorAfterWriteRate: 0.3,
      createDelayMs: 50,
    });
    const { client } = clientFor(emulator.url, {
      retry: { retries: 12, minDelayMs: 5, maxDelayMs: 50 },
    });
    const names = Array.from({ length: 20 }, (_, i) => `mixed_input_${i}`);

    const results = await Promise.allSettled(
      names.map((name) => client.createInput({ name, type: 'RESTAPI', configuration: {} })),
    );

    await emulator.setFaults({});
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect([...(await countInputsNamed(emulator.url, names)).values()]).toEqual(names.map(() => 1));
    const stats = await emulator.stats();
    expect(stats['injected 429']).toBeGreaterThan(0);
    expect(stats['injected 503']).toBeGreaterThan(0);
  });

  it('GIVEN the first attempt landed but its answer was lost WHEN it appears within the landing window THEN it is confirmed without posting again', async () => {
    await setFaults(emulator, { errorAfterWriteRate: 1, createDelayMs: 200 });
    const events: ClientEvent[] = [];
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY, onEvent: (e) => events.push(e) });
    setTimeout(() => void emulator.setFaults({ createDelayMs: 200 }), 50);

    const node = await client.createInput({
      name: 'landed_once',
      type: 'RESTAPI',
      configuration: {},
    });

    expect(node.name).toBe('landed_once');
    expect(events.find((e) => e.type === 'create_check')).toEqual({
      type: 'create_check',
      name: 'landed_once',
      found: true,
    });
    const statuses = events
      .filter((e) => e.type === 'request' && e.method === 'POST')
      .map((e) => (e as { status: number }).status);
    expect(statuses).toEqual([503]);
    expect((await countInputsNamed(emulator.url, ['landed_once'])).get('landed_once')).toBe(1);
  });

  it('GIVEN an emulator with --unique-input-names WHEN a lost create shows up after the landing window THEN the re-POST meets 409 and the create is confirmed by name', async () => {
    const strict = await startEmulatorProcess({ extraArgs: ['--unique-input-names'] });
    try {
      await setFaults(strict, { errorAfterWriteRate: 1, createDelayMs: 400 });
      const events: ClientEvent[] = [];
      const { client } = clientFor(strict.url, {
        auth: DEMO_KEY,
        landingWindowMs: 100,
        onEvent: (e) => events.push(e),
      });
      setTimeout(() => void strict.setFaults({ createDelayMs: 400 }), 50);

      const node = await client.createInput({
        name: 'strict_once',
        type: 'RESTAPI',
        configuration: {},
      });

      expect(node.name).toBe('strict_once');
      const statuses = events
        .filter((e) => e.type === 'request' && e.method === 'POST')
        .map((e) => (e as { status: number }).status);
      expect(statuses).toEqual([503, 409]);
      expect((await countInputsNamed(strict.url, ['strict_once'])).get('strict_once')).toBe(1);
    } finally {
      await strict.stop();
    }
  });

  it('GIVEN every create answer is lost WHEN retries run out THEN the node found by name is returned', async () => {
    await setFaults(emulator, { errorAfterWriteRate: 1 });
    const { client } = clientFor(emulator.url, { auth: DEMO_KEY, retry: { retries: 0 } });

    const node = await client.createInput({
      name: 'found_after_loss',
      type: 'RESTAPI',
      configuration: {},
    });

    expect(node.name).toBe('found_after_loss');
    expect((await emulator.stats())['POST plumbing/inputs']).toBe(1);
  });

  it('GIVEN every create fails before landing WHEN retries run out THEN the server error is raised and nothing exists', async () => {
    const { client } = clientFor(emulator.url, {
      auth: DEMO_KEY,
      retry: { retries: 2, minDelayMs: 5 },
    });
    await client.listInputs();
    await emulator.setFaults({ errorRate: 1 });

    const error = await client
      .createInput({ name: 'never_landed', type: 'RESTAPI', configuration: {} })
      .catch((e) => e);

    await emulator.setFaults({});
    expect(error).toBeInstanceOf(AloomaServerError);
    expect(await client.findInput('never_landed')).toBeUndefined();
  });
});

describe('coalesced confirmation polling', () => {
  it('GIVEN 30 concurrent creates with a 500 ms creation delay WHEN confirming THEN the structure is read a few times, not per create per tick', async () => {
    await emulator.setFaults({ createDelayMs: 500 });
    const { client } = clientFor(emulator.url, {
      auth: DEMO_KEY,
      poll: { intervalMs: 250, maxIntervalMs: 2000 },
    });
    const names = Array.from({ length: 30 }, (_, i) => `bulk_input_${i}`);
    const started = Date.now();

    const nodes = await Promise.all(
      names.map((name) => client.createInput({ name, type: 'RESTAPI', configuration: {} })),
    );

    const elapsed = Date.now() - started;
    expect(nodes).toHaveLength(30);
    const reads = (await emulator.stats())['GET plumbing'];
    // Naive polling: 30 creates x ~3 ticks of 250 ms = ~90 reads. Shared: one read per tick.
    expect(reads).toBeLessThanOrEqual(8);
    expect(reads).toBe(client.metrics.structureReads);
    expect(elapsed).toBeLessThan(2500);
  });
});

describe('a create without an answer in time', () => {
  it('GIVEN a create that times out THEN the client waits for it and never posts it again (no duplicate, whatever became of it)', async () => {
    // The POST is slower than the client's request timeout; reads are fast again soon after.
    await setFaults(emulator, { latencyMs: 600 });
    setTimeout(() => void emulator.setFaults({}), 300);
    const events: ClientEvent[] = [];
    const { client } = clientFor(emulator.url, {
      auth: DEMO_KEY,
      timeoutMs: 200,
      createTimeoutMs: 2000,
      onEvent: (e) => events.push(e),
    });

    const outcome = await client
      .createInput(
        { name: 'slow_landing', type: 'RESTAPI', configuration: {} },
        { existingIds: new Set() },
      )
      .then(
        (node) => node.name,
        (error: { code?: string }) => error.code,
      );

    // The emulator drops a request whose client went away: the create never lands, and
    // the client says so (create_unconfirmed) instead of posting a possible duplicate.
    expect(outcome).toBe('create_unconfirmed');
    const posts = events.filter((e) => e.type === 'request' && e.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(
      (await countInputsNamed(emulator.url, ['slow_landing'])).get('slow_landing') ?? 0,
    ).toBeLessThanOrEqual(1);
  });
});
