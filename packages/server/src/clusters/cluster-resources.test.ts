import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { eventsInWindow, eventTime, trimObject } from './cluster-resources.js';

const now = Date.parse('2025-01-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();

function event(name: string, fields: Record<string, unknown>): KubernetesObject {
  return { metadata: { name, namespace: 'default' }, ...fields } as KubernetesObject;
}

describe('eventTime', () => {
  it('takes the latest of the times an event carries', () => {
    expect(
      eventTime(
        event('a', {
          firstTimestamp: minutesAgo(50),
          lastTimestamp: minutesAgo(5),
          metadata: { name: 'a', creationTimestamp: minutesAgo(50) },
        }),
      ),
    ).toBe(now - 5 * 60_000);
    // events.k8s.io-style: eventTime and a series instead of lastTimestamp
    expect(
      eventTime(
        event('b', { eventTime: '2025-01-01T11:00:00.123456Z', series: { lastObservedTime: minutesAgo(1) } }),
      ),
    ).toBe(now - 60_000);
    // bookkeeping only: when the object was created
    expect(
      eventTime(
        event('c', { lastTimestamp: null, metadata: { name: 'c', creationTimestamp: minutesAgo(2) } }),
      ),
    ).toBe(now - 2 * 60_000);
    // a replayed event reports when it happened, not when its object was written
    expect(
      eventTime(
        event('d', {
          lastTimestamp: minutesAgo(90),
          metadata: { name: 'd', creationTimestamp: minutesAgo(1) },
        }),
      ),
    ).toBe(now - 90 * 60_000);
    expect(eventTime(event('e', { lastTimestamp: null }))).toBe(0);
  });
});

describe('eventsInWindow', () => {
  const window = { maxAgeMs: 60 * 60_000, maxCount: 3 };

  it('drops events older than the window', () => {
    const kept = eventsInWindow(
      [event('old', { lastTimestamp: minutesAgo(61) }), event('new', { lastTimestamp: minutesAgo(59) })],
      window,
      now,
    );
    expect(kept.map((e) => e.metadata?.name)).toEqual(['new']);
  });

  it('keeps the newest maxCount', () => {
    const events = [5, 1, 4, 2, 3].map((m) => event(`m${m}`, { lastTimestamp: minutesAgo(m) }));
    expect(eventsInWindow(events, window, now).map((e) => e.metadata?.name)).toEqual(['m1', 'm2', 'm3']);
  });

  it('returns everything when the window holds it', () => {
    const events = [1, 2].map((m) => event(`m${m}`, { lastTimestamp: minutesAgo(m) }));
    expect(eventsInWindow(events, window, now)).toHaveLength(2);
  });
});

describe('trimObject', () => {
  it('drops managedFields in place and keeps the rest', () => {
    const obj = {
      metadata: { name: 'n', labels: { a: 'b' }, managedFields: [{ manager: 'kubelet' }] },
      status: { capacity: { cpu: '1' } },
    } as unknown as KubernetesObject;
    trimObject(obj);
    expect(obj).toEqual({ metadata: { name: 'n', labels: { a: 'b' } }, status: { capacity: { cpu: '1' } } });
  });
});
