/**
 * Nodes, namespaces and events of every managed cluster, held in memory by informers on every replica, so the
 * detail lists filter, sort and page without asking the cluster, and the status controller sums nodes for free.
 *
 * - Lazy: a resource's informer starts on its first read (the status controller reads nodes), and stops after
 *   10 minutes without one, so a replica holds only what is looked at.
 * - Follows the connection: restarted when connections.kubeConfig gives a new object (its Secret changed);
 *   paused while an agent cluster's agent is gone (no request would pass) and resumed from its store when it
 *   is back; stopped when the Cluster is deleted and when the server stops.
 * - Memory: objects lose metadata.managedFields as they enter the store (half of a Node); events are held to a
 *   window (the last hour, at most 5,000: see defaultEventWindow). A thousand KWOK Nodes take about 2.3 MB of
 *   heap; real ones carry image lists, several times that.
 * - Never hot: informers back off (1 s doubling to 10 s) and one tick every 2 s does the bookkeeping.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { PlatformCache } from '../cache/platform-cache.js';
import { ApiError, notFound } from '../http/errors.js';
import { formatTime } from '../runtime/conditions.js';
import type { Logger } from '../runtime/logger.js';
import type { TunnelDirectory } from '../tunnel/dialer.js';
import {
  clusterResources,
  defaultEventWindow,
  eventsInWindow,
  type ClusterResource,
  type EventWindow,
} from './cluster-resources.js';
import type { ClusterConnections } from './connections.js';
import { ResourceStore } from './resource-store.js';

export type ClusterCacheOptions = {
  cache: PlatformCache;
  connections: Pick<ClusterConnections, 'kubeConfig' | 'unresponsive'>;
  tunnels: TunnelDirectory;
  logger: Logger;
  /** How long a read waits for a store that is starting (default 5 s). */
  syncWaitMs?: number;
  /** Stores unread this long are stopped (default 10 min). */
  idleMs?: number;
  eventWindow?: EventWindow;
  /** Bookkeeping rhythm: connection changes, agents coming and going, idle stores (default 2 s). */
  tickMs?: number;
};

type Entry = {
  stores: Map<ClusterResource, ResourceStore>;
  /** Why the cluster cannot be reached now (no connection, agent gone): its stores are paused. */
  blocked?: ApiError;
};

/** How the cluster is reached right now, or why it is not. */
type Reach = { kc: KubeConfig } | { blocked: ApiError };

const pruneEveryMs = 30_000;

export class ClusterCache {
  private readonly entries = new Map<string, Entry>();
  private readonly handlers = new Map<ClusterResource, Set<(cluster: string) => void>>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private ticking = false;
  private lastPrune = 0;
  private stopped = false;

  constructor(private readonly opts: ClusterCacheOptions) {
    this.log = opts.logger.child({ component: 'cluster-cache' });
  }

  /** Starts the bookkeeping; call once the platform cache has synced (Clusters and Secrets are known). */
  start(): void {
    if (this.timer || this.stopped) return;
    this.unsubscribe = this.opts.cache.informer('Cluster').on('delete', (obj) => {
      void this.drop(obj.metadata?.name ?? '');
    });
    this.timer = setInterval(() => void this.tick(), this.opts.tickMs ?? 2_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unsubscribe?.();
    await Promise.all([...this.entries.keys()].map((c) => this.drop(c)));
  }

  /** Calls `handler(cluster)` after every change of that resource in any cluster; returns the unsubscriber. */
  onChange(resource: ClusterResource, handler: (cluster: string) => void): () => void {
    let set = this.handlers.get(resource);
    if (!set) this.handlers.set(resource, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /**
   * The cluster's objects of `resource` (of one namespace), from a live store: starts it if needed and waits
   * a few seconds for it. Throws 404 for an unknown cluster, 503 with the reason when the store is not live.
   */
  async list(
    cluster: string,
    resource: ClusterResource,
    opts: { namespace?: string } = {},
  ): Promise<readonly KubernetesObject[]> {
    if (this.stopped) throw new ApiError(503, 'ShuttingDown', 'the server is shutting down');
    if (!this.opts.cache.get('Cluster', cluster)) throw notFound(`cluster "${cluster}" not found`);
    const reach = await this.reach(cluster);
    if (this.stopped) throw new ApiError(503, 'ShuttingDown', 'the server is shutting down');
    const entry = this.apply(cluster, reach);
    if ('blocked' in reach) throw reach.blocked;
    const store = this.storeOf(cluster, entry, resource);
    store.run(reach.kc);
    // An API server that did not take a connection a moment ago is not waited for (its store will not sync),
    // nor served from a store whose watch may be as dead.
    const down = this.opts.connections.unresponsive(cluster);
    if (down) {
      store.lastRead = Date.now();
      throw down;
    }
    await store.ready(this.opts.syncWaitMs ?? 5_000);
    const items = store.items(opts.namespace);
    return resource === 'events' ? eventsInWindow(items, this.eventWindow, Date.now()) : items;
  }

  /**
   * The cluster's objects of `resource` if its store is live now, else undefined (never waits, never throws);
   * starts the store, so a caller that asks again finds it. The status controller reads nodes this way.
   */
  async peek(cluster: string, resource: ClusterResource): Promise<readonly KubernetesObject[] | undefined> {
    if (this.stopped || !this.opts.cache.get('Cluster', cluster)) return undefined;
    const reach = await this.reach(cluster);
    if (this.stopped) return undefined;
    const entry = this.apply(cluster, reach);
    if ('blocked' in reach) return undefined;
    const store = this.storeOf(cluster, entry, resource);
    store.lastRead = Date.now();
    store.run(reach.kc);
    return store.live ? store.items() : undefined;
  }

  private get eventWindow(): EventWindow {
    return this.opts.eventWindow ?? defaultEventWindow;
  }

  private async reach(cluster: string): Promise<Reach> {
    let kc: KubeConfig;
    try {
      kc = await this.opts.connections.kubeConfig(cluster);
    } catch (err) {
      if (err instanceof ApiError) return { blocked: err };
      throw err;
    }
    if (this.opts.cache.get('Cluster', cluster)?.spec.connection?.mode === 'agent') {
      const agent = this.opts.tunnels.agentStatus(cluster);
      if (!agent.connected) {
        const seen = agent.lastSeen ? ` (last seen ${formatTime(agent.lastSeen)})` : '';
        return {
          blocked: new ApiError(
            503,
            'AgentDisconnected',
            `cluster "${cluster}": its agent is not connected${seen}`,
          ),
        };
      }
    }
    return { kc };
  }

  /** Brings the cluster's stores in line with how it is reached: paused when it is not, else running on kc. */
  private apply(cluster: string, reach: Reach): Entry {
    let entry = this.entries.get(cluster);
    if (!entry) this.entries.set(cluster, (entry = { stores: new Map() }));
    if ('blocked' in reach) {
      if (!entry.blocked)
        this.log.info({ cluster, reason: reach.blocked.message }, 'cluster unreachable: pausing');
      entry.blocked = reach.blocked;
      for (const store of entry.stores.values()) store.pause();
      return entry;
    }
    if (entry.blocked) this.log.info({ cluster }, 'cluster reachable again: resuming');
    entry.blocked = undefined;
    for (const store of entry.stores.values()) store.run(reach.kc);
    return entry;
  }

  private storeOf(cluster: string, entry: Entry, resource: ClusterResource): ResourceStore {
    let store = entry.stores.get(resource);
    if (!store) {
      store = new ResourceStore({
        cluster,
        def: clusterResources[resource],
        logger: this.opts.logger,
        onChange: () => this.notify(resource, cluster),
      });
      entry.stores.set(resource, store);
    }
    return store;
  }

  private notify(resource: ClusterResource, cluster: string): void {
    for (const h of this.handlers.get(resource) ?? []) {
      try {
        h(cluster);
      } catch (err) {
        this.log.error({ err, cluster, resource }, 'a cluster cache handler threw');
      }
    }
  }

  private async drop(cluster: string): Promise<void> {
    const entry = this.entries.get(cluster);
    if (!entry) return;
    this.entries.delete(cluster);
    await Promise.all([...entry.stores.values()].map((s) => s.stop()));
  }

  /** Connection changes, agents coming and going, deleted clusters, idle stores, the events window. */
  private async tick(): Promise<void> {
    if (this.ticking || this.stopped) return;
    this.ticking = true;
    try {
      const now = Date.now();
      const prune = now - this.lastPrune >= pruneEveryMs;
      if (prune) this.lastPrune = now;
      for (const [cluster, entry] of [...this.entries]) {
        if (!this.opts.cache.get('Cluster', cluster)) {
          await this.drop(cluster);
          continue;
        }
        for (const [resource, store] of [...entry.stores]) {
          if (now - store.lastRead < (this.opts.idleMs ?? 10 * 60_000)) continue;
          entry.stores.delete(resource);
          this.log.info({ cluster, resource }, 'not read for a while: stopping');
          await store.stop();
        }
        if (entry.stores.size === 0) {
          this.entries.delete(cluster);
          continue;
        }
        const reach = await this.reach(cluster);
        // Deleted, idle or stopped meanwhile: applying would bring it back.
        if (this.stopped || this.entries.get(cluster) !== entry) continue;
        this.apply(cluster, reach);
        // Not awaited: a prune waits for its new informer, and the other clusters' bookkeeping should not.
        if (prune) {
          entry.stores
            .get('events')
            ?.prune(this.eventWindow)
            .catch((err: unknown) => this.log.error({ err, cluster }, 'pruning events failed'));
        }
      }
    } catch (err) {
      this.log.error({ err }, 'cluster cache bookkeeping failed');
    } finally {
      this.ticking = false;
    }
  }
}
