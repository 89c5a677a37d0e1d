/**
 * The RBAC a managed cluster needs so that its own authorizer enforces the platform's role templates and
 * bindings: the kube proxy impersonates `<user>` and `shipyard:<group>`, and these objects say what they may do.
 * Pure: the controller lists what the cluster holds, and this module says what to write and what to remove.
 */
import type {
  RbacV1Subject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1PolicyRule,
  V1RoleBinding,
  V1RoleRef,
} from '@kubernetes/client-node';
import {
  group as platformGroup,
  type Group,
  type Partition,
  type PolicyRule,
  type RoleTemplate,
  type RoleTemplateBinding,
  type Subject,
  type Tenant,
} from '@shipyard/api';

/** Prefix of the Kubernetes groups a platform group is impersonated as (its names are DNS labels). */
export const groupPrefix = 'shipyard:';

const rbacGroup = 'rbac.authorization.k8s.io';
const rbacVersion = `${rbacGroup}/v1`;
export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedByValue = 'shipyard';
/** On every (Cluster)RoleBinding made from a RoleTemplateBinding: its name. */
export const bindingLabel = 'shipyard.dev/binding';
/** On every ClusterRole made from a RoleTemplate: its name. */
export const templateLabel = 'shipyard.dev/template';

/**
 * What the controller lists (and may prune): only objects carrying both our managed-by label and the label
 * naming their source, so that objects other controllers of the platform label managed-by are never seen.
 */
export const selectors = {
  clusterRoles: `${managedByLabel}=${managedByValue},${templateLabel}`,
  bindings: `${managedByLabel}=${managedByValue},${bindingLabel}`,
};

export const clusterRoleName = (template: string) => `shipyard:template:${template}`;
export const bindingObjectName = (binding: string) => `shipyard:${binding}`;

export type RbacKind = 'ClusterRole' | 'ClusterRoleBinding' | 'RoleBinding';
export type RbacObject = V1ClusterRole | V1ClusterRoleBinding | V1RoleBinding;

/** The platform objects the translation reads (from the cache). */
export type PlatformRbacState = {
  templates: readonly RoleTemplate[];
  bindings: readonly RoleTemplateBinding[];
  groups: readonly Group[];
  tenants: readonly Tenant[];
  partitions: readonly Partition[];
};

export type DesiredRbac = {
  clusterRoles: V1ClusterRole[];
  clusterRoleBindings: V1ClusterRoleBinding[];
  roleBindings: V1RoleBinding[];
  /** Partitions of this cluster whose namespace does not exist yet: their RoleBindings wait for it. */
  pending: { partition: string; namespace: string }[];
  /** Partitions whose namespace exists but does not carry their ownership labels: nothing is bound there. */
  notOwned: { partition: string; namespace: string }[];
};

/** A cluster's namespaces, each with the partition whose ownership labels it carries (if any). */
export type NamespaceOwners = ReadonlyMap<string, string | undefined>;

export function partitionNamespace(p: Partition): string {
  return p.spec.namespace ?? p.metadata.name;
}

/**
 * A template's rules for the clusters: those naming shipyard.dev are about platform objects (the server
 * enforces them), the rest go to the clusters' RBAC, where `*` means every Kubernetes group. A rule naming
 * shipyard.dev among other groups counts as a platform rule, as Access treats it.
 */
export function clusterRules(rules: readonly PolicyRule[]): V1PolicyRule[] {
  return rules
    .filter((r) => !r.apiGroups.includes(platformGroup))
    .map((r) => ({
      apiGroups: [...r.apiGroups],
      resources: [...r.resources],
      verbs: [...r.verbs],
      ...(r.resourceNames?.length ? { resourceNames: [...r.resourceNames] } : {}),
    }));
}

/** The Kubernetes subject the proxy's impersonation makes of a platform subject. */
export function kubeSubject(s: Subject): RbacV1Subject {
  return s.kind === 'User'
    ? { kind: 'User', apiGroup: rbacGroup, name: s.name }
    : { kind: 'Group', apiGroup: rbacGroup, name: groupPrefix + s.name };
}

const managed = (key: string, value: string) => ({ [managedByLabel]: managedByValue, [key]: value });

function clusterRole(t: RoleTemplate, rules: V1PolicyRule[]): V1ClusterRole {
  return {
    apiVersion: rbacVersion,
    kind: 'ClusterRole',
    metadata: { name: clusterRoleName(t.metadata.name), labels: managed(templateLabel, t.metadata.name) },
    rules,
  };
}

function roleRef(template: string): V1RoleRef {
  return { apiGroup: rbacGroup, kind: 'ClusterRole', name: clusterRoleName(template) };
}

/**
 * What `cluster` should hold. A binding counts once it would grant anything (as grantsFor decides): its template
 * exists at the scope's level and has cluster rules, its scope object and, for a group, the group exist.
 * `namespaces` are those the cluster has now; a partition's RoleBinding waits for its namespace, and is never
 * made in a namespace that does not carry the partition's ownership labels (kube-system, one someone else
 * made), whatever the Partition says.
 */
export function desiredRbac(opts: {
  cluster: string;
  state: PlatformRbacState;
  namespaces: NamespaceOwners;
}): DesiredRbac {
  const { cluster, state, namespaces } = opts;
  const rulesOf = new Map<string, V1PolicyRule[]>();
  const clusterRoles: V1ClusterRole[] = [];
  for (const t of state.templates) {
    const rules = clusterRules(t.spec.rules);
    if (rules.length === 0) continue;
    rulesOf.set(t.metadata.name, rules);
    clusterRoles.push(clusterRole(t, rules));
  }
  const templateLevel = new Map(state.templates.map((t) => [t.metadata.name, t.spec.level]));
  const groups = new Set(state.groups.map((g) => g.metadata.name));
  const tenants = new Set(state.tenants.map((t) => t.metadata.name));
  const partitions = new Map(state.partitions.map((p) => [p.metadata.name, p]));
  const here = state.partitions.filter((p) => p.spec.cluster === cluster);

  const clusterRoleBindings: V1ClusterRoleBinding[] = [];
  const roleBindings = new Map<string, V1RoleBinding>();
  const pending = new Map<string, { partition: string; namespace: string }>();
  const notOwned = new Map<string, { partition: string; namespace: string }>();
  for (const b of state.bindings) {
    const { roleTemplate, scope, subject } = b.spec;
    if (!rulesOf.has(roleTemplate) || templateLevel.get(roleTemplate) !== scope.level) continue;
    if (subject.kind === 'Group' && !groups.has(subject.name)) continue;
    const name = b.metadata.name;
    const common = {
      labels: managed(bindingLabel, name),
      roleRef: roleRef(roleTemplate),
      subjects: [kubeSubject(subject)],
    };
    let inPartitions: Partition[] = [];
    switch (scope.level) {
      case 'platform':
      case 'cluster':
        if (scope.level === 'cluster' && scope.name !== cluster) break;
        clusterRoleBindings.push({
          apiVersion: rbacVersion,
          kind: 'ClusterRoleBinding',
          metadata: { name: bindingObjectName(name), labels: common.labels },
          roleRef: common.roleRef,
          subjects: common.subjects,
        });
        break;
      case 'tenant':
        if (scope.name && tenants.has(scope.name))
          inPartitions = here.filter((p) => p.spec.tenant === scope.name);
        break;
      case 'partition': {
        const p = scope.name ? partitions.get(scope.name) : undefined;
        if (p?.spec.cluster === cluster) inPartitions = [p];
        break;
      }
    }
    for (const p of inPartitions) {
      const namespace = partitionNamespace(p);
      if (!namespaces.has(namespace)) {
        pending.set(p.metadata.name, { partition: p.metadata.name, namespace });
        continue;
      }
      if (namespaces.get(namespace) !== p.metadata.name) {
        notOwned.set(p.metadata.name, { partition: p.metadata.name, namespace });
        continue;
      }
      const rb: V1RoleBinding = {
        apiVersion: rbacVersion,
        kind: 'RoleBinding',
        metadata: { name: bindingObjectName(name), namespace, labels: common.labels },
        roleRef: common.roleRef,
        subjects: common.subjects,
      };
      roleBindings.set(rbacKey(rb), rb);
    }
  }
  const byKey = (a: RbacObject, b: RbacObject) => rbacKey(a).localeCompare(rbacKey(b));
  return {
    clusterRoles: clusterRoles.sort(byKey),
    clusterRoleBindings: clusterRoleBindings.sort(byKey),
    roleBindings: [...roleBindings.values()].sort(byKey),
    pending: [...pending.values()].sort(byPartition),
    notOwned: [...notOwned.values()].sort(byPartition),
  };
}

const byPartition = (a: { partition: string }, b: { partition: string }) =>
  a.partition.localeCompare(b.partition);

/** `namespace/name` or `name`. */
export function rbacKey(o: RbacObject): string {
  const { name = '', namespace } = o.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

/** Whether the platform made this object (both labels); nothing else is ever changed or removed. */
export function isManaged(o: RbacObject): boolean {
  const labels = o.metadata?.labels ?? {};
  return labels[managedByLabel] === managedByValue && (bindingLabel in labels || templateLabel in labels);
}

const orEmpty = <T>(x: readonly T[] | undefined): readonly T[] => x ?? [];

function sameRules(a: readonly V1PolicyRule[] | undefined, b: readonly V1PolicyRule[] | undefined): boolean {
  const norm = (rules: readonly V1PolicyRule[] | undefined) =>
    JSON.stringify(
      orEmpty(rules).map((r) => [
        orEmpty(r.apiGroups),
        orEmpty(r.resources),
        orEmpty(r.verbs),
        orEmpty(r.resourceNames),
        orEmpty(r.nonResourceURLs),
      ]),
    );
  return norm(a) === norm(b);
}

function sameSubjects(a: readonly RbacV1Subject[] | undefined, b: readonly RbacV1Subject[] | undefined) {
  const norm = (s: readonly RbacV1Subject[] | undefined) =>
    JSON.stringify(orEmpty(s).map((x) => [x.kind, x.apiGroup ?? '', x.name, x.namespace ?? '']));
  return norm(a) === norm(b);
}

function sameRoleRef(a: V1RoleRef | undefined, b: V1RoleRef | undefined): boolean {
  return a?.apiGroup === b?.apiGroup && a?.kind === b?.kind && a?.name === b?.name;
}

function labelsHeld(want: RbacObject, have: RbacObject): boolean {
  const held = have.metadata?.labels ?? {};
  return Object.entries(want.metadata?.labels ?? {}).every(([k, v]) => held[k] === v);
}

function isBinding(o: RbacObject): o is V1RoleBinding | V1ClusterRoleBinding {
  return 'roleRef' in o;
}

export type RbacPlan<T extends RbacObject> = {
  /** Desired objects the cluster does not hold under their name (as far as the listing shows). */
  create: T[];
  /** Held, but different: applied again. */
  update: T[];
  /** Held with another roleRef, which Kubernetes never changes: deleted (`existing`) and created (`desired`). */
  replace: { existing: T; desired: T }[];
  /** Ours, and no longer desired. */
  prune: T[];
};

/**
 * What to do to make `existing` (the objects of one kind the cluster holds that were listed) into `desired`.
 * Objects equal in what we set (labels, rules, roleRef, subjects) are left alone, so a steady state writes
 * nothing; what others added (more labels, annotations) is not a difference. Only managed objects are pruned.
 */
export function planRbac<T extends RbacObject>(desired: readonly T[], existing: readonly T[]): RbacPlan<T> {
  const have = new Map(existing.map((o) => [rbacKey(o), o]));
  const want = new Set(desired.map(rbacKey));
  const plan: RbacPlan<T> = { create: [], update: [], replace: [], prune: [] };
  for (const d of desired) {
    const e = have.get(rbacKey(d));
    if (!e) {
      plan.create.push(d);
      continue;
    }
    if (isBinding(d) && isBinding(e) && !sameRoleRef(d.roleRef, e.roleRef)) {
      plan.replace.push({ existing: e, desired: d });
      continue;
    }
    const same =
      labelsHeld(d, e) &&
      (isBinding(d)
        ? isBinding(e) && sameSubjects(d.subjects, e.subjects)
        : !isBinding(e) && sameRules(d.rules, e.rules));
    if (!same) plan.update.push(d);
  }
  for (const e of existing) if (!want.has(rbacKey(e)) && isManaged(e)) plan.prune.push(e);
  return plan;
}
