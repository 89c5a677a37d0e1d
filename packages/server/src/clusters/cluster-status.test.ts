import { describe, expect, it } from 'vitest';
import { findCondition } from '../runtime/conditions.js';
import {
  countNodes,
  nextClusterStatus,
  sameStatus,
  sumNodeResources,
  type ClusterObservation,
  type ClusterStatus,
  type NodeLike,
} from './cluster-status.js';

const t0 = new Date('2025-01-01T10:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

function node(resources: Record<string, string>, ready = 'True', allocatable = resources): NodeLike {
  return {
    status: {
      capacity: resources,
      allocatable,
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: ready },
      ],
    },
  };
}

const reachable = (nodes: NodeLike[]): ClusterObservation => ({
  mode: 'direct',
  reach: { reachable: true, version: 'v1.34.4', nodes },
  generation: 1,
});

describe('sumNodeResources', () => {
  it('sums exactly across suffixes and writes memory in the largest exact binary unit', () => {
    const nodes = [
      node({ cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' }),
      node({ cpu: '3500m', memory: '263882932Ki', pods: '110', 'ephemeral-storage': '1e9' }),
    ];
    expect(sumNodeResources(nodes, 'capacity')).toEqual({
      cpu: '35500m',
      // 256Gi + 263882932Ki = 268435456Ki + 263882932Ki
      memory: '532318388Ki',
      pods: '220',
      // 100Gi + 10^9 bytes: not a whole number of Ki, so plain bytes
      'ephemeral-storage': `${100 * 2 ** 30 + 1e9}`,
    });
  });

  it('keeps capacity and allocatable apart', () => {
    const n = node({ cpu: '4', memory: '8Gi', pods: '110' }, 'True', {
      cpu: '3800m',
      memory: '7Gi',
      pods: '100',
    });
    expect(sumNodeResources([n, n], 'capacity')).toEqual({ cpu: '8', memory: '16Gi', pods: '220' });
    expect(sumNodeResources([n, n], 'allocatable')).toEqual({ cpu: '7600m', memory: '14Gi', pods: '200' });
  });

  it('leaves out resources no node reports and values that are not quantities', () => {
    const nodes = [node({ cpu: '2' }), node({ cpu: 'lots', memory: '1Gi' })];
    expect(sumNodeResources(nodes, 'capacity')).toEqual({ cpu: '2', memory: '1Gi' });
    expect(sumNodeResources([], 'capacity')).toEqual({});
  });

  it('does not lose precision past 2^53', () => {
    const big = node({ memory: '3Ei', pods: '9007199254740993' });
    expect(sumNodeResources([big, big], 'capacity')).toEqual({ memory: '6Ei', pods: '18014398509481986' });
  });
});

describe('countNodes', () => {
  it('counts nodes whose Ready condition is True', () => {
    expect(countNodes([node({}), node({}, 'False'), node({}, 'Unknown'), { status: {} }])).toEqual({
      total: 4,
      ready: 1,
    });
  });
});

describe('nextClusterStatus', () => {
  it('fills version, nodes, sums and Ready/Connected True for a cluster that answers', () => {
    const s = nextClusterStatus(undefined, reachable([node({ cpu: '1' }), node({ cpu: '1' }, 'False')]), t0);
    expect(s.kubernetesVersion).toBe('v1.34.4');
    expect(s.nodes).toEqual({ total: 2, ready: 1 });
    expect(s.capacity).toEqual({ cpu: '2' });
    expect(findCondition(s.conditions, 'Ready')).toMatchObject({
      status: 'True',
      reason: 'Reachable',
      message: 'Kubernetes v1.34.4; 1/2 nodes ready',
      lastTransitionTime: '2025-01-01T10:00:00Z',
      observedGeneration: 1,
    });
    expect(findCondition(s.conditions, 'Connected')).toMatchObject({ status: 'True', reason: 'Reachable' });
    expect(s.agent).toBeUndefined();
  });

  it('keeps conditions it does not own and the last known figures when the cluster stops answering', () => {
    const rbac = {
      type: 'RBACSynced',
      status: 'True' as const,
      reason: 'Synced',
      message: '',
      lastTransitionTime: '2024-12-31T00:00:00Z',
    };
    const up = nextClusterStatus({ conditions: [rbac] }, reachable([node({ cpu: '1' })]), t0);
    const down = nextClusterStatus(
      up,
      {
        mode: 'direct',
        reach: { reachable: false, reason: 'ClusterUnreachable', message: 'connect ECONNREFUSED' },
        generation: 1,
      },
      later(60_000),
    );
    expect(findCondition(down.conditions, 'RBACSynced')).toEqual(rbac);
    expect(findCondition(down.conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ClusterUnreachable',
      message: 'connect ECONNREFUSED',
      lastTransitionTime: '2025-01-01T10:01:00Z',
    });
    expect(findCondition(down.conditions, 'Connected')).toMatchObject({
      status: 'False',
      reason: 'ClusterUnreachable',
    });
    expect(down.kubernetesVersion).toBe('v1.34.4');
    expect(down.nodes).toEqual({ total: 1, ready: 1 });
  });

  it('reports a cluster with no connection', () => {
    const s = nextClusterStatus(
      undefined,
      {
        mode: 'agent',
        agent: { connected: false },
        reach: { reachable: false, reason: 'NoConnection', message: 'no agent has registered yet' },
      },
      t0,
    );
    expect(findCondition(s.conditions, 'Ready')).toMatchObject({ status: 'False', reason: 'NoConnection' });
    expect(findCondition(s.conditions, 'Connected')).toMatchObject({
      status: 'False',
      reason: 'NoConnection',
    });
    expect(s.agent).toEqual({ connected: false });
  });

  it('reports an agent that left with when it was last seen, and its return', () => {
    const seen = new Date('2025-01-01T09:59:50.500Z');
    const gone = nextClusterStatus(
      undefined,
      {
        mode: 'agent',
        agent: { connected: false, lastSeen: seen },
        reach: { reachable: false, reason: 'AgentDisconnected', message: 'the agent is not connected' },
      },
      t0,
    );
    expect(gone.agent).toEqual({ connected: false, lastSeen: '2025-01-01T09:59:50Z' });
    expect(findCondition(gone.conditions, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'AgentDisconnected',
    });
    expect(findCondition(gone.conditions, 'Connected')).toMatchObject({
      status: 'False',
      reason: 'AgentDisconnected',
      message: 'the agent was last seen at 2025-01-01T09:59:50Z',
    });
    const back = nextClusterStatus(
      gone,
      { ...reachable([node({})]), mode: 'agent', agent: { connected: true, lastSeen: later(1_000) } },
      later(1_000),
    );
    expect(back.agent).toEqual({ connected: true, lastSeen: '2025-01-01T10:00:01Z' });
    expect(findCondition(back.conditions, 'Connected')).toMatchObject({
      status: 'True',
      reason: 'AgentConnected',
    });
    expect(findCondition(back.conditions, 'Ready')).toMatchObject({ status: 'True' });
  });

  it('moves lastSeen at most every 15 s while nothing else changes, so steady state writes nothing', () => {
    const obs = (seenAfterMs: number): ClusterObservation => ({
      ...reachable([node({ cpu: '1' })]),
      mode: 'agent',
      agent: { connected: true, lastSeen: later(seenAfterMs) },
    });
    const first = nextClusterStatus(undefined, obs(0), t0);
    const soon = nextClusterStatus(first, obs(10_000), later(10_000));
    expect(sameStatus(first, soon)).toBe(true);
    const late = nextClusterStatus(first, obs(15_000), later(15_000));
    expect(sameStatus(first, late)).toBe(false);
    expect(late.agent?.lastSeen).toBe('2025-01-01T10:00:15Z');
  });

  it('gives an equal status for an unchanged cluster (no write), whatever the key order', () => {
    const nodes = [node({ cpu: '1', memory: '1Gi' })];
    const s1 = nextClusterStatus(undefined, reachable(nodes), t0);
    const s2 = nextClusterStatus(s1, reachable(nodes), later(5_000));
    expect(sameStatus(s1, s2)).toBe(true);
    const reordered = JSON.parse(JSON.stringify({ nodes: s1.nodes, ...s1 })) as ClusterStatus;
    expect(sameStatus(reordered, s2)).toBe(true);
    const changed = nextClusterStatus(s1, reachable([...nodes, node({ cpu: '1' })]), later(5_000));
    expect(sameStatus(s1, changed)).toBe(false);
  });

  it('drops the agent field of a cluster that is now joined directly', () => {
    const s = nextClusterStatus(
      { agent: { connected: true, lastSeen: '2025-01-01T09:00:00Z' } },
      reachable([]),
      t0,
    );
    expect(s.agent).toBeUndefined();
    expect(s.nodes).toEqual({ total: 0, ready: 0 });
  });
});
