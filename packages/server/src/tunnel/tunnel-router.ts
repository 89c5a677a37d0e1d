/**
 * Any replica reaches any agent's cluster, whichever replica holds the tunnel (as Rancher's remotedialer
 * forwards between peers): through the local hub when the agent is connected here, else through a relay to
 * the replica whose tunnel Lease is fresh. No fresh owner fails at once with TunnelError NotConnected.
 */
import type { Duplex } from 'node:stream';
import type { AgentStatus, DialOptions, TunnelDialer, TunnelDirectory } from './dialer.js';
import type { LeaseView } from './lease-directory.js';
import { freshOwner, peerUrlOf, renewedAt, tunnelFreshMs } from './leases.js';
import { TunnelError } from './tunnel-errors.js';
import type { TunnelHub } from './tunnel-hub.js';

/** Opens a relay to the replica at `peerUrl` that holds the cluster's tunnel (relay-dial.ts). */
export type RelayDial = (peerUrl: string, cluster: string, opts: DialOptions) => Promise<Duplex>;

export interface TunnelRouterOptions {
  hub: Pick<TunnelHub, 'has' | 'dial' | 'agentStatus'>;
  leases: LeaseView;
  /** This replica's identity: a Lease of its own without a local session is stale, never relayed to. */
  identity: string;
  relay: RelayDial;
  /** How recent a tunnel Lease's renewal must be (default 15 s). */
  freshMs?: number;
  now?: () => Date;
}

/** Where a dial to a cluster goes. */
export type Route =
  { via: 'local' } | { via: 'relay'; owner: string; peerUrl: string } | { via: 'none'; why: string };

export class TunnelRouter implements TunnelDialer, TunnelDirectory {
  private readonly freshMs: number;
  private readonly now: () => Date;

  constructor(private readonly opts: TunnelRouterOptions) {
    this.freshMs = opts.freshMs ?? tunnelFreshMs;
    this.now = opts.now ?? (() => new Date());
  }

  route(cluster: string): Route {
    if (this.opts.hub.has(cluster)) return { via: 'local' };
    const owner = freshOwner(this.opts.leases.tunnel(cluster), this.now(), this.freshMs);
    if (!owner) return { via: 'none', why: `no agent of cluster ${cluster} is connected to any replica` };
    if (owner.identity === this.opts.identity) {
      return { via: 'none', why: `the agent of cluster ${cluster} has just left this replica` };
    }
    const peerUrl = peerUrlOf(this.opts.leases.replica(owner.identity));
    if (!peerUrl) {
      return {
        via: 'none',
        why: `the agent of cluster ${cluster} is connected to replica ${owner.identity}, which is not in the registry`,
      };
    }
    return { via: 'relay', owner: owner.identity, peerUrl };
  }

  dial(cluster: string, opts: DialOptions = {}): Promise<Duplex> {
    const route = this.route(cluster);
    switch (route.via) {
      case 'local':
        return this.opts.hub.dial(cluster, opts);
      case 'relay':
        return this.opts.relay(route.peerUrl, cluster, opts);
      case 'none':
        return Promise.reject(new TunnelError('NotConnected', cluster, route.why));
    }
  }

  /** Connected here or, by a fresh tunnel Lease, to another replica; last seen by whichever is later. */
  agentStatus(cluster: string): AgentStatus {
    const local = this.opts.hub.agentStatus(cluster);
    const lease = this.opts.leases.tunnel(cluster);
    const owner = freshOwner(lease, this.now(), this.freshMs);
    const remote = owner !== undefined && owner.identity !== this.opts.identity;
    const renewed = renewedAt(lease);
    const lastSeen =
      local.lastSeen && renewed
        ? local.lastSeen > renewed
          ? local.lastSeen
          : renewed
        : (local.lastSeen ?? renewed);
    return { connected: local.connected || remote, lastSeen };
  }
}
