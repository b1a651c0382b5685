/**
 * Password logins, for the API's `POST login` and the console's form alike:
 * the same work whether the user exists or not (no user enumeration by
 * timing), and back-off after repeated failures, per account and per client
 * address, answered with how long to wait.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, verifyPassword } from './auth';
import type { AloomaStore } from './store';

/** Failures an account may have before each further one makes it wait. */
export const ACCOUNT_FREE_FAILURES = 5;
/** Failures an address may have (over every account it tries) before it waits. */
export const ADDRESS_FREE_FAILURES = 20;
/** Longest wait, in seconds; the first is 2 s, and each further failure doubles it. */
export const MAX_WAIT_S = 60;
/** A key's failures are forgotten this long after its last one. */
const FORGET_AFTER_MS = 15 * 60 * 1000;
/** Keys kept at most (the oldest are dropped first): bounded memory whatever the traffic. */
const MAX_KEYS = 10_000;

/** The outcome of a login attempt. */
export type LoginResult =
  | { readonly status: 'ok'; readonly account: string }
  | { readonly status: 'invalid' }
  | { readonly status: 'throttled'; readonly retryAfterS: number };

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

/** Failed logins by account and by address, and the waits they impose. In memory. */
export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before `keys` may try again (0: now). */
  waitS(keys: readonly string[]): number {
    const now = this.now();
    let until = 0;
    for (const key of keys) until = Math.max(until, this.entry(key, now)?.lockedUntil ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts a failure for each key, with its free allowance. */
  fail(keys: ReadonlyArray<readonly [string, number]>): void {
    const now = this.now();
    for (const [key, free] of keys) {
      const entry = this.entry(key, now) ?? { count: 0, lastAt: now, lockedUntil: 0 };
      entry.count += 1;
      entry.lastAt = now;
      if (entry.count >= free)
        entry.lockedUntil = now + Math.min(MAX_WAIT_S, 2 ** (entry.count - free + 1)) * 1000;
      this.failures.delete(key); // re-insert: the map stays ordered by last failure
      this.failures.set(key, entry);
      if (this.failures.size > MAX_KEYS)
        this.failures.delete(this.failures.keys().next().value as string);
    }
  }

  /** Forgets the failures of `key` (the account, after a successful login). */
  succeed(key: string): void {
    this.failures.delete(key);
  }

  private entry(key: string, now: number): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.lastAt > FORGET_AFTER_MS && entry.lockedUntil <= now) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}

/** Checks logins against the store's users, through a throttle. */
export class PasswordLogin {
  /** Verified against when the user does not exist, so that costs the same as a wrong password. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly store: AloomaStore,
    private readonly throttle: LoginThrottle = new LoginThrottle(),
  ) {
    this.decoyHash = hashPassword(randomBytes(16).toString('hex'));
  }

  /**
   * Checks `email` / `password` from `address`; `account`, when given (the
   * `/<account>/rest/` of the URL), must be the user's.
   */
  async attempt(
    email: string,
    password: string,
    address: string,
    account?: string,
  ): Promise<LoginResult> {
    const accountKey = `account:${email.trim().toLowerCase()}`;
    const addressKey = `address:${address}`;
    const wait = this.throttle.waitS([accountKey, addressKey]);
    if (wait > 0) return { status: 'throttled', retryAfterS: wait };

    const user = this.store.findUser(email);
    // Always one scrypt: an unknown user costs what a known one does.
    const hash = user?.passwordHash ?? (await this.decoyHash);
    const passwordOk = await verifyPassword(password, hash);
    if (user && passwordOk && (account === undefined || account === user.account)) {
      this.throttle.succeed(accountKey);
      return { status: 'ok', account: user.account };
    }
    this.throttle.fail([
      [accountKey, ACCOUNT_FREE_FAILURES],
      [addressKey, ADDRESS_FREE_FAILURES],
    ]);
    return { status: 'invalid' };
  }
}
