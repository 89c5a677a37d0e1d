import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Watchdog, type Phase } from './watchdog.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

function dog(): { wd: Watchdog; calls: Array<{ reason: string; phase: Phase }> } {
  const calls: Array<{ reason: string; phase: Phase }> = [];
  const wd = new Watchdog({ silenceMs: 1_000, onSilence: (reason, phase) => calls.push({ reason, phase }) });
  return { wd, calls };
}

describe('Watchdog', () => {
  it('fires once per silent period while watching', async () => {
    const { wd, calls } = dog();
    wd.start();
    wd.bump('watching');
    await vi.advanceTimersByTimeAsync(900);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(400);
    expect(calls).toEqual([{ reason: 'no events or bookmarks for 1 s', phase: 'watching' }]);
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(2);
    wd.stop();
  });

  it('keeps quiet while there are signs of life', async () => {
    const { wd, calls } = dog();
    wd.start();
    for (let i = 0; i < 20; i++) {
      wd.bump('watching');
      await vi.advanceTimersByTimeAsync(500);
    }
    expect(calls).toHaveLength(0);
    wd.stop();
  });

  it('leaves a backoff wait or a list alone (they are bounded by themselves)', async () => {
    const { wd, calls } = dog();
    wd.start();
    wd.bump('gating');
    await vi.advanceTimersByTimeAsync(5_000);
    wd.bump('listing');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(0);
    wd.stop();
  });

  it('stops', async () => {
    const { wd, calls } = dog();
    wd.start();
    wd.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toHaveLength(0);
  });
});
