import { describe, expect, it } from 'vitest';
import type { Partition, Tenant } from '@shipyard/api';
import { usageLines } from './tenant-usage.js';

const tenant = (status?: Tenant['status']): Tenant =>
  ({
    apiVersion: 'shipyard.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name: 'qa' },
    spec: {
      clusters: [
        { cluster: 'a', hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '20' } },
        { cluster: 'b', hard: { 'requests.cpu': '2' } },
      ],
    },
    status,
  }) as Tenant;

const partition = (name: string, cluster: string, used?: Record<string, string>, owner = 'qa'): Partition =>
  ({
    apiVersion: 'shipyard.dev/v1alpha1',
    kind: 'Partition',
    metadata: { name },
    spec: { tenant: owner, cluster, hard: {} },
    status: used ? { used } : undefined,
  }) as Partition;

describe('tenant usage', () => {
  it("sums its partitions' used per cluster, exactly, showing every quota key", () => {
    const lines = usageLines(tenant(), [
      partition('p1', 'a', { 'requests.cpu': '1500m', 'requests.memory': '512Mi', pods: '3' }),
      partition('p2', 'a', { 'requests.cpu': '0.5', 'requests.memory': '1536Mi' }),
      partition('p3', 'b'),
      partition('other', 'a', { 'requests.cpu': '3' }, 'someone-else'),
    ]);
    expect(lines).toEqual([
      {
        cluster: 'a',
        hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', pods: '20' },
        allocated: {},
        used: { pods: '3', 'requests.cpu': '2', 'requests.memory': '2Gi' },
      },
      { cluster: 'b', hard: { 'requests.cpu': '2' }, allocated: {}, used: { 'requests.cpu': '0' } },
    ]);
  });

  it("keeps the ledger's allocated figures and its order of lines", () => {
    const lines = usageLines(
      tenant({
        clusters: [
          { cluster: 'b', hard: { 'requests.cpu': '2' }, allocated: { 'requests.cpu': '1' }, used: {} },
          { cluster: 'old', hard: { pods: '1' }, allocated: { pods: '1' }, used: {} },
        ],
        reservations: {},
      }),
      [partition('p', 'old', { pods: '1' })],
    );
    expect(lines.map((l) => [l.cluster, l.allocated, l.used])).toEqual([
      ['b', { 'requests.cpu': '1' }, { 'requests.cpu': '0' }],
      ['old', { pods: '1' }, { pods: '1' }],
      ['a', {}, { pods: '0', 'requests.cpu': '0', 'requests.memory': '0' }],
    ]);
  });

  it('leaves out a used figure that does not parse', () => {
    const [a] = usageLines(tenant(), [
      partition('p', 'a', { 'requests.cpu': 'lots' }),
      partition('q', 'a', { pods: '2' }),
    ]);
    expect(a?.used).toEqual({ pods: '2', 'requests.cpu': '0', 'requests.memory': '0' });
  });
});
