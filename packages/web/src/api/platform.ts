/**
 * The platform kinds as the console uses them: the types come from @shipyard/api (one source with the server;
 * type-only, so no schema code reaches the bundle), the query keys and paths from the kinds' plurals.
 */
import { useQuery } from '@tanstack/react-query';
import type {
  Cluster,
  Condition,
  Group,
  Partition,
  RoleTemplate,
  RoleTemplateBinding,
  Tenant,
  User,
} from '@shipyard/api';
import { api, enc } from './client';
import { objects } from './list';

export type { Cluster, Group, Partition, RoleTemplate, RoleTemplateBinding, Tenant, User };

/** An API token as lists show it: never its secret (POST /api/v1/tokens answers that once). */
export type TokenView = {
  id: string;
  name?: string;
  createdAt: string;
  expiresAt: string;
  /** When it was last used (recorded at most once a minute); absent when never. */
  lastUsedAt?: string;
};

export const sources = {
  clusters: objects('clusters'),
  tenants: objects('tenants'),
  partitions: objects('partitions'),
  groups: objects('groups'),
  users: objects('users'),
  roletemplates: objects('roletemplates'),
  roletemplatebindings: objects('roletemplatebindings'),
  /** API tokens are Secrets of the server: `management/credentials` changes when one is made or revoked. */
  tokens: { key: ['management', 'credentials', 'tokens'], path: '/api/v1/tokens' } as const,
};

type Plural = 'clusters' | 'tenants' | 'partitions' | 'groups' | 'users' | 'roletemplates';

/** One platform object; its key sits under its list's, so the list's watch key refetches it too. */
export function useObject<T>(plural: Plural, name: string | undefined) {
  return useQuery({
    queryKey: ['management', plural, 'get', name],
    queryFn: ({ signal }) => api.get<T>(`/api/v1/${plural}/${enc(name ?? '')}`, undefined, signal),
    enabled: !!name,
  });
}

export const useCluster = (name: string) => useObject<Cluster>('clusters', name);

/**
 * Up to 1,000 objects of a kind matching `filter`, by name: for choosers and small per-tenant lists (a
 * tenant's groups, a group's bindings). Pages of many rows use ResourceTable, which pages on the server.
 */
export function useAll<T>(plural: Plural | 'roletemplatebindings', filter?: string, enabled = true) {
  return useQuery({
    queryKey: ['management', plural, 'all', filter ?? ''],
    queryFn: ({ signal }) =>
      api.get<{ items: T[]; total: number }>(`/api/v1/${plural}`, { pageSize: 1000, filter }, signal),
    enabled,
  });
}

/** A cluster as choosers show it: its name, display name and whether it is Ready. */
export type ClusterChoice = { name: string; displayName?: string; ready: boolean };

/** Every cluster's name (for choosers): the first 1,000, by name. */
export function useClusterNames() {
  return useQuery({
    queryKey: ['management', 'clusters', 'names'],
    queryFn: async ({ signal }): Promise<ClusterChoice[]> => {
      const r = await api.get<{ items: Cluster[] }>('/api/v1/clusters', { pageSize: 1000 }, signal);
      return r.items.map((c) => ({
        name: c.metadata.name,
        displayName: c.spec.displayName,
        ready: readyCondition(c)?.status === 'True',
      }));
    },
  });
}

/**
 * The clusters the signed-in user reaches through the proxy (GET /api/v1/session/clusters): for a tenant user,
 * those of their tenants' quotas and partitions, which they may get a kubeconfig for but not list as Clusters.
 */
export function useReachableClusters() {
  return useQuery({
    queryKey: ['management', 'clusters', 'reachable'],
    queryFn: async ({ signal }) =>
      (await api.get<{ items: ClusterChoice[] }>('/api/v1/session/clusters', undefined, signal)).items,
  });
}

/**
 * The names of a cluster's storage classes (GET /api/v1/clusters/{c}/storageclasses), or undefined while
 * unknown (no cluster chosen, not answered, the cluster unreachable): then nothing is offered or flagged.
 */
export function useStorageClasses(cluster: string | undefined) {
  const q = useQuery({
    queryKey: ['cluster', cluster, 'storageclasses', 'names'],
    queryFn: async ({ signal }) => {
      const r = await api.get<{ items: { metadata: { name: string } }[] }>(
        `/api/v1/clusters/${enc(cluster ?? '')}/storageclasses`,
        { pageSize: 1000 },
        signal,
      );
      return r.items.map((x) => x.metadata.name).sort();
    },
    enabled: !!cluster,
    retry: false,
  });
  return q.data;
}

/** The cluster a chooser starts on: the first Ready one, else the first. */
export const defaultCluster = (choices: readonly ClusterChoice[]): string | undefined =>
  (choices.find((c) => c.ready) ?? choices[0])?.name;

/** The Ready condition of any platform object that reports conditions (clusters, partitions). */
export const readyCondition = (o: { status?: { conditions?: Condition[] } }) =>
  o.status?.conditions?.find((x) => x.type === 'Ready');
