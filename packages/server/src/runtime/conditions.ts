/** Status conditions as Kubernetes writes them (metav1.Condition): set, find, remove. */
import type { Condition } from '@shipyard/api';

export type { Condition };
export type ConditionStatus = Condition['status'];

export interface ConditionInput {
  /** CamelCase, e.g. Ready, QuotaApplied. */
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable: why the status is what it is. */
  reason: string;
  /** For people: what happened and what to do. */
  message?: string;
  /** The metadata.generation this condition was computed from. */
  observedGeneration?: number;
}

/** RFC 3339 with seconds precision, as the apiserver writes metav1.Time. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * Sets `cond` in `conditions`. lastTransitionTime becomes `now` only when the status changes (or the
 * condition is new). Returns the same array when nothing changes, so callers can skip a status write
 * with `next === prev`; otherwise a new array (the input is not modified).
 */
export function setCondition(
  conditions: Condition[] | undefined,
  cond: ConditionInput,
  now: Date,
): Condition[] {
  const list = conditions ?? [];
  const existing = list.find((c) => c.type === cond.type);
  const message = cond.message ?? '';
  if (
    existing &&
    existing.status === cond.status &&
    existing.reason === cond.reason &&
    (existing.message ?? '') === message &&
    existing.observedGeneration === cond.observedGeneration &&
    existing.lastTransitionTime !== undefined
  ) {
    return list;
  }
  const keepTime = existing?.status === cond.status && existing.lastTransitionTime !== undefined;
  const next: Condition = {
    type: cond.type,
    status: cond.status,
    reason: cond.reason,
    message,
    lastTransitionTime:
      keepTime && existing?.lastTransitionTime ? existing.lastTransitionTime : formatTime(now),
  };
  if (cond.observedGeneration !== undefined) next.observedGeneration = cond.observedGeneration;
  return existing ? list.map((c) => (c === existing ? next : c)) : [...list, next];
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** Without the condition of that type (the same array when there was none). */
export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  const list = conditions ?? [];
  return list.some((c) => c.type === type) ? list.filter((c) => c.type !== type) : list;
}
