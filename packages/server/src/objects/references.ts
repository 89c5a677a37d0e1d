/**
 * Objects that a write names must exist: a Group's members, a binding's User, a Tenant's clusters. A name that
 * names nothing would otherwise hand what it grants to whoever later takes it.
 */
import { kinds, type KindName } from '@shipyard/api';
import { ApiError, invalid } from '../http/errors.js';
import type { HookDeps } from './kind-hooks.js';

/** Whether the object exists: in the cache, or (made a moment ago, not cached yet) in the management cluster. */
async function exists(deps: HookDeps, kind: KindName, name: string): Promise<boolean> {
  if (deps.cache.get(kind, name)) return true;
  try {
    await deps.objects.get(kinds[kind], name);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return false;
    throw err;
  }
}

/** 422 naming `field` when the `kind` called `name` does not exist. */
export async function mustExist(
  deps: HookDeps,
  ref: { kind: KindName; name: string; field: string },
): Promise<void> {
  if (!(await exists(deps, ref.kind, ref.name)))
    throw invalid(`${ref.kind.toLowerCase()} "${ref.name}" does not exist`, ref.field);
}
