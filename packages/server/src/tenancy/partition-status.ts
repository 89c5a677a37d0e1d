/**
 * A Partition's status: its namespace, the quota the cluster enforces and what it counts as used (from the
 * ResourceQuota's status), and Ready. Written only when it changes, read-modify-write on the latest object.
 */
import { kinds, type Partition } from '@shipyard/api';
import { ApiError } from '../http/errors.js';
import type { PlatformObjects } from '../kube/management.js';
import { setCondition, type ConditionInput } from '../runtime/conditions.js';
import { toKubeApiError } from '../runtime/kube-errors.js';
import { sameValue } from './object-diff.js';
import type { ObservedQuota } from './partition-sync.js';
import { amounts, formatAmounts, type Hard } from './quota.js';

export type PartitionStatus = NonNullable<Partition['status']>;
export type Readiness = Omit<ConditionInput, 'type' | 'observedGeneration'>;

const attempts = 5;

/** A quantity list in canonical form ("1000m" → "1", keys sorted), or as it is if it does not parse. */
function canonical(list: Hard | undefined): Hard | undefined {
  if (!list) return undefined;
  try {
    return formatAmounts(amounts(list));
  } catch {
    return list;
  }
}

/**
 * The status with Ready set; with `observed` (the partition was converged) also namespace, hard and used from
 * the quota. Without it (the cluster did not answer) the last known figures stay.
 */
export function statusWith(opts: {
  prev: PartitionStatus | undefined;
  generation: number | undefined;
  ready: Readiness;
  observed?: { namespace: string; quota?: ObservedQuota };
}): PartitionStatus {
  const { prev, observed } = opts;
  const conditions = setCondition(
    prev?.conditions,
    { type: 'Ready', observedGeneration: opts.generation, ...opts.ready },
    new Date(),
  );
  const next: PartitionStatus = { ...prev, conditions };
  if (observed) {
    next.namespace = observed.namespace;
    const hard = canonical(observed.quota?.status?.hard);
    const used = canonical(observed.quota?.status?.used);
    if (hard) next.hard = hard;
    else delete next.hard;
    if (used) next.used = used;
    else delete next.used;
  }
  return next;
}

/**
 * Writes `change(status)` when it differs from the status as cached, replacing the status with the
 * resourceVersion it was computed from; on 409 it reads the latest Partition and computes again.
 */
export async function updatePartitionStatus(
  objects: PlatformObjects,
  cached: Partition,
  change: (status: PartitionStatus | undefined) => PartitionStatus,
): Promise<void> {
  let obj = cached;
  for (let attempt = 1; ; attempt++) {
    const next = change(obj.status);
    if (sameValue(next, obj.status ?? {})) return;
    try {
      await objects.replaceStatus(kinds.Partition, obj.metadata.name, { ...obj, status: next });
      return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      if (!(err instanceof ApiError && err.status === 409 && attempt < attempts)) throw err;
    }
    try {
      obj = (await objects.get(kinds.Partition, cached.metadata.name)) as unknown as Partition;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      throw err;
    }
  }
}

/** Why the user cluster could not be worked on, as a Ready condition a person can act on. */
export function failure(cluster: string, err: unknown): Readiness {
  if (err instanceof ApiError) {
    if (err.status === 503) return { status: 'False', reason: 'ClusterUnreachable', message: err.message };
    if (err.status === 404)
      return { status: 'False', reason: 'ClusterNotFound', message: `cluster "${cluster}" does not exist` };
    return { status: 'False', reason: 'SyncFailed', message: err.message };
  }
  const e = toKubeApiError(err);
  if (e.status === undefined || e.status >= 500) {
    return {
      status: 'False',
      reason: 'ClusterUnreachable',
      message: `cluster "${cluster}" did not answer: ${e.message}`,
    };
  }
  if (e.status === 401 || e.status === 403) {
    return {
      status: 'False',
      reason: 'Forbidden',
      message: `the server's identity in cluster "${cluster}" may not manage the partition: ${e.message}`,
    };
  }
  return { status: 'False', reason: 'SyncFailed', message: e.message };
}
