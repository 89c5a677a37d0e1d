/**
 * The connection pools of the clusters, each watching its new connections for its ClusterHealth: a direct
 * cluster's keep-alive https.Agent, and a TunnelAgent for a cluster behind its agent.
 */
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { TunnelAgent, type TunnelAgentOptions } from '../tunnel/tunnel-agent.js';
import type { ClusterHealth } from './cluster-health.js';

/** A pool that knows its cluster's health (cluster-health.ts). */
export interface GuardedPool extends https.Agent {
  readonly health: ClusterHealth;
}

export class GuardedAgent extends https.Agent implements GuardedPool {
  constructor(
    readonly health: ClusterHealth,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // https.Agent connects at once and returns the TLS socket (node then hands it to the request itself).
    const socket = super.createConnection(options, callback);
    if (socket) this.health.guard(socket);
    return socket;
  }
}

export class GuardedTunnelAgent extends TunnelAgent implements GuardedPool {
  constructor(
    readonly health: ClusterHealth,
    options: TunnelAgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // The tunnel is dialed first; TLS starts over its stream, which is what is watched.
    return super.createConnection(options, (err, stream) => {
      if (!err) this.health.guard(stream);
      callback?.(err, stream);
    });
  }
}

/** Destroys the pool's idle connections: after one of them went silent, the others are suspect too. */
export function dropIdle(pool: https.Agent): void {
  for (const sockets of Object.values(pool.freeSockets)) {
    for (const socket of sockets ?? []) socket.destroy();
  }
}
