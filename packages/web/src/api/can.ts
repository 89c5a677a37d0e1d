/**
 * What the signed-in user may do, as the server decides it (POST /api/v1/session/can): the console offers an
 * action only to those it will work for (the server still decides the request). The checks of one component
 * go in one request; answers are kept 30 s, asked again when the window regains focus, and dropped with the
 * session on sign-out.
 */
import { useQuery } from '@tanstack/react-query';
import { api } from './client';
import type { Grant } from './session';

export type Check = { verb: string; resource: string; scope?: Grant['scope'] };

export const canKey = ['can'] as const;

/** Whether each check is allowed, and whether the server has answered (until then all are false). */
export function useCanAll(checks: Check[]): { allowed: boolean[]; ready: boolean } {
  const q = useQuery({
    queryKey: [...canKey, checks],
    queryFn: () => api.post<{ allowed: boolean[] }>('/api/v1/session/can', { checks }),
    enabled: checks.length > 0,
    staleTime: 30_000,
  });
  return {
    allowed: checks.map((_, i) => q.data?.allowed[i] ?? false),
    ready: checks.length === 0 || q.data !== undefined || q.isError,
  };
}

/** Whether each check is allowed; all false until the server answers (an action appears, never vanishes). */
export function useCan(checks: Check[]): boolean[] {
  return useCanAll(checks).allowed;
}

/** One check: `useCanDo('create', 'partitions', { level: 'tenant', name })`. */
export function useCanDo(verb: string, resource: string, scope?: Grant['scope']): boolean {
  return useCan([{ verb, resource, scope }])[0] ?? false;
}

export type Writes = { create: boolean; update: boolean; delete: boolean };

/** Whether the user may create, update and delete `resource` at a scope (none: all false, nothing asked). */
export function useWrites(resource: string, scope: Grant['scope'] | undefined): Writes {
  const verbs = ['create', 'update', 'delete'];
  const [create = false, update = false, del = false] = useCan(
    scope ? verbs.map((verb) => ({ verb, resource, scope })) : [],
  );
  return { create, update, delete: del };
}

/** The scope of a tenant, when there is one. */
export const tenantScope = (tenant: string | undefined): Grant['scope'] | undefined =>
  tenant ? { level: 'tenant', name: tenant } : undefined;
