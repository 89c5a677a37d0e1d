import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../http/context.js';
import type { Access } from '../authz/access.js';
import { badRequest, forbidden, unavailable } from '../http/errors.js';
import type { AuditStore } from './audit.store.js';
import { AuditError, AuditQueryError } from './errors.js';

const querystring = z.object({
  user: z.string().optional(),
  kind: z.string().optional(),
  verb: z.string().optional(),
  cluster: z.string().optional(),
  outcome: z.string().optional(),
  since: z.string().optional().describe('ISO time, inclusive'),
  until: z.string().optional().describe('ISO time, exclusive'),
  page: z.string().optional(),
  pageSize: z.string().optional(),
});

/** GET /api/v1/audit: platform auditors see everything, cluster administrators their clusters' records. */
export function registerAuditRoutes(app: FastifyInstance, deps: { store: AuditStore; access: Access }): void {
  app.get('/api/v1/audit', { schema: { querystring, tags: ['audit'] } }, async (req) => {
    const caller = callerOf(req);
    const q = req.query as z.infer<typeof querystring>;
    if (!deps.access.canAtPlatform(caller.user, 'list', 'auditevents')) {
      const clusters = deps.access.clustersWhere(caller.user, 'list', 'auditevents');
      if (!q.cluster || !clusters.has(q.cluster)) {
        throw forbidden(
          clusters.size
            ? `you may read the audit log of clusters ${[...clusters].join(', ')}: add cluster=<name>`
            : 'you may not read the audit log',
        );
      }
    }
    try {
      const page = await deps.store.query(q);
      return { items: page.items, total: page.total };
    } catch (err) {
      if (err instanceof AuditQueryError) throw badRequest(err.message, err.field);
      if (err instanceof AuditError) {
        req.log.error({ err }, 'audit log unavailable');
        throw unavailable('the audit log cannot be read right now');
      }
      throw err;
    }
  });
}
