import { describe, expect, it } from 'vitest';
import type { WatchSessionEnd } from './guarded-watch.js';
import { KubeApiError } from './kube-errors.js';
import { Pacer } from './pacer.js';

const end = (e: Partial<WatchSessionEnd>): WatchSessionEnd => ({
  error: undefined,
  durationMs: 10,
  progressed: false,
  expired: false,
  forced: undefined,
  ...e,
});

function pacer(): Pacer {
  return new Pacer({ backoff: { baseMs: 100, maxMs: 1_000, jitter: 0 }, healthyAfterMs: 30_000 });
}

describe('Pacer', () => {
  it('waits nothing while healthy and backs off exponentially with each failure', () => {
    const p = pacer();
    expect(p.delay()).toBe(0);
    p.failed();
    expect(p.delay()).toBe(100);
    p.failed();
    p.failed();
    expect(p.delay()).toBe(400);
    for (let i = 0; i < 10; i++) p.failed();
    expect(p.delay()).toBe(1_000);
    p.progress();
    expect(p.delay()).toBe(0);
  });

  it('counts a watch that closed early without events as a failure (the tight-loop case)', () => {
    const p = pacer();
    expect(p.judge(end({}))).toBe('closed-early');
    expect(p.judge(end({}))).toBe('closed-early');
    expect(p.attempt).toBe(2);
  });

  it('takes a long watch, or one that delivered events, as healthy', () => {
    const p = pacer();
    p.failed();
    expect(p.judge(end({ durationMs: 300_000 }))).toBe('normal');
    expect(p.attempt).toBe(0);
    expect(p.judge(end({ progressed: true }))).toBe('normal');
    expect(p.attempt).toBe(0);
  });

  it('slows down repeated 410s that come before any progress, not one after a healthy watch', () => {
    const p = pacer();
    expect(p.judge(end({ expired: true, progressed: true }))).toBe('expired');
    expect(p.attempt).toBe(0);
    expect(p.judge(end({ expired: true }))).toBe('expired');
    expect(p.judge(end({ expired: true }))).toBe('expired');
    expect(p.attempt).toBe(2);
  });

  it('counts errors, and never a watchdog re-list', () => {
    const p = pacer();
    expect(p.judge(end({ forced: 'silent' }))).toBe('silence');
    expect(p.attempt).toBe(0);
    expect(p.judge(end({ error: new KubeApiError({ reason: 'ECONNRESET', message: 'reset' }) }))).toBe(
      'error',
    );
    expect(p.attempt).toBe(1);
  });
});
