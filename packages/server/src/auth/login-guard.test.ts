import { describe, expect, it } from 'vitest';
import { LoginGuard, type Attempt, type Refusal } from './login-guard.js';

const opts = { maxFailures: 3, lockMs: 60_000, maxPerAddress: 5, addressWindowMs: 10_000 };

function attempt(r: Attempt | Refusal): Attempt {
  if (r.refused) throw new Error(`refused: ${r.refused}`);
  return r;
}

describe('LoginGuard', () => {
  it('locks an account after consecutive failures, for lockMs, known or not', () => {
    let now = 1_000_000;
    const g = new LoginGuard(opts, () => now);
    expect(attempt(g.begin('ghost', 'a')).fail().lockedUntil).toBeUndefined();
    expect(attempt(g.begin('ghost', 'b')).fail().lockedUntil).toBeUndefined();
    expect(attempt(g.begin('ghost', 'c')).fail().lockedUntil?.getTime()).toBe(now + 60_000);
    expect(g.begin('ghost', 'd')).toEqual({ refused: 'account', waitMs: 60_000 });
    now += 59_999;
    expect(g.begin('ghost', 'd')).toEqual({ refused: 'account', waitMs: 1 });
    now += 1;
    expect(g.begin('ghost', 'd').refused).toBeUndefined();
  });

  it('counts an attempt before it is verified: parallel attempts beyond the budget are refused', () => {
    const g = new LoginGuard(opts, () => 0);
    const inFlight = [0, 1, 2].map(() => attempt(g.begin('alice', `10.0.0.${Math.random()}`)));
    expect(inFlight.map((a) => a.failures)).toEqual([1, 2, 3]);
    // The right password arriving now is not even verified.
    expect(g.begin('alice', '10.9.9.9')).toMatchObject({ refused: 'account' });
    for (const a of inFlight) a.fail();
    expect(g.begin('alice', '10.9.9.9')).toEqual({ refused: 'account', waitMs: 60_000 });
  });

  it('gives the budget back on success, keeping the attempts still in flight counted', () => {
    const g = new LoginGuard(opts, () => 0);
    const wrong = attempt(g.begin('alice', 'a'));
    const right = attempt(g.begin('alice', 'a'));
    attempt(g.begin('alice', 'a')).fail();
    right.succeed();
    wrong.fail();
    expect(attempt(g.begin('alice', 'a')).fail().failures).toBe(2);
    expect(() => wrong.fail()).toThrow(/once/);
  });

  it('does not count a failure that was in flight when another replica locked the account', () => {
    const g = new LoginGuard(opts, () => Date.parse('2026-01-01T00:00:00Z'));
    const inFlight = attempt(g.begin('alice', 'a'));
    expect(g.begin('alice', 'b', { lockedUntil: '2026-01-01T00:01:00Z' })).toMatchObject({
      refused: 'account',
    });
    // No new lock (and so no write that would replace the persisted one), no count while locked.
    expect(inFlight.fail()).toEqual({ failures: 0 });
  });

  it('resumes the count persisted by another replica, and honours its lock', () => {
    const g = new LoginGuard(opts, () => Date.parse('2026-01-01T00:00:00Z'));
    expect(attempt(g.begin('alice', 'a', { failedLogins: 2 })).fail().lockedUntil).toBeDefined();
    expect(g.begin('bob', 'a', { lockedUntil: '2026-01-01T00:00:30Z' })).toEqual({
      refused: 'account',
      waitMs: 30_000,
    });
    expect(g.begin('carl', 'a', { failedLogins: 3 })).toMatchObject({ refused: 'account' });
  });

  it('throttles an address across names, counting attempts in flight; a success frees its slot', () => {
    let now = 0;
    const g = new LoginGuard(opts, () => now);
    attempt(g.begin('ok', '10.1.1.1')).succeed();
    const pending = [0, 1, 2, 3, 4].map((i) => attempt(g.begin(`u${i}`, '10.1.1.1')));
    expect(g.begin('u9', '10.1.1.1')).toEqual({ refused: 'address', waitMs: 10_000 });
    expect(g.begin('u9', '10.1.1.2').refused).toBeUndefined();
    for (const a of pending) a.fail();
    now = 10_001;
    expect(g.addressWait('10.1.1.1')).toBe(0);
  });
});
