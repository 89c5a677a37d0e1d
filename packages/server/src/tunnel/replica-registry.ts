/**
 * This replica's entry in the registry of replicas: a Lease `shipyard-replica-<hash>` holding its identity
 * and peer URL, renewed every 10 s for 30 s, deleted on a clean stop. Other replicas look the URL up when an
 * agent's tunnel Lease names this replica as its holder.
 */
import { microTime } from '../runtime/lease.js';
import { defaultLogger, type Logger } from '../runtime/logger.js';
import { identityHash, peerUrlAnnotation, replicaLabel, replicaLeaseName, type LeaseApi } from './leases.js';

export interface ReplicaRegistryOptions {
  leases: LeaseApi;
  namespace: string;
  identity: string;
  /** https://HOST:PORT of this replica's HTTPS listener, as the other replicas reach it. */
  peerUrl: string;
  /** Default 10 s. */
  renewMs?: number;
  /** Default 30 s: three renewals may fail before the entry expires. */
  leaseDurationSeconds?: number;
  logger?: Logger;
}

export class ReplicaRegistry {
  private readonly log: Logger;
  private readonly name: string;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> = Promise.resolve();
  private acquired: string | undefined;
  private registered = false;
  private stopped = false;

  constructor(private readonly opts: ReplicaRegistryOptions) {
    this.name = replicaLeaseName(opts.identity);
    this.log = (opts.logger ?? defaultLogger()).child({
      component: 'replica-registry',
      identity: opts.identity,
      lease: this.name,
    });
  }

  /** Writes the entry now (resolves once written, or once the write failed: renewals go on), then renews. */
  start(): Promise<void> {
    if (this.timer || this.stopped) return this.inflight;
    this.timer = setInterval(() => this.renew(), this.opts.renewMs ?? 10_000);
    this.timer.unref();
    this.renew();
    return this.inflight;
  }

  /** Stops renewing and deletes the entry, if it is still ours. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.inflight;
    try {
      const current = await this.opts.leases.get(this.name);
      const rv = current?.metadata.resourceVersion;
      if (!current || current.spec.holderIdentity !== this.opts.identity || !rv) return;
      await this.opts.leases.remove(this.name, rv);
    } catch (err) {
      this.log.warn({ err }, 'could not delete this replica from the registry; its entry expires by itself');
    }
  }

  private renew(): void {
    // One write at a time: a slow apiserver must not pile renewals up.
    this.inflight = this.inflight.then(async () => {
      if (this.stopped) return;
      const now = microTime(new Date());
      // Server-side apply drops what an apply leaves out: acquireTime goes into every write.
      const acquired = (this.acquired ??= now);
      try {
        await this.opts.leases.apply({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: this.name,
            namespace: this.opts.namespace,
            labels: { [replicaLabel]: identityHash(this.opts.identity) },
            annotations: { [peerUrlAnnotation]: this.opts.peerUrl },
          },
          spec: {
            holderIdentity: this.opts.identity,
            leaseDurationSeconds: this.opts.leaseDurationSeconds ?? 30,
            acquireTime: acquired,
            renewTime: now,
          },
        });
        if (!this.registered) this.log.info({ peerUrl: this.opts.peerUrl }, 'replica registered');
        this.registered = true;
      } catch (err) {
        this.log.warn({ err }, 'could not renew this replica in the registry');
      }
    });
  }
}
