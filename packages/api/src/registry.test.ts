import { describe, expect, it } from 'vitest';
import { kindByPlural, kinds, objectSchema } from './registry.js';

function issues(kind: keyof typeof kinds, body: unknown) {
  const r = objectSchema(kinds[kind]).safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('kind schemas', () => {
  it('accept the key shapes of DESIGN.md', () => {
    expect(
      issues('Tenant', {
        metadata: { name: 'qa-only-control' },
        spec: {
          displayName: 'QA-Only-Control',
          clusters: [
            {
              cluster: 'user-cluster',
              hard: {
                'requests.cpu': '4',
                'limits.memory': '20Gi',
                'standard.storageclass.storage.k8s.io/requests.storage': '30Gi',
                'standard.storageclass.storage.k8s.io/persistentvolumeclaims': '5',
                'requests.nvidia.com/gpu': '2',
                'count/deployments.apps': '10',
              },
              loadBalancer: { l4PortRange: '20000-21000', l7: true },
            },
          ],
        },
      }),
    ).toEqual([]);
    expect(
      issues('Partition', {
        metadata: { name: 'qa-web' },
        spec: {
          tenant: 'qa-only-control',
          cluster: 'user-cluster',
          hard: { 'requests.cpu': '2' },
          networkPolicy: {
            rules: [
              { direction: 'In', partition: 'qa-api', protocol: 'TCP', ports: '4000-6000' },
              { direction: 'Out', cidr: '10.0.0.0/8', protocol: 'TCP', ports: '443' },
            ],
          },
        },
      }),
    ).toEqual([]);
    expect(
      issues('RoleTemplateBinding', {
        metadata: { name: 'b1' },
        spec: {
          subject: { kind: 'Group', name: 'qa-sres' },
          roleTemplate: 'sre',
          scope: { level: 'partition', name: 'qa-web' },
        },
      }),
    ).toEqual([]);
  });

  it('name the field path and the reason', () => {
    expect(issues('Tenant', { metadata: { name: 'Bad_Name' }, spec: {} })[0]).toMatch(
      /^metadata\.name: must be lowercase/,
    );
    expect(
      issues('Tenant', {
        metadata: { name: 't' },
        spec: { clusters: [{ cluster: 'c', hard: { 'requests.cpu': '10 Gi' } }] },
      }),
    ).toEqual(['spec.clusters.0.hard.requests.cpu: must be a quantity such as 500m, 2, 10Gi']);
    expect(
      issues('Partition', {
        metadata: { name: 'p' },
        spec: { tenant: 't', cluster: 'c', hard: { 'limits.memory': '1e999' } },
      }),
    ).toEqual([
      'spec.hard.limits.memory: must be at most what an int64 of units holds (9223372036854775807)',
    ]);
    expect(issues('RoleTemplate', { metadata: { name: 'r' }, spec: { level: 'galaxy' } })[0]).toMatch(
      /^spec\.level: /,
    );
    expect(issues('Partition', { metadata: { name: 'p' }, spec: { cluster: 'c' } })).toEqual([
      'spec.tenant: Invalid input: expected string, received undefined',
    ]);
  });

  it('are found by plural', () => {
    expect(kindByPlural('roletemplatebindings')?.kind).toBe('RoleTemplateBinding');
    expect(kindByPlural('pods')).toBeUndefined();
  });
});
