import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError, isUnauthorized } from './errors';
import { sessionKey } from './session';

/**
 * Queries retry only what may pass on a second try (no answer, 5xx other than 503); a 401 anywhere means the
 * session ended, so the session is fetched again and the console goes back to sign-in.
 */
export function createQueryClient(): QueryClient {
  const qc: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (isUnauthorized(err) && query.queryKey[0] !== sessionKey[0]) {
          void qc.invalidateQueries({ queryKey: sessionKey });
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: (count, err) =>
          count < 2 &&
          err instanceof ApiError &&
          (err.status === 0 || (err.status >= 500 && err.status !== 503)),
      },
    },
  });
  return qc;
}
