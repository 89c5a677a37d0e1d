import type { KindDef, KindName, PlatformObject } from '@shipyard/api';
import type { PlatformObjects } from '../kube/management.js';
import { setCondition, type ConditionInput } from '../runtime/conditions.js';

/** Writes a Ready condition to an object's status when it differs from what is there (merge patch). */
export async function setReady<N extends KindName>(
  objects: PlatformObjects,
  d: KindDef,
  obj: PlatformObject<N>,
  cond: Omit<ConditionInput, 'type'>,
): Promise<void> {
  const prev = (obj.status as { conditions?: ConditionInput[] } | undefined)?.conditions as
    Parameters<typeof setCondition>[0] | undefined;
  const next = setCondition(
    prev,
    { type: 'Ready', observedGeneration: obj.metadata.generation, ...cond },
    new Date(),
  );
  if (next === prev) return;
  await objects.mergePatchStatus(d, obj.metadata.name, { conditions: next });
}
