import type { KindName, Partition, PlatformObject } from '@shipyard/api';
import { platformScope, type ScopeRef } from './authorizer.js';

export type ScopeLookup = { partition(name: string): Partition | undefined };

type AnyObject = PlatformObject<KindName>;
type ScopesOf = (obj: AnyObject, lookup: ScopeLookup) => ScopeRef[];

function partitionScopes(name: string, tenant: string | undefined, cluster: string | undefined): ScopeRef[] {
  const scopes: ScopeRef[] = [platformScope, { level: 'partition', name }];
  if (tenant) scopes.push({ level: 'tenant', name: tenant });
  if (cluster) scopes.push({ level: 'cluster', name: cluster });
  return scopes;
}

/** For each kind, the scopes one of its objects lives in: a grant at any of them applies to it. */
const scopesByKind: Record<KindName, ScopesOf> = {
  Cluster: (o) => [platformScope, { level: 'cluster', name: o.metadata.name }],
  Tenant: (o) => [platformScope, { level: 'tenant', name: o.metadata.name }],
  Partition: (o) => {
    const p = o as Partition;
    return partitionScopes(p.metadata.name, p.spec.tenant, p.spec.cluster);
  },
  User: () => [platformScope],
  Group: (o) => {
    const tenant = (o as PlatformObject<'Group'>).spec.tenant;
    return tenant ? [platformScope, { level: 'tenant', name: tenant }] : [platformScope];
  },
  RoleTemplate: () => [platformScope],
  RoleTemplateBinding: (o, lookup) => {
    const scope = (o as PlatformObject<'RoleTemplateBinding'>).spec.scope;
    if (scope.level === 'platform' || !scope.name) return [platformScope];
    if (scope.level === 'partition') {
      const p = lookup.partition(scope.name);
      return partitionScopes(scope.name, p?.spec.tenant, p?.spec.cluster);
    }
    return [platformScope, { level: scope.level, name: scope.name }];
  },
};

export function scopesOf(kind: KindName, obj: AnyObject, lookup: ScopeLookup): ScopeRef[] {
  return scopesByKind[kind](obj, lookup);
}

/** The kind an object of a non-platform scope level is. */
export const scopeKind = { cluster: 'Cluster', tenant: 'Tenant', partition: 'Partition' } as const;
