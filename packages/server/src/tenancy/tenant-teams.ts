/**
 * A tenant's teams and grants: a new tenant gets the teams of seed 000 (a group per team bound to the team's
 * template on the tenant), and a deleted tenant takes its groups and every grant on it along. A deleted
 * partition or group takes its grants along too, so one made later under the same name starts with none.
 */
import { createHash } from 'node:crypto';
import { apiVersion, kinds, type KindDef, type RoleTemplateBinding } from '@shipyard/api';
import { teams } from '../authz/team-templates.js';
import { ApiError, conflict } from '../http/errors.js';
import type { HookDeps } from '../objects/kind-hooks.js';

/** `<tenant>-<team>`, with the tenant part shortened and a hash added when that would not fit 63 characters. */
export function teamGroupName(tenant: string, team: string): string {
  const name = `${tenant}-${team}`;
  if (name.length <= 63) return name;
  const hash = createHash('sha256').update(tenant).digest('hex').slice(0, 6);
  return `${tenant.slice(0, 63 - team.length - hash.length - 2).replace(/-+$/, '')}-${hash}-${team}`;
}

function teamObjects(tenant: string) {
  return teams.map(({ team, displayName, description, allMembers }) => {
    const name = teamGroupName(tenant, team);
    const metadata = { name, labels: { 'shipyard.dev/tenant': tenant, 'shipyard.dev/team': team } };
    return {
      group: {
        apiVersion,
        kind: 'Group',
        metadata,
        spec: { tenant, displayName, description, members: [], ...(allMembers ? { allMembers } : {}) },
      },
      binding: {
        apiVersion,
        kind: 'RoleTemplateBinding',
        metadata,
        spec: {
          subject: { kind: 'Group', name },
          roleTemplate: `team-${team}`,
          scope: { level: 'tenant', name: tenant },
        },
      },
    };
  });
}

async function deleteIfThere(deps: HookDeps, d: KindDef, name: string): Promise<void> {
  await deps.objects.delete(d, name).catch((err: unknown) => {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  });
}

/**
 * Makes the tenant's team groups and bindings; on any failure takes back what it made and throws (409 when
 * a group of that name exists already). Returns how to take them back if the tenant's own write fails.
 */
export async function createTeams(deps: HookDeps, tenant: string): Promise<() => Promise<void>> {
  const made: { d: KindDef; name: string }[] = [];
  const undo = async () => {
    await Promise.all(made.map(({ d, name }) => deleteIfThere(deps, d, name)));
  };
  const create = async (d: KindDef, obj: { metadata: { name: string } }) => {
    await deps.objects.create(d, obj);
    made.push({ d, name: obj.metadata.name });
  };
  const objects = teamObjects(tenant);
  try {
    const taken = objects.find(({ group }) => deps.cache.get('Group', group.metadata.name));
    if (taken) {
      throw conflict(`group "${taken.group.metadata.name}" exists; the tenant's team would take its name`);
    }
    // All at once: a tenant's create waits for these. Any failure is thrown once all have settled.
    const settled = await Promise.allSettled(
      objects.flatMap(({ group, binding }) => [
        create(kinds.Group, group),
        create(kinds.RoleTemplateBinding, binding),
      ]),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await undo();
    throw err;
  }
  return undo;
}

/** The bindings that grant something on `scope`, or to one of `groups`. */
function grantsOn(deps: HookDeps, level: 'tenant' | 'partition', name: string, groups = new Set<string>()) {
  return deps.cache
    .list('RoleTemplateBinding')
    .filter(
      (b: RoleTemplateBinding) =>
        (b.spec.scope.level === level && b.spec.scope.name === name) ||
        (b.spec.subject.kind === 'Group' && groups.has(b.spec.subject.name)),
    );
}

/** After a tenant is deleted: its groups, the grants to them, and every grant on it or its partitions. */
export async function removeTenantGrants(deps: HookDeps, tenant: string): Promise<void> {
  const groups = deps.cache.list('Group').filter((g) => g.spec.tenant === tenant);
  const names = new Set(groups.map((g) => g.metadata.name));
  for (const b of grantsOn(deps, 'tenant', tenant, names)) {
    await deleteIfThere(deps, kinds.RoleTemplateBinding, b.metadata.name);
  }
  for (const p of deps.cache.list('Partition').filter((p) => p.spec.tenant === tenant)) {
    await removePartitionGrants(deps, p.metadata.name);
  }
  for (const name of names) await deleteIfThere(deps, kinds.Group, name);
}

/** After a partition is deleted: every grant on it. */
export async function removePartitionGrants(deps: HookDeps, partition: string): Promise<void> {
  for (const b of grantsOn(deps, 'partition', partition)) {
    await deleteIfThere(deps, kinds.RoleTemplateBinding, b.metadata.name);
  }
}

/** After a group is deleted: the grants to it, so a group made later under its name starts with none. */
export async function removeGroupGrants(deps: HookDeps, group: string): Promise<void> {
  for (const b of deps.cache.list('RoleTemplateBinding')) {
    if (b.spec.subject.kind === 'Group' && b.spec.subject.name === group)
      await deleteIfThere(deps, kinds.RoleTemplateBinding, b.metadata.name);
  }
}
