import type { KindName, PlatformObject, RoleTemplate } from '@shipyard/api';
import type { PlatformCache } from '../cache/platform-cache.js';
import {
  allows,
  grantsFor,
  holdsAll,
  platformScope,
  type Grant,
  type Principal,
  type ScopeRef,
} from './authorizer.js';
import { scopesOf, type ScopeLookup } from './scopes.js';

export const group = 'shipyard.dev';
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

/**
 * Decisions for one server: who is in which group, what their bindings grant, and whether an action on
 * an object is allowed. Grants are derived from the cache and kept per user until authorization data changes.
 */
export class Access {
  private memo = new Map<string, { principal: Principal; grants: Grant[]; platform: Grant[] }>();
  private memoGeneration = -1;
  readonly lookup: ScopeLookup;

  constructor(private readonly cache: PlatformCache) {
    this.lookup = { partition: (name) => cache.get('Partition', name) };
  }

  private fresh(): void {
    if (this.memoGeneration !== this.cache.authGeneration) {
      this.memo.clear();
      this.memoGeneration = this.cache.authGeneration;
    }
  }

  /** The user with the groups whose members include them. */
  principal(user: string): Principal {
    return this.entry(user).principal;
  }

  grants(user: string): Grant[] {
    return this.entry(user).grants;
  }

  /** The tenants the user holds a grant in: on the tenant itself or on one of its partitions (sorted). */
  tenantsOf(user: string): string[] {
    const names = this.grants(user).flatMap((g) => {
      if (g.scope.level === 'tenant' && g.scope.name) return [g.scope.name];
      if (g.scope.level === 'partition' && g.scope.name) {
        const tenant = this.cache.get('Partition', g.scope.name)?.spec.tenant;
        return tenant ? [tenant] : [];
      }
      return [];
    });
    return [...new Set(names)].sort();
  }

  /** The grants with only their rules on platform objects (those naming shipyard.dev: `*` means the clusters' groups). */
  private platformGrants(user: string): Grant[] {
    return this.entry(user).platform;
  }

  private entry(user: string) {
    this.fresh();
    let e = this.memo.get(user);
    if (!e) {
      const groups = this.groupsOf(user);
      const principal = { user, groups };
      const templates = new Map<string, RoleTemplate>(
        this.cache.list('RoleTemplate').map((t) => [t.metadata.name, t]),
      );
      const grants = grantsFor(principal, this.cache.list('RoleTemplateBinding'), templates);
      const platform = grants.map((g) => ({
        ...g,
        rules: g.rules.filter((r) => r.apiGroups.includes(group)),
      }));
      e = { principal, grants, platform };
      this.memo.set(user, e);
    }
    return e;
  }

  /**
   * The groups whose members include `user`, and the Default Team (`allMembers`) of each tenant in one of
   * whose other groups they are. A grant to them alone, on a partition say, makes no one a member.
   */
  private groupsOf(user: string): string[] {
    const all = this.cache.list('Group');
    const listed = all.filter((g) => !g.spec.allMembers && g.spec.members.includes(user));
    const tenants = new Set(listed.map((g) => g.spec.tenant).filter((t) => t !== undefined));
    const everyone = all.filter((g) => g.spec.allMembers && g.spec.tenant && tenants.has(g.spec.tenant));
    return [...listed, ...everyone].map((g) => g.metadata.name);
  }

  scopes<N extends KindName>(kind: N, obj: PlatformObject<N>): ScopeRef[] {
    return scopesOf(kind, obj as PlatformObject<KindName>, this.lookup);
  }

  /** Whether `user` may do `verb` on `resource` (a plural of shipyard.dev) of this object. */
  can<N extends KindName>(
    user: string,
    verb: Verb | string,
    resource: string,
    kind: N,
    obj: PlatformObject<N>,
  ): boolean {
    if (kind === 'User' && obj.metadata.name === user && (verb === 'get' || verb === 'watch')) return true;
    if (kind === 'RoleTemplate' && (verb === 'get' || verb === 'list' || verb === 'watch')) return true;
    return allows(
      this.platformGrants(user),
      { verb, apiGroup: group, resource, name: obj.metadata.name },
      this.scopes(kind, obj),
    );
  }

  /** Whether `user` may do `verb` on `resource` at the platform level (e.g. the audit log, all users). */
  canAtPlatform(user: string, verb: string, resource: string): boolean {
    return this.canAt(user, verb, resource, [platformScope]);
  }

  /** Whether `user` may do `verb` on `resource` (of shipyard.dev) through a grant at any of `scopes`. */
  canAt(user: string, verb: string, resource: string, scopes: readonly ScopeRef[]): boolean {
    return allows(this.platformGrants(user), { verb, apiGroup: group, resource }, scopes);
  }

  /** The clusters on which `user` may do `verb` on `resource` through a cluster-level grant. */
  clustersWhere(user: string, verb: string, resource: string): Set<string> {
    const out = new Set<string>();
    for (const g of this.platformGrants(user)) {
      if (g.scope.level !== 'cluster') continue;
      if (allows([g], { verb, apiGroup: group, resource }, [g.scope])) out.add(g.scope.name);
    }
    return out;
  }

  /**
   * Whether `user` has any grant that reaches into `cluster`: at the platform, on the cluster, on a tenant
   * with quota there, or on a partition there. What they may do inside is then up to the cluster's RBAC.
   */
  reachesCluster(user: string, cluster: string): boolean {
    return this.grants(user).some((g) => {
      switch (g.scope.level) {
        case 'platform':
          return true;
        case 'cluster':
          return g.scope.name === cluster;
        case 'tenant':
          return !!this.cache.get('Tenant', g.scope.name)?.spec.clusters.some((c) => c.cluster === cluster);
        case 'partition':
          return this.cache.get('Partition', g.scope.name)?.spec.cluster === cluster;
      }
    });
  }

  /**
   * The namespaces of `cluster` that `user` reaches through a partition: those of the Partitions there that a
   * partition-level grant names, or whose tenant a tenant-level grant names. Cluster and platform grants are
   * not counted: they come with cluster-wide RBAC. Sorted, without repeats.
   */
  namespacesIn(user: string, cluster: string): string[] {
    const partitions = new Set<string>();
    const tenants = new Set<string>();
    for (const g of this.grants(user)) {
      if (g.scope.level === 'partition') partitions.add(g.scope.name);
      else if (g.scope.level === 'tenant') tenants.add(g.scope.name);
    }
    if (partitions.size === 0 && tenants.size === 0) return [];
    const out = new Set<string>();
    for (const p of this.cache.list('Partition')) {
      if (p.spec.cluster !== cluster) continue;
      if (partitions.has(p.metadata.name) || tenants.has(p.spec.tenant)) {
        out.add(p.spec.namespace ?? p.metadata.name);
      }
    }
    return [...out].sort();
  }

  /**
   * Whether `user` may bind `template` at these scopes: holding every rule of it there (platform objects by
   * rules naming shipyard.dev, as everywhere else), or `bind` on it through a platform-level grant. `bind`
   * held anywhere lower would let a tenant's or a partition's admin grant themselves what they do not hold
   * (their tenant's quota, say), so it counts only at the platform.
   */
  mayBind(user: string, template: RoleTemplate, scopes: ScopeRef[]): boolean {
    const bind = { verb: 'bind', apiGroup: group, resource: 'roletemplates', name: template.metadata.name };
    const onPlatform = this.platformGrants(user).filter((g) => g.scope.level === 'platform');
    if (allows(onPlatform, bind, [platformScope])) return true;
    return holdsAll({ grants: this.grants(user), scopes, wanted: template.spec.rules, platformGroup: group });
  }
}
