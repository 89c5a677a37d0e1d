/**
 * What the menus depend on besides the session: the tenant chosen in the top bar, and what the server says
 * the user may read at the platform (POST /api/v1/session/can), so a menu entry shows exactly when its page
 * will answer. Cluster administrators read their clusters' audit records: one check per cluster granted.
 */
import { useCanAll, type Check } from '../api/can';
import { useTenant } from '../api/tenant-choice';
import { useCurrentSession } from './require-session';

export type NavContext = {
  tenant: string | undefined;
  may: { tenants: boolean; audit: boolean };
  /** The server has answered the checks. */
  ready: boolean;
};

export function useNavContext(): NavContext {
  const session = useCurrentSession();
  const { tenant } = useTenant();
  const clusters = [
    ...new Set(
      session.grants.flatMap((g) => (g.scope.level === 'cluster' && g.scope.name ? [g.scope.name] : [])),
    ),
  ].sort();
  const checks: Check[] = [
    { verb: 'list', resource: 'tenants', scope: { level: 'platform' } },
    { verb: 'list', resource: 'auditevents', scope: { level: 'platform' } },
    ...clusters.map((name): Check => ({
      verb: 'list',
      resource: 'auditevents',
      scope: { level: 'cluster', name },
    })),
  ];
  const { allowed, ready } = useCanAll(checks);
  return { tenant, may: { tenants: allowed[0] ?? false, audit: allowed.slice(1).some(Boolean) }, ready };
}
