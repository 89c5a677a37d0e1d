/**
 * Login throttling and temporary lockout. Failures count per account name (known or not, so the answer
 * never tells which) and per source address. A known account's count and lock also live in its User status,
 * so every replica honours them; this class keeps the in-memory side and the arithmetic.
 *
 * An attempt is counted before its password is verified (`begin`), so parallel attempts cannot all pass a
 * check made before any of them failed: an account with `maxFailures` attempts failed or still being
 * verified takes no more, and neither does an address with `maxPerAddress` in the window. A success gives
 * the account's budget back (and its address slot); a failure keeps what it took.
 */
export type LoginGuardOptions = {
  /** Consecutive failures that lock an account. */
  maxFailures: number;
  lockMs: number;
  /** Failed attempts one address may make per window, over all account names. */
  maxPerAddress: number;
  addressWindowMs: number;
};

export const defaultLoginGuard: LoginGuardOptions = {
  maxFailures: 5,
  lockMs: 15 * 60_000,
  maxPerAddress: 30,
  addressWindowMs: 60_000,
};

type AccountState = { failures: number; inFlight: number; lockedUntil: number };

/** What the User status says about earlier attempts (written by any replica). */
export type PersistedAttempts = { failedLogins?: number; lockedUntil?: string };

/** A refused attempt: how long to wait, and whether the address or the account is out of attempts. */
export type Refusal = { refused: 'address' | 'account'; waitMs: number };

/** An attempt being verified: end it with exactly one of fail() or succeed(). */
export type Attempt = {
  refused?: undefined;
  /** The account's failures counting the attempts in flight, this one included (to persist before verifying). */
  failures: number;
  /** Say the password was wrong: the attempt stays counted; the lock time if the account is now locked. */
  fail(): { failures: number; lockedUntil?: Date };
  /** Say it was right: the account starts over and the address gets its slot back. */
  succeed(): void;
};

export class LoginGuard {
  private readonly accounts = new Map<string, AccountState>();
  private readonly addresses = new Map<string, number[]>();

  constructor(
    readonly options: LoginGuardOptions = defaultLoginGuard,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts an attempt before it is verified, or refuses it. */
  begin(user: string, ip: string, persisted: PersistedAttempts = {}): Attempt | Refusal {
    const addressWait = this.addressWait(ip);
    if (addressWait > 0) return { refused: 'address', waitMs: addressWait };
    const state = this.account(user, persisted);
    const now = this.now();
    if (state.lockedUntil > now) return { refused: 'account', waitMs: state.lockedUntil - now };
    if (state.failures + state.inFlight >= this.options.maxFailures) {
      // The budget is taken by attempts still being verified: they lock the account or give it back.
      return { refused: 'account', waitMs: this.options.lockMs };
    }
    const slot = now;
    this.addresses.set(ip, [...(this.addresses.get(ip) ?? []), slot]);
    state.inFlight++;
    let ended = false;
    const end = () => {
      if (ended) throw new Error('a login attempt ends once');
      ended = true;
      state.inFlight--;
    };
    return {
      failures: state.failures + state.inFlight,
      fail: () => {
        end();
        // One in flight when another locked the account: the lock already counts it.
        if (state.lockedUntil > this.now()) return { failures: state.failures };
        state.failures++;
        let lockedUntil: Date | undefined;
        if (state.failures >= this.options.maxFailures) {
          state.lockedUntil = this.now() + this.options.lockMs;
          state.failures = 0;
          lockedUntil = new Date(state.lockedUntil);
        }
        this.prune();
        return { failures: state.failures, lockedUntil };
      },
      succeed: () => {
        end();
        state.failures = 0;
        state.lockedUntil = 0;
        const slots = this.addresses.get(ip) ?? [];
        const i = slots.indexOf(slot);
        if (i >= 0) slots.splice(i, 1);
      },
    };
  }

  /** Milliseconds until the address may try again, or 0. */
  addressWait(ip: string): number {
    const since = this.now() - this.options.addressWindowMs;
    const recent = (this.addresses.get(ip) ?? []).filter((t) => t > since);
    if (recent.length === 0) this.addresses.delete(ip);
    else this.addresses.set(ip, recent);
    if (recent.length < this.options.maxPerAddress) return 0;
    return (recent[0] ?? 0) + this.options.addressWindowMs - this.now();
  }

  /** The account's state, merged with what another replica persisted (the later lock, the higher count). */
  private account(user: string, persisted: PersistedAttempts): AccountState {
    let state = this.accounts.get(user);
    if (!state) {
      state = { failures: 0, inFlight: 0, lockedUntil: 0 };
      this.accounts.set(user, state);
    }
    const lock = persisted.lockedUntil ? Date.parse(persisted.lockedUntil) || 0 : 0;
    if (lock > state.lockedUntil) {
      state.lockedUntil = lock;
      state.failures = 0;
    } else if (state.inFlight === 0 && lock <= this.now()) {
      // Persisted counts include this replica's own attempts, and attempts in flight are in memory.
      state.failures = Math.max(
        state.failures,
        Math.min(persisted.failedLogins ?? 0, this.options.maxFailures),
      );
    }
    return state;
  }

  private prune(): void {
    if (this.accounts.size < 10_000) return;
    const now = this.now();
    for (const [k, v] of this.accounts) {
      if (v.lockedUntil < now && v.failures === 0 && v.inFlight === 0) this.accounts.delete(k);
    }
  }
}
