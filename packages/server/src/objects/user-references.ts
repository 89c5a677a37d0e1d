/**
 * A deleted user takes their memberships and bindings along, so a user made later under the name starts
 * with none (that a Group's members and a binding's User exist when written is kind-hooks.ts's, through
 * references.ts).
 */
import { kinds } from '@shipyard/api';
import { ApiError } from '../http/errors.js';
import type { HookDeps } from './kind-hooks.js';

const isStatus = (err: unknown, status: number) => err instanceof ApiError && err.status === status;

/**
 * After a user is deleted: the bindings to them and their place in every group. Read from the management
 * cluster, not the cache, and idempotent: running it again (or after a partial run) finishes the job.
 */
export async function removeUserReferences(deps: HookDeps, user: string): Promise<void> {
  const bindings = await deps.objects.list('RoleTemplateBinding');
  for (const b of bindings) {
    if (b.spec.subject.kind !== 'User' || b.spec.subject.name !== user) continue;
    await deps.objects.delete(kinds.RoleTemplateBinding, b.metadata.name).catch((err: unknown) => {
      if (!isStatus(err, 404)) throw err;
    });
  }
  const groups = await deps.objects.list('Group');
  for (const g of groups.filter((g) => g.spec.members.includes(user))) {
    // Read-modify-write of the group as it is now, again when it changed meanwhile (409).
    await deps.objects.update('Group', g.metadata.name, (now) =>
      now.spec.members.includes(user)
        ? { ...now, spec: { ...now.spec, members: now.spec.members.filter((m) => m !== user) } }
        : undefined,
    );
  }
}
