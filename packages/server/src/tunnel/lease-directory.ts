/**
 * Every replica's view of the replica and tunnel Leases of the server's namespace: two informers (label
 * selectors cannot say "this label or that one"), read from memory by the router on every dial.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { startInformer } from '../runtime/informer.js';
import type { Informer } from '../runtime/informer.types.js';
import { toLease, type Lease } from '../runtime/lease.js';
import type { Logger } from '../runtime/logger.js';
import { replicaLabel, replicaLeaseName, tunnelLabel, tunnelLeaseName } from './leases.js';

/** What the router reads. */
export interface LeaseView {
  /** The tunnel Lease of the cluster. */
  tunnel(cluster: string): Lease | undefined;
  /** The registry entry of the replica with this identity. */
  replica(identity: string): Lease | undefined;
}

export interface LeaseDirectoryOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  logger?: Logger;
}

export class LeaseDirectory implements LeaseView {
  private readonly tunnels: Informer;
  private readonly replicas: Informer;

  constructor(private readonly opts: LeaseDirectoryOptions) {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`;
    const common = { kubeConfig: opts.kubeConfig, cluster: 'management', path, logger: opts.logger };
    this.tunnels = startInformer({ ...common, labelSelector: tunnelLabel });
    this.replicas = startInformer({ ...common, labelSelector: replicaLabel });
  }

  synced(): Promise<void> {
    return Promise.all([this.tunnels.synced(), this.replicas.synced()]).then(() => undefined);
  }

  tunnel(cluster: string): Lease | undefined {
    return toLease(this.tunnels.get(tunnelLeaseName(cluster), this.opts.namespace));
  }

  replica(identity: string): Lease | undefined {
    const lease = toLease(this.replicas.get(replicaLeaseName(identity), this.opts.namespace));
    return lease?.spec.holderIdentity === identity ? lease : undefined;
  }

  /** Calls `handler` with the cluster and its Lease (undefined when deleted) on every change of a tunnel Lease. */
  onTunnelChange(handler: (cluster: string, lease: Lease | undefined) => void): () => void {
    return this.tunnels.on('change', (obj: KubernetesObject, type) => {
      const cluster = obj.metadata?.labels?.[tunnelLabel];
      if (cluster) handler(cluster, type === 'delete' ? undefined : toLease(obj));
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.tunnels.stop(), this.replicas.stop()]);
  }
}
