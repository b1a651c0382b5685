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
