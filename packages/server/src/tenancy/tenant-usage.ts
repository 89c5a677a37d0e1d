/**
 * Each Tenant's status per cluster: `hard` from its spec and `used`, the exact sum of what its partitions'
 * quotas count there (their status.used, which the partition controller copies from the ResourceQuotas).
 * `allocated` and the reservations are admission's ledger (ledger-writer.ts): carried over untouched, and
 * the write is a read-modify-write (PlatformObjects.updateStatus, again on 409), so neither undoes the other.
 */
import type { Partition, Tenant } from '@shipyard/api';
import type { ControllerDeps } from '../controllers/access.controller.js';
import type { ControllerHandle } from '../runtime/controller.js';
import { startPlatformController } from '../controllers/platform-controller.js';
import { sameValue } from './object-diff.js';
import { amounts, formatAmounts, type Amounts, type Hard } from './quota.js';

type ClusterLine = NonNullable<NonNullable<Tenant['status']>['clusters']>[number];

/** Sum of the partitions' used, every key of `hard` shown ("0" when nothing uses it). */
function sumUsed(hard: Hard, partitions: readonly Partition[]): Hard {
  const sum: Amounts = new Map();
  for (const k of Object.keys(hard)) sum.set(k, 0n);
  for (const p of partitions) {
    let used: Amounts;
    try {
      used = amounts(p.status?.used ?? {});
    } catch {
      continue; // a figure that does not parse came from no quota controller: left out, not guessed
    }
    for (const [k, v] of used) sum.set(k, (sum.get(k) ?? 0n) + v);
  }
  return formatAmounts(sum);
}

/**
 * The tenant's per-cluster lines with `hard` and `used` as they should be: lines keep their order (the
 * ledger writer's), clusters of the spec that have none yet are added with nothing allocated.
 */
export function usageLines(t: Tenant, partitions: readonly Partition[]): ClusterLine[] {
  const quotas = new Map((t.spec.clusters ?? []).map((q) => [q.cluster, q.hard as Hard]));
  const prev = t.status?.clusters ?? [];
  const names = [
    ...prev.map((c) => c.cluster),
    ...[...quotas.keys()].filter((c) => !prev.some((l) => l.cluster === c)),
  ];
  return names.map((cluster) => {
    const old = prev.find((l) => l.cluster === cluster);
    const hard = quotas.get(cluster) ?? old?.hard ?? {};
    const mine = partitions.filter((p) => p.spec.tenant === t.metadata.name && p.spec.cluster === cluster);
    return { cluster, hard, allocated: old?.allocated ?? {}, used: sumUsed(hard, mine) };
  });
}

export function startTenantUsageController(deps: ControllerDeps): ControllerHandle {
  const { cache, objects } = deps;
  const tenantsOf = (p: Partition | undefined, old: Partition | undefined) =>
    new Set([p?.spec.tenant, old?.spec.tenant].filter((t): t is string => Boolean(t)));
  return startPlatformController(deps, {
    name: 'tenant-usage',
    informers: [
      { informer: cache.informer('Tenant') },
      {
        informer: cache.informer('Partition'),
        keys: (p, old) => tenantsOf(p as unknown as Partition, old as unknown as Partition | undefined),
      },
    ],
    reconcile: async (name) => {
      const cached = cache.get('Tenant', name);
      if (!cached) return;
      const partitions = cache.list('Partition');
      await objects.updateStatus(
        'Tenant',
        name,
        (status, t) => {
          const clusters = usageLines(t, partitions);
          return sameValue(clusters, status?.clusters ?? []) ? undefined : { ...status, clusters };
        },
        { from: cached },
      );
    },
  });
}
