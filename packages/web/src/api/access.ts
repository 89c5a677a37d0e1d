/**
 * What the console offers a user, from the grants in their session. The server decides every request; this
 * only keeps menus to what can work for the user (a page reached anyway shows the server's 403).
 */
import type { Grant, Session } from './session';

const at = (s: Session, level: Grant['scope']['level']) => s.grants.some((g) => g.scope.level === level);

/** A platform-level grant: the system administrator's view (RESOURCE, MANAGEMENT). */
export const isPlatformUser = (s: Session) => at(s, 'platform');
export const seesClusters = (s: Session) => at(s, 'platform') || at(s, 'cluster');
