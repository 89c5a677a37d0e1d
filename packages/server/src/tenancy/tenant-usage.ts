/**
 * Each Tenant's status per cluster: `hard` from its spec and `used`, the exact sum of what its partitions'
 * quotas count there (their status.used, which the partition controller copies from the ResourceQuotas).
 * `allocated` and the reservations are admission's ledger (ledger-writer.ts): carried over untouched, and
 * the write is a read-modify-write on the latest Tenant, again on 409, so neither writer undoes the other.
 */
import { kinds, type Partition, type Tenant } from '@shipyard/api';
import type { ControllerDeps } from '../controllers/access.controller.js';
import { ApiError } from '../http/errors.js';
import { startController, type ControllerHandle } from '../runtime/controller.js';
import { sameValue } from './object-diff.js';
import { amounts, formatAmounts, type Amounts, type Hard } from './quota.js';

type ClusterLine = NonNullable<NonNullable<Tenant['status']>['clusters']>[number];

const attempts = 10;

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
  return startController({
    name: 'tenant-usage',
    cluster: cache.m.cluster,
    logger: deps.logger,
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
      let t: Tenant = cached;
      for (let attempt = 1; ; attempt++) {
        const clusters = usageLines(t, partitions);
        if (sameValue(clusters, t.status?.clusters ?? [])) return;
        try {
          await objects.replaceStatus(kinds.Tenant, name, { ...t, status: { ...t.status, clusters } });
          return;
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return;
          if (!(err instanceof ApiError && err.status === 409 && attempt < attempts)) throw err;
        }
        try {
          t = (await objects.get(kinds.Tenant, name)) as unknown as Tenant;
        } catch (err) {
          if (err instanceof ApiError && err.status === 404) return;
          throw err;
        }
      }
    },
  });
}
