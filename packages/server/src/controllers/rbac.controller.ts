import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import {
  type Cluster,
  type Condition,
  type Partition,
  type RoleTemplateBinding,
  type Tenant,
} from '@shipyard/api';
import { desiredRbac, type DesiredRbac } from '../authz/cluster-rbac.js';
import { accessSecretName } from '../clusters/cluster-access.js';
import type { ControllerHandle, ReconcileResult } from '../runtime/controller.js';
import { startPlatformController } from './platform-controller.js';
import type { ConditionInput } from '../runtime/conditions.js';
import { failureCondition } from '../runtime/condition-reasons.js';
import type { ControllerDeps } from './access.controller.js';
import { listNamespaces, readClusterRbac, syncClusterRbac } from './rbac-sync.js';

export const rbacCondition = 'RBACSynced';
/** How soon to look again for a partition's namespace (the partition controller creates it). */
const pendingRetryMs = 5_000;
/** How soon to look again at names held by objects that are not ours (someone has to remove them). */
const conflictRetryMs = 60_000;

type Outcome = Omit<ConditionInput, 'type'>;

/**
 * Each managed cluster's RBAC made from the platform's role templates and bindings, keyed by cluster: one
 * reconcile computes what the cluster should hold and converges it, then reports RBACSynced on the Cluster.
 * An unreachable cluster is retried with backoff while the others go on.
 */
export function startRbacController(deps: ControllerDeps): ControllerHandle {
  const { cache, objects, connections } = deps;
  const allClusters = () => cache.list('Cluster').map((c) => c.metadata.name);
  const clustersOfTenant = (tenant: string): string[] => [
    ...cache
      .list('Partition')
      .filter((p) => p.spec.tenant === tenant)
      .map((p) => p.spec.cluster),
    ...(cache.get('Tenant', tenant)?.spec.clusters.map((c) => c.cluster) ?? []),
  ];
  const clustersOfBinding = (b: RoleTemplateBinding): string[] => {
    const { level, name = '' } = b.spec.scope;
    switch (level) {
      case 'platform':
        return allClusters();
      case 'cluster':
        return [name];
      case 'tenant':
        return clustersOfTenant(name);
      case 'partition': {
        const cluster = cache.get('Partition', name)?.spec.cluster;
        return cluster ? [cluster] : [];
      }
    }
  };
  /** The keys of an object's change: what its old and new versions affect, once each. */
  const both =
    <T>(affected: (obj: T) => Iterable<string>) =>
    (obj: KubernetesObject, old: KubernetesObject | undefined): Set<string> =>
      new Set([...affected(obj as T), ...(old ? affected(old as T) : [])]);

  return startPlatformController(deps, {
    name: 'cluster-rbac',
    concurrency: 4,
    resyncEveryMs: 5 * 60_000,
    // An unreachable cluster: 1 s, 2 s, 4 s… up to 5 min between attempts.
    rateLimit: { baseDelayMs: 1_000, maxDelayMs: 5 * 60_000 },
    informers: [
      { informer: cache.informer('Cluster'), keys: clusterKeys, resync: true },
      { informer: cache.informer('RoleTemplate'), keys: allClusters },
      { informer: cache.informer('RoleTemplateBinding'), keys: both(clustersOfBinding) },
      {
        informer: cache.informer('Group'),
        // Membership is the proxy's business (Impersonate-Group); only whether the group exists matters here.
        keys: (g, old) =>
          old
            ? []
            : new Set(
                cache
                  .list('RoleTemplateBinding')
                  .filter((b) => b.spec.subject.kind === 'Group' && b.spec.subject.name === g.metadata?.name)
                  .flatMap(clustersOfBinding),
              ),
      },
      { informer: cache.informer('Partition'), keys: both((p: Partition) => [p.spec.cluster]) },
      {
        informer: cache.informer('Tenant'),
        keys: both((t: Tenant) => [
          ...clustersOfTenant(t.metadata.name),
          ...t.spec.clusters.map((c) => c.cluster),
        ]),
      },
      // A cluster's connection Secret (its kubeconfig, or what its agent registered): try it again at once.
      {
        informer: cache.secrets,
        keys: (s: V1Secret) =>
          cache
            .list('Cluster')
            .filter((c) => connectionSecret(c) === s.metadata?.name)
            .map((c) => c.metadata.name),
      },
    ],
    reconcile: async (name) => {
      const cluster = cache.get('Cluster', name);
      if (!cluster) return;
      let outcome: Outcome;
      let result: ReconcileResult;
      try {
        [outcome, result] = await sync(name);
      } catch (err) {
        await report(cluster, failureCondition(err, { cluster: name, doing: 'manage its RBAC' }));
        throw err;
      }
      await report(cluster, outcome);
      return result;
    },
  });

  async function sync(cluster: string): Promise<[Outcome, ReconcileResult]> {
    const kc = await connections.kubeConfig(cluster);
    const [namespaces, existing] = await Promise.all([
      listNamespaces(kc, cache.m.namespace),
      readClusterRbac(kc),
    ]);
    const desired = desiredRbac({
      cluster,
      namespaces,
      state: {
        templates: cache.list('RoleTemplate'),
        bindings: cache.list('RoleTemplateBinding'),
        groups: cache.list('Group'),
        tenants: cache.list('Tenant'),
        partitions: cache.list('Partition'),
      },
    });
    const done = await syncClusterRbac({ kc, desired, existing });
    if (done.written + done.pruned > 0) {
      deps.logger.info(
        { cluster, written: done.written, pruned: done.pruned, component: 'controller' },
        'cluster RBAC converged',
      );
    }
    const where = (ps: { partition: string; namespace: string }[]) =>
      sample(ps.map((p) => `${p.partition} (${p.namespace})`));
    if (done.conflicts.length > 0) {
      const names = sample(done.conflicts);
      const message = `objects not made by Shipyard hold the names of ${names}: remove them or rename them`;
      return notYet('NameConflict', message, conflictRetryMs);
    }
    if (desired.notOwned.length > 0) {
      const message = `nothing is bound in namespaces that are not their partitions' own: ${where(desired.notOwned)}`;
      return notYet('NamespaceNotOwned', message, conflictRetryMs);
    }
    if (desired.pending.length > 0) {
      const message = `waiting for the namespaces of partitions ${where(desired.pending)}`;
      return notYet('NamespacesPending', message, pendingRetryMs);
    }
    return [{ status: 'True', reason: 'Synced', message: summary(desired) }, undefined];
  }

  async function report(cluster: Cluster, outcome: Outcome): Promise<void> {
    await objects.setCondition(
      'Cluster',
      cluster.metadata.name,
      { type: rbacCondition, ...outcome },
      { from: cluster },
    );
  }
}

/** Cluster changes that matter: added or deleted, its spec, or our condition changed by someone else. */
function clusterKeys(obj: KubernetesObject, old: KubernetesObject | undefined): string[] {
  const name = obj.metadata?.name ?? '';
  if (!old) return [name];
  const cond = (o: KubernetesObject) =>
    JSON.stringify((o as Cluster).status?.conditions?.find((c: Condition) => c.type === rbacCondition));
  const changed = obj.metadata?.generation !== old.metadata?.generation || cond(obj) !== cond(old);
  return changed ? [name] : [];
}

/** The Secret a cluster's connection is made from: its kubeconfig, or what its agent registered. */
export function connectionSecret(c: Cluster): string | undefined {
  const conn = c.spec.connection;
  if (conn?.mode === 'direct') return conn.kubeconfigSecret;
  if (conn?.mode === 'agent') return accessSecretName(c.metadata.name);
  return undefined;
}

/** RBACSynced False for `reason`, and when to look again. */
function notYet(reason: string, message: string, retryInMs: number): [Outcome, ReconcileResult] {
  return [{ status: 'False', reason, message }, { requeueAfter: retryInMs }];
}

function summary(d: DesiredRbac): string {
  const bindings = d.clusterRoleBindings.length + d.roleBindings.length;
  return `${d.clusterRoles.length} cluster roles and ${bindings} bindings in sync`;
}

function sample(items: string[]): string {
  const shown = items.slice(0, 5).join(', ');
  return items.length > 5 ? `${shown} and ${items.length - 5} more` : shown;
}
