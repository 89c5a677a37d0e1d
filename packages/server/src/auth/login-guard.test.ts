import { describe, expect, it } from 'vitest';
import { LoginGuard } from './login-guard.js';

describe('LoginGuard', () => {
  const opts = { maxFailures: 3, lockMs: 60_000, maxPerAddress: 5, addressWindowMs: 10_000 };

  it('locks an account after consecutive failures, for lockMs, known or not', () => {
    let now = 1_000_000;
    const g = new LoginGuard(opts, () => now);
    expect(g.fail('ghost', 'a').lockedUntil).toBeUndefined();
    expect(g.fail('ghost', 'b').lockedUntil).toBeUndefined();
    expect(g.fail('ghost', 'c').lockedUntil?.getTime()).toBe(now + 60_000);
    expect(g.accountWait('ghost')).toBe(60_000);
    now += 59_999;
    expect(g.accountWait('ghost')).toBe(1);
    now += 1;
    expect(g.accountWait('ghost')).toBe(0);
  });

  it('resumes the count persisted by another replica, and a success resets it', () => {
    const g = new LoginGuard(opts, () => 0);
    expect(g.fail('alice', 'a', 2).lockedUntil).toBeDefined();
    g.succeed('alice');
    expect(g.fail('alice', 'a').failures).toBe(1);
  });

  it('honours a lock persisted in the user status', () => {
    const g = new LoginGuard(opts, () => Date.parse('2026-01-01T00:00:00Z'));
    expect(g.accountWait('alice', '2026-01-01T00:00:30Z')).toBe(30_000);
  });

  it('throttles an address that fails too often across names', () => {
    let now = 0;
    const g = new LoginGuard(opts, () => now);
    for (let i = 0; i < 5; i++) g.fail(`u${i}`, '10.1.1.1');
    expect(g.addressWait('10.1.1.1')).toBe(10_000);
    expect(g.addressWait('10.1.1.2')).toBe(0);
    now = 10_001;
    expect(g.addressWait('10.1.1.1')).toBe(0);
  });
});
