/**
 * A Cluster's status from what the status controller observed: pure, so the sums and the conditions are tested
 * without a cluster. The controller writes the result only when it differs from what is stored.
 */
import { isDeepStrictEqual } from 'node:util';
import { formatQuantity, isQuantity, parseQuantity, type Cluster } from '@shipyard/api';
import { Reason } from '../runtime/condition-reasons.js';
import { formatTime, setCondition } from '../runtime/conditions.js';
import type { AgentStatus } from '../tunnel/dialer.js';

export type ClusterStatus = NonNullable<Cluster['status']>;

/** The node resources summed into status.capacity and status.allocatable, and how each is written. */
export const summedResources = [
  ['cpu', 'decimal'],
  ['memory', 'binary'],
  ['pods', 'decimal'],
  ['ephemeral-storage', 'binary'],
] as const;

/** What the sums read of a Node (informers hold them as the apiserver sent them). */
export type NodeLike = {
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: readonly { type: string; status: string }[];
  };
};

/** Sums a field of the nodes exactly (milli-units as bigints); a resource no node reports is left out. */
export function sumNodeResources(
  nodes: readonly NodeLike[],
  field: 'capacity' | 'allocatable',
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, hint] of summedResources) {
    let total = 0n;
    let seen = false;
    for (const node of nodes) {
      const q = node.status?.[field]?.[name];
      // The apiserver validates quantities; a value that still does not parse is left out of the sum.
      if (q === undefined || !isQuantity(q)) continue;
      total += parseQuantity(q);
      seen = true;
    }
    if (seen) out[name] = formatQuantity(total, hint);
  }
  return out;
}

/** Nodes, and those whose Ready condition is True. */
export function countNodes(nodes: readonly NodeLike[]): { total: number; ready: number } {
  let ready = 0;
  for (const n of nodes) {
    if (n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready++;
  }
  return { total: nodes.length, ready };
}

/** Why a cluster is not Ready, as the Ready condition's reason. */
export type NotReadyReason =
  typeof Reason.NoConnection | typeof Reason.AgentDisconnected | typeof Reason.ClusterUnreachable;

export type Reachability =
  | { reachable: true; version: string; nodes: readonly NodeLike[] }
  | { reachable: false; reason: NotReadyReason; message: string };

export type ClusterObservation = {
  mode: 'agent' | 'direct' | undefined;
  /** The agent's status, for a cluster joined by agent. */
  agent?: AgentStatus;
  reach: Reachability;
  /** metadata.generation, for the conditions' observedGeneration. */
  generation?: number;
};

/** status.agent.lastSeen moves at most this often while nothing else changes: steady state writes little. */
export const lastSeenEveryMs = 15_000;

function agentField(prev: ClusterStatus['agent'], agent: AgentStatus): NonNullable<ClusterStatus['agent']> {
  const seen = agent.lastSeen ? formatTime(agent.lastSeen) : undefined;
  if (prev?.connected === agent.connected && prev.lastSeen !== undefined && seen !== undefined) {
    const moved = Date.parse(seen) - Date.parse(prev.lastSeen);
    if (moved >= 0 && moved < lastSeenEveryMs) return prev;
  }
  return seen === undefined ? { connected: agent.connected } : { connected: agent.connected, lastSeen: seen };
}

function connectedCondition(obs: ClusterObservation): {
  status: 'True' | 'False';
  reason: string;
  message: string;
} {
  const { reach } = obs;
  if (!reach.reachable && reach.reason === Reason.NoConnection)
    return { status: 'False', reason: Reason.NoConnection, message: reach.message };
  if (obs.mode === 'agent') {
    if (obs.agent?.connected)
      return { status: 'True', reason: 'AgentConnected', message: 'the agent is connected' };
    const seen = obs.agent?.lastSeen;
    return {
      status: 'False',
      reason: Reason.AgentDisconnected,
      message: seen ? `the agent was last seen at ${formatTime(seen)}` : 'the agent has not connected yet',
    };
  }
  if (!reach.reachable) return { status: 'False', reason: Reason.ClusterUnreachable, message: reach.message };
  return { status: 'True', reason: 'Reachable', message: 'the API server answers' };
}

/**
 * The status to store, given the stored one: Ready and Connected set (other controllers' conditions kept),
 * version, nodes and resource sums from the observation when the cluster answered (else the last known ones
 * stay), and the agent's connection for a cluster joined by agent.
 */
export function nextClusterStatus(
  prev: ClusterStatus | undefined,
  obs: ClusterObservation,
  now: Date,
): ClusterStatus {
  const next: ClusterStatus = { ...prev };
  const { reach } = obs;
  let conditions = prev?.conditions;
  if (reach.reachable) {
    const nodes = countNodes(reach.nodes);
    next.kubernetesVersion = reach.version;
    next.nodes = nodes;
    next.capacity = sumNodeResources(reach.nodes, 'capacity');
    next.allocatable = sumNodeResources(reach.nodes, 'allocatable');
    conditions = setCondition(
      conditions,
      {
        type: 'Ready',
        status: 'True',
        reason: 'Reachable',
        message: `Kubernetes ${reach.version}; ${nodes.ready}/${nodes.total} nodes ready`,
        observedGeneration: obs.generation,
      },
      now,
    );
  } else {
    conditions = setCondition(
      conditions,
      {
        type: 'Ready',
        status: 'False',
        reason: reach.reason,
        message: reach.message,
        observedGeneration: obs.generation,
      },
      now,
    );
  }
  conditions = setCondition(
    conditions,
    { type: 'Connected', ...connectedCondition(obs), observedGeneration: obs.generation },
    now,
  );
  next.conditions = conditions;
  if (obs.mode === 'agent' && obs.agent) next.agent = agentField(prev?.agent, obs.agent);
  else delete next.agent;
  return next;
}

/** Whether two statuses say the same (key order and absent-vs-undefined aside). */
export function sameStatus(a: ClusterStatus | undefined, b: ClusterStatus | undefined): boolean {
  const plain = (s: ClusterStatus | undefined): unknown => JSON.parse(JSON.stringify(s ?? {}));
  return isDeepStrictEqual(plain(a), plain(b));
}
