/**
 * Login throttling and temporary lockout. Failures count per account name (known or not, so the answer
 * never tells which) and per source address. A known account's lock also lives in its User status, so
 * every replica honours it; this class keeps the in-memory side and the arithmetic.
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

type AccountState = { failures: number; lockedUntil: number };

export class LoginGuard {
  private readonly accounts = new Map<string, AccountState>();
  private readonly addresses = new Map<string, number[]>();

  constructor(
    readonly options: LoginGuardOptions = defaultLoginGuard,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the address may try again, or 0. */
  addressWait(ip: string): number {
    const since = this.now() - this.options.addressWindowMs;
    const recent = (this.addresses.get(ip) ?? []).filter((t) => t > since);
    this.addresses.set(ip, recent);
    if (recent.length < this.options.maxPerAddress) return 0;
    return (recent[0] ?? 0) + this.options.addressWindowMs - this.now();
  }

  /** Milliseconds until the account unlocks (the later of memory and a persisted lock), or 0. */
  accountWait(user: string, persistedLockedUntil?: string): number {
    const mem = this.accounts.get(user)?.lockedUntil ?? 0;
    const persisted = persistedLockedUntil ? Date.parse(persistedLockedUntil) || 0 : 0;
    return Math.max(0, Math.max(mem, persisted) - this.now());
  }

  /** Counts a failure; returns the account's consecutive failures and its lock time if it is now locked. */
  fail(user: string, ip: string, persistedFailures = 0): { failures: number; lockedUntil?: Date } {
    this.addresses.set(ip, [...(this.addresses.get(ip) ?? []), this.now()]);
    const state = this.accounts.get(user) ?? { failures: 0, lockedUntil: 0 };
    state.failures = Math.max(state.failures, persistedFailures) + 1;
    let lockedUntil: Date | undefined;
    if (state.failures >= this.options.maxFailures) {
      state.lockedUntil = this.now() + this.options.lockMs;
      state.failures = 0;
      lockedUntil = new Date(state.lockedUntil);
    }
    this.accounts.set(user, state);
    this.prune();
    return { failures: state.failures, lockedUntil };
  }

  succeed(user: string): void {
    this.accounts.delete(user);
  }

  private prune(): void {
    if (this.accounts.size < 10_000) return;
    const now = this.now();
    for (const [k, v] of this.accounts) if (v.lockedUntil < now && v.failures === 0) this.accounts.delete(k);
  }
}
