import type { V1ClusterRole, V1RoleBinding } from '@kubernetes/client-node';
import type { Group, Partition, PolicyRule, RoleTemplate, RoleTemplateBinding, Tenant } from '@shipyard/api';
import { describe, expect, it } from 'vitest';
import { builtinTemplates } from './builtin-templates.js';
import { clusterRules, desiredRbac, groupPrefix, planRbac, type PlatformRbacState } from './cluster-rbac.js';

const apiVersion = 'shipyard.dev/v1alpha1';
const rbacGroup = 'rbac.authorization.k8s.io';
const managed = { 'app.kubernetes.io/managed-by': 'shipyard' };

function template(name: string, level: RoleTemplate['spec']['level'], rules: PolicyRule[]): RoleTemplate {
  return { apiVersion, kind: 'RoleTemplate', metadata: { name }, spec: { level, rules } };
}

function binding(
  name: string,
  subject: RoleTemplateBinding['spec']['subject'],
  roleTemplate: string,
  scope: RoleTemplateBinding['spec']['scope'],
): RoleTemplateBinding {
  return {
    apiVersion,
    kind: 'RoleTemplateBinding',
    metadata: { name },
    spec: { subject, roleTemplate, scope },
  };
}

function partition(name: string, tenant: string, cluster: string, namespace?: string): Partition {
  return {
    apiVersion,
    kind: 'Partition',
    metadata: { name },
    spec: { tenant, cluster, hard: {}, ...(namespace ? { namespace } : {}) },
  };
}

const tenant = (name: string): Tenant => ({
  apiVersion,
  kind: 'Tenant',
  metadata: { name },
  spec: { clusters: [] },
});
const group = (name: string, members: string[] = []): Group => ({
  apiVersion,
  kind: 'Group',
  metadata: { name },
  spec: { members },
});

const templates = builtinTemplates.map((t) => template(t.name, t.level, t.rules));

const state: PlatformRbacState = {
  templates,
  groups: [group('devs', ['bob'])],
  tenants: [tenant('t1'), tenant('t2')],
  partitions: [
    partition('p1', 't1', 'c1'),
    partition('p2', 't1', 'c1', 'web'),
    partition('p3', 't1', 'c2'),
    partition('q1', 't2', 'c1'),
  ],
  bindings: [],
};
const allNamespaces = new Set(['p1', 'web', 'p3', 'q1']);
/** Each namespace labelled for the partition of the state that has it. */
const owned = (namespaces: Set<string>) =>
  new Map(
    [...namespaces].map((ns) => [
      ns,
      state.partitions.find((p) => (p.spec.namespace ?? p.metadata.name) === ns)?.metadata.name,
    ]),
  );

function desired(
  bindings: RoleTemplateBinding[],
  opts: { cluster?: string; namespaces?: Set<string>; owners?: Map<string, string | undefined> } = {},
) {
  return desiredRbac({
    cluster: opts.cluster ?? 'c1',
    state: { ...state, bindings },
    namespaces: opts.owners ?? owned(opts.namespaces ?? allNamespaces),
  });
}

const names = (objs: { metadata?: { name?: string; namespace?: string } }[]) =>
  objs.map((o) => (o.metadata?.namespace ? `${o.metadata.namespace}/` : '') + (o.metadata?.name ?? ''));

describe('cluster RBAC from role templates', () => {
  it('makes a ClusterRole of every template with cluster rules, without the rules on platform objects', () => {
    const d = desired([]);
    // tenant-member and team-default have only shipyard.dev rules: nothing to enforce in a cluster.
    expect(names(d.clusterRoles)).toEqual(
      builtinTemplates
        .filter((t) => t.name !== 'tenant-member' && t.name !== 'team-default')
        .map((t) => `shipyard:template:${t.name}`)
        .sort(),
    );
    const admin = d.clusterRoles.find((r) => r.metadata?.name === 'shipyard:template:platform-admin');
    expect(admin).toEqual({
      apiVersion: `${rbacGroup}/v1`,
      kind: 'ClusterRole',
      metadata: {
        name: 'shipyard:template:platform-admin',
        labels: { ...managed, 'shipyard.dev/template': 'platform-admin' },
      },
      // `*` stays `*`: every Kubernetes group of the cluster.
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    });
    for (const role of d.clusterRoles) {
      for (const rule of role.rules ?? []) expect(rule.apiGroups).not.toContain('shipyard.dev');
    }
  });

  it('drops a rule naming shipyard.dev among other groups, and keeps resourceNames only when given', () => {
    expect(
      clusterRules([
        { apiGroups: ['shipyard.dev', 'apps'], resources: ['*'], verbs: ['get'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['settings'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['list'], resourceNames: [] },
      ]),
    ).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['settings'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
    ]);
  });
});

describe('cluster RBAC from bindings', () => {
  it('binds a platform-level template in every cluster', () => {
    const b = binding('admin-all', { kind: 'User', name: 'admin' }, 'platform-admin', { level: 'platform' });
    for (const cluster of ['c1', 'c2', 'elsewhere']) {
      const d = desired([b], { cluster });
      expect(d.roleBindings).toEqual([]);
      expect(d.clusterRoleBindings).toEqual([
        {
          apiVersion: `${rbacGroup}/v1`,
          kind: 'ClusterRoleBinding',
          metadata: {
            name: 'shipyard:admin-all',
            labels: { ...managed, 'shipyard.dev/binding': 'admin-all' },
          },
          roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: 'shipyard:template:platform-admin' },
          subjects: [{ kind: 'User', apiGroup: rbacGroup, name: 'admin' }],
        },
      ]);
    }
  });

  it('binds a cluster-level template in that cluster only', () => {
    const b = binding('ops-c1', { kind: 'User', name: 'ops' }, 'cluster-admin', {
      level: 'cluster',
      name: 'c1',
    });
    expect(names(desired([b]).clusterRoleBindings)).toEqual(['shipyard:ops-c1']);
    expect(desired([b], { cluster: 'c2' }).clusterRoleBindings).toEqual([]);
  });

  it("binds a tenant-level template in the namespace of each of the tenant's partitions on the cluster", () => {
    const b = binding('t1-admin', { kind: 'User', name: 'ann' }, 'tenant-admin', {
      level: 'tenant',
      name: 't1',
    });
    const c1 = desired([b]);
    expect(c1.clusterRoleBindings).toEqual([]);
    // p1 uses its name as namespace, p2 names its own; q1 is another tenant's, p3 another cluster's.
    expect(names(c1.roleBindings)).toEqual(['p1/shipyard:t1-admin', 'web/shipyard:t1-admin']);
    expect(c1.roleBindings[0]?.roleRef.name).toBe('shipyard:template:tenant-admin');
    expect(names(desired([b], { cluster: 'c2' }).roleBindings)).toEqual(['p3/shipyard:t1-admin']);
    const gone = binding('gone', { kind: 'User', name: 'ann' }, 'tenant-admin', {
      level: 'tenant',
      name: 'nope',
    });
    expect(desired([gone]).roleBindings).toEqual([]);
  });

  it("binds a partition-level template in that partition's namespace on its cluster", () => {
    const b = binding('ann-web', { kind: 'User', name: 'ann' }, 'partition-viewer', {
      level: 'partition',
      name: 'p2',
    });
    expect(names(desired([b]).roleBindings)).toEqual(['web/shipyard:ann-web']);
    expect(desired([b], { cluster: 'c2' }).roleBindings).toEqual([]);
  });

  it('names a group as the proxy impersonates it, and skips groups that do not exist', () => {
    const devs = binding('devs-p1', { kind: 'Group', name: 'devs' }, 'partition-editor', {
      level: 'partition',
      name: 'p1',
    });
    const ghosts = binding('ghosts-p1', { kind: 'Group', name: 'ghosts' }, 'partition-editor', {
      level: 'partition',
      name: 'p1',
    });
    const d = desired([devs, ghosts]);
    expect(names(d.roleBindings)).toEqual(['p1/shipyard:devs-p1']);
    expect(d.roleBindings[0]?.subjects).toEqual([
      { kind: 'Group', apiGroup: rbacGroup, name: `${groupPrefix}devs` },
    ]);
    expect(groupPrefix).toBe('shipyard:');
  });

  it('skips what grants nothing: a missing template, a level mismatch, a template without cluster rules', () => {
    const d = desired([
      binding('a', { kind: 'User', name: 'u' }, 'no-such', { level: 'platform' }),
      binding('b', { kind: 'User', name: 'u' }, 'tenant-admin', { level: 'cluster', name: 'c1' }),
      binding('c', { kind: 'User', name: 'u' }, 'tenant-member', { level: 'tenant', name: 't1' }),
    ]);
    expect([...d.clusterRoleBindings, ...d.roleBindings]).toEqual([]);
  });

  it('waits for partition namespaces that do not exist yet', () => {
    const b = binding('t1-admin', { kind: 'User', name: 'ann' }, 'tenant-admin', {
      level: 'tenant',
      name: 't1',
    });
    const d = desired([b], { namespaces: new Set(['p1']) });
    expect(names(d.roleBindings)).toEqual(['p1/shipyard:t1-admin']);
    expect(d.pending).toEqual([{ partition: 'p2', namespace: 'web' }]);
  });

  it('binds nothing in a namespace that does not carry the partition ownership labels', () => {
    const b = binding('t1-admin', { kind: 'User', name: 'ann' }, 'tenant-admin', {
      level: 'tenant',
      name: 't1',
    });
    // web is someone else's (unlabelled), p1 is labelled for another partition.
    const owners = new Map([
      ['p1', 'q1'],
      ['web', undefined],
      ['q1', 'q1'],
    ]);
    const d = desired([b], { owners });
    expect(d.roleBindings).toEqual([]);
    expect(d.notOwned).toEqual([
      { partition: 'p1', namespace: 'p1' },
      { partition: 'p2', namespace: 'web' },
    ]);
  });
});

describe('converging what a cluster holds', () => {
  const role = (name: string, verbs: string[], labels: Record<string, string> = {}): V1ClusterRole => ({
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...managed, 'shipyard.dev/template': name, ...labels } },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
  });
  const rb = (
    name: string,
    ns: string,
    roleName: string,
    user: string,
    labels: Record<string, string> = { ...managed, 'shipyard.dev/binding': name },
  ): V1RoleBinding => ({
    apiVersion: `${rbacGroup}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace: ns, labels },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName },
    subjects: [{ kind: 'User', apiGroup: rbacGroup, name: user }],
  });

  it('writes nothing when the cluster holds what is desired, whatever else the apiserver added', () => {
    const want = [role('r', ['get'])];
    const have: V1ClusterRole[] = [
      {
        ...role('r', ['get'], { extra: 'label' }),
        metadata: { ...role('r', ['get'], { extra: 'label' }).metadata, uid: 'u1', resourceVersion: '7' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: [] }],
      },
    ];
    expect(planRbac(want, have)).toEqual({ create: [], update: [], replace: [], prune: [] });
    const bindings = [rb('b', 'ns', 'r', 'ann')];
    expect(planRbac(bindings, structuredClone(bindings))).toEqual({
      create: [],
      update: [],
      replace: [],
      prune: [],
    });
  });

  it('creates what is missing and updates what differs in rules, subjects or our labels', () => {
    const plan = planRbac(
      [role('new', ['get']), role('changed', ['get', 'list']), role('relabelled', ['get'])],
      [role('changed', ['get']), { ...role('relabelled', ['get']), metadata: { name: 'relabelled' } }],
    );
    expect(names(plan.create)).toEqual(['new']);
    expect(names(plan.update)).toEqual(['changed', 'relabelled']);
    const subjects = planRbac([rb('b', 'ns', 'r', 'ann')], [rb('b', 'ns', 'r', 'bob')]);
    expect(names(subjects.update)).toEqual(['ns/b']);
  });

  it('replaces a binding whose roleRef changed (Kubernetes cannot change it in place)', () => {
    const existing = rb('b', 'ns', 'old-role', 'ann');
    const plan = planRbac([rb('b', 'ns', 'new-role', 'ann')], [existing]);
    expect(plan.update).toEqual([]);
    expect(plan.replace).toEqual([{ existing, desired: rb('b', 'ns', 'new-role', 'ann') }]);
  });

  it('prunes only objects the platform made that are no longer desired', () => {
    const kept = rb('kept', 'ns', 'r', 'ann');
    const stale = rb('stale', 'ns', 'r', 'ann');
    const sameNameElsewhere = rb('kept', 'other', 'r', 'ann');
    const unlabelled = rb('by-hand', 'ns', 'r', 'ann', {});
    const otherManager = rb('theirs', 'ns', 'r', 'ann', { 'app.kubernetes.io/managed-by': 'helm' });
    const noSource = rb('partly', 'ns', 'r', 'ann', { ...managed });
    const plan = planRbac([kept], [kept, stale, sameNameElsewhere, unlabelled, otherManager, noSource]);
    expect(names(plan.prune)).toEqual(['ns/stale', 'other/kept']);
    expect(plan.create).toEqual([]);
  });
});
