import type { KindDef } from '@shipyard/api';
import { ApiError } from '../http/errors.js';
import type { PlatformObjects } from '../kube/management.js';
import { setCondition, type Condition, type ConditionInput } from '../runtime/conditions.js';

const attempts = 5;

/**
 * Sets one condition on an object whose status other controllers write too: read the latest object, change
 * only this condition, and replace the status with its resourceVersion, again on 409. A merge patch would
 * replace the whole conditions array and could drop another controller's condition written meanwhile.
 * `cached` (the conditions as last seen) skips the read when the condition is already as wanted.
 * A missing object is nothing to report on.
 */
export async function setLatestCondition(opts: {
  objects: PlatformObjects;
  kind: KindDef;
  name: string;
  condition: ConditionInput;
  cached?: Condition[];
}): Promise<void> {
  const { objects, kind, name, condition } = opts;
  if (opts.cached && setCondition(opts.cached, condition, new Date()) === opts.cached) return;
  for (let attempt = 1; ; attempt++) {
    try {
      const latest = await objects.get(kind, name);
      const status = (latest.status ?? {}) as { conditions?: Condition[] };
      const next = setCondition(status.conditions, condition, new Date());
      if (next === status.conditions) return;
      await objects.replaceStatus(kind, name, { ...latest, status: { ...status, conditions: next } });
      return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return;
      if (err instanceof ApiError && err.status === 409 && attempt < attempts) continue;
      throw err;
    }
  }
}
