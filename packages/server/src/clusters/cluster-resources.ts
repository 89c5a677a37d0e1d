/**
 * The resources of a managed cluster that the server keeps in memory (see ClusterCache), as data: one row per
 * resource, read by the cache and by the detail routes. Plus the pure rules of what is kept of them.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export type ClusterResource = 'nodes' | 'namespaces' | 'events' | 'storageclasses';

export type ClusterResourceDef = {
  resource: ClusterResource;
  kind: string;
  /** Collection path over the whole cluster. */
  path: string;
  namespaced: boolean;
};

export const clusterResources: Record<ClusterResource, ClusterResourceDef> = {
  nodes: { resource: 'nodes', kind: 'Node', path: '/api/v1/nodes', namespaced: false },
  namespaces: { resource: 'namespaces', kind: 'Namespace', path: '/api/v1/namespaces', namespaced: false },
  // core/v1 Events: what `kubectl get events` shows (events.k8s.io/v1 is the same data in another shape).
  events: { resource: 'events', kind: 'Event', path: '/api/v1/events', namespaced: true },
  // What a tenant's storage quota may name (the console offers them, and flags a class the cluster lacks).
  storageclasses: {
    resource: 'storageclasses',
    kind: 'StorageClass',
    path: '/apis/storage.k8s.io/v1/storageclasses',
    namespaced: false,
  },
};

export const clusterResourceList = Object.values(clusterResources);

/**
 * Drops metadata.managedFields, in place: no list shows them (kubectl hides them too), and they are often the
 * largest part of an object (a third to a half of a Node). Objects are trimmed as they enter the store.
 */
export function trimObject(obj: KubernetesObject): void {
  if (obj.metadata?.managedFields !== undefined) delete obj.metadata.managedFields;
}

/**
 * The events kept per cluster: those of the last hour, and of those at most the newest 5,000. Both bounds hold:
 * the age bound is the apiserver's own default event TTL (so usually nothing extra is dropped), the count bound
 * keeps a busy cluster (crash-looping pods on a thousand nodes) from holding hundreds of thousands in memory.
 */
export type EventWindow = { maxAgeMs: number; maxCount: number };
export const defaultEventWindow: EventWindow = { maxAgeMs: 60 * 60_000, maxCount: 5_000 };

/** Informers hold objects as the apiserver sent them: timestamps are strings (client-node types them as Dates). */
function ms(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && v !== '') return Date.parse(v);
  return NaN;
}

type EventTimes = {
  metadata?: { creationTimestamp?: unknown };
  lastTimestamp?: unknown;
  firstTimestamp?: unknown;
  eventTime?: unknown;
  series?: { lastObservedTime?: unknown };
};

/**
 * When an event last happened (ms since the epoch): the latest of the times it reports, or, with none, when its
 * object was created; 0 if it carries no time at all.
 */
export function eventTime(e: KubernetesObject): number {
  const t = e as EventTimes;
  let latest = 0;
  for (const v of [t.series?.lastObservedTime, t.lastTimestamp, t.eventTime, t.firstTimestamp]) {
    const x = ms(v);
    if (Number.isFinite(x) && x > latest) latest = x;
  }
  if (latest > 0) return latest;
  const created = ms(t.metadata?.creationTimestamp);
  return Number.isFinite(created) ? created : 0;
}

/** The events inside the window at `now`: younger than maxAgeMs, and the newest maxCount of those. */
export function eventsInWindow<T extends KubernetesObject>(
  events: readonly T[],
  window: EventWindow,
  now: number,
): T[] {
  const from = now - window.maxAgeMs;
  const young = events.map((e) => ({ e, t: eventTime(e) })).filter((x) => x.t >= from);
  if (young.length > window.maxCount) {
    young.sort((a, b) => b.t - a.t);
    young.length = window.maxCount;
  }
  return young.map((x) => x.e);
}
