/**
 * Checks of a Tenant's spec on its own (422: quantities that do not parse, a cluster listed twice, a port range
 * that is not one) and against other objects (409: an L4 port range outside the cluster's pool or overlapping
 * another tenant's on the same cluster). Pure: the caller hands in the Clusters and Tenants it knows.
 */
import type { Cluster, Tenant } from '@shipyard/api';
import { conflict, invalid } from '../http/errors.js';
import { fieldPath } from '../http/field-path.js';
import { quotasOf } from './ledger.js';
import { contains, overlaps, parsePortRange, type PortRange } from './port-range.js';
import { badQuantity } from './quota.js';

const rangeField = (i: number) => fieldPath(['spec', 'clusters', i, 'loadBalancer', 'l4PortRange']);

export function checkTenantSpec(t: Pick<Tenant, 'spec'>): void {
  const seen = new Set<string>();
  quotasOf(t).forEach((q, i) => {
    if (seen.has(q.cluster)) {
      throw invalid(`cluster ${q.cluster} is listed twice`, fieldPath(['spec', 'clusters', i, 'cluster']));
    }
    seen.add(q.cluster);
    const bad = badQuantity(q.hard, ['spec', 'clusters', i, 'hard']);
    if (bad) throw bad;
    const range = q.loadBalancer?.l4PortRange;
    const parsed = range === undefined ? undefined : parsePortRange(range);
    if (typeof parsed === 'string') throw invalid(`${rangeField(i)}: ${parsed}`, rangeField(i));
  });
}

const rangeOf = (text: string | undefined): PortRange | undefined => {
  const r = text === undefined ? undefined : parsePortRange(text);
  return typeof r === 'object' ? r : undefined;
};

/** Each L4 range must lie in its cluster's pool (when the cluster has one) and overlap no other tenant's there. */
export function checkPortRanges(opts: {
  tenant: Pick<Tenant, 'spec' | 'metadata'>;
  cluster: (name: string) => Cluster | undefined;
  tenants: readonly Tenant[];
}): void {
  const name = opts.tenant.metadata.name;
  quotasOf(opts.tenant).forEach((q, i) => {
    const text = q.loadBalancer?.l4PortRange;
    const mine = rangeOf(text);
    if (!mine) return;
    const poolText = opts.cluster(q.cluster)?.spec.l4PortPool;
    if (poolText !== undefined) {
      const pool = rangeOf(poolText);
      if (!pool || !contains(pool, mine)) {
        throw conflict(
          `l4PortRange ${text} is outside cluster ${q.cluster}'s l4PortPool ${poolText}`,
          rangeField(i),
        );
      }
    }
    for (const other of opts.tenants) {
      if (other.metadata.name === name) continue;
      const theirs = quotasOf(other).find((o) => o.cluster === q.cluster)?.loadBalancer?.l4PortRange;
      const range = rangeOf(theirs);
      if (range && overlaps(range, mine)) {
        throw conflict(
          `l4PortRange ${text} overlaps tenant ${other.metadata.name}'s ${theirs} on cluster ${q.cluster}`,
          rangeField(i),
        );
      }
    }
  });
}
