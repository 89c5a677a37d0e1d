/**
 * The platform kinds as the console uses them: the types come from @shipyard/api (one source with the server;
 * type-only, so no schema code reaches the bundle), the query keys and paths from the kinds' plurals.
 */
import { useQuery } from '@tanstack/react-query';
import type { Cluster, Tenant } from '@shipyard/api';
import { api, enc } from './client';
import { objects } from './list';

export type { Cluster, Tenant };

/** An API token as lists show it: never its secret (POST /api/v1/tokens answers that once). */
export type TokenView = { id: string; name?: string; createdAt: string; expiresAt: string };

export const sources = {
  clusters: objects('clusters'),
  tenants: objects('tenants'),
  /** API tokens are Secrets of the server: `management/credentials` changes when one is made or revoked. */
  tokens: { key: ['management', 'credentials', 'tokens'], path: '/api/v1/tokens' } as const,
};

export function useCluster(name: string) {
  return useQuery({
    queryKey: ['management', 'clusters', 'get', name],
    queryFn: ({ signal }) => api.get<Cluster>(`/api/v1/clusters/${enc(name)}`, undefined, signal),
  });
}

/** Every cluster's name (for choosers): the first 1,000, by name. */
export function useClusterNames() {
  return useQuery({
    queryKey: ['management', 'clusters', 'names'],
    queryFn: async ({ signal }) => {
      const r = await api.get<{ items: Cluster[] }>('/api/v1/clusters', { pageSize: 1000 }, signal);
      return r.items.map((c) => ({ name: c.metadata.name, displayName: c.spec.displayName }));
    },
  });
}

export const readyCondition = (c: Cluster) => c.status?.conditions?.find((x) => x.type === 'Ready');
