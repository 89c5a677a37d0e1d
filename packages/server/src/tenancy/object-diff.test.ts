import { describe, expect, it } from 'vitest';
import { needsWrite, sameValue, strayPatch } from './object-diff.js';
import type { Manifest } from './partition-objects.js';

const labels = { 'app.kubernetes.io/managed-by': 'shipyard', 'shipyard.dev/partition': 'p' };
const quota: Manifest = {
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'shipyard-quota', namespace: 'ns', labels },
  spec: { hard: { 'requests.cpu': '1000m', 'requests.memory': '1024Mi' } },
};

describe('object diff', () => {
  it('sees an object as the apiserver prints it as in sync', () => {
    const observed = {
      metadata: { labels: { ...labels, extra: 'theirs' }, uid: 'u', resourceVersion: '5' },
      spec: { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi' } },
      status: { used: {} },
    };
    expect(needsWrite(observed, quota)).toBe(false);
    expect(strayPatch(observed, quota)).toBeUndefined();
  });

  it('needs a write when it is missing, a label of ours is gone, or the spec was edited', () => {
    expect(needsWrite(undefined, quota)).toBe(true);
    expect(needsWrite({ metadata: { labels: {} }, spec: quota.spec }, quota)).toBe(true);
    expect(
      needsWrite(
        { metadata: { labels }, spec: { hard: { 'requests.cpu': '2', 'requests.memory': '1Gi' } } },
        quota,
      ),
    ).toBe(true);
  });

  it('finds what others added, which an apply leaves in place, and patches it away', () => {
    const observed = {
      metadata: { labels },
      spec: { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '1' }, scopes: ['BestEffort'] },
    };
    expect(needsWrite(observed, quota)).toBe(true);
    expect(strayPatch(observed, quota)).toEqual({ spec: { hard: { pods: null }, scopes: null } });
  });

  it('treats empty and absent alike (the apiserver leaves out empty maps)', () => {
    const empty: Manifest = { ...quota, spec: { hard: {} } };
    expect(needsWrite({ metadata: { labels }, spec: {} }, empty)).toBe(false);
    expect(sameValue({ a: [] }, {})).toBe(true);
  });

  it('compares quantities by amount only in quantity maps', () => {
    expect(sameValue({ hard: { x: '1' } }, { hard: { x: '1000m' } })).toBe(true);
    expect(sameValue({ default: { cpu: '0.5' } }, { default: { cpu: '500m' } })).toBe(true);
    expect(sameValue({ name: '1' }, { name: '1000m' })).toBe(false);
    expect(sameValue([{ port: 80 }], [{ port: 80 }, { port: 81 }])).toBe(false);
  });

  it('has nothing to say about a namespace spec (the apiserver owns its finalizers)', () => {
    const ns: Manifest = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns', labels } };
    expect(needsWrite({ metadata: { labels }, spec: { finalizers: ['kubernetes'] } }, ns)).toBe(false);
    expect(strayPatch({ metadata: { labels }, spec: { finalizers: ['kubernetes'] } }, ns)).toBeUndefined();
  });
});
