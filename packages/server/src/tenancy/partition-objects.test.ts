import { describe, expect, it } from 'vitest';
import type { Partition } from '@shipyard/api';
import {
  limitRangeDefaults,
  partitionHard,
  partitionObjects,
  partitionSelector,
  podSecurityLabels,
} from './partition-objects.js';

const partition = (spec: Partial<Partition['spec']>, name = 'qa-web'): Partition =>
  ({
    apiVersion: 'shipyard.dev/v1alpha1',
    kind: 'Partition',
    metadata: { name },
    spec: { tenant: 'qa', cluster: 'c1', hard: {}, ...spec },
  }) as Partition;

describe('partition objects', () => {
  it('labels every object for its tenant and partition, in the partition namespace', () => {
    const hard = { 'requests.cpu': '2', 'limits.cpu': '6', pods: '10' };
    const objs = partitionObjects(partition({ namespace: 'web', hard }));
    const labels = {
      'app.kubernetes.io/managed-by': 'shipyard',
      'shipyard.dev/tenant': 'qa',
      'shipyard.dev/partition': 'qa-web',
    };
    expect(objs.namespace).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'web', labels: { ...labels, ...podSecurity('baseline') } },
    });
    expect(objs.namespaced.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ResourceQuota/shipyard-quota',
      'LimitRange/shipyard-defaults',
      'NetworkPolicy/shipyard-isolation',
    ]);
    for (const o of objs.namespaced)
      expect(o.metadata).toEqual({ name: o.metadata.name, namespace: 'web', labels });
    expect(objs.namespaced[0]?.spec).toEqual({ hard });
    // What the controller's informers select: every label above.
    expect(partitionSelector).toBe('app.kubernetes.io/managed-by=shipyard,shipyard.dev/partition');
  });

  it('names the namespace after the partition by default, and leaves out defaults the quota does not need', () => {
    const objs = partitionObjects(partition({ hard: { pods: '5', 'count/configmaps': '3' } }));
    expect(objs.namespace.metadata.name).toBe('qa-web');
    expect(objs.namespaced.map((o) => o.kind)).toEqual(['ResourceQuota', 'NetworkPolicy']);
  });

  it('renders an empty quota as an empty hard list (the quota object still exists)', () => {
    expect(partitionObjects(partition({})).namespaced[0]?.spec).toEqual({ hard: {} });
  });

  it("puts every key of the tenant's quota on the cluster into the partition's, at 0 when it has none", () => {
    const storage = 'fast.storageclass.storage.k8s.io/requests.storage';
    const tenant = { 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '100', [storage]: '30Gi' };
    const hard = { 'requests.cpu': '1', 'requests.memory': '1Gi' };
    const objs = partitionObjects(partition({ hard }), tenant);
    expect(objs.namespaced[0]?.spec).toEqual({ hard: { ...hard, pods: '0', [storage]: '0' } });
    // Defaults come from what the partition was given: none for a resource at 0.
    expect(objs.namespaced[1]?.spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '102Mi' } }],
    });
    expect(partitionHard(partition({ hard: { pods: '5' } }), {})).toEqual({ pods: '5' });
  });

  it('labels the namespace with its Pod Security level, baseline unless the partition says', () => {
    expect(podSecurityLabels(partition({}))).toEqual(podSecurity('baseline'));
    for (const level of ['restricted', 'privileged'] as const)
      expect(partitionObjects(partition({ podSecurity: level })).namespace.metadata.labels).toEqual(
        expect.objectContaining(podSecurity(level)),
      );
  });
});

function podSecurity(level: string): Record<string, string> {
  return Object.fromEntries(
    ['enforce', 'warn', 'audit'].flatMap((m) => [
      [`pod-security.kubernetes.io/${m}`, level],
      [`pod-security.kubernetes.io/${m}-version`, 'latest'],
    ]),
  );
}

describe('limit range defaults', () => {
  it('gives a tenth of the quota, rounded down to millicores and Mi', () => {
    expect(
      limitRangeDefaults({
        'requests.cpu': '2',
        'limits.cpu': '6',
        'requests.memory': '4Gi',
        'limits.memory': '8Gi',
      }),
    ).toEqual({
      type: 'Container',
      defaultRequest: { cpu: '200m', memory: '409Mi' },
      default: { cpu: '600m', memory: '819Mi' },
    });
  });

  it('caps what a container that says nothing gets', () => {
    expect(
      limitRangeDefaults({
        cpu: '100',
        'limits.cpu': '100',
        'requests.memory': '64Gi',
        'limits.memory': '1Ti',
      }),
    ).toEqual({
      type: 'Container',
      defaultRequest: { cpu: '500m', memory: '512Mi' },
      default: { cpu: '1', memory: '1Gi' },
    });
  });

  it('sets only what the quota tracks', () => {
    expect(limitRangeDefaults({ 'limits.cpu': '100m' })).toEqual({
      type: 'Container',
      default: { cpu: '10m' },
    });
    expect(limitRangeDefaults({ 'requests.memory': '1Gi' })).toEqual({
      type: 'Container',
      defaultRequest: { memory: '102Mi' },
    });
    expect(limitRangeDefaults({ pods: '10', 'requests.storage': '10Gi' })).toBeUndefined();
    expect(limitRangeDefaults({})).toBeUndefined();
  });

  it('never sets a limit below the request', () => {
    expect(limitRangeDefaults({ 'requests.cpu': '10', 'limits.cpu': '1' })).toEqual({
      type: 'Container',
      defaultRequest: { cpu: '500m' },
      default: { cpu: '500m' },
    });
  });

  it('keeps tiny quotas usable and skips a quota of zero', () => {
    expect(limitRangeDefaults({ 'requests.cpu': '5m' })?.defaultRequest).toEqual({ cpu: '1m' });
    expect(limitRangeDefaults({ 'requests.memory': '1Mi' })?.defaultRequest).toEqual({ memory: '104857' });
    expect(limitRangeDefaults({ 'requests.memory': '5' })?.defaultRequest).toEqual({ memory: '1' });
    expect(limitRangeDefaults({ 'requests.cpu': '0' })).toBeUndefined();
  });

  it('gives nothing for a quota that does not parse (the apiserver refuses the quota and says why)', () => {
    expect(limitRangeDefaults({ 'requests.cpu': '10 Gi' })).toBeUndefined();
  });
});
