import { describe, expect, it, vi } from 'vitest';
import { ChangeHub } from './changes.js';

describe('ChangeHub', () => {
  it('debounces a burst into one message per key, only to that key', () => {
    vi.useFakeTimers();
    try {
      const hub = new ChangeHub(200);
      const tenants: string[] = [];
      const pods: string[] = [];
      hub.subscribe('management/tenants', (k) => tenants.push(k));
      const off = hub.subscribe('qa/pods', (k) => pods.push(k));
      for (let i = 0; i < 50; i++) hub.notify('management/tenants');
      vi.advanceTimersByTime(199);
      expect(tenants).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(tenants).toEqual(['management/tenants']);
      expect(pods).toEqual([]);
      off();
      hub.notify('qa/pods');
      vi.advanceTimersByTime(500);
      expect(pods).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells every listener even when one throws, and hands the error to its handler', () => {
    vi.useFakeTimers();
    try {
      const errors: string[] = [];
      const hub = new ChangeHub(200, (err, key) => errors.push(`${key}: ${(err as Error).message}`));
      const heard: string[] = [];
      hub.subscribe('management/users', () => {
        throw new Error('listener bug');
      });
      hub.subscribe('management/users', (k) => heard.push(k));
      hub.notify('management/users');
      vi.advanceTimersByTime(200);
      expect(heard).toEqual(['management/users']);
      expect(errors).toEqual(['management/users: listener bug']);
    } finally {
      vi.useRealTimers();
    }
  });
});
