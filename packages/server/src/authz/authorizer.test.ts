import type { RoleTemplate, RoleTemplateBinding } from '@shipyard/api';
import { describe, expect, it } from 'vitest';
import {
  allows,
  covers,
  grantsFor,
  holdsAll,
  platformScope,
  ruleAllows,
  type ScopeRef,
} from './authorizer.js';
import { builtinTemplates } from './builtin-templates.js';

const templates = new Map<string, RoleTemplate>(
  builtinTemplates.map((t) => [
    t.name,
    {
      apiVersion: 'shipyard.dev/v1alpha1',
      kind: 'RoleTemplate',
      metadata: { name: t.name },
      spec: { level: t.level, rules: t.rules, displayName: t.displayName },
    },
  ]),
);

function binding(
  subject: RoleTemplateBinding['spec']['subject'],
  template: string,
  scope: RoleTemplateBinding['spec']['scope'],
) {
  return {
    apiVersion: 'shipyard.dev/v1alpha1',
    kind: 'RoleTemplateBinding',
    metadata: { name: `${subject.name}-${template}` },
    spec: { subject, roleTemplate: template, scope },
  } satisfies RoleTemplateBinding;
}

const sy = 'shipyard.dev';
const partitionP: ScopeRef[] = [
  platformScope,
  { level: 'cluster', name: 'c1' },
  { level: 'tenant', name: 't1' },
  { level: 'partition', name: 'p1' },
];
const partitionQ: ScopeRef[] = [
  platformScope,
  { level: 'cluster', name: 'c2' },
  { level: 'tenant', name: 't2' },
  { level: 'partition', name: 'q1' },
];

describe('authorization from RoleTemplateBindings', () => {
  it('grants by user and by group, only where the template level fits the scope', () => {
    const bindings = [
      binding({ kind: 'User', name: 'ann' }, 'tenant-admin', { level: 'tenant', name: 't1' }),
      binding({ kind: 'Group', name: 'devs' }, 'partition-editor', { level: 'partition', name: 'p1' }),
      binding({ kind: 'User', name: 'ann' }, 'tenant-admin', { level: 'cluster', name: 'c1' }), // wrong level
    ];
    expect(grantsFor({ user: 'ann', groups: [] }, bindings, templates).map((g) => g.template)).toEqual([
      'tenant-admin',
    ]);
    expect(grantsFor({ user: 'bob', groups: ['devs'] }, bindings, templates).map((g) => g.template)).toEqual([
      'partition-editor',
    ]);
    expect(grantsFor({ user: 'eve', groups: ['ops'] }, bindings, templates)).toEqual([]);
  });

  it('applies a grant to the objects that live in its scope and no others', () => {
    const grants = grantsFor(
      { user: 'ann', groups: [] },
      [binding({ kind: 'User', name: 'ann' }, 'tenant-admin', { level: 'tenant', name: 't1' })],
      templates,
    );
    const del = { verb: 'delete', apiGroup: sy, resource: 'partitions' };
    expect(allows(grants, del, partitionP)).toBe(true);
    expect(allows(grants, del, partitionQ)).toBe(false);
    expect(
      allows(grants, { verb: 'delete', apiGroup: sy, resource: 'tenants' }, [
        platformScope,
        { level: 'tenant', name: 't1' },
      ]),
    ).toBe(false);
  });

  it('follows Kubernetes rule semantics: wildcards and resourceNames', () => {
    expect(
      ruleAllows(
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { verb: 'x', apiGroup: 'y', resource: 'z' },
      ),
    ).toBe(true);
    const named = { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: ['a'] };
    expect(ruleAllows(named, { verb: 'get', apiGroup: '', resource: 'pods', name: 'a' })).toBe(true);
    expect(ruleAllows(named, { verb: 'get', apiGroup: '', resource: 'pods', name: 'b' })).toBe(false);
    expect(ruleAllows(named, { verb: 'get', apiGroup: '', resource: 'pods' })).toBe(false);
  });

  it('lets a template be bound only by someone holding all of it', () => {
    const t = (n: string) => templates.get(n)?.spec.rules ?? [];
    expect(covers(t('tenant-admin'), t('partition-editor'))).toBe(true);
    expect(covers(t('tenant-admin'), t('partition-viewer'))).toBe(true);
    expect(covers(t('partition-editor'), t('partition-owner'))).toBe(false);
    expect(covers(t('tenant-admin'), t('platform-admin'))).toBe(false);
    expect(covers(t('platform-admin'), t('tenant-admin'))).toBe(true);
  });

  it('counts what is held at the scope, platform objects only by rules naming shipyard.dev', () => {
    const t = (n: string) => templates.get(n)?.spec.rules ?? [];
    const grant = (user: string, template: string, scope: RoleTemplateBinding['spec']['scope']) =>
      grantsFor({ user, groups: [] }, [binding({ kind: 'User', name: user }, template, scope)], templates);
    const onTenant: ScopeRef[] = [platformScope, { level: 'tenant', name: 't1' }];
    const holds = (grants: ReturnType<typeof grant>, scopes: ScopeRef[], template: string) =>
      holdsAll({ grants, scopes, wanted: t(template), platformGroup: sy });
    const tadmin = grant('ann', 'tenant-admin', { level: 'tenant', name: 't1' });
    for (const team of ['team-default', 'team-sres', 'team-developers', 'team-resource', 'team-support'])
      expect(holds(tadmin, onTenant, team), team).toBe(true);
    for (const p of ['partition-owner', 'partition-editor', 'partition-viewer'])
      expect(holds(tadmin, partitionP, p), p).toBe(true);
    expect(holds(tadmin, partitionQ, 'partition-viewer')).toBe(false);
    const raiseQuota = [{ apiGroups: [sy], resources: ['tenants'], verbs: ['update', 'patch'] }];
    expect(holdsAll({ grants: tadmin, scopes: onTenant, wanted: raiseQuota, platformGroup: sy })).toBe(false);
    // A `*` group means the clusters' groups: cluster-admin's `*` does not hold the tenants of the platform.
    const cadmin = grant('cal', 'cluster-admin', { level: 'cluster', name: 'c1' });
    expect(holdsAll({ grants: cadmin, scopes: partitionP, wanted: raiseQuota, platformGroup: sy })).toBe(
      false,
    );
    expect(holds(cadmin, partitionP, 'partition-owner')).toBe(true);
    const powner = grant('pat', 'partition-owner', { level: 'partition', name: 'p1' });
    expect(holds(powner, partitionP, 'partition-viewer')).toBe(true);
    const quota = [{ apiGroups: [''], resources: ['resourcequotas'], verbs: ['update'] }];
    expect(holdsAll({ grants: powner, scopes: partitionP, wanted: quota, platformGroup: sy })).toBe(false);
  });
});
