import { describe, expect, it } from 'vitest';
import { failureCondition } from '../runtime/condition-reasons.js';
import { KubeApiError } from '../runtime/kube-errors.js';
import { statusWith } from './partition-status.js';

describe('partition status', () => {
  it("shows the quota's enforced hard and used, canonically, with Ready", () => {
    const s = statusWith({
      prev: undefined,
      generation: 3,
      ready: { status: 'True', reason: 'Ready' },
      observed: {
        namespace: 'web',
        quota: {
          status: { hard: { 'requests.cpu': '1000m', pods: '5' }, used: { 'requests.memory': '1024Mi' } },
        },
      },
    });
    expect(s).toMatchObject({
      namespace: 'web',
      hard: { pods: '5', 'requests.cpu': '1' },
      used: { 'requests.memory': '1Gi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 3 }],
    });
    // Unchanged: the very same conditions (so no write follows).
    const again = statusWith({ prev: s, generation: 3, ready: { status: 'True', reason: 'Ready' } });
    expect(again.conditions).toBe(s.conditions);
  });

  it('keeps the last known figures while the cluster does not answer', () => {
    const prev = { namespace: 'web', hard: { pods: '5' }, used: { pods: '1' } };
    const s = statusWith({
      prev,
      generation: 1,
      ready: failureCondition(new KubeApiError({ reason: 'ECONNREFUSED', message: 'refused' }), {
        cluster: 'c1',
        doing: 'manage the partition',
      }),
    });
    expect(s).toMatchObject({ ...prev, conditions: [{ status: 'False', reason: 'ClusterUnreachable' }] });
    expect(s.conditions?.[0]?.message).toBe('cluster "c1" did not answer: refused');
  });
});
