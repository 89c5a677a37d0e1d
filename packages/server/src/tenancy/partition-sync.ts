/**
 * Converging one partition in its user cluster, and removing it from there: the requests, given what the
 * cluster's stores (partition-watch.ts) show. Objects are written with server-side apply (fieldManager
 * shipyard, forced) and only when they differ (object-diff.ts); what an apply cannot take back (fields others
 * added) goes with a merge patch; objects of ours that the partition no longer wants are pruned.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError } from '../runtime/kube-errors.js';
import { kubeRequest, type KubeRequest } from '../runtime/kube-request.js';
import { needsWrite, strayPatch } from './object-diff.js';
import { ownsNamespace, reservedNamespace } from './namespace-ownership.js';
import {
  itemPath,
  labels,
  managedBy,
  namespacedKinds,
  quotaName,
  type Manifest,
  type PartitionObjects,
} from './partition-objects.js';
import type { ClusterStores } from './partition-watch.js';

const timeoutMs = 15_000;

/** A ResourceQuota as the apiserver has it: what the quota controller enforces and counts. */
export type ObservedQuota = KubernetesObject & {
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
};

type Found = KubernetesObject & { status?: { phase?: string } & ObservedQuota['status'] };

/** Why the partition is not in place yet; the controller turns it into the Ready condition. */
export type Problem = { reason: string; message: string; retryInMs?: number };

export type Converged = {
  written: number;
  pruned: number;
  /** The quota as last seen (after a write: as written). */
  quota?: ObservedQuota;
  problem?: Problem;
};

const terminating = (o: Found) => Boolean(o.metadata?.deletionTimestamp) || o.status?.phase === 'Terminating';

function send(kc: KubeConfig, req: KubeRequest): Promise<unknown> {
  return kubeRequest(kc, { timeoutMs, ...req });
}

async function getIfAny(kc: KubeConfig, path: string): Promise<Found | undefined> {
  try {
    return (await send(kc, { path })) as Found;
  } catch (err) {
    if (err instanceof KubeApiError && err.status === 404) return undefined;
    throw err;
  }
}

const pathOf = (m: Manifest) => itemPath(m.kind, m.metadata.name, m.metadata.namespace);

async function apply(kc: KubeConfig, m: Manifest): Promise<Found> {
  return (await send(kc, {
    method: 'PATCH',
    path: pathOf(m),
    query: { fieldManager: managedBy, force: true },
    body: m,
    contentType: 'application/apply-patch+yaml',
  })) as Found;
}

/** Deletes the object as listed; the uid precondition spares one of the same name made since. */
async function remove(kc: KubeConfig, path: string, uid: string | undefined): Promise<void> {
  try {
    await send(kc, {
      method: 'DELETE',
      path,
      body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid } },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && (err.status === 404 || err.status === 409))) throw err;
  }
}

const terminatingProblem = (ns: string): Problem => ({
  reason: 'NamespaceTerminating',
  message: `namespace ${ns} is being deleted; it is made again once it is gone`,
  retryInMs: 1_000,
});

/** An apply refused because the namespace is going away (403 "being terminated", or 404 once it is gone). */
function namespaceGoing(err: unknown): boolean {
  return (
    err instanceof KubeApiError &&
    (err.status === 404 || (err.status === 403 && /being terminated/.test(err.message)))
  );
}

/**
 * Makes the cluster hold `want` for `partition`. Nothing is written into a namespace that is not the
 * partition's (namespace-ownership.ts): a reserved one, another partition's, one Shipyard did not make and no
 * system admin adopted (`adopt`); the problem says why.
 */
export async function convergePartition(opts: {
  kc: KubeConfig;
  stores: ClusterStores;
  partition: string;
  want: PartitionObjects;
  /** The server's own namespace (reserved in every cluster). */
  serverNamespace: string;
  adopt?: boolean;
}): Promise<Converged> {
  const { kc, stores, partition, want, serverNamespace } = opts;
  const out: Converged = { written: 0, pruned: 0 };
  const ns = want.namespace.metadata.name;
  const reserved = reservedNamespace(ns, serverNamespace);
  if (reserved) {
    out.problem = { reason: 'NamespaceNotOwned', message: `${reserved}: no partition may have it` };
    return out;
  }

  // The namespace. Not in the store (by our labels) does not mean absent: someone's may hold the name.
  let seen: Found | undefined = stores.Namespace.get(ns);
  if (!seen || seen.metadata?.labels?.[labels.partition] !== partition)
    seen = await getIfAny(kc, pathOf(want.namespace));
  if (seen && !ownsNamespace({ ns: seen, partition, serverNamespace, adopt: opts.adopt })) {
    const owner = seen.metadata?.labels?.[labels.partition];
    out.problem = {
      reason: 'NamespaceNotOwned',
      message: owner
        ? `namespace ${ns} belongs to partition ${owner}`
        : `namespace ${ns} exists and was not made by Shipyard for this partition: nothing is written there; remove it, choose another namespace, or have a system admin adopt it`,
      retryInMs: 60_000,
    };
    return out;
  }
  if (seen && terminating(seen)) return { ...out, problem: terminatingProblem(ns) };
  if (needsWrite(seen, want.namespace)) {
    await apply(kc, want.namespace);
    out.written++;
  }

  try {
    for (const m of want.namespaced) {
      const store = stores[m.kind];
      let have = store.get(m.metadata.name, ns) as Found | undefined;
      if (needsWrite(have, m)) {
        have = await apply(kc, m);
        out.written++;
        const stray = strayPatch(have, m);
        if (stray) {
          have = (await send(kc, {
            method: 'PATCH',
            path: pathOf(m),
            query: { fieldManager: managedBy },
            body: stray,
            contentType: 'application/merge-patch+json',
          })) as Found;
        }
      }
      if (m.kind === 'ResourceQuota' && m.metadata.name === quotaName) out.quota = have;
    }
  } catch (err) {
    if (namespaceGoing(err)) return { ...out, problem: terminatingProblem(ns) };
    throw err;
  }

  // Ours in the namespace that the partition no longer wants (the rules policy once its rules are gone).
  const wanted = new Set(want.namespaced.map((m) => `${m.kind}/${m.metadata.name}`));
  for (const kind of namespacedKinds) {
    for (const o of stores[kind].list(ns)) {
      const name = o.metadata?.name ?? '';
      if (o.metadata?.labels?.[labels.partition] !== partition || wanted.has(`${kind}/${name}`)) continue;
      await remove(kc, itemPath(kind, name, ns), o.metadata?.uid);
      out.pruned++;
    }
  }
  return out;
}

/**
 * Removes the partition's namespace (and so everything in it): 'gone' once it no longer exists or is not
 * ours to remove, 'terminating' while Kubernetes empties it.
 */
export async function removeNamespace(opts: {
  kc: KubeConfig;
  partition: string;
  namespace: string;
  serverNamespace: string;
}): Promise<'gone' | 'terminating'> {
  const { kc, partition, namespace, serverNamespace } = opts;
  const path = itemPath('Namespace', namespace);
  if (reservedNamespace(namespace, serverNamespace)) return 'gone';
  const ns = await getIfAny(kc, path);
  if (!ns || !ownsNamespace({ ns, partition, serverNamespace })) return 'gone';
  if (terminating(ns)) return 'terminating';
  await remove(kc, path, ns.metadata?.uid);
  return 'terminating';
}
