/**
 * Each Partition's namespace in its user cluster, kept there: the Namespace, ResourceQuota, LimitRange and
 * NetworkPolicies (partition-objects.ts) are made, repaired within a second or two of a change by hand (the
 * cluster's objects are watched: partition-watch.ts), and removed with the partition. The RBAC controller adds
 * the RoleBindings once the namespace exists.
 *
 * - Delete: the controller's finalize step (runtime/controller.ts) keeps a finalizer on every Partition and
 *   takes it off once the namespace is gone (or its cluster no longer exists) and the partition's claim on the
 *   namespace is given up (namespace-claim.ts).
 *   While the cluster does not answer the finalizer stays, Ready says so, and the controller retries with
 *   backoff.
 * - Status: namespace, the quota's enforced `hard` and counted `used`, and Ready (True when every object is
 *   there and the cluster's quota controller enforces the quota). The tenant's sums: tenant-usage.ts.
 * - A namespace labelled for a partition that does not exist (deleted around the finalizer) is removed.
 * - Ownership: nothing is written into a namespace that is not the partition's (namespace-ownership.ts);
 *   Ready False with reason NamespaceNotOwned says so. The namespace enforces the partition's Pod Security
 *   level, and its quota every key of the tenant's on the cluster (what the partition was not given at 0),
 *   again whenever the tenant's quota changes.
 */
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { Partition } from '@shipyard/api';
import type { ControllerDeps } from '../controllers/access.controller.js';
import { connectionSecret } from '../controllers/rbac.controller.js';
import { failureCondition } from '../runtime/condition-reasons.js';
import type { ControllerHandle, ReconcileResult } from '../runtime/controller.js';
import { startPlatformController } from '../controllers/platform-controller.js';
import { namespaceOf, quotasOf } from './ledger.js';
import { releaseClaim } from './namespace-claim.js';
import { labels, partitionHard, partitionObjects } from './partition-objects.js';
import { changedStatus, statusWith, type Readiness } from './partition-status.js';
import { convergePartition, removeNamespace, type Converged } from './partition-sync.js';
import { PartitionWatches } from './partition-watch.js';
import { sameHard, type Hard } from './quota.js';
import { startTenantUsageController } from './tenant-usage.js';

export const partitionFinalizer = 'shipyard.dev/partition';
/** How soon to look again at a quota the cluster does not enforce yet (its quota controller's first sync). */
const quotaPendingRetryMs = 2_000;
/** How often to stop watching clusters that have no partitions left. */
const retainEveryMs = 60_000;

/** The partition controller and the tenant usage controller that sums what it reports. */
export function startPartitionControllers(deps: ControllerDeps): ControllerHandle[] {
  return [startPartitionController(deps), startTenantUsageController(deps)];
}

export function startPartitionController(deps: ControllerDeps): ControllerHandle {
  const { cache, objects, connections, logger } = deps;
  const log = logger.child({ component: 'controller', controller: 'partitions' });
  const partitionsOn = (cluster: string) =>
    cache
      .list('Partition')
      .filter((p) => p.spec.cluster === cluster)
      .map((p) => p.metadata.name);
  const watches = new PartitionWatches({
    connections,
    logger,
    // Watches start in a reconcile, so after `controller` below is set.
    onChange: (partition) => controller.enqueue(partition),
  });

  const controller = startPlatformController(deps, {
    name: 'partitions',
    concurrency: 8,
    // Checking a partition against the stores costs no request: this finds what no event said.
    resyncEveryMs: 5 * 60_000,
    rateLimit: { baseDelayMs: 1_000, maxDelayMs: 60_000 },
    informers: [
      { informer: cache.informer('Partition') },
      {
        informer: cache.informer('Cluster'),
        // A new cluster, or its connection changed; not its status, which moves all the time.
        keys: (c, old) =>
          old && c.metadata?.generation === old.metadata?.generation
            ? []
            : partitionsOn(c.metadata?.name ?? ''),
      },
      // The tenant's quota changed (a key added or removed): every partition of it carries every key.
      {
        informer: cache.informer('Tenant'),
        keys: (t, old) =>
          old && t.metadata?.generation === old.metadata?.generation
            ? []
            : cache
                .list('Partition')
                .filter((p) => p.spec.tenant === t.metadata?.name)
                .map((p) => p.metadata.name),
      },
      // A cluster's connection Secret (its kubeconfig, or what its agent registered): try at once.
      {
        informer: cache.secrets,
        keys: (s: V1Secret) =>
          cache
            .list('Cluster')
            .filter((c) => connectionSecret(c) === s.metadata?.name)
            .flatMap((c) => partitionsOn(c.metadata.name)),
      },
    ],
    // Not called for a partition being deleted: that is `finalize`'s.
    reconcile: async (name) => {
      const p = cache.get('Partition', name);
      const result = p ? await converge(p) : undefined;
      await sweepOrphans(name, p);
      return result;
    },
    finalize: {
      finalizer: partitionFinalizer,
      get: (name) => cache.get('Partition', name),
      run: (p) => finalize(p),
      write: (p, present) =>
        objects.setFinalizer('Partition', p.metadata.name, { finalizer: partitionFinalizer, present }),
    },
  });

  const offClusterDelete = cache.informer('Cluster').on('delete', (c: KubernetesObject) => {
    void watches.drop(c.metadata?.name ?? '');
  });
  const retainTimer = setInterval(() => {
    const used = new Set(cache.list('Partition').map((p) => p.spec.cluster));
    watches
      .retain((c) => used.has(c) && cache.get('Cluster', c) !== undefined)
      .catch((err: unknown) => log.error({ err }, 'stopping idle cluster watches failed'));
  }, retainEveryMs);
  retainTimer.unref();

  async function converge(p: Partition): Promise<ReconcileResult> {
    const { cluster } = p.spec;
    const namespace = namespaceOf(p);
    const tenant = cache.get('Tenant', p.spec.tenant);
    const tenantHard = tenant && quotasOf(tenant).find((q) => q.cluster === cluster)?.hard;
    const hard = partitionHard(p, tenantHard);
    const want = partitionObjects(p, tenantHard);
    if (!cache.get('Cluster', cluster)) {
      // Nothing to retry: the Cluster's informer brings the partition back if the cluster is made.
      await report(p, {
        status: 'False',
        reason: 'ClusterNotFound',
        message: `cluster "${cluster}" does not exist`,
      });
      return;
    }
    let done: Converged;
    try {
      const stores = await watches.stores(cluster);
      done = await convergePartition({
        kc: stores.kc,
        stores,
        partition: p.metadata.name,
        want,
        serverNamespace: cache.m.namespace,
        adopt: p.spec.adopt,
      });
    } catch (err) {
      await report(p, failureCondition(err, { cluster, doing: 'manage the partition' }));
      throw err;
    }
    if (done.written + done.pruned > 0) {
      log.info(
        { partition: p.metadata.name, cluster, namespace, written: done.written, pruned: done.pruned },
        'partition converged',
      );
    }
    let ready: Readiness = { status: 'True', reason: 'Ready', message: `namespace ${namespace} is in place` };
    let retryInMs: number | undefined;
    // An empty quota limits nothing, and Kubernetes never fills in its status: it is enforced as it stands.
    const asked = Object.keys(hard).length > 0;
    const enforced = asked ? done.quota?.status?.hard : {};
    if (done.problem) {
      ready = { status: 'False', reason: done.problem.reason, message: done.problem.message };
      retryInMs = done.problem.retryInMs;
    } else if (!enforced || !sameQuota(enforced, hard)) {
      ready = {
        status: 'False',
        reason: 'QuotaPending',
        message: `waiting for cluster "${cluster}" to enforce the quota of namespace ${namespace}`,
      };
      retryInMs = quotaPendingRetryMs;
    } else if (want.skippedRules.length > 0) {
      ready = {
        status: 'False',
        reason: 'InvalidNetworkRule',
        message: `left out, as they would allow more than asked: ${want.skippedRules.join('; ')}`,
      };
    }
    await report(p, ready, { namespace, quota: done.quota });
    return retryInMs === undefined ? undefined : { requeueAfter: retryInMs };
  }

  /** Removes the partition's namespace from its cluster; resolves nothing once it is gone (the finalizer then goes). */
  async function finalize(p: Partition): Promise<ReconcileResult> {
    const { cluster } = p.spec;
    const namespace = namespaceOf(p);
    // A cluster that is gone, or was never reachable (no kubeconfig, no agent registered), holds nothing of ours.
    if (!(await clusterExists(cluster)) || !connections.hasConnection(cluster)) {
      await releaseClaim({ cache }, p);
      return;
    }
    let state: 'gone' | 'terminating';
    try {
      const kc = await connections.kubeConfig(cluster);
      state = await removeNamespace({
        kc,
        partition: p.metadata.name,
        namespace,
        serverNamespace: cache.m.namespace,
      });
    } catch (err) {
      const why = failureCondition(err, { cluster, doing: 'manage the partition' });
      await report(p, {
        ...why,
        message: `namespace ${namespace} cannot be removed yet, retrying: ${why.message ?? ''}`,
      });
      throw err;
    }
    if (state === 'gone') {
      await releaseClaim({ cache }, p);
      log.info({ partition: p.metadata.name, cluster, namespace }, 'partition removed from its cluster');
      return;
    }
    await report(p, {
      status: 'False',
      reason: 'Deleting',
      message: `namespace ${namespace} is being deleted from cluster "${cluster}"`,
    });
    return { requeueAfter: 1_000 };
  }

  /**
   * Namespaces labelled for `name` in the watched clusters that are not its namespace (the partition is gone,
   * or was made again elsewhere): removed, once the apiserver confirms the cache.
   */
  async function sweepOrphans(name: string, p: Partition | undefined): Promise<void> {
    for (const cluster of watches.clusters()) {
      const ns = watches.peek(cluster)?.Namespace;
      if (!ns?.hasSynced) continue;
      const strays = ns
        .list()
        .filter(
          (n) =>
            n.metadata?.labels?.[labels.partition] === name &&
            !n.metadata.deletionTimestamp &&
            !(p && p.spec.cluster === cluster && namespaceOf(p) === n.metadata.name),
        );
      if (strays.length === 0) continue;
      const live = await objects.find('Partition', name);
      const kc = (await watches.stores(cluster)).kc;
      for (const n of strays) {
        const namespace = n.metadata?.name ?? '';
        if (live && live.spec.cluster === cluster && namespaceOf(live) === namespace) continue;
        log.info(
          { partition: name, cluster, namespace },
          'removing the namespace of a partition that is gone',
        );
        await removeNamespace({ kc, partition: name, namespace, serverNamespace: cache.m.namespace });
      }
    }
  }

  async function clusterExists(cluster: string): Promise<boolean> {
    return (
      cache.get('Cluster', cluster) !== undefined || (await objects.find('Cluster', cluster)) !== undefined
    );
  }

  async function report(
    p: Partition,
    ready: Readiness,
    observed?: { namespace: string; quota?: Converged['quota'] },
  ): Promise<void> {
    await objects.updateStatus(
      'Partition',
      p.metadata.name,
      (prev) => changedStatus(prev, statusWith({ prev, generation: p.metadata.generation, ready, observed })),
      { from: p },
    );
  }

  return {
    ...controller,
    async stop() {
      offClusterDelete();
      clearInterval(retainTimer);
      await controller.stop();
      await watches.stop();
    },
  };
}

/** The quota the cluster enforces is the partition's (however the amounts are written). */
function sameQuota(enforced: Hard, hard: Hard): boolean {
  try {
    return sameHard(enforced, hard);
  } catch {
    return false;
  }
}
