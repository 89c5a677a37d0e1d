import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { kindList, type KindName, type PlatformObject } from '@shipyard/api';
import { kindPath, type Management } from '../kube/management.js';
import { startInformer } from '../runtime/informer.js';
import type { Informer } from '../runtime/informer.types.js';
import type { Logger } from '../runtime/logger.js';
import type { ChangeHub } from './changes.js';

// Informers hold objects as the apiserver sent them (JSON: timestamps are strings), which is what
// PlatformObject describes; client-node's KubernetesObject types them as Dates, hence the casts below.
type AnyInformer = Informer<KubernetesObject>;

/**
 * Every platform kind and the server's credential Secrets, held in memory by informers over the management
 * cluster: reads and lists are served from here. `authGeneration` moves whenever something authorization
 * depends on changes (users, groups, templates, bindings, partitions), so derived caches know to refresh.
 */
export class PlatformCache {
  private readonly informers = new Map<KindName, AnyInformer>();
  private readonly generations = new Map<KindName, number>();
  readonly secrets: Informer<V1Secret>;
  authGeneration = 0;

  constructor(
    readonly m: Management,
    private readonly hub: ChangeHub,
    logger: Logger,
  ) {
    for (const d of kindList) {
      const informer = startInformer({
        kubeConfig: m.kc,
        cluster: m.cluster,
        path: kindPath(d),
        logger,
      });
      informer.on('change', () => {
        this.generations.set(d.kind as KindName, this.generation(d.kind as KindName) + 1);
        if (d.kind !== 'Cluster' && d.kind !== 'Tenant') this.authGeneration++;
        hub.notify(`${m.cluster}/${d.plural}`);
      });
      this.informers.set(d.kind as KindName, informer);
    }
    this.secrets = startInformer<V1Secret>({
      kubeConfig: m.kc,
      cluster: m.cluster,
      // All of the namespace's Secrets: credentials (labelled), and clusters' kubeconfigs and access tokens,
      // which the proxy reads on every request.
      path: `/api/v1/namespaces/${m.namespace}/secrets`,
      logger,
    });
    this.secrets.on('change', () => hub.notify(`${m.cluster}/credentials`));
  }

  /** A Secret of the server's namespace, by name. */
  secret(name: string): V1Secret | undefined {
    return this.secrets.get(name, this.m.namespace);
  }

  /** Moves whenever an object of the kind changes: derived views (sorted lists) compare it. */
  generation(kind: KindName): number {
    return this.generations.get(kind) ?? 0;
  }

  async synced(): Promise<void> {
    await Promise.all([...this.informers.values(), this.secrets].map((i) => i.synced()));
  }

  get hasSynced(): boolean {
    return [...this.informers.values(), this.secrets].every((i) => i.hasSynced);
  }

  informer(kind: KindName): AnyInformer {
    const i = this.informers.get(kind);
    if (!i) throw new Error(`no informer for ${kind}`);
    return i;
  }

  list<N extends KindName>(kind: N): readonly PlatformObject<N>[] {
    return this.informer(kind).list() as unknown as readonly PlatformObject<N>[];
  }

  get<N extends KindName>(kind: N, name: string): PlatformObject<N> | undefined {
    return this.informer(kind).get(name) as unknown as PlatformObject<N> | undefined;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values(), this.secrets].map((i) => i.stop()));
  }
}
