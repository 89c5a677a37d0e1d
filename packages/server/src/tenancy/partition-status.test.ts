import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { KubeApiError } from '../runtime/kube-errors.js';
import { failure, statusWith } from './partition-status.js';

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
      ready: failure('c1', new KubeApiError({ reason: 'ECONNREFUSED', message: 'refused' })),
    });
    expect(s).toMatchObject({ ...prev, conditions: [{ status: 'False', reason: 'ClusterUnreachable' }] });
    expect(s.conditions?.[0]?.message).toBe('cluster "c1" did not answer: refused');
  });

  it('names why the cluster could not be worked on', () => {
    expect(failure('c1', new ApiError(503, 'ServiceUnavailable', 'no agent')).reason).toBe(
      'ClusterUnreachable',
    );
    expect(failure('c1', new KubeApiError({ status: 403, reason: 'Forbidden', message: 'no' })).reason).toBe(
      'Forbidden',
    );
    expect(failure('c1', new KubeApiError({ status: 422, reason: 'Invalid', message: 'bad' })).reason).toBe(
      'SyncFailed',
    );
  });
});
