/**
 * Who holds each agent's tunnel, told to every replica through a Lease `shipyard-tunnel-<cluster>`: the
 * replica an agent attaches to takes the Lease (over whoever held it: the newest agent wins, as within one
 * hub), renews it every 5 s while the agent stays (its renewTime is the agent's lastSeen for the others), and
 * deletes it when the agent leaves, only if it still holds it. Every renewal and delete is conditional on the
 * resourceVersion this replica last wrote, so a replica whose agent was replaced elsewhere learns it from the
 * conflict, closes its old session, and never removes the new owner's Lease.
 */
import { microTime, type Lease } from '../runtime/lease.js';
import { defaultLogger, type Logger } from '../runtime/logger.js';
import { tunnelFreshMs, tunnelLabel, tunnelLeaseName, type LeaseApi } from './leases.js';
import type { TunnelHub } from './tunnel-hub.js';

/** What of the hub the ownership needs (unit tests give a fake). */
export interface OwnedTunnels {
  on(event: 'connect' | 'disconnect', listener: (cluster: string) => void): unknown;
  off(event: 'connect' | 'disconnect', listener: (cluster: string) => void): unknown;
  has: TunnelHub['has'];
  evict: TunnelHub['evict'];
}

export interface TunnelOwnershipOptions {
  tunnels: OwnedTunnels;
  leases: LeaseApi;
  namespace: string;
  /** This replica's identity: the holder it writes. */
  identity: string;
  /** Default 5 s. */
  renewMs?: number;
  logger?: Logger;
}

export class TunnelOwnership {
  /** The Lease as last written by this replica, per cluster it holds. */
  private readonly held = new Map<string, Lease>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per cluster, the tail of its operations: they run one after another. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly log: Logger;
  private readonly renewMs: number;
  private stopped = false;

  constructor(private readonly opts: TunnelOwnershipOptions) {
    this.renewMs = opts.renewMs ?? 5_000;
    this.log = (opts.logger ?? defaultLogger()).child({
      component: 'tunnel-ownership',
      identity: opts.identity,
    });
  }

  start(): void {
    this.opts.tunnels.on('connect', this.onConnect);
    this.opts.tunnels.on('disconnect', this.onDisconnect);
  }

  /** The clusters whose Lease this replica holds (as far as it knows). */
  holding(): string[] {
    return [...this.held.keys()];
  }

  /**
   * The informer saw the cluster's Lease change (`lease`) or go (undefined). If it names another holder or
   * is gone while our agent is connected, renew now: that finds out whether another replica really took it
   * over (the event may predate our own write), and recreates it if someone deleted it.
   */
  check(cluster: string, lease: Lease | undefined): void {
    if (this.stopped || !this.opts.tunnels.has(cluster)) return;
    if (lease?.spec.holderIdentity === this.opts.identity) return; // our own write
    this.run(cluster, () => this.renew(cluster));
  }

  /** Resolves once every write begun so far is done. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  /** Stops renewing and deletes every Lease this replica still holds. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.opts.tunnels.off('connect', this.onConnect);
    this.opts.tunnels.off('disconnect', this.onDisconnect);
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    await this.idle();
    await Promise.all([...this.held.keys()].map((cluster) => this.release(cluster)));
  }

  private readonly onConnect = (cluster: string): void => {
    if (this.stopped) return;
    this.run(cluster, () => this.claim(cluster));
    if (this.timers.has(cluster)) return;
    const timer = setInterval(() => this.run(cluster, () => this.renew(cluster)), this.renewMs);
    timer.unref();
    this.timers.set(cluster, timer);
  };

  private readonly onDisconnect = (cluster: string): void => {
    clearInterval(this.timers.get(cluster));
    this.timers.delete(cluster);
    this.run(cluster, () => this.release(cluster));
  };

  private run(cluster: string, op: () => Promise<void>): void {
    const next = (this.chains.get(cluster) ?? Promise.resolve())
      .then(op)
      .catch((err: unknown) =>
        this.log.warn({ cluster, err }, 'tunnel Lease write failed; retrying on the next renewal'),
      );
    this.chains.set(cluster, next);
    void next.then(() => {
      if (this.chains.get(cluster) === next) this.chains.delete(cluster);
    });
  }

  /** Takes the Lease, whoever holds it: our agent is the newest of its cluster. */
  private async claim(cluster: string): Promise<void> {
    if (!this.opts.tunnels.has(cluster)) return; // gone already: the disconnect's release follows
    const now = microTime(new Date());
    const lease = await this.opts.leases.apply({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: tunnelLeaseName(cluster),
        namespace: this.opts.namespace,
        labels: { [tunnelLabel]: cluster },
      },
      spec: {
        holderIdentity: this.opts.identity,
        leaseDurationSeconds: Math.ceil(tunnelFreshMs / 1000),
        acquireTime: now,
        renewTime: now,
      },
    });
    this.held.set(cluster, lease);
    this.log.info({ cluster }, 'holding the tunnel Lease');
  }

  /** Renews the Lease if it is still ours; if another replica took it, our session is the older one: end it. */
  private async renew(cluster: string): Promise<void> {
    if (!this.opts.tunnels.has(cluster)) return;
    const last = this.held.get(cluster);
    if (!last) return this.claim(cluster); // the claim failed: try again
    const renewed = (lease: Lease): Lease => ({
      ...lease,
      spec: { ...lease.spec, renewTime: microTime(new Date()) },
    });
    let result = await this.opts.leases.update(renewed(last));
    if (result === 'conflict') {
      const current = await this.opts.leases.get(last.metadata.name);
      if (!current) result = 'gone';
      else if (current.spec.holderIdentity === this.opts.identity)
        result = await this.opts.leases.update(renewed(current));
      else return this.lost(cluster, current.spec.holderIdentity);
    }
    if (result === 'gone') return this.claim(cluster); // someone deleted it while our agent is here
    if (result !== 'conflict') this.held.set(cluster, result);
  }

  private lost(cluster: string, holder: string | undefined): void {
    this.held.delete(cluster);
    this.log.info(
      { cluster, holder },
      'a newer agent of the cluster connected to another replica: ending ours',
    );
    this.opts.tunnels.evict(
      cluster,
      `a newer agent of ${cluster} connected to replica ${holder ?? 'unknown'}`,
    );
  }

  /** Deletes the Lease if it is still ours (resourceVersion unchanged since our write, or ours on a re-read). */
  private async release(cluster: string): Promise<void> {
    if (this.opts.tunnels.has(cluster) && !this.stopped) return; // a new agent attached here meanwhile
    const name = tunnelLeaseName(cluster);
    const last = this.held.get(cluster);
    this.held.delete(cluster);
    let rv = last?.metadata.resourceVersion;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (rv === undefined) {
        // Unknown or changed since our write: delete only what is ours now.
        const current = await this.opts.leases.get(name);
        if (!current || current.spec.holderIdentity !== this.opts.identity) return;
        rv = current.metadata.resourceVersion;
        if (rv === undefined) return;
      }
      const result = await this.opts.leases.remove(name, rv);
      if (result !== 'conflict') {
        if (result === 'deleted') this.log.info({ cluster }, 'released the tunnel Lease');
        return;
      }
      rv = undefined;
    }
  }
}
