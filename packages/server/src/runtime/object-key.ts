import type { KubernetesObject } from '@kubernetes/client-node';

/** `namespace/name`, or `name` for a cluster-scoped object: the key of the store and of work queues. */
export function objectKey(obj: KubernetesObject): string {
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: undefined, name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** A short resource name for logs and metrics: `configmaps`, `tenants.shipyard.dev` (namespaces left out). */
export function resourceOfPath(path: string): string {
  const parts = path.split('?')[0]?.split('/').filter(Boolean) ?? [];
  const plural = parts[parts.length - 1] ?? path;
  return parts[0] === 'apis' && parts[1] !== undefined ? `${plural}.${parts[1]}` : plural;
}
