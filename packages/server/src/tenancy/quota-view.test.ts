import type { Partition, Tenant } from '@shipyard/api';
import { describe, expect, it } from 'vitest';
import { quotaView } from './quota-view.js';

const sc = 'heketi.storageclass.storage.k8s.io';
const at = new Date().toISOString();

// The seed's tenant QA-Only-Control on Cluster-QA-NoHA, one partition holding what it shows.
const tenant = {
  apiVersion: 'shipyard.dev/v1alpha1',
  kind: 'Tenant',
  metadata: { name: 'qa' },
  spec: {
    clusters: [
      {
        cluster: 'qa-noha',
        hard: {
          'requests.cpu': '4',
          'limits.cpu': '20',
          'requests.memory': '8Gi',
          'limits.memory': '20Gi',
          [`${sc}/persistentvolumeclaims`]: '5',
          [`${sc}/requests.storage`]: '30Gi',
        },
        loadBalancer: { l4PortRange: { from: 20000, to: 21000 }, l7: true },
      },
      { cluster: 'other', hard: { 'requests.cpu': '1' } },
    ],
  },
  status: {
    reservations: {
      web: {
        cluster: 'qa-noha',
        namespace: 'web',
        hard: {
          'requests.cpu': '2',
          'limits.cpu': '10',
          [`${sc}/persistentvolumeclaims`]: '5',
          [`${sc}/requests.storage`]: '30Gi',
        },
        id: 'a',
        at,
      },
      // A create in flight: its reservation counts, its partition is not there yet.
      api: { cluster: 'qa-noha', namespace: 'api', hard: { 'requests.memory': '3Gi' }, id: 'b', at },
    },
  },
} as unknown as Tenant;

const web = {
  apiVersion: 'shipyard.dev/v1alpha1',
  kind: 'Partition',
  metadata: { name: 'web' },
  spec: {
    tenant: 'qa',
    cluster: 'qa-noha',
    hard: {
      'requests.cpu': '2',
      'limits.cpu': '10',
      [`${sc}/persistentvolumeclaims`]: '5',
      [`${sc}/requests.storage`]: '30Gi',
    },
  },
  status: {
    used: {
      'requests.cpu': '2',
      'limits.cpu': '6',
      [`${sc}/persistentvolumeclaims`]: '2',
      [`${sc}/requests.storage`]: '10Gi',
    },
  },
} as unknown as Partition;
const elsewhere = {
  ...web,
  metadata: { name: 'theirs' },
  spec: { ...web.spec, tenant: 'someone-else' },
} as Partition;

describe('the quota view of a tenant', () => {
  it("shows per cluster and resource the total, allocated, remaining and used, as the seed's pages do", () => {
    const view = quotaView(tenant, [web, elsewhere]);
    expect(view.tenant).toBe('qa');
    expect(view.clusters.map((c) => c.cluster)).toEqual(['qa-noha', 'other']);
    const [noha, other] = view.clusters;
    expect(noha!.resources).toEqual([
      { resource: `${sc}/persistentvolumeclaims`, total: '5', allocated: '5', remaining: '0', used: '2' },
      { resource: `${sc}/requests.storage`, total: '30Gi', allocated: '30Gi', remaining: '0', used: '10Gi' },
      { resource: 'limits.cpu', total: '20', allocated: '10', remaining: '10', used: '6' },
      { resource: 'limits.memory', total: '20Gi', allocated: '0', remaining: '20Gi', used: '0' },
      { resource: 'requests.cpu', total: '4', allocated: '2', remaining: '2', used: '2' },
      { resource: 'requests.memory', total: '8Gi', allocated: '3Gi', remaining: '5Gi', used: '0' },
    ]);
    expect(noha!.loadBalancer).toEqual({ l4PortRange: { from: 20000, to: 21000 }, l7: true });
    // Every key of the tenant's binds the partition: those it was given none of at 0.
    expect(noha!.partitions).toEqual([
      {
        name: 'web',
        namespace: 'web',
        resources: [
          { resource: `${sc}/persistentvolumeclaims`, allocated: '5', used: '2' },
          { resource: `${sc}/requests.storage`, allocated: '30Gi', used: '10Gi' },
          { resource: 'limits.cpu', allocated: '10', used: '6' },
          { resource: 'limits.memory', allocated: '0', used: '0' },
          { resource: 'requests.cpu', allocated: '2', used: '2' },
          { resource: 'requests.memory', allocated: '0', used: '0' },
        ],
      },
    ]);
    expect(other).toEqual({
      cluster: 'other',
      resources: [{ resource: 'requests.cpu', total: '1', allocated: '0', remaining: '1', used: '0' }],
      partitions: [],
    });
  });

  it('never shows a negative remainder, and counts a figure that does not parse as nothing', () => {
    const over = {
      ...tenant,
      spec: { clusters: [{ cluster: 'qa-noha', hard: { 'requests.cpu': '1' } }] },
    } as unknown as Tenant;
    const odd = { ...web, status: { used: { 'requests.cpu': 'lots' } } } as unknown as Partition;
    const [line] = quotaView(over, [odd]).clusters[0]!.resources;
    expect(line).toEqual({ resource: 'requests.cpu', total: '1', allocated: '2', remaining: '0', used: '0' });
  });
});
