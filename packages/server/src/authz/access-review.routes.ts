import { level as levelSchema, type KindName } from '@shipyard/api';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../auth/authenticate.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import type { Access } from './access.js';
import { platformScope, type ScopeRef } from './authorizer.js';
import { scopeKind } from './scopes.js';

const body = z.object({
  checks: z
    .array(
      z.object({
        verb: z.string().min(1).max(64),
        resource: z.string().min(1).max(128),
        scope: z.object({ level: levelSchema, name: z.string().max(253).optional() }).optional(),
      }),
    )
    .min(1)
    .max(100),
});
type Check = z.infer<typeof body>['checks'][number];

/**
 * POST /api/v1/session/can: what the caller may do on platform objects, as the server will decide it —
 * {"checks": [{"verb": "create", "resource": "partitions", "scope": {"level": "tenant", "name": "qa"}}]} →
 * {"allowed": [true]}. A scope takes in the scopes around it (a tenant's grant covers its partitions); one
 * that does not exist allows nothing but the platform's own grants. The console shows only what works.
 */
export function registerAccessReviewRoutes(
  app: FastifyInstance,
  deps: { cache: PlatformCache; access: Access },
): void {
  const scopesOf = (scope: Check['scope']): readonly ScopeRef[] => {
    if (!scope || scope.level === 'platform') return [platformScope];
    const kind: KindName = scopeKind[scope.level];
    const obj = scope.name ? deps.cache.get(kind, scope.name) : undefined;
    return obj ? deps.access.scopes(kind, obj) : [platformScope];
  };
  app.post('/api/v1/session/can', { schema: { body, tags: ['auth'] } }, async (req) => {
    const { user } = callerOf(req);
    const { checks } = req.body as z.infer<typeof body>;
    return { allowed: checks.map((c) => deps.access.canAt(user, c.verb, c.resource, scopesOf(c.scope))) };
  });
}
