import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue, type WorkQueueOptions } from './queue.js';
import { testLogger, waitFor } from './testing/fake-apiserver.js';

/** A process function whose runs finish when the test says so. */
function gated(): {
  process: (key: string) => Promise<void>;
  started: string[];
  running: Map<string, number>;
  maxRunning: { all: number; perKey: number };
  release: (key: string) => void;
  releaseAll: () => void;
} {
  const started: string[] = [];
  const running = new Map<string, number>();
  const waiting = new Map<string, Array<() => void>>();
  const maxRunning = { all: 0, perKey: 0 };
  let total = 0;
  return {
    started,
    running,
    maxRunning,
    process: (key) => {
      started.push(key);
      total++;
      running.set(key, (running.get(key) ?? 0) + 1);
      maxRunning.all = Math.max(maxRunning.all, total);
      maxRunning.perKey = Math.max(maxRunning.perKey, running.get(key) ?? 0);
      return new Promise<void>((resolve) => {
        const list = waiting.get(key) ?? [];
        list.push(() => {
          total--;
          running.set(key, (running.get(key) ?? 1) - 1);
          resolve();
        });
        waiting.set(key, list);
      });
    },
    release: (key) => waiting.get(key)?.shift()?.(),
    releaseAll: () => {
      for (const list of waiting.values()) for (const done of list.splice(0)) done();
    },
  };
}

const queues: WorkQueue[] = [];
function queue(opts: Omit<WorkQueueOptions, 'name' | 'logger'>): WorkQueue {
  const q = new WorkQueue({ name: 'test', logger: testLogger(), ...opts });
  queues.push(q);
  return q;
}

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(queues.splice(0).map((q) => q.shutDown()));
});

describe('WorkQueue', () => {
  it('merges adds of a key while it waits', async () => {
    const g = gated();
    const q = queue({ process: g.process, concurrency: 1 });
    q.add('blocker');
    for (let i = 0; i < 5; i++) q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    g.release('blocker');
    await waitFor('a', () => g.started.includes('a'));
    g.release('a');
    await waitFor('b', () => g.started.includes('b'));
    g.release('b');
    await waitFor('idle', () => q.active === 0);
    expect(g.started).toEqual(['blocker', 'a', 'b']);
  });

  it('never runs a key concurrently with itself; an add during its run runs it once more after', async () => {
    const g = gated();
    const q = queue({ process: g.process, concurrency: 4 });
    q.add('a');
    await waitFor('a started', () => g.started.length === 1);
    q.add('a');
    q.add('a');
    await new Promise((r) => setTimeout(r, 30));
    expect(g.started).toEqual(['a']); // not a second time while running
    g.release('a');
    await waitFor('a again', () => g.started.length === 2);
    g.release('a');
    await waitFor('idle', () => q.active === 0);
    expect(g.started).toEqual(['a', 'a']);
    expect(g.maxRunning.perKey).toBe(1);
  });

  it('runs at most `concurrency` keys at once', async () => {
    const g = gated();
    const q = queue({ process: g.process, concurrency: 3 });
    for (let i = 0; i < 10; i++) q.add(`k${i}`);
    await waitFor('3 running', () => q.active === 3);
    expect(q.length).toBe(7);
    for (let i = 0; i < 10; i++) {
      await waitFor(`k${i}`, () => g.started.includes(`k${i}`));
      g.release(`k${i}`);
    }
    await waitFor('idle', () => q.active === 0 && q.length === 0);
    expect(g.maxRunning.all).toBe(3);
  });

  it('grows the per-key retry delay exponentially from 5 ms to a 5 min cap; forget resets it', () => {
    const q = queue({ process: async () => undefined });
    const delays = Array.from({ length: 20 }, () => q.addRateLimited('a'));
    expect(delays.slice(0, 6)).toEqual([5, 10, 20, 40, 80, 160]);
    expect(Math.max(...delays)).toBe(300_000);
    expect(delays.at(-1)).toBe(300_000);
    expect(q.retries('a')).toBe(20);
    expect(q.addRateLimited('b')).toBe(5); // per key
    q.forget('a');
    expect(q.retries('a')).toBe(0);
    expect(q.addRateLimited('a')).toBe(5);
  });

  it('adds an overall token bucket when asked', () => {
    const q = queue({ process: async () => undefined, rateLimit: { qps: 10, burst: 2 } });
    expect(q.addRateLimited('a')).toBe(5);
    expect(q.addRateLimited('b')).toBe(5);
    expect(q.addRateLimited('c')).toBeGreaterThanOrEqual(99); // the bucket is empty: 1 token per 100 ms
    expect(q.addRateLimited('d')).toBeGreaterThanOrEqual(199);
  });

  it('addAfter delivers after the delay, keeping the earliest of several', async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const q = queue({ process: async (k) => void seen.push(k) });
    q.addAfter('a', 1_000);
    q.addAfter('a', 200);
    q.addAfter('a', 5_000);
    await vi.advanceTimersByTimeAsync(199);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toEqual(['a']);
  });

  it('retries on the backoff schedule: a failing key comes back after 5, 10, 20 ms', async () => {
    vi.useFakeTimers();
    const at: number[] = [];
    const t0 = Date.now();
    const q: WorkQueue = queue({
      process: async (k) => {
        at.push(Date.now() - t0);
        if (at.length < 4) q.addRateLimited(k);
      },
    });
    q.add('a');
    await vi.advanceTimersByTimeAsync(100);
    expect(at).toEqual([0, 5, 15, 35]);
  });

  it('shutDown waits for running keys, drops waiting and delayed ones, and ignores later adds', async () => {
    const g = gated();
    const q = queue({ process: g.process, concurrency: 1 });
    q.add('running');
    q.add('waiting');
    q.addAfter('delayed', 20);
    await waitFor('running', () => g.started.length === 1);
    let done = false;
    const shut = q.shutDown().then(() => (done = true));
    q.add('late');
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    g.release('running');
    await shut;
    await new Promise((r) => setTimeout(r, 50));
    expect(g.started).toEqual(['running']);
    expect(q.shuttingDown).toBe(true);
  });

  it('shutDown({drain: true}) processes what was waiting first', async () => {
    const seen: string[] = [];
    const q = queue({ process: async (k) => void seen.push(k), concurrency: 1 });
    q.add('a');
    q.add('b');
    q.add('c');
    await q.shutDown({ drain: true });
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('logs a rejected process and goes on', async () => {
    const seen: string[] = [];
    const q = queue({
      process: async (k) => {
        seen.push(k);
        if (k === 'bad') throw new Error('boom');
      },
    });
    q.add('bad');
    q.add('good');
    await waitFor('both', () => seen.length === 2);
  });
});
