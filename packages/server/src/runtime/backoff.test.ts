import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.js';

const opts = { baseMs: 100, maxMs: 10_000, jitter: 0.2 };

describe('backoffDelay', () => {
  it('doubles from the base per attempt (no jitter at the midpoint)', () => {
    const mid = (): number => 0.5;
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, opts, mid))).toEqual([100, 200, 400, 800, 1600]);
  });

  it('never exceeds the cap, even for huge attempts', () => {
    expect(backoffDelay(8, opts, () => 1)).toBe(10_000);
    expect(backoffDelay(10_000, opts, () => 0.99)).toBe(10_000);
    expect(backoffDelay(10_000, opts, () => 0)).toBe(8_000);
  });

  it('spreads within ±jitter of the exponential delay, and does spread', () => {
    for (const attempt of [1, 3, 6]) {
      const d = 100 * 2 ** (attempt - 1);
      const seen = new Set<number>();
      for (let i = 0; i < 500; i++) {
        const v = backoffDelay(attempt, opts);
        expect(v).toBeGreaterThanOrEqual(Math.floor(d * 0.8));
        expect(v).toBeLessThanOrEqual(Math.ceil(d * 1.2));
        seen.add(v);
      }
      expect(seen.size).toBeGreaterThan(10);
    }
  });

  it('treats attempt 0 or less as the first', () => {
    expect(backoffDelay(0, opts, () => 0.5)).toBe(100);
  });
});

describe('sleep', () => {
  it('resolves early when aborted', async () => {
    const ctl = new AbortController();
    const t0 = performance.now();
    const p = sleep(5_000, ctl.signal);
    ctl.abort();
    await p;
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('resolves at once for an already aborted signal', async () => {
    await sleep(5_000, AbortSignal.abort());
  });
});
