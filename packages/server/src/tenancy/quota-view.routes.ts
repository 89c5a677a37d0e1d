import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../http/context.js';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { forbidden, notFound } from '../http/errors.js';
import { quotaView } from './quota-view.js';

const params = z.object({ name: z.string() });

/**
 * GET /api/v1/tenants/{name}/quota: the tenant's quota per cluster and resource (total, allocated, remaining,
 * used) and each partition's share and use, for whoever may get the tenant (404 and 403 as its GET).
 */
export function registerQuotaViewRoutes(
  app: FastifyInstance,
  deps: { cache: PlatformCache; access: Access },
): void {
  app.get('/api/v1/tenants/:name/quota', { schema: { params, tags: ['tenants'] } }, async (req) => {
    const caller = callerOf(req);
    const { name } = req.params as z.infer<typeof params>;
    const tenant = deps.cache.get('Tenant', name);
    if (!tenant) throw notFound(`tenant "${name}" not found`);
    if (!deps.access.can(caller.user, 'get', 'tenants', 'Tenant', tenant))
      throw forbidden(`${caller.user} may not get tenant "${name}"`);
    return quotaView(tenant, deps.cache.list('Partition'));
  });
}
