/**
 * A Partition's status: its namespace, the quota the cluster enforces and what it counts as used (from the
 * ResourceQuota's status), and Ready. Written only when it changes (PlatformObjects.updateStatus).
 */
import type { Partition } from '@shipyard/api';
import { setCondition, type ConditionInput } from '../runtime/conditions.js';
import { sameValue } from './object-diff.js';
import type { ObservedQuota } from './partition-sync.js';
import { amounts, formatAmounts, type Hard } from './quota.js';

export type PartitionStatus = NonNullable<Partition['status']>;
export type Readiness = Omit<ConditionInput, 'type' | 'observedGeneration'>;

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

/** The next status, or undefined when it says the same as `prev` (Kubernetes' equality: empty as absent). */
export function changedStatus(
  prev: PartitionStatus | undefined,
  next: PartitionStatus,
): PartitionStatus | undefined {
  return sameValue(next, prev ?? {}) ? undefined : next;
}
