import { CookieJar } from '../../../src/runtime/client/cookies';
import { fromResponse } from '../../../src/runtime/client';
import { StructurePoller } from '../../../src/runtime/client/poller';
import { AloomaNode } from '../../../src/runtime/client/types';

describe('StructurePoller', () => {
  it('GIVEN many waiters WHEN their inputs appear over a few ticks THEN one read per tick serves them all', async () => {
    const structure = new FakeStructure();
    const poller = new StructurePoller(structure.read, { intervalMs: 5, maxIntervalMs: 20 });
    const names = Array.from({ length: 30 }, (_, i) => `in_${i}`);
    const waiting = names.map((n) => poller.waitFor(n, 5000));
    expect(poller.pending).toBe(30);
    setTimeout(() => names.slice(0, 15).forEach((n) => structure.add(n)), 15);
    setTimeout(() => names.slice(15).forEach((n) => structure.add(n)), 40);

    const nodes = await Promise.all(waiting);

    expect(nodes.map((n) => n.name)).toEqual(names);
    expect(poller.pending).toBe(0);
    // ~40 ms at 5..20 ms per tick: a handful of reads, not 30 per tick.
    expect(structure.reads).toBeLessThan(15);
    expect(structure.maxConcurrentReads).toBe(1);
  });

  it('GIVEN the input is already there WHEN waiting THEN one read confirms it', async () => {
    const structure = new FakeStructure();
    structure.add('ready');
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    await expect(poller.waitFor('ready', 1000)).resolves.toMatchObject({
      name: 'ready',
      category: 'INPUT',
    });
    expect(structure.reads).toBe(1);
  });

  it('GIVEN a deleted node or a non-input of that name WHEN waiting THEN it does not count', async () => {
    const structure = new FakeStructure();
    structure.add('x', { deleted: true });
    structure.add('x', { category: 'OUTPUT' });
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    await expect(poller.waitFor('x', 30)).rejects.toMatchObject({ code: 'create_unconfirmed' });
  });

  it('GIVEN the input never appears WHEN the deadline passes THEN the waiter is rejected with create_unconfirmed and a hint', async () => {
    const structure = new FakeStructure();
    const poller = new StructurePoller(structure.read, { intervalMs: 5, maxIntervalMs: 10 });
    const started = Date.now();
    const error = await poller.waitFor('never', 60).catch((e) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    expect(error.code).toBe('create_unconfirmed');
    expect(error.message).toMatch(/'never' was accepted but the input did not appear/);
    expect(error.hint).toMatch(/will not duplicate/);
  });

  it('GIVEN nothing appears WHEN polling goes on THEN the interval backs off up to the cap', async () => {
    const structure = new FakeStructure();
    const poller = new StructurePoller(structure.read, {
      intervalMs: 10,
      maxIntervalMs: 40,
      backoffFactor: 2,
    });
    await poller.waitFor('never', 200).catch(() => undefined);
    const gaps = structure.readTimes.slice(1).map((t, i) => t - structure.readTimes[i]);
    // 10, 20, 40, 40, ... (timers are late, never early)
    expect(gaps[0]).toBeGreaterThanOrEqual(9);
    expect(gaps[1]).toBeGreaterThanOrEqual(19);
    expect(Math.max(...gaps.slice(2, -1))).toBeGreaterThanOrEqual(39);
    expect(structure.reads).toBeLessThan(12);
  });

  it('GIVEN a read fails with a transient error WHEN polling THEN it goes on and confirms later', async () => {
    const structure = new FakeStructure();
    structure.failNext = [fromResponse({ method: 'GET', path: 'plumbing/', status: 503 })];
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    setTimeout(() => structure.add('later'), 20);
    await expect(poller.waitFor('later', 2000)).resolves.toMatchObject({ name: 'later' });
  });

  it('GIVEN a read fails with a permanent error WHEN polling THEN every waiter is rejected with it', async () => {
    const structure = new FakeStructure();
    const auth = fromResponse({ method: 'GET', path: 'plumbing/', status: 401 });
    structure.failNext = [auth];
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    const results = await Promise.allSettled([
      poller.waitFor('a', 2000),
      poller.waitFor('b', 2000),
    ]);
    expect(results).toEqual([
      { status: 'rejected', reason: auth },
      { status: 'rejected', reason: auth },
    ]);
    expect(poller.pending).toBe(0);
  });

  it('GIVEN a waiter arrives after the loop ended WHEN waiting THEN a new loop starts', async () => {
    const structure = new FakeStructure();
    structure.add('one');
    structure.add('two');
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    await poller.waitFor('one', 1000);
    await expect(poller.waitFor('two', 1000)).resolves.toMatchObject({ name: 'two' });
  });

  it('GIVEN concurrent lookups WHEN they ask at the same moment THEN they share one read that starts after they asked', async () => {
    const structure = new FakeStructure();
    structure.add('here');
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    const results = await Promise.all([
      poller.lookup('here'),
      poller.lookup('absent'),
      poller.lookup('here'),
    ]);
    expect(results.map((n) => n?.name)).toEqual(['here', undefined, 'here']);
    expect(structure.reads).toBe(1);
    // A later lookup gets a new read (the old one could miss a create).
    await poller.lookup('here');
    expect(structure.reads).toBe(2);
  });

  it('GIVEN lookups that ask while a read is in flight WHEN it ends THEN one read that starts after it serves them all', async () => {
    // reads that see the structure as it was when they started, and end when the test says
    const nodes: AloomaNode[] = [];
    const ends: Array<() => void> = [];
    let reads = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const read = async () => {
      reads++;
      const seen = [...nodes];
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise<void>((resolve) => ends.push(resolve));
      inFlight--;
      return seen;
    };
    const settle = async () => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const poller = new StructurePoller(read, { intervalMs: 5 });
    const first = poller.inputsNamed('late');
    await settle();
    expect(reads).toBe(1);
    // while it is in flight the input appears and three callers ask, at two moments
    nodes.push({
      id: 'id-late',
      name: 'late',
      type: 'RESTAPI',
      category: 'INPUT',
      configuration: {},
    });
    const asked = [poller.inputsNamed('late'), poller.lookup('late')];
    await settle();
    asked.push(poller.inputsNamed('late'));
    await settle();
    expect(reads).toBe(1);
    ends.shift()!();
    // the read in flight missed the input
    expect(await first).toEqual([]);
    await settle();
    expect(reads).toBe(2);
    ends.shift()!();
    const [a, b, c] = await Promise.all(asked);

    // the callers got a read of their own, and shared it
    expect((a as AloomaNode[]).map((n) => n.id)).toEqual(['id-late']);
    expect((b as AloomaNode | undefined)?.id).toBe('id-late');
    expect((c as AloomaNode[]).map((n) => n.id)).toEqual(['id-late']);
    expect(reads).toBe(2);
    expect(maxInFlight).toBe(1);
  });

  it('GIVEN creates that come one at a time in a stream WHEN a batch window is set THEN one read confirms each batch; a create alone reads at once', async () => {
    const structure = new FakeStructure();
    const poller = new StructurePoller(structure.read, {
      intervalMs: 5,
      batchWindowMs: 1000,
      batchSize: 4,
    });
    // alone: read at once
    structure.add('alone');
    const started = Date.now();
    await poller.waitFor('alone', 5000);
    expect(Date.now() - started).toBeLessThan(500);
    expect(structure.reads).toBe(1);

    // then 12 creates, one every 10 ms (each already in the structure when it waits)
    const waits: Promise<AloomaNode>[] = [];
    for (let i = 0; i < 12; i++) {
      structure.add(`s_${i}`);
      waits.push(poller.waitFor(`s_${i}`, 5000));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all(waits);
    // windows end when 4 wait: 3 reads for 12 creates (one read each without the window)
    expect(structure.reads - 1).toBeLessThanOrEqual(4);
    expect(structure.maxConcurrentReads).toBe(1);
  });

  it('GIVEN no batch window (the default) WHEN creates come in a stream THEN each reads at once', async () => {
    const structure = new FakeStructure();
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });
    for (let i = 0; i < 6; i++) {
      structure.add(`s_${i}`);
      await poller.waitFor(`s_${i}`, 5000);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(structure.reads).toBe(6);
  });

  it('GIVEN several inputs of the name WHEN a sighting resolves THEN it carries them all from that read, oldest first', async () => {
    const structure = new FakeStructure();
    structure.add('dup', { id: 'younger', created_at: '2026-01-02T00:00:00Z' });
    structure.add('dup', { id: 'older', created_at: '2026-01-01T00:00:00Z' });
    structure.add('dup', { id: 'gone', deleted: true });
    structure.add('other');
    const poller = new StructurePoller(structure.read, { intervalMs: 5 });

    const sighting = await poller.sighting('dup', 1000, (n) => n.id === 'younger');

    expect(sighting.node.id).toBe('younger');
    expect(sighting.named.map((n) => n.id)).toEqual(['older', 'younger']);
    expect(structure.reads).toBe(1);
  });
});

describe('CookieJar', () => {
  it('GIVEN Set-Cookie headers WHEN stored THEN the Cookie header carries name=value pairs only', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.store(['sessionid=abc; Path=/; HttpOnly; SameSite=Lax', 'csrftoken=x=y; Path=/']);
    jar.store(undefined);
    jar.store('bad-cookie-without-equals');
    expect(jar.header()).toBe('sessionid=abc; csrftoken=x=y');
  });

  it('GIVEN Max-Age=0, an empty value or a past Expires WHEN stored THEN the cookie is deleted', () => {
    const jar = new CookieJar();
    jar.store(['a=1', 'b=2', 'c=3', 'd=4']);
    jar.store(['a=1; Max-Age=0', 'b=', 'c=3; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header()).toBe('d=4');
    jar.clear();
    expect(jar.header()).toBeUndefined();
  });

  it('GIVEN a cookie with Max-Age WHEN the time passes THEN it is no longer sent', () => {
    let now = 1000;
    const jar = new CookieJar(() => now);
    jar.store('s=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=2');
    expect(jar.header()).toBe('s=1');
    now += 2500;
    expect(jar.header()).toBeUndefined();
  });

  it('GIVEN a cookie with a future Expires WHEN stored THEN it is kept', () => {
    const jar = new CookieJar(() => Date.parse('2024-01-01T00:00:00Z'));
    jar.store('s=1; Expires=Mon, 01 Jan 2024 01:00:00 GMT; Expires=garbage');
    expect(jar.header()).toBe('s=1');
  });
});

class FakeStructure {
  private nodes: AloomaNode[] = [];
  reads = 0;
  readTimes: number[] = [];
  maxConcurrentReads = 0;
  failNext: Error[] = [];
  private inFlight = 0;

  add(name: string, extra: Partial<AloomaNode> = {}): void {
    this.nodes.push({
      id: `id-${this.nodes.length}`,
      name,
      type: 'RESTAPI',
      category: 'INPUT',
      configuration: {},
      ...extra,
    });
  }

  read = async (): Promise<AloomaNode[]> => {
    this.reads++;
    this.readTimes.push(Date.now());
    this.inFlight++;
    this.maxConcurrentReads = Math.max(this.maxConcurrentReads, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const failure = this.failNext.shift();
      if (failure) throw failure;
      return [...this.nodes];
    } finally {
      this.inFlight--;
    }
  };
}
