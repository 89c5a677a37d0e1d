/**
 * A tenant's quota as its pages show it (seed 000: "CPU request 2 / 2 core, limit 6 / 10 core; volumes 2 / 5,
 * 10 / 30 GiB"): per cluster and resource the total, what is allocated to partitions (the ledger, in-flight
 * reservations included, so `remaining` is what a new partition may still take), what they use, and each
 * partition's share and use.
 */
import {
  parseQuantity,
  type ClusterQuotaView,
  type Partition,
  type Tenant,
  type TenantQuotaView,
} from '@shipyard/api';
import { allocatedOn, ledgerOf, namespaceOf, quotasOf } from './ledger.js';
import { formatAmount, type Amounts, type Hard } from './quota.js';

/** Parses what it can: a figure that does not parse (written around the API) counts as nothing. */
function amount(text: string | undefined): bigint {
  try {
    return text === undefined ? 0n : parseQuantity(text);
  } catch {
    return 0n;
  }
}

function sum(hards: readonly (Hard | undefined)[], key: string): bigint {
  return hards.reduce((s, h) => s + amount(h?.[key]), 0n);
}

export function quotaView(t: Tenant, partitions: readonly Partition[]): TenantQuotaView {
  const ledger = ledgerOf(t);
  const mine = partitions.filter((p) => p.spec.tenant === t.metadata.name);
  const clusters = quotasOf(t).map(({ cluster, hard, loadBalancer }): ClusterQuotaView => {
    const here = mine.filter((p) => p.spec.cluster === cluster);
    const allocated: Amounts = allocatedOn(ledger, cluster);
    const resources = Object.keys(hard)
      .sort()
      .map((resource) => {
        const total = amount(hard[resource]);
        const given = allocated.get(resource) ?? 0n;
        const used = sum(
          here.map((p) => p.status?.used),
          resource,
        );
        const left = total > given ? total - given : 0n;
        const f = (v: bigint) => formatAmount(resource, v);
        return { resource, total: f(total), allocated: f(given), remaining: f(left), used: f(used) };
      });
    const shares = here
      .map((p) => ({
        name: p.metadata.name,
        namespace: namespaceOf(p),
        // Every key the tenant is limited on binds the partition too (at 0 when it was given none).
        resources: [...new Set([...Object.keys(hard), ...Object.keys(p.spec.hard ?? {})])]
          .sort()
          .map((resource) => ({
            resource,
            allocated: formatAmount(resource, amount(p.spec.hard?.[resource])),
            used: formatAmount(resource, amount(p.status?.used?.[resource])),
          })),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return { cluster, resources, ...(loadBalancer ? { loadBalancer } : {}), partitions: shares };
  });
  return { tenant: t.metadata.name, clusters };
}
