/**
 * What a Partition makes in its user cluster, as data: the Namespace, its ResourceQuota, a LimitRange with
 * container defaults and the NetworkPolicies (network-policy.ts). Pure: the controller converges these.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Partition } from '@shipyard/api';
import { namespaceOf } from './ledger.js';
import { networkPolicies, type NetworkPolicySpec } from './network-policy.js';
import { amounts, formatAmount, type Hard } from './quota.js';

export const labels = {
  tenant: 'shipyard.dev/tenant',
  partition: 'shipyard.dev/partition',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;
export const managedBy = 'shipyard';
/** Every object the partition controller makes carries these; its informers select on them. */
export const partitionSelector = `${labels.managedBy}=${managedBy},${labels.partition}`;
export const quotaName = 'shipyard-quota';
export const limitRangeName = 'shipyard-defaults';

/** The kinds the controller makes, as data: where each lives in the API. */
export const partitionKinds = {
  Namespace: { apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  ResourceQuota: { apiVersion: 'v1', plural: 'resourcequotas', namespaced: true },
  LimitRange: { apiVersion: 'v1', plural: 'limitranges', namespaced: true },
  NetworkPolicy: { apiVersion: 'networking.k8s.io/v1', plural: 'networkpolicies', namespaced: true },
} as const;
export type PartitionKind = keyof typeof partitionKinds;
export const namespacedKinds = ['ResourceQuota', 'LimitRange', 'NetworkPolicy'] as const;

const base = (kind: PartitionKind) => {
  const v = partitionKinds[kind].apiVersion;
  return v === 'v1' ? '/api/v1' : `/apis/${v}`;
};

/** The kind over the whole cluster (what an informer lists and watches). */
export function collectionPath(kind: PartitionKind): string {
  return `${base(kind)}/${partitionKinds[kind].plural}`;
}

/** One object's path. */
export function itemPath(kind: PartitionKind, name: string, namespace?: string): string {
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base(kind)}${ns}/${partitionKinds[kind].plural}/${encodeURIComponent(name)}`;
}

/** Wire shapes (client-node's classes rename fields such as `default` and `from`). */
export type ResourceQuotaSpec = { hard: Hard };
export type LimitRangeItem = {
  type: 'Container';
  default?: Record<string, string>;
  defaultRequest?: Record<string, string>;
};
export type LimitRangeSpec = { limits: LimitRangeItem[] };

export type Manifest = KubernetesObject & {
  apiVersion: string;
  kind: PartitionKind;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  spec?: ResourceQuotaSpec | LimitRangeSpec | NetworkPolicySpec;
};

export type PartitionObjects = {
  namespace: Manifest;
  /** In the namespace: the quota first (pods created meanwhile are counted), then defaults and policies. */
  namespaced: Manifest[];
  /** Network rules left out, and why (see network-policy.ts). */
  skippedRules: string[];
};

export function partitionLabels(p: Pick<Partition, 'metadata' | 'spec'>): Record<string, string> {
  return {
    [labels.managedBy]: managedBy,
    [labels.tenant]: p.spec.tenant,
    [labels.partition]: p.metadata.name,
  };
}

/** The namespace's Pod Security labels: the partition's level (baseline unless it says), enforced, warned, audited. */
export function podSecurityLabels(p: Pick<Partition, 'spec'>): Record<string, string> {
  const level = p.spec.podSecurity ?? 'baseline';
  const out: Record<string, string> = {};
  for (const mode of ['enforce', 'warn', 'audit']) {
    out[`pod-security.kubernetes.io/${mode}`] = level;
    out[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return out;
}

/**
 * The quota the partition's namespace enforces: every key its tenant is limited on in the cluster, at what the
 * partition was given or "0" when it was given none (a key the partition leaves out must not be unlimited
 * there), and whatever else the partition names.
 */
export function partitionHard(p: Pick<Partition, 'spec'>, tenantHard: Hard = {}): Hard {
  const own = (p.spec.hard as Hard | undefined) ?? {};
  return { ...Object.fromEntries(Object.keys(tenantHard).map((k) => [k, '0'])), ...own };
}

/**
 * Everything the partition should have in its cluster; `tenantHard` is its tenant's quota on the cluster
 * (see partitionHard).
 */
export function partitionObjects(
  p: Pick<Partition, 'metadata' | 'spec'>,
  tenantHard?: Hard,
): PartitionObjects {
  const namespace = namespaceOf(p);
  const meta = (name: string) => ({ name, namespace, labels: partitionLabels(p) });
  const manifest = (kind: PartitionKind, name: string, spec: Manifest['spec']): Manifest => ({
    apiVersion: partitionKinds[kind].apiVersion,
    kind,
    metadata: meta(name),
    spec,
  });
  const hard = partitionHard(p, tenantHard);
  const namespaced = [manifest('ResourceQuota', quotaName, { hard: { ...hard } })];
  const defaults = limitRangeDefaults(hard);
  if (defaults) namespaced.push(manifest('LimitRange', limitRangeName, { limits: [defaults] }));
  const rendered = networkPolicies({ tenant: p.spec.tenant, rules: p.spec.networkPolicy?.rules ?? [] });
  for (const np of rendered.policies) namespaced.push(manifest('NetworkPolicy', np.name, np.spec));
  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { ...partitionLabels(p), ...podSecurityLabels(p) } },
    },
    namespaced,
    skippedRules: rendered.skipped,
  };
}

type Resource = 'cpu' | 'memory';
/** 1Mi in milli-units. */
const mi = 1_048_576_000n;
/** A container's default request is this share of the partition's quota, and so is its default limit. */
export const defaultShare = 10n;
/** ...but never more than a typical small container asks: a partition of 64 cores gives no 6-core defaults. */
const caps: Record<Resource, { request: bigint; limit: bigint }> = {
  cpu: { request: 500n, limit: 1_000n }, // milli-units: 500m and 1 core
  memory: { request: 512n * mi, limit: 1024n * mi }, // 512Mi and 1Gi
};

/**
 * The LimitRange item that lets a container without resources in: ResourceQuota admission refuses a pod that
 * does not state what the quota tracks (requests.cpu, limits.memory…), so each tracked key gets a default.
 *
 * The rule, per resource (cpu, memory) and only for the keys the quota has:
 * - the quota tracks requests (`requests.cpu`, or plain `cpu`) → `defaultRequest` is a tenth of that quota,
 *   at most 500m CPU / 512Mi memory;
 * - the quota tracks limits (`limits.cpu`) → `default` (the limit) is a tenth of that quota, at most 1 CPU /
 *   1Gi memory, and never below the default request (a request above its limit is invalid);
 * - amounts round down to whole millicores and whole Mi (bytes below 1Mi), and are at least 1m / 1 byte.
 * So ten containers that state nothing fit a partition, each is counted in `used`, and a request stays the
 * container's own when it gives one. No quota on cpu or memory: no defaults (undefined).
 */
export function limitRangeDefaults(hard: Hard): LimitRangeItem | undefined {
  let q: Map<string, bigint>;
  try {
    q = amounts(hard);
  } catch {
    return undefined; // admission refuses such a quota; the apiserver will say why for the ResourceQuota
  }
  const defaultRequest: Record<string, string> = {};
  const defaultLimit: Record<string, string> = {};
  for (const r of ['cpu', 'memory'] as const) {
    const requests = q.get(`requests.${r}`) ?? q.get(r);
    const limits = q.get(`limits.${r}`);
    const request = requests === undefined ? undefined : share(r, requests, caps[r].request);
    if (request !== undefined) defaultRequest[r] = formatAmount(r, request);
    if (limits !== undefined) {
      const limit = share(r, limits, caps[r].limit);
      const atLeast = request !== undefined && limit !== undefined && limit < request ? request : limit;
      if (atLeast !== undefined) defaultLimit[r] = formatAmount(r, atLeast);
    }
  }
  if (Object.keys(defaultRequest).length + Object.keys(defaultLimit).length === 0) return undefined;
  const item: LimitRangeItem = { type: 'Container' };
  if (Object.keys(defaultLimit).length > 0) item.default = defaultLimit;
  if (Object.keys(defaultRequest).length > 0) item.defaultRequest = defaultRequest;
  return item;
}

/** A tenth of `quota`, capped, rounded down to a readable unit; undefined for a quota of 0 (nothing fits). */
function share(r: Resource, quota: bigint, cap: bigint): bigint | undefined {
  if (quota <= 0n) return undefined;
  let v = quota / defaultShare;
  if (v > cap) v = cap;
  const unit = r === 'cpu' ? 1n : v >= mi ? mi : 1_000n; // 1m; 1Mi, or whole bytes below it
  v -= v % unit;
  return v > 0n ? v : unit === 1n ? 1n : 1_000n;
}
