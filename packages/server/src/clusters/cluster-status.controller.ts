/**
 * Cluster status, on the leader: every 5 s per cluster, and soon after its nodes change, what the cluster says
 * of itself (GET /version, its nodes summed) and how it is reached (Ready, Connected, the agent's connection).
 * Written only when it differs from what is stored, with the object's resourceVersion (updateStatus: a 409 re-reads), so the
 * conditions of other controllers (RBACSynced) survive and a steady cluster costs no writes.
 */
import type { Cluster } from '@shipyard/api';
import type { ControllerDeps } from '../controllers/access.controller.js';
import { ApiError } from '../http/errors.js';
import { Reason } from '../runtime/condition-reasons.js';
import type { ControllerHandle } from '../runtime/controller.js';
import { startPlatformController } from '../controllers/platform-controller.js';
import { listAll, kubeRequest } from '../runtime/kube-request.js';
import { toKubeApiError } from '../runtime/kube-errors.js';
import {
  nextClusterStatus,
  sameStatus,
  type ClusterObservation,
  type NodeLike,
  type Reachability,
} from './cluster-status.js';

/** How often each cluster is looked at when nothing else asks. */
export const statusEveryMs = 5_000;
const versionTimeoutMs = 5_000;
const listTimeoutMs = 10_000;
/** Node changes within this long after the first make one reconcile. */
const nodeDebounceMs = 1_000;

export function startClusterStatusController(deps: ControllerDeps): ControllerHandle {
  const { cache, clusterCache } = deps;
  const log = deps.logger.child({ component: 'cluster-status' });
  const pending = new Map<string, NodeJS.Timeout>();

  const handle = startPlatformController(deps, {
    name: 'cluster-status',
    // Many clusters may be slow to answer (5 s timeouts): do not let them wait on one another.
    concurrency: 4,
    rateLimit: { baseDelayMs: 1_000, maxDelayMs: 60_000 },
    informers: [{ informer: cache.informer('Cluster') }],
    reconcile: async (name) => {
      const cluster = cache.get('Cluster', name);
      if (!cluster) return;
      const obs = await observe(deps, cluster);
      await writeStatus(deps, cluster, obs);
      return { requeueAfter: statusEveryMs };
    },
  });

  // A burst of node changes (a node pool scaling, heartbeats of a thousand nodes) makes one reconcile.
  const off = clusterCache.onChange('nodes', (cluster) => {
    if (pending.has(cluster)) return;
    const timer = setTimeout(() => {
      pending.delete(cluster);
      handle.enqueue(cluster);
    }, nodeDebounceMs);
    timer.unref();
    pending.set(cluster, timer);
  });

  return {
    ...handle,
    async stop() {
      off();
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
      await handle.stop();
      log.debug({}, 'stopped');
    },
  };
}

/** How the cluster is reached, and if it answers, its version and nodes. Never throws for the cluster's sake. */
async function observe(deps: ControllerDeps, cluster: Cluster): Promise<ClusterObservation> {
  const name = cluster.metadata.name;
  const mode = cluster.spec.connection?.mode;
  const agent = mode === 'agent' ? deps.tunnels.agentStatus(name) : undefined;
  const base = { mode, agent, generation: cluster.metadata.generation };
  return { ...base, reach: await reachability(deps, name, agent?.connected) };
}

async function reachability(
  deps: ControllerDeps,
  name: string,
  agentConnected: boolean | undefined,
): Promise<Reachability> {
  let kc;
  try {
    kc = await deps.connections.kubeConfig(name);
  } catch (err) {
    if (err instanceof ApiError && err.status === 503)
      return { reachable: false, reason: Reason.NoConnection, message: err.message };
    throw err;
  }
  if (agentConnected === false) {
    return {
      reachable: false,
      reason: Reason.AgentDisconnected,
      message: 'the agent is not connected: requests to the cluster cannot pass',
    };
  }
  try {
    const version = (await kubeRequest(kc, { path: '/version', timeoutMs: versionTimeoutMs })) as {
      gitVersion?: string;
    };
    deps.connections.answered(name);
    // The cache's nodes when its store is live (it starts here on first use), else one direct list.
    const nodes =
      (await deps.clusterCache.peek(name, 'nodes')) ??
      (await listAll(kc, { path: '/api/v1/nodes', timeoutMs: listTimeoutMs })).items;
    return { reachable: true, version: version.gitVersion ?? 'unknown', nodes: nodes as NodeLike[] };
  } catch (err) {
    const e = toKubeApiError(err);
    const what = e.status === undefined ? e.message : `${e.status} ${e.reason}: ${e.message}`;
    return {
      reachable: false,
      reason: Reason.ClusterUnreachable,
      message: `the API server does not answer: ${what}`,
    };
  }
}

/** Writes the status when it differs (from the cached Cluster; a 409 reads the latest and computes again). */
async function writeStatus(deps: ControllerDeps, cached: Cluster, obs: ClusterObservation): Promise<void> {
  await deps.objects.updateStatus(
    'Cluster',
    cached.metadata.name,
    (prev) => {
      const next = nextClusterStatus(prev, obs, new Date());
      return sameStatus(prev, next) ? undefined : next;
    },
    { from: cached, attempts: 4 },
  );
}
