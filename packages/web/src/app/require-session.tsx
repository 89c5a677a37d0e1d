import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useSession, type Session } from '../api/session';
import { FullPageSpin, ShellError } from './route-states';

const SessionContext = createContext<Session | null>(null);

/** Shows its children to a signed-in user; sends anyone else to sign-in, and back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (session.isPending) return <FullPageSpin />;
  if (session.error) return <ShellError error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}

/** The signed-in user, inside RequireSession. */
export function useCurrentSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useCurrentSession outside RequireSession');
  return s;
}
