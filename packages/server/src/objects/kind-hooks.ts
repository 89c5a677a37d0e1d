import { group, type KindName, type PlatformObject, type RoleTemplate } from '@shipyard/api';
import type { Access } from '../authz/access.js';
import { checkPassword, hashPassword } from '../auth/passwords.js';
import type { CredentialStore } from '../auth/credentials.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import type { ClusterConnections } from '../clusters/connections.js';
import type { Caller } from '../http/context.js';
import { forbidden, invalid } from '../http/errors.js';
import { scopeKind } from '../authz/scopes.js';
import type { PlatformObjects } from '../kube/management.js';
import type { Logger } from '../runtime/logger.js';
import { partitionHooks } from '../tenancy/partition.hooks.js';
import { tenantHooks } from '../tenancy/tenant.hooks.js';
import { removeGroupGrants } from '../tenancy/tenant-teams.js';
import { mustExist } from './references.js';
import { removeUserReferences } from './user-references.js';

export type Op = 'create' | 'update';
export type HookDeps = {
  cache: PlatformCache;
  access: Access;
  credentials: CredentialStore;
  /** Reads and writes in the management cluster, where a hook needs what the cache may not have yet. */
  objects: PlatformObjects;
  /** The managed clusters, as the server's identity there (a partition's namespace is looked at). */
  connections: Pick<ClusterConnections, 'hasConnection' | 'request'>;
};
export type WriteContext<N extends KindName> = {
  op: Op;
  caller: Caller;
  obj: PlatformObject<N>;
  /** On an update: the object as just read from the management cluster. */
  old?: PlatformObject<N>;
  /** The body as sent, before the schema dropped fields it does not know (User's spec.password). */
  raw: unknown;
  log: Logger;
};
export type DeleteContext<N extends KindName> = {
  caller: Caller;
  obj: PlatformObject<N>;
  /** The caller asked for what depends on the object to be deleted with it (`?cascade=true`). */
  cascade: boolean;
  log: Logger;
};

/** What a prepared write does once the object is stored, or if storing it fails. */
export type Prepared = {
  /** After the write (store a password hash, revoke sessions, settle a reservation). */
  commit?(): Promise<void>;
  /** When the write fails after prepare succeeded: take back what prepare did (a quota reservation). */
  rollback?(): Promise<void>;
};

/** What a kind does beyond generic validation, authorization and storage. */
export type KindHooks<N extends KindName> = {
  /** Checks across objects (references exist, levels fit) and last authorization checks; throws ApiError. */
  validate?(ctx: WriteContext<N>, deps: HookDeps): void;
  /**
   * Slow or fallible preparation before the write (hashing a password, reserving quota), so a bad input
   * fails before the object changes; returns what to do once it is written, or if writing it fails.
   */
  prepare?(ctx: WriteContext<N>, deps: HookDeps): Promise<Prepared>;
  /**
   * After authorization and the audit record, before a delete: refuse it (dependents left), or delete the
   * dependents when the caller asked for cascade. May return the resourceVersion its decision rests on: the
   * object is then deleted only if it has not changed since (409 otherwise).
   */
  beforeDelete?(ctx: DeleteContext<N>, deps: HookDeps): Promise<{ resourceVersion?: string } | void>;
  afterDelete?(obj: PlatformObject<N>, deps: HookDeps): Promise<void>;
  /** Objects no one may change or delete through the API (built-in templates). */
  readOnly?(obj: PlatformObject<N>): string | undefined;
};

function rawPassword(raw: unknown): unknown {
  if (raw && typeof raw === 'object' && 'spec' in raw) {
    const spec = (raw as { spec?: unknown }).spec;
    if (spec && typeof spec === 'object' && 'password' in spec)
      return (spec as { password?: unknown }).password;
  }
  return undefined;
}

function refExists(deps: HookDeps, kind: KindName, name: string | undefined, field: string): void {
  if (name && !deps.cache.get(kind, name))
    throw invalid(`${kind.toLowerCase()} "${name}" does not exist`, field);
}

const users: KindHooks<'User'> = {
  async prepare({ op, obj, old, raw }, deps) {
    const password = rawPassword(raw);
    if (password === undefined && op === 'create' && obj.spec.source === 'local') {
      throw invalid('a local user needs spec.password', 'spec.password');
    }
    const hash = password === undefined ? undefined : await hashPassword(checkPassword(password));
    const name = obj.metadata.name;
    return {
      async commit() {
        if (hash) await deps.credentials.setPassword(name, hash);
        // Disabling, or changing the password of, a user revokes their sessions and API tokens: re-enabling
        // brings none back, and a new password locks out whoever had the old one (their open connections
        // close as the credentials go: auth/live-connections.ts).
        const disabled = obj.spec.disabled && !old?.spec.disabled;
        if (disabled || (hash && op === 'update'))
          await deps.credentials.revokeAll(name, ['session', 'token']);
      },
    };
  },
  async afterDelete(obj, deps) {
    await deps.credentials.revokeAll(obj.metadata.name, ['session', 'token']);
    await deps.credentials.deletePassword(obj.metadata.name);
    await removeUserReferences(deps, obj.metadata.name);
  },
};

const groups: KindHooks<'Group'> = {
  validate({ obj }, deps) {
    refExists(deps, 'Tenant', obj.spec.tenant, 'spec.tenant');
    if (obj.spec.allMembers && !obj.spec.tenant)
      throw invalid("a group of all members is a tenant's: it needs spec.tenant", 'spec.allMembers');
    if (obj.spec.allMembers && obj.spec.members.length > 0)
      throw invalid("a group of all the tenant's members lists none of its own", 'spec.members');
  },
  /** Members it gains must be users (after authorization: who may not change it learns no user names). */
  async prepare({ obj, old }, deps) {
    const known = new Set(old?.spec.members);
    for (const [i, m] of obj.spec.members.entries())
      if (!known.has(m)) await mustExist(deps, { kind: 'User', name: m, field: `spec.members[${i}]` });
    return {};
  },
  afterDelete: (obj, deps) => removeGroupGrants(deps, obj.metadata.name),
};

const bindings: KindHooks<'RoleTemplateBinding'> = {
  validate({ obj, caller }, deps) {
    const { roleTemplate, scope, subject } = obj.spec;
    const template: RoleTemplate | undefined = deps.cache.get('RoleTemplate', roleTemplate);
    if (!template) throw invalid(`role template "${roleTemplate}" does not exist`, 'spec.roleTemplate');
    if (template.spec.level !== scope.level) {
      throw invalid(
        `role template "${roleTemplate}" applies at ${template.spec.level} level, not ${scope.level}`,
        'spec.scope.level',
      );
    }
    if (scope.level !== 'platform') {
      if (!scope.name) throw invalid(`a ${scope.level} scope needs a name`, 'spec.scope.name');
      refExists(deps, scopeKind[scope.level], scope.name, 'spec.scope.name');
    }
    if (subject.kind === 'Group') refExists(deps, 'Group', subject.name, 'spec.subject.name');
    if (!deps.access.mayBind(caller.user, template, deps.access.scopes('RoleTemplateBinding', obj))) {
      throw forbidden(`you may not grant "${roleTemplate}": you do not hold all of its permissions there`);
    }
  },
  /** A user it names must exist (checked after authorization, as for group members). */
  async prepare({ obj, old }, deps) {
    const { subject } = obj.spec;
    const same = old?.spec.subject.kind === subject.kind && old.spec.subject.name === subject.name;
    if (subject.kind === 'User' && !same)
      await mustExist(deps, { kind: 'User', name: subject.name, field: 'spec.subject.name' });
    return {};
  },
};

const templates: KindHooks<'RoleTemplate'> = {
  readOnly: (obj) => (obj.spec.builtin ? `role template "${obj.metadata.name}" is built in` : undefined),
  validate({ obj }) {
    if (obj.spec.builtin !== undefined)
      throw invalid('only the platform makes built-in templates: leave spec.builtin out', 'spec.builtin');
    // `bind` counts only at the platform (Access.mayBind): below it, it would only mislead.
    if (obj.spec.level === 'platform') return;
    for (const [i, r] of obj.spec.rules.entries()) {
      if (r.apiGroups.includes(group) && r.verbs.some((v) => v === 'bind' || v === 'escalate'))
        throw invalid(`bind and escalate apply at the platform level only`, `spec.rules[${i}].verbs`);
    }
  },
};

export const kindHooks: { [N in KindName]?: KindHooks<N> } = {
  User: users,
  Group: groups,
  Tenant: tenantHooks,
  Partition: partitionHooks,
  RoleTemplateBinding: bindings,
  RoleTemplate: templates,
};
