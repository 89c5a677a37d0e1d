import type { Level, PolicyRule, RoleTemplate, RoleTemplateBinding } from '@shipyard/api';

/** Where an object lives: the platform, a cluster, a tenant or a partition. */
export type ScopeRef = { level: 'platform' } | { level: Exclude<Level, 'platform'>; name: string };
export type Principal = { user: string; groups: string[] };
export type Grant = { scope: ScopeRef; template: string; rules: PolicyRule[] };
export type Action = { verb: string; apiGroup: string; resource: string; name?: string };

export const platformScope: ScopeRef = { level: 'platform' };

export function scopeKey(s: ScopeRef): string {
  return s.level === 'platform' ? 'platform' : `${s.level}/${s.name}`;
}

function matches(values: readonly string[], value: string): boolean {
  return values.includes('*') || values.includes(value);
}

/** Kubernetes RBAC semantics for one rule ('*' matches anything; resourceNames narrow to named objects). */
export function ruleAllows(rule: PolicyRule, a: Action): boolean {
  if (
    !matches(rule.verbs, a.verb) ||
    !matches(rule.apiGroups, a.apiGroup) ||
    !matches(rule.resources, a.resource)
  ) {
    return false;
  }
  if (rule.resourceNames && rule.resourceNames.length > 0)
    return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

/** The principal's grants: each binding to the user or one of their groups, whose template fits its scope. */
export function grantsFor(
  principal: Principal,
  bindings: readonly RoleTemplateBinding[],
  templates: ReadonlyMap<string, RoleTemplate>,
): Grant[] {
  const groups = new Set(principal.groups);
  const grants: Grant[] = [];
  for (const b of bindings) {
    const { subject, scope } = b.spec;
    const mine = subject.kind === 'User' ? subject.name === principal.user : groups.has(subject.name);
    const template = templates.get(b.spec.roleTemplate);
    if (!mine || !template || template.spec.level !== scope.level) continue;
    if (scope.level !== 'platform' && !scope.name) continue;
    const ref: ScopeRef =
      scope.level === 'platform' ? platformScope : { level: scope.level, name: scope.name ?? '' };
    grants.push({ scope: ref, template: template.metadata.name, rules: template.spec.rules });
  }
  return grants;
}

/** Whether any grant at one of the object's scopes allows the action. */
export function allows(grants: readonly Grant[], action: Action, scopes: readonly ScopeRef[]): boolean {
  const keys = new Set(scopes.map(scopeKey));
  return grants.some((g) => keys.has(scopeKey(g.scope)) && g.rules.some((r) => ruleAllows(r, action)));
}

/** The rules a principal holds at exactly these scopes (for escalation checks). */
export function rulesAt(grants: readonly Grant[], scopes: readonly ScopeRef[]): PolicyRule[] {
  const keys = new Set(scopes.map(scopeKey));
  return grants.filter((g) => keys.has(scopeKey(g.scope))).flatMap((g) => g.rules);
}

/**
 * Whether `held` covers every permission of `wanted`: a template may be bound only by someone who holds
 * all of it (or may `bind` templates at the platform level), as Kubernetes RBAC prevents escalation.
 * Plain Kubernetes semantics: a held `*` group covers every group.
 */
export function covers(held: readonly PolicyRule[], wanted: readonly PolicyRule[]): boolean {
  return coversEach(wanted, () => held);
}

function coversEach(
  wanted: readonly PolicyRule[],
  heldFor: (apiGroup: string) => readonly PolicyRule[],
): boolean {
  return wanted.every((rule) =>
    rule.apiGroups.every((apiGroup) => {
      const held = heldFor(apiGroup);
      return rule.resources.every((resource) =>
        rule.verbs.every((verb) => {
          const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
          return names.every((name) => held.some((h) => ruleAllows(h, { verb, apiGroup, resource, name })));
        }),
      );
    }),
  );
}

/**
 * Whether the grants hold, at these scopes, every permission of a template's rules, as the platform reads
 * rules: a permission on platform objects (group `platformGroup`) is held only by a rule naming that group,
 * since a `*` group in a template means the clusters' Kubernetes groups; any other group (`*` included) is
 * held by a rule naming it or `*`.
 */
export function holdsAll(opts: {
  grants: readonly Grant[];
  scopes: readonly ScopeRef[];
  wanted: readonly PolicyRule[];
  platformGroup: string;
}): boolean {
  const held = rulesAt(opts.grants, opts.scopes);
  const onPlatform = held.filter((r) => r.apiGroups.includes(opts.platformGroup));
  return coversEach(opts.wanted, (apiGroup) => (apiGroup === opts.platformGroup ? onPlatform : held));
}
