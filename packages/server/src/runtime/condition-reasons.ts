/**
 * One set of reasons for what goes wrong between the server and a cluster, and one mapping from an error
 * (the apiserver's KubeApiError, a connection failure, or the server's own ApiError) to a condition. Every
 * controller that reports on work in a cluster, the cluster status and the HTTP answers use these words.
 */
import type { ConditionInput } from './conditions.js';
import { KubeApiError, toKubeApiError } from './kube-errors.js';

export const Reason = {
  /** The cluster's API server does not answer (refused, reset, timed out, 5xx, marked down, no tunnel). */
  ClusterUnreachable: 'ClusterUnreachable',
  /** No Cluster of that name. */
  ClusterNotFound: 'ClusterNotFound',
  /** The cluster has no way in yet: no kubeconfig Secret, or no agent has registered. */
  NoConnection: 'NoConnection',
  /** Joined by agent, and the agent is not connected. */
  AgentDisconnected: 'AgentDisconnected',
  /** The server's identity in the cluster may not do it (401, 403). */
  Forbidden: 'Forbidden',
  /** Anything else the cluster refused. */
  SyncFailed: 'SyncFailed',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

const reasons = new Set<string>(Object.values(Reason));

export type Failure = Omit<ConditionInput, 'type' | 'observedGeneration'> & {
  status: 'False';
  reason: Reason;
};

const unreachableReasons = new Set([
  Reason.ClusterUnreachable,
  'FetchError',
  'Timeout',
  'ServiceUnavailable',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** Errors that say the other side is unreachable (503, connection failures, timeouts), not that we are wrong. */
export function isUnreachable(err: unknown): boolean {
  const e = err as { status?: number; code?: number; reason?: string } | undefined;
  return e?.status === 503 || e?.code === 503 || unreachableReasons.has(e?.reason ?? '');
}

/** The server's own answer (http's ApiError: an Error with an HTTP status and a reason), not the apiserver's. */
function serverError(err: unknown): { status: number; reason: string; message: string } | undefined {
  if (!(err instanceof Error) || err instanceof KubeApiError) return undefined;
  const { status, reason } = err as Error & { status?: unknown; reason?: unknown };
  return typeof status === 'number' && typeof reason === 'string'
    ? { status, reason, message: err.message }
    : undefined;
}

/**
 * Why work on `cluster` failed, as a condition a person can act on. `doing` completes "the server's identity
 * in cluster "c" may not …" (e.g. "manage its RBAC").
 */
export function failureCondition(err: unknown, opts: { cluster: string; doing: string }): Failure {
  const { cluster } = opts;
  const own = serverError(err);
  if (own) {
    if (own.status === 404)
      return {
        status: 'False',
        reason: Reason.ClusterNotFound,
        message: `cluster "${cluster}" does not exist`,
      };
    if (own.status === 503) {
      const reason = reasons.has(own.reason) ? (own.reason as Reason) : Reason.ClusterUnreachable;
      return { status: 'False', reason, message: own.message };
    }
    return { status: 'False', reason: Reason.SyncFailed, message: own.message };
  }
  const e = toKubeApiError(err);
  if (e.status === undefined || e.status >= 500) {
    return {
      status: 'False',
      reason: Reason.ClusterUnreachable,
      message: `cluster "${cluster}" did not answer: ${e.message}`,
    };
  }
  if (e.status === 401 || e.status === 403) {
    return {
      status: 'False',
      reason: Reason.Forbidden,
      message: `the server's identity in cluster "${cluster}" may not ${opts.doing}: ${e.message}`,
    };
  }
  return { status: 'False', reason: Reason.SyncFailed, message: e.message };
}
