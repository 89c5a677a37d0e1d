import { describe, expect, it } from 'vitest';
import { kindMeta, namedRefs, refKinds, scopeLevelsOf } from './kind-meta.js';

describe('namedRefs', () => {
  it('names each element of a list by its index', () => {
    const group = { spec: { tenant: 'qa', members: ['ann', 'bob'] } };
    expect(namedRefs(kindMeta.Group, group).map((r) => [r.field, r.kind, r.name])).toEqual([
      ['spec.tenant', 'Tenant', 'qa'],
      ['spec.members[0]', 'User', 'ann'],
      ['spec.members[1]', 'User', 'bob'],
    ]);
    const tenant = { spec: { clusters: [{ cluster: 'a' }, { cluster: 'b' }] } };
    expect(namedRefs(kindMeta.Tenant, tenant).map((r) => r.field)).toEqual([
      'spec.clusters[0].cluster',
      'spec.clusters[1].cluster',
    ]);
  });

  it('takes the kind a field picks, and none for a platform scope', () => {
    const binding = (level: string, name?: string) => ({
      spec: { subject: { kind: 'Group', name: 'sres' }, roleTemplate: 'x', scope: { level, name } },
    });
    expect(namedRefs(kindMeta.RoleTemplateBinding, binding('partition', 'web')).map((r) => r.kind)).toEqual([
      'Group',
      'Partition',
    ]);
    expect(namedRefs(kindMeta.RoleTemplateBinding, binding('platform')).map((r) => r.kind)).toEqual([
      'Group',
    ]);
  });

  it('skips absent and empty names', () => {
    expect(namedRefs(kindMeta.Group, { spec: { members: [] } })).toEqual([]);
    expect(namedRefs(kindMeta.Group, { spec: { tenant: '' } })).toEqual([]);
  });
});

describe('scopeLevelsOf', () => {
  it('reaches through parents to where they live', () => {
    expect([...scopeLevelsOf(kindMeta.Cluster)]).toEqual(['platform', 'cluster']);
    expect([...scopeLevelsOf(kindMeta.Group)]).toEqual(['platform', 'tenant']);
    expect([...scopeLevelsOf(kindMeta.User)]).toEqual(['platform']);
    expect(new Set(scopeLevelsOf(kindMeta.Partition))).toEqual(
      new Set(['platform', 'partition', 'tenant', 'cluster']),
    );
    expect(new Set(scopeLevelsOf(kindMeta.RoleTemplateBinding))).toEqual(
      new Set(['platform', 'partition', 'tenant', 'cluster']),
    );
  });

  it('lists each kind a reference can name once', () => {
    expect(refKinds(kindMeta.RoleTemplateBinding.references[0]!)).toEqual(['User', 'Group']);
  });
});
