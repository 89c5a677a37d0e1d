import type { Duplex } from 'node:stream';

export interface DialOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * Opens a byte stream to a cluster's API server through its agent's tunnel: the local TunnelHub when the
 * agent is connected here, or a relay to the replica that holds the tunnel.
 */
export interface TunnelDialer {
  dial(cluster: string, opts?: DialOptions): Promise<Duplex>;
}

export type AgentStatus = { connected: boolean; lastSeen?: Date };

/** Whether a cluster's agent is connected (to any replica), and when it was last heard from. */
export interface TunnelDirectory {
  agentStatus(cluster: string): AgentStatus;
}
