/**
 * A deleted user takes their memberships and bindings along, so a user made later under the name starts
 * with none (that a Group's members and a binding's User exist when written is kind-hooks.ts's, through
 * references.ts).
 */
import { kinds, type Group, type RoleTemplateBinding } from '@shipyard/api';
import { ApiError } from '../http/errors.js';
import type { HookDeps } from './kind-hooks.js';

const isStatus = (err: unknown, status: number) => err instanceof ApiError && err.status === status;

/** One attempt at taking `user` out of a group, as it is now; false when it changed meanwhile (409). */
async function leaveGroup(deps: HookDeps, name: string, user: string): Promise<boolean> {
  try {
    const g = (await deps.objects.get(kinds.Group, name)) as unknown as Group;
    if (!g.spec.members.includes(user)) return true;
    const members = g.spec.members.filter((m) => m !== user);
    await deps.objects.replace(kinds.Group, name, { ...g, spec: { ...g.spec, members } });
    return true;
  } catch (err) {
    if (isStatus(err, 404)) return true;
    if (isStatus(err, 409)) return false;
    throw err;
  }
}

/**
 * After a user is deleted: the bindings to them and their place in every group. Read from the management
 * cluster, not the cache, and idempotent: running it again (or after a partial run) finishes the job.
 */
export async function removeUserReferences(deps: HookDeps, user: string): Promise<void> {
  const bindings = (await deps.objects.list(kinds.RoleTemplateBinding)) as unknown as RoleTemplateBinding[];
  for (const b of bindings) {
    if (b.spec.subject.kind !== 'User' || b.spec.subject.name !== user) continue;
    await deps.objects.delete(kinds.RoleTemplateBinding, b.metadata.name).catch((err: unknown) => {
      if (!isStatus(err, 404)) throw err;
    });
  }
  const groups = (await deps.objects.list(kinds.Group)) as unknown as Group[];
  for (const g of groups.filter((g) => g.spec.members.includes(user))) {
    let attempts = 0;
    while (!(await leaveGroup(deps, g.metadata.name, user))) {
      if (++attempts >= 5) throw new ApiError(409, 'Conflict', `group "${g.metadata.name}" kept changing`);
    }
  }
}
