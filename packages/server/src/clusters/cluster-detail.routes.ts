import type { KubernetesObject } from '@kubernetes/client-node';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { callerOf } from '../auth/authenticate.js';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { QueryError, runQuery } from '../cache/query.js';
import { badRequest, forbidden, notFound } from '../http/errors.js';
import type { ClusterCache } from './cluster-cache.js';
import { clusterResourceList, type ClusterResourceDef } from './cluster-resources.js';

export type ClusterDetailDeps = { cache: PlatformCache; access: Access; clusterCache: ClusterCache };

const params = z.object({ name: z.string() });
const listQuery = z.object({
  filter: z.string().optional().describe('terms: path=value, path!=value, path~text, or text'),
  labelSelector: z.string().optional(),
  sort: z.string().optional().describe('paths, - for descending: -metadata.creationTimestamp'),
  page: z.coerce.number().int().optional(),
  pageSize: z.coerce.number().int().optional(),
});
const eventQuery = listQuery.extend({
  namespace: z.string().optional(),
  involvedObject: z.string().optional().describe('<kind>/<name>, e.g. Pod/web-0'),
});

type Query = z.infer<typeof eventQuery>;

/**
 * GET /api/v1/clusters/{name}/nodes|namespaces|events: a managed cluster's objects as Kubernetes has them,
 * listed like platform objects (filter, labelSelector, sort, page, pageSize → {items, total}) from the
 * cluster cache. Anyone who may get the Cluster (cluster-viewer and above) may list them.
 */
export function registerClusterDetailRoutes(app: FastifyInstance, deps: ClusterDetailDeps): void {
  for (const def of clusterResourceList) register(app, deps, def);
}

function register(app: FastifyInstance, deps: ClusterDetailDeps, def: ClusterResourceDef): void {
  const querystring = def.namespaced ? eventQuery : listQuery;
  app.get(
    `/api/v1/clusters/:name/${def.resource}`,
    { schema: { params, querystring, tags: ['clusters'] } },
    async (req) => {
      const caller = callerOf(req);
      const { name } = req.params as z.infer<typeof params>;
      const q = req.query as Query;
      const cluster = deps.cache.get('Cluster', name);
      if (!cluster) throw notFound(`cluster "${name}" not found`);
      // A refusal is recorded against the cluster it concerns.
      req.auditTarget ??= { verb: 'list', kind: def.kind, cluster: name };
      if (!deps.access.can(caller.user, 'get', 'clusters', 'Cluster', cluster)) {
        throw forbidden(`${caller.user} may not see cluster "${name}"`);
      }
      const involved = q.involvedObject === undefined ? undefined : involvedObject(q.involvedObject);
      const items = await deps.clusterCache.list(name, def.resource, { namespace: q.namespace || undefined });
      const matching = involved ? items.filter(involved) : items;
      try {
        return runQuery(matching, q);
      } catch (err) {
        if (err instanceof QueryError) throw badRequest(err.message, err.field);
        throw err;
      }
    },
  );
}

/** `<kind>/<name>` → a predicate on an event's involvedObject. */
function involvedObject(text: string): (e: KubernetesObject) => boolean {
  const m = /^([A-Za-z][\w.]*)\/([^/]+)$/.exec(text);
  if (!m) throw badRequest(`involvedObject must be <kind>/<name>, e.g. Pod/web-0`, 'involvedObject');
  const [, kind, name] = m;
  return (e) => {
    const o = (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
    return o?.kind === kind && o?.name === name;
  };
}
