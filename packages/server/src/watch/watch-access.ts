/**
 * Which watch keys a user may subscribe to: those of the lists they may read through the REST API, so that the
 * live channel tells nobody when a list they cannot see changes (who is being created, which cluster is busy).
 *
 * - `management/<plural>` of a platform kind: who may list the kind through a grant at a scope where objects of
 *   the kind live (the platform; a tenant for its partitions and groups, even before the first exists; never a
 *   tenant for users, who live at the platform only), or who sees at least one object of it in the REST list
 *   (role templates, for everyone).
 * - `management/credentials`: everyone; it says only that an API token was made or revoked, and each user
 *   lists their own tokens.
 * - `<cluster>/nodes|namespaces|events`: who may get the Cluster, as GET /api/v1/clusters/{c}/<resource> asks.
 *
 * Anything else (an unknown cluster, an unknown list) is refused, in the same words as a forbidden one.
 */
import { kindList, type KindName } from '@shipyard/api';
import type { Access } from '../authz/access.js';
import type { ScopeRef } from '../authz/authorizer.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { clusterResources } from '../clusters/cluster-resources.js';

export type WatchAccessDeps = { cache: PlatformCache; access: Access };

type Level = ScopeRef['level'];

const platformKinds = new Map(kindList.map((d) => [d.plural, d.kind as KindName]));

/** Whether `user` may hear about changes of the list `key` (`<cluster>/<plural>`, already well formed). */
export function mayWatch(deps: WatchAccessDeps, user: string, key: string): boolean {
  const slash = key.indexOf('/');
  const cluster = key.slice(0, slash);
  const plural = key.slice(slash + 1);
  if (cluster === deps.cache.m.cluster) {
    if (plural === 'credentials') return true;
    const kind = platformKinds.get(plural);
    if (kind) return mayListPlatformKind(deps, user, kind, plural);
  }
  if (!Object.hasOwn(clusterResources, plural)) return false;
  const obj = deps.cache.get('Cluster', cluster);
  return obj !== undefined && deps.access.can(user, 'get', 'clusters', 'Cluster', obj);
}

/** The scope levels an object of each kind can live at (authz/scopes.ts): where a grant can reach one. */
const levelsOf: Record<KindName, ReadonlySet<Level>> = {
  Cluster: new Set(['platform', 'cluster']),
  Tenant: new Set(['platform', 'tenant']),
  Partition: new Set(['platform', 'tenant', 'cluster', 'partition']),
  User: new Set(['platform']),
  Group: new Set(['platform', 'tenant']),
  RoleTemplate: new Set(['platform']),
  RoleTemplateBinding: new Set(['platform', 'tenant', 'cluster', 'partition']),
};

function mayListPlatformKind(deps: WatchAccessDeps, user: string, kind: KindName, plural: string): boolean {
  const { access, cache } = deps;
  const scopes = access
    .grants(user)
    .map((g) => g.scope)
    .filter((s) => levelsOf[kind].has(s.level));
  if (scopes.length > 0 && access.canAt(user, 'list', plural, scopes)) return true;
  return cache.list(kind).some((o) => access.can(user, 'list', plural, kind, o));
}
