/**
 * Partition admission: a partition's namespace must be its own (namespace-ownership.ts): never a reserved
 * one, nor one that exists in the cluster and that Shipyard did not make for it, unless a system admin adopts
 * it (spec.adopt); a Pod Security level of privileged is a system admin's to set, too. A partition takes its
 * share of the tenant's quota on its cluster by reserving it in the tenant's ledger (ledger-writer.ts) before
 * the Partition is written; the write route takes the reservation back if the write fails, and a delete
 * releases it. What the ledger cannot settle (a crash between the two
 * writes) the leader repairs (ledger.controller.ts).
 */
import { randomUUID } from 'node:crypto';
import { QuantityError, type Partition } from '@shipyard/api';
import type { PlatformCache } from '../cache/platform-cache.js';
import type { Caller } from '../http/context.js';
import { ApiError, conflict, forbidden, invalid } from '../http/errors.js';
import type { HookDeps, KindHooks, Op, Prepared } from '../objects/kind-hooks.js';
import { isKubeStatus } from '../runtime/kube-errors.js';
import type { Logger } from '../runtime/logger.js';
import { decidePartition, ledgerOf, namespaceOf, type Ledger, type Reservation } from './ledger.js';
import { updateLedger, updateLedgerIfAny } from './ledger-writer.js';
import { badQuantity, sameHard, type Hard } from './quota.js';
import { claimsOf, releaseClaimIfGone } from './namespace-claim.js';
import { ownsNamespace, reservedNamespace, type NamespaceLike } from './namespace-ownership.js';
import { labels } from './partition-objects.js';
import { removePartitionGrants } from './tenant-teams.js';

/**
 * A partition other than `name` that the cache knows to use `namespace` on `cluster`: another tenant's (their
 * ledgers are not this write's to lock), or one of this tenant's that is not in its ledger yet.
 */
function namespaceUser(
  cache: PlatformCache,
  name: string,
  cluster: string,
  namespace: string,
): string | undefined {
  const partition = cache
    .list('Partition')
    .find((p) => p.metadata.name !== name && p.spec.cluster === cluster && namespaceOf(p) === namespace);
  if (partition) return partition.metadata.name;
  for (const t of cache.list('Tenant')) {
    const hit = Object.entries(ledgerOf(t)).find(
      ([n, r]) => n !== name && r.cluster === cluster && r.namespace === namespace,
    );
    if (hit) return hit[0];
  }
  return undefined;
}

/** A tenant quota that does not parse (written around the API) is the tenant's problem to fix: 409. */
function decideOrExplain(...args: Parameters<typeof decidePartition>): Hard | undefined {
  try {
    return decidePartition(...args);
  } catch (err) {
    if (err instanceof QuantityError)
      throw conflict(`tenant ${args[0].tenant.metadata.name}'s quota: ${err.message}`);
    throw err;
  }
}

/** Sets or clears `name`'s entry, only while it is still the one written by `id` (another write may follow). */
function swapOwn(ledger: Ledger, name: string, id: string, to: Reservation | undefined): Ledger | undefined {
  if (ledger[name]?.id !== id) return undefined;
  const out = { ...ledger };
  if (to) out[name] = to;
  else delete out[name];
  return out;
}

/** What only a system admin (who holds partitions at the platform level) may set on a partition. */
function checkPlatformOnly(opts: {
  op: Op;
  caller: Caller;
  obj: Partition;
  old?: Partition;
  deps: HookDeps;
}) {
  const { op, caller, obj, old, deps } = opts;
  const asks: [boolean, string][] = [
    [Boolean(obj.spec.adopt) && !old?.spec.adopt, 'adopt a namespace (spec.adopt)'],
    [
      obj.spec.podSecurity === 'privileged' && old?.spec.podSecurity !== 'privileged',
      'lift Pod Security from a partition (spec.podSecurity: privileged)',
    ],
  ];
  for (const [asked, what] of asks) {
    if (asked && !deps.access.canAtPlatform(caller.user, op, 'partitions'))
      throw forbidden(`only a system admin may ${what}`);
  }
}

/**
 * A new partition's namespace, if it exists in the cluster, must be the partition's (made by Shipyard for it)
 * or adopted. A cluster that cannot be asked now is not waited for: the partition controller writes nothing
 * into a namespace that is not the partition's, and says so on the partition.
 */
async function checkNamespaceFree(obj: Partition, deps: HookDeps, log: Logger): Promise<void> {
  const { cluster } = obj.spec;
  const namespace = namespaceOf(obj);
  if (!deps.connections.hasConnection(cluster)) return;
  let ns: NamespaceLike;
  try {
    ns = (await deps.connections.request(cluster, {
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
      timeoutMs: 5_000,
    })) as NamespaceLike;
  } catch (err) {
    if (isKubeStatus(err, 404)) return;
    log.warn({ err, cluster, namespace }, 'the namespace of a new partition could not be looked at');
    return;
  }
  const partition = obj.metadata.name;
  const serverNamespace = deps.cache.m.namespace;
  if (ownsNamespace({ ns, partition, serverNamespace, adopt: obj.spec.adopt })) return;
  // Another partition's: the ledger and the namespace claims answer (409 naming it); the namespace of one
  // that is gone is removed by the controller, which then makes it anew for this one.
  if (ns.metadata?.labels?.[labels.partition]) return;
  throw invalid(
    `namespace ${namespace} already exists on cluster ${cluster} and Shipyard did not make it for this partition: choose another (a system admin may adopt it with spec.adopt)`,
    'spec.namespace',
  );
}

export const partitionHooks: KindHooks<'Partition'> = {
  validate({ op, caller, obj, old }, deps) {
    const reserved = reservedNamespace(namespaceOf(obj), deps.cache.m.namespace);
    if (reserved) throw invalid(`${reserved}: no partition may have it`, 'spec.namespace');
    checkPlatformOnly({ op, caller, obj, old, deps });
    if (old && (old.spec.tenant !== obj.spec.tenant || old.spec.cluster !== obj.spec.cluster)) {
      throw invalid('a partition cannot move to another tenant or cluster', 'spec.tenant');
    }
    if (old && namespaceOf(old) !== namespaceOf(obj)) {
      throw invalid(
        `a partition cannot move to another namespace (it is ${namespaceOf(old)})`,
        'spec.namespace',
      );
    }
    const bad = badQuantity(obj.spec.hard, ['spec', 'hard']);
    if (bad) throw bad;
    if (!deps.cache.get('Cluster', obj.spec.cluster)) {
      throw invalid(`cluster "${obj.spec.cluster}" does not exist`, 'spec.cluster');
    }
  },

  async prepare({ obj, old, log }, deps): Promise<Prepared> {
    const { tenant, cluster, hard } = obj.spec;
    const name = obj.metadata.name;
    const namespace = namespaceOf(obj);
    if (!old) await checkNamespaceFree(obj, deps, log);
    const namespaceUsedBy = old ? undefined : namespaceUser(deps.cache, name, cluster, namespace);
    const id = randomUUID();
    let before: Reservation | undefined;
    let reserved: Reservation | undefined;
    try {
      await updateLedger(deps.objects, tenant, (t) => {
        const ledger = ledgerOf(t);
        before = ledger[name];
        const reserve = decideOrExplain({
          tenant: t,
          name,
          cluster,
          namespace,
          hard,
          stored: old?.spec.hard,
          namespaceUsedBy,
        });
        reserved = reserve && { cluster, namespace, hard: reserve, id, at: new Date().toISOString() };
        return reserved && { ...ledger, [name]: reserved };
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) {
        throw invalid(`tenant "${tenant}" does not exist`, 'spec.tenant');
      }
      throw err;
    }
    const put = (id: string, to: Reservation | undefined) =>
      updateLedgerIfAny(deps.objects, tenant, (t) => swapOwn(ledgerOf(t), name, id, to));
    // A new partition's namespace is claimed across tenants too (the ledger settles it within this one).
    const claims = claimsOf(deps);
    const ask = { cluster, namespace, partition: name, tenant };
    if (!old) {
      try {
        await claims.claim(ask);
      } catch (err) {
        if (reserved) await put(id, before);
        throw err;
      }
    }
    const release = old ? undefined : () => claims.release(ask);
    // The entry the ledger now holds for this partition: ours, or the one that already fitted.
    const held = reserved ?? before;
    if (!held) return { rollback: release };
    return {
      // A resize holds the larger of old and new while it is written; now the partition has the new.
      commit: sameHard(held.hard, hard)
        ? undefined
        : async () => {
            // The partition is written: a failure here leaves the ledger high, never low, until the leader
            // repairs it, so it does not fail the request.
            await put(held.id, { ...held, hard, at: new Date().toISOString() }).catch((err: unknown) =>
              log.warn(
                { err, tenant, partition: name },
                'settling a resized reservation failed; the leader repairs it',
              ),
            );
          },
      rollback:
        reserved || release
          ? async () => {
              if (reserved) await put(id, before);
              await release?.();
            }
          : undefined,
    };
  },

  async afterDelete(obj, deps) {
    const name = obj.metadata.name;
    await updateLedgerIfAny(deps.objects, obj.spec.tenant, (t) => {
      const ledger = ledgerOf(t);
      if (!ledger[name]) return undefined;
      const { [name]: _gone, ...rest } = ledger;
      return rest;
    });
    await removePartitionGrants(deps, name);
    await releaseClaimIfGone(deps, obj);
  },
};
