/**
 * The tenant's quota ledger (status.reservations) and the decisions made on it, as pure functions: what a
 * partition may reserve, what a tenant's quota may shrink to, what the status shows, how the leader repairs
 * the ledger. Callers read the Tenant from the apiserver and write the result with its resourceVersion, so
 * every decision rests on the ledger as it is, whichever replica makes it.
 */
import type { Partition, quotaReservation, Tenant } from '@shipyard/api';
import type { z } from 'zod';
import { alreadyExists, conflict, invalid } from '../http/errors.js';
import { fieldPath } from '../http/field-path.js';
import {
  addInto,
  amounts,
  formatAmount,
  formatAmounts,
  maxOf,
  sameHard,
  type Amounts,
  type Hard,
} from './quota.js';

export type Reservation = z.output<typeof quotaReservation>;

/**
 * How long a reservation may disagree with its partition (not written yet, or a resize not settled) before
 * the leader repairs it: far longer than one write takes, short enough that a crash costs little quota.
 */
export const reservationGraceMs = 30_000;
/** Partition name → its reservation. */
export type Ledger = Record<string, Reservation>;
export type TenantStatus = NonNullable<Tenant['status']>;
type ClusterQuota = Tenant['spec']['clusters'][number];

/** The tenant's per-cluster quotas (a Tenant written with kubectl may lack the list). */
export function quotasOf(t: Pick<Tenant, 'spec'>): ClusterQuota[] {
  return (t.spec.clusters as ClusterQuota[] | undefined) ?? [];
}

export function ledgerOf(t: Pick<Tenant, 'status'>): Ledger {
  return t.status?.reservations ?? {};
}

/** The sum of the ledger's reservations on `cluster`, but `except`'s. */
export function allocatedOn(ledger: Ledger, cluster: string, except?: string): Amounts {
  const sum: Amounts = new Map();
  for (const [name, r] of Object.entries(ledger))
    if (r.cluster === cluster && name !== except) addInto(sum, r.hard);
  return sum;
}

/**
 * The status that goes with a ledger: per cluster the quota, the allocated sum (every quota key, "0" when
 * nothing is allocated) and `used` as another controller last wrote it; conditions are kept.
 */
export function statusWith(t: Tenant, ledger: Ledger): TenantStatus {
  const prev = t.status ?? {};
  const used = new Map((prev.clusters ?? []).map((c) => [c.cluster, c.used]));
  const quotas = new Map(quotasOf(t).map((q) => [q.cluster, q.hard]));
  const names = [...new Set([...quotas.keys(), ...Object.values(ledger).map((r) => r.cluster)])];
  const clusters = names.map((cluster) => {
    const hard = quotas.get(cluster) ?? {};
    const allocated = allocatedOn(ledger, cluster);
    for (const k of Object.keys(hard)) if (!allocated.has(k)) allocated.set(k, 0n);
    return { cluster, hard, allocated: formatAmounts(allocated), used: used.get(cluster) ?? {} };
  });
  return { ...prev, clusters, reservations: ledger };
}

/** JSON with object keys sorted: equal values, equal text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function sameStatus(a: TenantStatus | undefined, b: TenantStatus): boolean {
  return canonical(a ?? {}) === canonical(b);
}

export type PartitionAsk = {
  /** The tenant as just read from the apiserver. */
  tenant: Tenant;
  name: string;
  cluster: string;
  namespace: string;
  hard: Hard;
  /** On an update: the partition's hard as stored (its share if the ledger has no entry for it). */
  stored?: Hard;
  /** On a create: another partition (of any tenant) known to use the namespace on the cluster. */
  namespaceUsedBy?: string;
};

/**
 * What a partition reserves for this create or update, or undefined when the ledger already holds exactly that.
 * A resize reserves the larger of old and new per key until the write succeeds, so a failed write never
 * leaves the tenant counting less than its partitions have. Only keys that grow are checked against what
 * remains (a shrink is always admitted, as Kubernetes' own quota admission does). Throws the ApiError to answer.
 */
export function decidePartition(ask: PartitionAsk): Hard | undefined {
  const { tenant, name, cluster, namespace, hard } = ask;
  const tenantName = tenant.metadata.name;
  const quota = quotasOf(tenant).find((q) => q.cluster === cluster);
  if (!quota) throw invalid(`tenant ${tenantName} has no quota on cluster ${cluster}`, 'spec.cluster');
  for (const key of Object.keys(hard).sort()) {
    if (!(key in quota.hard)) {
      throw invalid(
        `tenant ${tenantName} has no quota for ${key} on cluster ${cluster}`,
        fieldPath(['spec', 'hard', key]),
      );
    }
  }
  const ledger = ledgerOf(tenant);
  const own = ledger[name];
  if (!ask.stored) {
    // A create: the name and the namespace must be free (an update keeps both).
    if (own) throw alreadyExists(`partition "${name}" already exists or is being created`);
    const usedBy =
      Object.entries(ledger).find(
        ([n, r]) => n !== name && r.cluster === cluster && r.namespace === namespace,
      )?.[0] ?? ask.namespaceUsedBy;
    if (usedBy) {
      throw conflict(
        `namespace ${namespace} on cluster ${cluster} is already used by partition ${usedBy}`,
        'spec.namespace',
      );
    }
  }

  const current = own?.hard ?? ask.stored ?? {};
  const others = allocatedOn(ledger, cluster, name);
  const limits = amounts(quota.hard);
  const had = amounts(current);
  const over: [string, string][] = [];
  for (const [key, want] of [...amounts(hard)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (want <= (had.get(key) ?? 0n)) continue;
    const remaining = (limits.get(key) ?? 0n) - (others.get(key) ?? 0n);
    if (want > remaining) {
      const left = formatAmount(key, remaining > 0n ? remaining : 0n);
      over.push([
        key,
        `${key} ${formatAmount(key, want)} exceeds tenant remaining ${left} on cluster ${cluster}`,
      ]);
    }
  }
  const first = over[0];
  if (first) throw conflict(over.map(([, m]) => m).join('; '), fieldPath(['spec', 'hard', first[0]]));

  const reserve = ask.stored ? maxOf(current, hard) : formatAmounts(amounts(hard));
  if (own && own.namespace === namespace && own.cluster === cluster && sameHard(own.hard, reserve))
    return undefined;
  return reserve;
}

/**
 * Refuses a tenant quota change that goes below what its ledger allocates: a key lowered under the allocated
 * sum, a key removed that partitions hold, a cluster removed that has partitions. Only what the change lowers
 * is checked: a tenant already over its quota (partitions written around the API) can still be relabelled,
 * or raised.
 */
export function checkShrink(stored: Tenant, next: Pick<Tenant, 'spec'>): void {
  const ledger = ledgerOf(stored);
  const tenant = stored.metadata.name;
  const had = quotasOf(stored);
  const wanted = quotasOf(next);
  const clusters = new Set(Object.values(ledger).map((r) => r.cluster));
  for (const cluster of [...clusters].sort()) {
    const before = had.find((q) => q.cluster === cluster);
    if (!before) continue;
    const i = wanted.findIndex((q) => q.cluster === cluster);
    const quota = wanted[i];
    if (!quota) {
      const partitions = Object.values(ledger).filter((r) => r.cluster === cluster).length;
      throw conflict(
        `tenant ${tenant} has ${partitions} partition${partitions === 1 ? '' : 's'} on cluster ${cluster}; delete them before removing its quota`,
        'spec.clusters',
      );
    }
    const limits = amounts(quota.hard);
    const previous = amounts(before.hard);
    for (const [key, sum] of [...allocatedOn(ledger, cluster)].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const limit = limits.get(key);
      const was = previous.get(key);
      const field = fieldPath(['spec', 'clusters', i, 'hard', key]);
      if (limit === undefined && was !== undefined) {
        throw conflict(
          `${key} is allocated to partitions on cluster ${cluster} (${formatAmount(key, sum)}): it cannot be removed`,
          field,
        );
      }
      if (limit !== undefined && limit < sum && (was === undefined || limit < was)) {
        throw conflict(
          `${key} ${formatAmount(key, limit)} is below the ${formatAmount(key, sum)} allocated to partitions on cluster ${cluster}`,
          field,
        );
      }
    }
  }
}

/** A partition as the ledger sees it. */
export type PartitionView = {
  name: string;
  tenant: string;
  cluster: string;
  namespace: string;
  hard: Hard;
  terminating: boolean;
};

export type RepairPlan = {
  /** Partitions missing from the ledger. */
  add: PartitionView[];
  /** Entries (name and id as seen) that disagree with their partition past the grace period. */
  fix: { id: string; to: PartitionView }[];
  /** Entries (name and id as seen) whose partition has not appeared, or is going, past the grace period. */
  drop: { name: string; id: string }[];
  /** When a young entry that disagrees comes of age, if one does. */
  recheckInMs?: number;
};

/** A partition's namespace: spec.namespace, else its name. */
export const namespaceOf = (p: Pick<Partition, 'metadata' | 'spec'>): string =>
  p.spec.namespace ?? p.metadata.name;

export function partitionView(p: Partition): PartitionView {
  return {
    name: p.metadata.name,
    tenant: p.spec.tenant,
    cluster: p.spec.cluster,
    namespace: namespaceOf(p),
    hard: (p.spec.hard as Hard | undefined) ?? {},
    terminating: Boolean(p.metadata.deletionTimestamp),
  };
}

const agrees = (r: Reservation, p: PartitionView) =>
  r.cluster === p.cluster && r.namespace === p.namespace && sameHard(r.hard, p.hard);

/**
 * What the leader should repair, from the ledger and the partitions it holds in its cache (this tenant's).
 * Entries younger than `graceMs` are left alone: their write is in flight. Callers verify `add` and `drop`
 * against the apiserver before applying, since a cache may be a moment behind.
 */
export function planRepair(opts: {
  ledger: Ledger;
  partitions: PartitionView[];
  now: number;
  graceMs: number;
}): RepairPlan {
  const { ledger, now, graceMs } = opts;
  const live = new Map(opts.partitions.filter((p) => !p.terminating).map((p) => [p.name, p]));
  const plan: RepairPlan = { add: [], fix: [], drop: [] };
  for (const [name, r] of Object.entries(ledger)) {
    const p = live.get(name);
    if (p && agrees(r, p)) continue;
    const age = now - (Date.parse(r.at) || 0);
    if (age < graceMs) {
      plan.recheckInMs = Math.min(plan.recheckInMs ?? Infinity, graceMs - age);
      continue;
    }
    if (p) plan.fix.push({ id: r.id, to: p });
    else plan.drop.push({ name, id: r.id });
  }
  for (const p of live.values()) if (!ledger[p.name]) plan.add.push(p);
  return plan;
}

/**
 * Applies a verified plan to the ledger as it is now: an entry rewritten since the plan was made (another id)
 * is left alone, and an entry that appeared meanwhile is not overwritten.
 */
export function applyRepair(
  ledger: Ledger,
  plan: Pick<RepairPlan, 'add' | 'fix' | 'drop'>,
  stamp: () => { id: string; at: string },
): Ledger {
  const out = { ...ledger };
  const entry = (p: PartitionView): Reservation => ({
    cluster: p.cluster,
    namespace: p.namespace,
    hard: formatAmounts(amounts(p.hard)),
    ...stamp(),
  });
  for (const d of plan.drop) if (out[d.name]?.id === d.id) delete out[d.name];
  for (const f of plan.fix) if (out[f.to.name]?.id === f.id) out[f.to.name] = entry(f.to);
  for (const p of plan.add) if (!out[p.name]) out[p.name] = entry(p);
  return out;
}
