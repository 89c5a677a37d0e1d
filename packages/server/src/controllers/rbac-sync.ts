/**
 * Reading and converging one cluster's RBAC: list what the platform made there, then create, change,
 * replace and prune until it matches what cluster-rbac.ts says it should hold.
 */
import type {
  KubeConfig,
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1RoleBinding,
} from '@kubernetes/client-node';
import {
  isManaged,
  planRbac,
  rbacKey,
  selectors,
  type DesiredRbac,
  type NamespaceOwners,
  type RbacObject,
  type RbacPlan,
} from '../authz/cluster-rbac.js';
import { KubeApiError } from '../runtime/kube-errors.js';
import { labelledOwner } from '../tenancy/namespace-ownership.js';
import { kubeRequest, listAll, type KubeRequest } from '../runtime/kube-request.js';

const rbac = '/apis/rbac.authorization.k8s.io/v1';
const timeoutMs = 15_000;
/** Writes to one cluster at the same time. */
const parallel = 8;

export type ClusterRbac = Pick<DesiredRbac, 'clusterRoles' | 'clusterRoleBindings' | 'roleBindings'>;

export type SyncResult = {
  /** Objects written (created, changed or replaced) and removed. */
  written: number;
  pruned: number;
  /** Objects that are not ours hold names we want: `Kind name`. They are left alone. */
  conflicts: string[];
};

function itemPath(o: RbacObject): string {
  const name = encodeURIComponent(o.metadata?.name ?? '');
  switch (o.kind) {
    case 'ClusterRole':
      return `${rbac}/clusterroles/${name}`;
    case 'ClusterRoleBinding':
      return `${rbac}/clusterrolebindings/${name}`;
    default:
      return `${rbac}/namespaces/${encodeURIComponent(o.metadata?.namespace ?? '')}/rolebindings/${name}`;
  }
}

const describe = (o: RbacObject) => `${o.kind ?? 'object'} ${rbacKey(o)}`;

/**
 * The namespaces that exist and are not being deleted (a RoleBinding cannot be created in those), each with
 * the partition whose ownership labels it carries (none for a reserved namespace, whatever its labels).
 */
export async function listNamespaces(kc: KubeConfig, serverNamespace: string): Promise<NamespaceOwners> {
  const list = await listAll<KubernetesObject & { status?: { phase?: string } }>(kc, {
    path: '/api/v1/namespaces',
    timeoutMs,
  });
  return new Map(
    list.items
      .filter((n) => n.status?.phase !== 'Terminating')
      .map((n) => [n.metadata?.name ?? '', labelledOwner(n, serverNamespace)]),
  );
}

/** What the platform made in the cluster, by label: nothing unlabelled is ever listed. */
export async function readClusterRbac(kc: KubeConfig): Promise<ClusterRbac> {
  const list = async <T extends RbacObject>(path: string, labelSelector: string): Promise<T[]> =>
    (await listAll<T & KubernetesObject>(kc, { path, labelSelector, timeoutMs })).items;
  const [clusterRoles, clusterRoleBindings, roleBindings] = await Promise.all([
    list<V1ClusterRole>(`${rbac}/clusterroles`, selectors.clusterRoles),
    list<V1ClusterRoleBinding>(`${rbac}/clusterrolebindings`, selectors.bindings),
    list<V1RoleBinding>(`${rbac}/rolebindings`, selectors.bindings),
  ]);
  return { clusterRoles, clusterRoleBindings, roleBindings };
}

/** Runs `fn` over `items`, a few at a time; every item is tried, and the first failure is thrown after. */
async function each<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item).catch((err: unknown) => errors.push(err));
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/** Waits for all, so nothing is still writing when it throws the first failure. */
async function settled(work: Promise<void>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Makes the cluster hold `desired`, given `existing` as just listed. Roles first and their bindings after;
 * bindings are pruned before the roles they may name. Server-side apply (fieldManager shipyard, forced)
 * writes only objects that differ; a roleRef change deletes and creates, as Kubernetes cannot change it.
 */
export async function syncClusterRbac(opts: {
  kc: KubeConfig;
  desired: ClusterRbac;
  existing: ClusterRbac;
}): Promise<SyncResult> {
  const { kc, desired, existing } = opts;
  const send = (req: KubeRequest) => kubeRequest(kc, { timeoutMs, ...req });
  const result: SyncResult = { written: 0, pruned: 0, conflicts: [] };

  const apply = async (o: RbacObject) => {
    await send({
      method: 'PATCH',
      path: itemPath(o),
      query: { fieldManager: 'shipyard', force: true },
      body: o,
      contentType: 'application/apply-patch+yaml',
    });
    result.written++;
  };
  const remove = async (o: RbacObject) => {
    try {
      // The uid precondition: never delete an object of the same name made since the listing.
      await send({
        method: 'DELETE',
        path: itemPath(o),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: o.metadata?.uid } },
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.status === 404 || err.status === 409))) throw err;
    }
  };
  // Not listed (by our labels) does not mean absent: an object someone else made may hold the name.
  const create = async (o: RbacObject) => {
    let found: RbacObject | undefined;
    try {
      found = (await send({ path: itemPath(o) })) as RbacObject;
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 404)) throw err;
    }
    if (found && !isManaged(found)) {
      result.conflicts.push(describe(o));
      return;
    }
    await apply(o);
  };
  const converge = async <T extends RbacObject>(plan: RbacPlan<T>) => {
    await each(plan.replace, async ({ existing: e, desired: d }) => {
      await remove(e);
      await apply(d);
    });
    await each(plan.create, create);
    await each(plan.update, apply);
  };
  const prune = async <T extends RbacObject>(plan: RbacPlan<T>) => {
    await each(plan.prune, async (o) => {
      await remove(o);
      result.pruned++;
    });
  };

  const roles = planRbac(desired.clusterRoles, existing.clusterRoles);
  const clusterBindings = planRbac(desired.clusterRoleBindings, existing.clusterRoleBindings);
  const bindings = planRbac(desired.roleBindings, existing.roleBindings);
  await converge(roles);
  await settled([converge(clusterBindings), converge(bindings)]);
  await settled([prune(clusterBindings), prune(bindings)]);
  await prune(roles);
  result.conflicts.sort();
  return result;
}
