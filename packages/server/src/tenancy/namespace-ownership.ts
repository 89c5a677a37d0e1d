/**
 * Which namespaces a partition may own, and whether it owns one: Kubernetes' own (`kube-*`, `default`) and the
 * platform's (`shipyard-system`, the server's namespace) are never a partition's; any other namespace is the
 * partition's when it carries the partition's ownership labels (partition-objects.ts), which Shipyard puts on
 * the namespaces it makes for a partition, and on one a system admin adopts (spec.adopt). Admission refuses
 * the rest (partition.hooks.ts), and every controller that writes into a namespace asks here first, so that a
 * hole in admission alone never lets a partition's objects or RoleBindings into someone else's namespace.
 */
import { labels, managedBy } from './partition-objects.js';

/** The platform's namespace in every cluster: the agent and its credential live there. */
export const platformNamespace = 'shipyard-system';

/** Why no partition may have this namespace, or undefined when one may. */
export function reservedNamespace(name: string, serverNamespace: string): string | undefined {
  if (name.startsWith('kube-')) return `namespace ${name} belongs to Kubernetes itself`;
  if (name === 'default') return 'namespace default belongs to Kubernetes itself';
  if (name === platformNamespace || name === serverNamespace)
    return `namespace ${name} belongs to the platform`;
  return undefined;
}

export type NamespaceLike = {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string }[];
  };
};

/** The partition a namespace is labelled for (ours, and named for it); undefined for a reserved namespace. */
export function labelledOwner(ns: NamespaceLike, serverNamespace: string): string | undefined {
  const name = ns.metadata?.name ?? '';
  const l = ns.metadata?.labels ?? {};
  if (reservedNamespace(name, serverNamespace) || l[labels.managedBy] !== managedBy) return undefined;
  return l[labels.partition] || undefined;
}

/**
 * Whether `partition` may write into (or remove) this namespace: never a reserved one; one labelled for it;
 * one labelled for no partition when a system admin adopts it (`adopt`), or whose labels were taken off by
 * hand although our field manager made it (they are put back). A namespace of another partition, or one
 * someone else made, is left alone.
 */
export function ownsNamespace(opts: {
  ns: NamespaceLike;
  partition: string;
  serverNamespace: string;
  adopt?: boolean;
}): boolean {
  const { ns, partition, serverNamespace } = opts;
  if (reservedNamespace(ns.metadata?.name ?? '', serverNamespace)) return false;
  const l = ns.metadata?.labels ?? {};
  if (l[labels.partition] !== undefined) return l[labels.partition] === partition;
  if (opts.adopt) return true;
  return (
    l[labels.managedBy] === undefined &&
    (ns.metadata?.managedFields ?? []).some((f) => f.manager === managedBy && f.operation === 'Apply')
  );
}
