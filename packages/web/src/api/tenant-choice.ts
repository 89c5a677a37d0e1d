/**
 * The tenant the console works in (the top bar's switcher; seed 000 "Tenant: QA-Only-Control"): the lists of
 * APPLICATION and Access Control are that tenant's. Remembered per user in localStorage.
 *
 * Which tenants one may choose comes from the session, so the sidebar knows at once without a request: a
 * platform user any tenant; anyone else the tenants they hold a grant in, on the tenant or on one of its
 * partitions (as a user or through a group).
 * A remembered tenant that is no longer among them is not chosen; the first of them is.
 */
import { useCallback, useSyncExternalStore } from 'react';
import { isPlatformUser } from './access';
import { useSession, type Session } from './session';

const listeners = new Set<() => void>();
const storageKey = (user: string) => `shipyard.tenant.${user}`;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('storage', listener); // another tab chose
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', listener);
  };
}

/** 'any' for a platform user; otherwise the tenants they hold a grant in (the session's `tenants`). */
export function tenantChoices(s: Session): 'any' | string[] {
  return isPlatformUser(s) ? 'any' : s.tenants;
}

export function rememberTenant(user: string, tenant: string | undefined): void {
  if (tenant) localStorage.setItem(storageKey(user), tenant);
  else localStorage.removeItem(storageKey(user));
  for (const l of listeners) l();
}

export function chosenTenant(s: Session, remembered: string | null): string | undefined {
  const choices = tenantChoices(s);
  if (choices === 'any') return remembered ?? undefined;
  return remembered && choices.includes(remembered) ? remembered : choices[0];
}

export type TenantChoice = {
  /** The chosen tenant; undefined when there is none to choose or a platform user has not chosen yet. */
  tenant: string | undefined;
  choices: 'any' | string[];
  choose: (tenant: string | undefined) => void;
};

/** The chosen tenant, for a signed-in user (inside RequireSession). */
export function useTenant(): TenantChoice {
  const session = useSession().data;
  const user = session?.user ?? '';
  const remembered = useSyncExternalStore(subscribe, () => localStorage.getItem(storageKey(user)));
  const choose = useCallback((tenant: string | undefined) => rememberTenant(user, tenant), [user]);
  if (!session) return { tenant: undefined, choices: [], choose };
  return { tenant: chosenTenant(session, remembered), choices: tenantChoices(session), choose };
}
