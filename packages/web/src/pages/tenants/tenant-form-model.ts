/**
 * The tenant form's values and the Tenant they stand for. People fill quota rows per cluster (CPU and memory
 * requests and limits, pods, GPUs, volumes per storage class, any other key; an L4 port range and L7), the
 * API takes a ResourceQuota `hard` list per cluster: these functions turn one into the other, and an API
 * error's field (`spec.clusters[0].hard["requests.cpu"]`) into the form field that shows it.
 */
import type { Tenant } from '../../api/platform';
import type { FieldPath } from '../../components/form-errors';
import { knownResources, storageClassKey, storageClassOf, type KnownField } from './resources';

export type StorageRow = { storageClass?: string; count?: string; capacity?: string };
export type OtherRow = { resource?: string; amount?: string };
export type ClusterRow = { cluster?: string; storage?: StorageRow[]; other?: OtherRow[] } & {
  [F in KnownField]?: string;
} & { l4From?: number | null; l4To?: number | null; l7?: boolean };
export type TenantFormValues = {
  name: string;
  displayName?: string;
  description?: string;
  clusters?: ClusterRow[];
};

type TenantSpec = Tenant['spec'];
type ClusterQuota = TenantSpec['clusters'][number];

const filled = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

export function hardOf(row: ClusterRow): Record<string, string> {
  const hard: Record<string, string> = {};
  for (const r of knownResources) {
    const v = row[r.field];
    if (filled(v)) hard[r.key] = v.trim();
  }
  for (const s of row.storage ?? []) {
    if (!filled(s.storageClass)) continue;
    if (filled(s.count)) hard[storageClassKey(s.storageClass.trim(), 'count')] = s.count.trim();
    if (filled(s.capacity)) hard[storageClassKey(s.storageClass.trim(), 'capacity')] = s.capacity.trim();
  }
  for (const o of row.other ?? [])
    if (filled(o.resource) && filled(o.amount)) hard[o.resource.trim()] = o.amount.trim();
  return hard;
}

function quotaOf(row: ClusterRow): ClusterQuota {
  const q: ClusterQuota = { cluster: row.cluster ?? '', hard: hardOf(row) };
  const from = row.l4From ?? undefined;
  const to = row.l4To ?? undefined;
  const l4PortRange =
    from === undefined ? undefined : to === undefined || to === from ? `${from}` : `${from}-${to}`;
  if (l4PortRange !== undefined || row.l7)
    q.loadBalancer = { ...(l4PortRange ? { l4PortRange } : {}), l7: !!row.l7 };
  return q;
}

/** The spec the values stand for; `displayName` and `description` left empty are left out. */
export function specOf(v: TenantFormValues): TenantSpec {
  return {
    ...(filled(v.displayName) ? { displayName: v.displayName.trim() } : {}),
    ...(filled(v.description) ? { description: v.description.trim() } : {}),
    clusters: (v.clusters ?? []).map(quotaOf),
  };
}

/** The values of an existing tenant, for editing it. */
export function valuesOf(t: Tenant): TenantFormValues {
  return {
    name: t.metadata.name,
    displayName: t.spec.displayName,
    description: t.spec.description,
    clusters: t.spec.clusters.map((c) => {
      const row: ClusterRow = { cluster: c.cluster, storage: [], other: [] };
      const classes = new Map<string, StorageRow>();
      for (const [key, amount] of Object.entries(c.hard)) {
        const known = knownResources.find((r) => r.key === key);
        const sc = storageClassOf(key);
        if (known) row[known.field] = amount;
        else if (sc) {
          const s = classes.get(sc.storageClass) ?? { storageClass: sc.storageClass };
          s[sc.what] = amount;
          classes.set(sc.storageClass, s);
        } else row.other?.push({ resource: key, amount });
      }
      row.storage = [...classes.values()];
      const [from, to] = (c.loadBalancer?.l4PortRange ?? '').split('-');
      if (from) {
        row.l4From = Number(from);
        row.l4To = Number(to ?? from);
      }
      row.l7 = !!c.loadBalancer?.l7;
      return row;
    }),
  };
}

/** The form field that shows an error the API names by `path` (parsed), or undefined when none does. */
export function fieldOfApiPath(path: FieldPath, v: TenantFormValues): FieldPath | undefined {
  const [a, b, i, c, key] = path;
  if (a === 'metadata' && b === 'name' && path.length === 2) return ['name'];
  if (a !== 'spec') return undefined;
  if ((b === 'displayName' || b === 'description') && path.length === 2) return [b];
  if (b !== 'clusters' || typeof i !== 'number') return undefined;
  if (c === 'cluster' && path.length === 4) return ['clusters', i, 'cluster'];
  if (c === 'loadBalancer' && key === 'l4PortRange') return ['clusters', i, 'l4From'];
  if (c !== 'hard' || typeof key !== 'string' || path.length !== 5) return undefined;
  const known = knownResources.find((r) => r.key === key);
  if (known) return ['clusters', i, known.field];
  const row = v.clusters?.[i];
  const sc = storageClassOf(key);
  if (sc) {
    const j = row?.storage?.findIndex((s) => s.storageClass?.trim() === sc.storageClass) ?? -1;
    return j < 0 ? undefined : ['clusters', i, 'storage', j, sc.what];
  }
  const j = row?.other?.findIndex((o) => o.resource?.trim() === key) ?? -1;
  return j < 0 ? undefined : ['clusters', i, 'other', j, 'amount'];
}
