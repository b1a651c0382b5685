/**
 * The create protocol waits through the one retry policy and the client's
 * clock: with an injected clock that does not wait, a create that meets a
 * 20 s Retry-After or a 20 s landing window finishes in real milliseconds,
 * and the waits are the ones the policy says. A real emulator process
 * injects the faults; the injected clock lifts them during the first wait.
 */
import { Clock, ClientEvent } from '../../../src/runtime/client';
import { EmulatorProcess } from '../../helpers/emulator-process';
import { DEMO_KEY, clientFor, countInputsNamed, useEmulatorPerFile } from './helpers';

const currentEmulator = useEmulatorPerFile();
let emulator: EmulatorProcess;
beforeAll(() => {
  emulator = currentEmulator();
});

/** Real time a test may take; a real wait of 20 s would exceed it. */
const REAL_BUDGET_MS = 8000;

describe('create confirmation on an injected clock', () => {
  it(
    'GIVEN every request answers 429 with Retry-After 20 s WHEN creating THEN the create waits 20 s on the injected clock, not in real time, and posts twice',
    async () => {
      await emulator.setFaults({ throttleRate: 1, retryAfterS: 20 });
      const clock = virtualClock(() => emulator.setFaults({}));
      const events: ClientEvent[] = [];
      const { client } = clientFor(emulator.url, {
        auth: DEMO_KEY,
        clock,
        onEvent: (e) => events.push(e),
      });
      const started = Date.now();

      // existingIds given: the first request is the POST itself.
      const node = await client.createInput(
        { name: 'throttled_once', type: 'RESTAPI', configuration: {} },
        { existingIds: new Set() },
      );

      expect(Date.now() - started).toBeLessThan(REAL_BUDGET_MS);
      expect(node.name).toBe('throttled_once');
      // The one retry policy: Retry-After (20 s) plus a jitter below minDelayMs (5 ms).
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(20000);
      expect(clock.sleeps[0]).toBeLessThanOrEqual(20005);
      expect(events.filter((e) => e.type === 'retry')).toEqual([
        expect.objectContaining({
          method: 'POST',
          path: 'plumbing/inputs',
          attempt: 1,
          delayMs: clock.sleeps[0],
          code: 'rate_limited',
        }),
      ]);
      // A 429 never lands: no look for it before posting again.
      expect(events.some((e) => e.type === 'create_check')).toBe(false);
      expect(postStatuses(events)).toEqual([429, 200]);
      expect(client.metrics.retries).toBe(1);
      expect((await countInputsNamed(emulator.url, ['throttled_once'])).get('throttled_once')).toBe(
        1,
      );
    },
    REAL_BUDGET_MS + 5000,
  );

  it(
    'GIVEN a create answered 503 before it landed WHEN creating with a 20 s landing window THEN the window is looked through on the injected clock and the create is posted again once',
    async () => {
      await emulator.setFaults({ errorRate: 1 });
      const clock = virtualClock(() => emulator.setFaults({}));
      const events: ClientEvent[] = [];
      const { client } = clientFor(emulator.url, {
        auth: DEMO_KEY,
        clock,
        landingWindowMs: 20000,
        onEvent: (e) => events.push(e),
      });
      const started = Date.now();

      const node = await client.createInput(
        { name: 'lost_before_landing', type: 'RESTAPI', configuration: {} },
        { existingIds: new Set() },
      );

      expect(Date.now() - started).toBeLessThan(REAL_BUDGET_MS);
      expect(node.name).toBe('lost_before_landing');
      // The whole landing window passed on the injected clock (the poller's waits included).
      expect(clock.now() - clock.start).toBeGreaterThanOrEqual(20000);
      expect(clock.sleeps.length).toBeGreaterThan(2);
      expect(events).toContainEqual({
        type: 'create_check',
        name: 'lost_before_landing',
        found: false,
      });
      expect(events.filter((e) => e.type === 'retry' && e.method === 'POST')).toEqual([
        expect.objectContaining({ attempt: 1, code: 'server', status: 503 }),
      ]);
      expect(postStatuses(events)).toEqual([503, 200]);
      expect(
        (await countInputsNamed(emulator.url, ['lost_before_landing'])).get('lost_before_landing'),
      ).toBe(1);
    },
    REAL_BUDGET_MS + 5000,
  );
});

describe('other calls on an injected clock', () => {
  it(
    'GIVEN a read answered 429 with Retry-After 20 s WHEN reading THEN the wait is on the injected clock',
    async () => {
      await emulator.setFaults({ throttleRate: 1, retryAfterS: 20 });
      const clock = virtualClock(() => emulator.setFaults({}));
      const { client } = clientFor(emulator.url, { auth: DEMO_KEY, clock });
      const started = Date.now();

      await client.getAccountName();

      expect(Date.now() - started).toBeLessThan(REAL_BUDGET_MS);
      expect(clock.sleeps).toHaveLength(1);
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(20000);
    },
    REAL_BUDGET_MS + 5000,
  );
});

/** A clock whose sleeps return at once and move its time on; the first one runs `onFirstSleep`. */
function virtualClock(
  onFirstSleep: () => Promise<void>,
): Clock & { readonly start: number; readonly sleeps: number[] } {
  const start = 1_000_000;
  let now = start;
  const sleeps: number[] = [];
  return {
    start,
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      if (sleeps.length === 1) await onFirstSleep();
    },
  };
}

function postStatuses(events: readonly ClientEvent[]): number[] {
  return events.flatMap((e) =>
    e.type === 'request' && e.method === 'POST' && e.path === 'plumbing/inputs' ? [e.status] : [],
  );
}
