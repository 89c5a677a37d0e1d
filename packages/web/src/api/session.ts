/** Who is signed in (GET /api/v1/session), signing in and out. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './client';
import { isUnauthorized } from './errors';

export type Grant = {
  template: string;
  scope: { level: 'platform' | 'cluster' | 'tenant' | 'partition'; name?: string };
};

export type Session = {
  user: string;
  displayName?: string;
  groups: string[];
  csrfToken: string;
  expiresAt: string;
  grants: Grant[];
  /** The tenants the user holds a grant in (on the tenant or one of its partitions), sorted. */
  tenants: string[];
};

export const sessionKey = ['session'] as const;

/** The session, or null when nobody is signed in (401). */
async function fetchSession(signal: AbortSignal): Promise<Session | null> {
  try {
    const s = await api.get<Session>('/api/v1/session', undefined, signal);
    setCsrfToken(s.csrfToken);
    return s;
  } catch (err) {
    if (isUnauthorized(err)) {
      setCsrfToken(undefined);
      return null;
    }
    throw err;
  }
}

export const sessionQuery = queryOptions({
  queryKey: sessionKey,
  queryFn: ({ signal }) => fetchSession(signal),
  staleTime: 60_000,
});

export function useSession() {
  return useQuery(sessionQuery);
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (creds: { username: string; password: string }) => {
      const r = await api.post<{ csrfToken: string }>('/api/v1/login', creds);
      setCsrfToken(r.csrfToken);
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: sessionKey }),
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.post('/api/v1/logout'),
    onSettled: () => {
      setCsrfToken(undefined);
      qc.clear();
      qc.setQueryData(sessionKey, null);
    },
  });
}
