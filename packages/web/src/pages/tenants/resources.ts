/**
 * ResourceQuota keys as people read them (seed 000: "CPU Request 4 Core", "heketi-storageclass 2 / 5, 10 / 30
 * GiB"): a label for the keys a tenant's form has fields for, the storage class of per-class keys, and amounts
 * in cores, binary sizes or counts. Display only: comparisons use exact milli-units (api/quantity.ts).
 */
import type { TFunction } from 'i18next';
import { formatCpu, quantityValue } from '../../components/format';

/** The keys the tenant form has a field for, in the order the pages show them. */
export const knownResources = [
  { key: 'requests.cpu', field: 'cpuRequest', label: 'quota.cpuRequest', example: '4' },
  { key: 'limits.cpu', field: 'cpuLimit', label: 'quota.cpuLimit', example: '20' },
  { key: 'requests.memory', field: 'memoryRequest', label: 'quota.memoryRequest', example: '8Gi' },
  { key: 'limits.memory', field: 'memoryLimit', label: 'quota.memoryLimit', example: '20Gi' },
  { key: 'pods', field: 'pods', label: 'quota.pods', example: '100' },
  { key: 'requests.nvidia.com/gpu', field: 'gpu', label: 'quota.gpu', example: '2' },
] as const;
export type KnownField = (typeof knownResources)[number]['field'];

const classSuffix = '.storageclass.storage.k8s.io/';
const classKeys = { count: 'persistentvolumeclaims', capacity: 'requests.storage' } as const;
export type ClassMeasure = keyof typeof classKeys;

export const storageClassKey = (storageClass: string, what: ClassMeasure) =>
  `${storageClass}${classSuffix}${classKeys[what]}`;

/** `gold.storageclass.storage.k8s.io/requests.storage` → {storageClass: 'gold', what: 'capacity'}. */
export function storageClassOf(resource: string): { storageClass: string; what: ClassMeasure } | undefined {
  const i = resource.indexOf(classSuffix);
  if (i <= 0) return undefined;
  const rest = resource.slice(i + classSuffix.length);
  const what = rest === classKeys.count ? 'count' : rest === classKeys.capacity ? 'capacity' : undefined;
  return what && { storageClass: resource.slice(0, i), what };
}

/** What a storage class's name must be (a DNS subdomain), as it is part of the key. */
export const storageClassPattern = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** What the API accepts as a ResourceQuota key (packages/api meta.ts resourceName). */
export const resourceNamePattern =
  /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

type Measure = 'cpu' | 'bytes' | 'count';

/** By the key's last part: `gold.storageclass.storage.k8s.io/persistentvolumeclaims` is a count. */
export function measureOf(resource: string): Measure {
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  if (/(^|\.)cpu$/.test(name)) return 'cpu';
  if (/memory|storage|hugepages-/.test(name)) return 'bytes';
  return 'count';
}

/** The order pages list resources in: the form's fields first, in its order, then the rest by name. */
export function byResourceOrder(a: string, b: string): number {
  const rank = (k: string) => {
    const i = knownResources.findIndex((r) => r.key === k);
    return i < 0 ? knownResources.length : i;
  };
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function resourceLabel(t: TFunction, resource: string): string {
  const known = knownResources.find((r) => r.key === resource);
  if (known) return t(known.label);
  const sc = storageClassOf(resource);
  if (sc)
    return t(sc.what === 'count' ? 'quota.volumes' : 'quota.capacity', { storageClass: sc.storageClass });
  return resource;
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const trim = (n: number) =>
  Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1).replace(/\.?0+$/, '');

/** The binary unit in which `bytes` reads best. */
function unitOf(bytes: number): number {
  let i = 0;
  while (bytes >= 1024 ** (i + 1) && i < units.length - 1) i++;
  return i;
}

/**
 * Amounts of one resource, in one unit: `["2", "4"]` of requests.cpu → "2 / 4 cores", of requests.memory
 * `["10Gi", "30Gi"]` → "10 / 30 GiB". Unparseable amounts show as they are.
 */
export function formatAmounts(t: TFunction, resource: string, amounts: (string | undefined)[]): string {
  const values = amounts.map(quantityValue);
  if (values.some((v) => Number.isNaN(v))) return amounts.map((a) => a ?? '—').join(' / ');
  switch (measureOf(resource)) {
    case 'cpu':
      return `${amounts.map((a) => formatCpu(a)).join(' / ')} ${t('quota.cores')}`;
    case 'bytes': {
      const u = unitOf(Math.max(...values));
      return `${values.map((v) => trim(v / 1024 ** u)).join(' / ')} ${units[u]}`;
    }
    case 'count':
      return values.map(trim).join(' / ');
  }
}

/** A share of a total, 0-100, for progress bars. */
export function percentOf(part: string | undefined, whole: string | undefined): number {
  const p = quantityValue(part);
  const w = quantityValue(whole);
  if (!(w > 0) || Number.isNaN(p)) return 0;
  return Math.min(100, Math.round((p / w) * 100));
}
