import type { V1Secret } from '@kubernetes/client-node';
import type { KindName, PlatformObject } from '@shipyard/api';
import { credentialLabel } from '../auth/credentials.js';
import type { CredentialStore } from '../auth/credentials.js';
import type { ClusterCache } from '../clusters/cluster-cache.js';
import type { ClusterConnections } from '../clusters/connections.js';
import type { TunnelDirectory } from '../tunnel/dialer.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import type { PlatformObjects } from '../kube/management.js';
import type { ConditionInput } from '../runtime/conditions.js';
import type { ControllerHandle } from '../runtime/controller.js';
import { startPlatformController } from './platform-controller.js';
import type { Logger } from '../runtime/logger.js';
import { scopeKind } from '../authz/scopes.js';

export type ControllerDeps = {
  cache: PlatformCache;
  objects: PlatformObjects;
  credentials: CredentialStore;
  logger: Logger;
  /** The managed clusters' API servers, as the server's identity there. */
  connections: ClusterConnections;
  /** Whether each cluster's agent is connected (to any replica) and when it was last heard from. */
  tunnels: TunnelDirectory;
  /** The managed clusters' nodes, namespaces and events, held by informers. */
  clusterCache: ClusterCache;
};

/**
 * Users: Ready when they can sign in; a disabled user's sessions are revoked however it was disabled
 * (API or kubectl). Credentials of users that no longer exist are removed.
 */
export function startUserController(deps: ControllerDeps): ControllerHandle {
  const { cache, objects, credentials } = deps;
  return startPlatformController(deps, {
    name: 'users',
    informers: [
      { informer: cache.informer('User') },
      // A password Secret that appears after its User (they are written one after the other) re-checks it.
      { informer: cache.secrets, keys: (s) => passwordOwner(s) },
    ],
    reconcile: async (name) => {
      const user = cache.get('User', name);
      if (!user) {
        await credentials.revokeAll(name, ['session', 'token']);
        await credentials.deletePassword(name);
        return;
      }
      if (user.spec.disabled) {
        // Tokens too: re-enabling the user (by the API or kubectl) brings none of them back.
        await credentials.revokeAll(name, ['session', 'token']);
        return setReady(objects, 'User', user, {
          status: 'False',
          reason: 'Disabled',
          message: 'the user is disabled',
        });
      }
      if (user.spec.source === 'local' && !(await credentials.passwordHash(name))) {
        return setReady(objects, 'User', user, {
          status: 'False',
          reason: 'NoPassword',
          message: 'set spec.password so the user can sign in',
        });
      }
      return setReady(objects, 'User', user, { status: 'True', reason: 'Active' });
    },
  });
}

function passwordOwner(s: V1Secret): string[] {
  const user = s.metadata?.annotations?.['shipyard.dev/user'];
  return s.metadata?.labels?.[credentialLabel] === 'password' && user ? [user] : [];
}

/** Bindings: Ready when their template, subject and scope exist and fit; re-checked when any of those change. */
export function startBindingController(deps: ControllerDeps): ControllerHandle {
  const { cache, objects } = deps;
  const all = () => cache.list('RoleTemplateBinding').map((b) => b.metadata.name);
  return startPlatformController(deps, {
    name: 'roletemplatebindings',
    informers: [
      { informer: cache.informer('RoleTemplateBinding') },
      { informer: cache.informer('RoleTemplate'), keys: all },
      { informer: cache.informer('Group'), keys: all },
    ],
    reconcile: async (name) => {
      const b = cache.get('RoleTemplateBinding', name);
      if (!b) return;
      const { roleTemplate, scope, subject } = b.spec;
      const template = cache.get('RoleTemplate', roleTemplate);
      let problem: [string, string] | undefined;
      if (!template) problem = ['TemplateNotFound', `role template "${roleTemplate}" does not exist`];
      else if (template.spec.level !== scope.level)
        problem = [
          'LevelMismatch',
          `role template "${roleTemplate}" applies at ${template.spec.level} level`,
        ];
      else if (scope.level !== 'platform' && !(scope.name && cache.get(scopeKind[scope.level], scope.name)))
        problem = ['ScopeNotFound', `${scope.level} "${scope.name ?? ''}" does not exist`];
      else if (subject.kind === 'Group' && !cache.get('Group', subject.name))
        problem = ['SubjectNotFound', `group "${subject.name}" does not exist`];
      await setReady(
        objects,
        'RoleTemplateBinding',
        b,
        problem
          ? { status: 'False', reason: problem[0], message: problem[1] }
          : { status: 'True', reason: 'Bound' },
      );
    },
  });
}

/** Sets the object's Ready condition (for its generation) when it is not so already. */
function setReady<N extends KindName>(
  objects: PlatformObjects,
  kind: N,
  obj: PlatformObject<N>,
  cond: Omit<ConditionInput, 'type'>,
): Promise<void> {
  const ready = { type: 'Ready', observedGeneration: obj.metadata.generation, ...cond };
  return objects.setCondition(kind, obj.metadata.name, ready, { from: obj });
}
