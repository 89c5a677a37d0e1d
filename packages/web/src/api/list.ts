/**
 * Server-side lists: every list endpoint takes page, pageSize, sort and filter and answers {items, total}
 * (objects.routes.ts, cluster-detail.routes.ts). A source says where a list lives; its query key begins with
 * the cluster and the resource, which is also the key the watch channel names (`management/clusters`), so a
 * change the server reports invalidates exactly the lists it concerns.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, enc, type QueryParams } from './client';

export type ListSource = {
  /** [cluster, resource, …]: the query key prefix; `${cluster}/${resource}` is the watch key. */
  key: readonly [string, string, ...string[]];
  path: string;
  /** Refetch this often too, for lists the watch channel does not report yet (see the report's API gaps). */
  pollMs?: number;
};

export type ListParams = { page: number; pageSize: number; sort?: string; filter?: string } & QueryParams;
export type ListPage<T> = { items: T[]; total: number };

export const watchKeyOf = (source: ListSource) => `${source.key[0]}/${source.key[1]}`;

export function useList<T>(source: ListSource, params: ListParams, opts: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: [...source.key, 'list', params],
    queryFn: ({ signal }) => api.get<ListPage<T>>(source.path, params, signal),
    placeholderData: keepPreviousData,
    refetchInterval: source.pollMs,
    enabled: opts.enabled,
  });
}

/** Platform objects: /api/v1/<plural>, kept in the management cluster. */
export const objects = (plural: string): ListSource => ({
  key: ['management', plural],
  path: `/api/v1/${plural}`,
});

/** A managed cluster's own objects, from the server's cache of it. */
export const clusterResource = (
  cluster: string,
  resource: 'nodes' | 'namespaces' | 'events',
): ListSource => ({
  key: [cluster, resource],
  path: `/api/v1/clusters/${enc(cluster)}/${resource}`,
  // The watch channel reports platform objects only (cache/platform-cache.ts): poll cluster resources.
  pollMs: 15_000,
});
