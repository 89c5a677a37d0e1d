import { describe, expect, it } from 'vitest';
import { reconnectDelay } from './reconnect-backoff.js';

const backoff = { baseMs: 500, maxMs: 30_000 };

describe('reconnectDelay', () => {
  it('doubles its ceiling per attempt, from half the ceiling up to all of it', () => {
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, backoff, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, backoff, () => 1))).toEqual([500, 1000, 2000, 4000]);
  });

  it('never exceeds the cap, however many attempts', () => {
    for (const n of [7, 8, 50, 1e6]) {
      expect(reconnectDelay(n, backoff, () => 1)).toBe(30_000);
      expect(reconnectDelay(n, backoff, () => 0)).toBe(15_000);
    }
  });

  it('spreads agents that fail together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => reconnectDelay(5, backoff)));
    expect(delays.size).toBeGreaterThan(40);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4000);
  });

  it('treats attempt 0 or less as the first', () => {
    expect(reconnectDelay(0, backoff, () => 1)).toBe(500);
    expect(reconnectDelay(-3, backoff, () => 1)).toBe(500);
  });
});
