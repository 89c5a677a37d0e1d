/**
 * What the partition controller made in each user cluster, held by informers, so that a change by hand is
 * seen within a second and a partition in sync is checked without asking the cluster anything.
 *
 * Why watches and not a tight resync: drift must be repaired within 10 s. Reading each partition's five objects
 * every 10 s would cost 1,000 partitions × 5 GETs / 10 s = 500 requests a second across the clusters, forever.
 * Watches cost four per cluster (namespaces, resourcequotas, limitranges, networkpolicies, each selected by
 * the label every object of ours carries: 20 for 5 clusters), events only when something changes, and about
 * five small objects per partition in memory (managedFields dropped: ~5,000 objects, a few MB, for 1,000).
 * The periodic resync of the controller then compares against these stores: no request either.
 *
 * Per cluster the informers start on first use (a partition there is reconciled), follow the connection (a
 * new kubeconfig or agent registration restarts them), and stop when the cluster is deleted or has nothing of
 * ours left. An unreachable cluster's informers retry 1 s doubling to 10 s: when it is back, they re-list
 * within 10 s and the re-list's events bring its partitions back in line.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { trimObject } from '../clusters/cluster-resources.js';
import type { ClusterConnections } from '../clusters/connections.js';
import { unavailable } from '../http/errors.js';
import { sleep } from '../runtime/backoff.js';
import { startInformer } from '../runtime/informer.js';
import type { Informer } from '../runtime/informer.types.js';
import type { Logger } from '../runtime/logger.js';
import {
  collectionPath,
  labels,
  partitionKinds,
  partitionSelector,
  type PartitionKind,
} from './partition-objects.js';

export type ClusterStores = { readonly kc: KubeConfig } & {
  readonly [K in PartitionKind]: Informer<KubernetesObject>;
};

type Entry = ClusterStores & { startedAt: number };

const backoff = { baseMs: 1_000, maxMs: 10_000, jitter: 0.25 };
/** Informers stopped for good (401/403/404: the server's identity lost its rights) are tried again after this. */
const retryFailedAfterMs = 30_000;

export class PartitionWatches {
  private readonly entries = new Map<string, Entry>();
  private stopped = false;

  constructor(
    private readonly opts: {
      connections: Pick<ClusterConnections, 'kubeConfig'>;
      logger: Logger;
      /** Called with the partition named by the label of every object that changes. */
      onChange: (partition: string) => void;
      /** How long stores() waits for a starting cluster's informers (default 10 s). */
      syncWaitMs?: number;
    },
  ) {}

  /**
   * The cluster's stores, listed and watching: started, or restarted on a new connection, as needed. Throws the
   * connection's ApiError (404, 503), or a 503 saying why the cluster's objects could not be listed.
   */
  async stores(cluster: string): Promise<ClusterStores> {
    if (this.stopped) throw unavailable('the server is shutting down');
    const kc = await this.opts.connections.kubeConfig(cluster);
    let entry = this.entries.get(cluster);
    if (!entry || entry.kc !== kc || this.failedLongAgo(entry)) {
      if (entry) void this.stopEntry(cluster, entry);
      entry = this.start(cluster, kc);
      this.entries.set(cluster, entry);
    }
    const all = informersOf(entry);
    if (all.every((i) => i.hasSynced)) return entry;
    const failingNow = () =>
      all.some((i) => !i.hasSynced && (i.state === 'retrying' || i.state === 'failed'));
    if (failingNow()) throw this.unreachable(cluster, all);
    const waitMs = this.opts.syncWaitMs ?? 10_000;
    // Until all have listed, one fails (a cluster that refuses the connection need not be waited for), or time is up.
    const halt = new AbortController();
    const offs: (() => void)[] = [];
    const failing = new Promise<void>((resolve) => {
      for (const i of all) offs.push(i.on('state', (s) => (s === 'retrying' || s === 'failed') && resolve()));
    });
    await Promise.race([
      Promise.all(all.map((i) => i.synced())).catch(() => undefined), // lastError below says why
      failing,
      sleep(waitMs, halt.signal),
    ]);
    halt.abort();
    for (const off of offs) off();
    if (all.every((i) => i.hasSynced)) return entry;
    throw this.unreachable(cluster, all, waitMs);
  }

  private unreachable(cluster: string, all: Informer<KubernetesObject>[], waitMs?: number) {
    const why = all.find((i) => i.lastError)?.lastError?.message;
    return unavailable(
      why
        ? `cluster "${cluster}" did not answer: ${why}`
        : `cluster "${cluster}": its partition objects were not listed within ${waitMs ?? 0} ms`,
    );
  }

  /** The clusters watched now. */
  clusters(): string[] {
    return [...this.entries.keys()];
  }

  /** The stores of a cluster watched now, synced or not (never starts anything). */
  peek(cluster: string): ClusterStores | undefined {
    return this.entries.get(cluster);
  }

  /** Stops watching the clusters not in `keep` that hold nothing of ours (so no namespace is left to sweep). */
  async retain(keep: (cluster: string) => boolean): Promise<void> {
    for (const [cluster, entry] of [...this.entries]) {
      if (keep(cluster) || entry.Namespace.list().length > 0) continue;
      this.opts.logger.info({ cluster, component: 'partition-watch' }, 'no partitions left: stopping');
      await this.stopEntry(cluster, entry);
    }
  }

  /** Stops watching a cluster (deleted). */
  async drop(cluster: string): Promise<void> {
    const entry = this.entries.get(cluster);
    if (entry) await this.stopEntry(cluster, entry);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.entries].map(([c, e]) => this.stopEntry(c, e)));
  }

  private failedLongAgo(entry: Entry): boolean {
    const failed = informersOf(entry).some((i) => i.state === 'failed' || i.state === 'stopped');
    return failed && Date.now() - entry.startedAt > retryFailedAfterMs;
  }

  private start(cluster: string, kc: KubeConfig): Entry {
    const informer = (kind: PartitionKind) => {
      const i = startInformer<KubernetesObject>({
        kubeConfig: kc,
        cluster,
        path: collectionPath(kind),
        labelSelector: partitionSelector,
        backoff,
        logger: this.opts.logger,
      });
      // The first listener: the store holds the objects handed to listeners, so this trims what is stored.
      i.on('change', (obj, type) => {
        if (type !== 'delete') trimObject(obj);
        const partition = obj.metadata?.labels?.[labels.partition];
        if (partition && this.entries.get(cluster)?.[kind] === i) this.opts.onChange(partition);
      });
      return i;
    };
    const kinds = Object.keys(partitionKinds) as PartitionKind[];
    const stores = Object.fromEntries(kinds.map((k) => [k, informer(k)])) as Record<
      PartitionKind,
      Informer<KubernetesObject>
    >;
    return { kc, startedAt: Date.now(), ...stores };
  }

  private async stopEntry(cluster: string, entry: Entry): Promise<void> {
    if (this.entries.get(cluster) === entry) this.entries.delete(cluster);
    await Promise.all(informersOf(entry).map((i) => i.stop()));
  }
}

function informersOf(entry: ClusterStores): Informer<KubernetesObject>[] {
  return (Object.keys(partitionKinds) as PartitionKind[]).map((k) => entry[k]);
}
