import { describe, expect, it } from 'vitest';
import { ApiError } from '../http/errors.js';
import { failureCondition, isUnreachable, Reason } from './condition-reasons.js';
import { KubeApiError } from './kube-errors.js';

const failure = (err: unknown) => failureCondition(err, { cluster: 'c1', doing: 'manage it' });

describe('failureCondition: one mapping, one set of reasons', () => {
  it('a cluster that does not answer is ClusterUnreachable however it failed', () => {
    expect(failure(new KubeApiError({ reason: 'ECONNREFUSED', message: 'refused' }))).toEqual({
      status: 'False',
      reason: Reason.ClusterUnreachable,
      message: 'cluster "c1" did not answer: refused',
    });
    expect(failure(new KubeApiError({ status: 502, reason: 'BadGateway', message: 'x' })).reason).toBe(
      'ClusterUnreachable',
    );
    expect(failure(new ApiError(503, 'ClusterUnreachable', 'cluster "c1" does not answer')).reason).toBe(
      'ClusterUnreachable',
    );
    expect(failure(new ApiError(503, 'ServiceUnavailable', 'no agent has registered')).reason).toBe(
      'ClusterUnreachable',
    );
    expect(failure(new Error('socket hang up')).reason).toBe('ClusterUnreachable');
  });

  it('the server’s 404 is a missing cluster, 401/403 of the cluster Forbidden, the rest SyncFailed', () => {
    expect(failure(new ApiError(404, 'NotFound', 'cluster "c1" not found'))).toMatchObject({
      reason: 'ClusterNotFound',
      message: 'cluster "c1" does not exist',
    });
    expect(failure(new KubeApiError({ status: 403, reason: 'Forbidden', message: 'no' })).message).toBe(
      `the server's identity in cluster "c1" may not manage it: no`,
    );
    expect(failure(new KubeApiError({ status: 422, reason: 'Invalid', message: 'bad' })).reason).toBe(
      'SyncFailed',
    );
    expect(failure(new ApiError(409, 'Conflict', 'held')).reason).toBe('SyncFailed');
  });

  it('isUnreachable: 503s, connection failures and timeouts, not refusals', () => {
    expect(isUnreachable(new ApiError(503, 'ClusterUnreachable', 'x'))).toBe(true);
    expect(isUnreachable(new KubeApiError({ reason: 'ETIMEDOUT', message: 'x' }))).toBe(true);
    expect(isUnreachable(new KubeApiError({ status: 403, reason: 'Forbidden', message: 'x' }))).toBe(false);
  });
});
