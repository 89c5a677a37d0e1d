import type { FastifyInstance } from 'fastify';
import { stringify } from 'yaml';
import { z } from 'zod';
import { beginAudit } from '../audit/audit.hooks.js';
import type { AuditStore } from '../audit/audit.store.js';
import { callerOf } from '../http/context.js';
import type { CredentialStore } from '../auth/credentials.js';
import type { Access } from '../authz/access.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { forbidden, notFound } from '../http/errors.js';

export type KubeconfigDeps = {
  cache: PlatformCache;
  access: Access;
  credentials: CredentialStore;
  audit: AuditStore;
  /** The https base URL kubeconfigs point at, given the host name the caller used. */
  kubeconfigServer: (hostname: string) => string;
  /** PEM of the CA of that URL's certificate. */
  ca: string;
};

const params = z.object({ name: z.string() });
const query = z.object({
  expiresInSeconds: z.coerce
    .number()
    .int()
    .min(60)
    .max(366 * 24 * 3600)
    .optional(),
});

/**
 * GET /api/v1/session/clusters: the clusters the caller reaches through the proxy (those a kubeconfig is given
 * for), by name: every cluster for a platform grant, the granted one for a cluster grant, those of their tenants'
 * quotas and of their partitions otherwise. Tenant users, who list no Cluster, choose among these in the console.
 */
export function registerReachableClustersRoute(app: FastifyInstance, deps: KubeconfigDeps): void {
  app.get('/api/v1/session/clusters', { schema: { tags: ['clusters'] } }, async (req) => {
    const caller = callerOf(req);
    const items = deps.cache
      .list('Cluster')
      .filter((c) => deps.access.reachesCluster(caller.user, c.metadata.name))
      .map((c) => ({
        name: c.metadata.name,
        displayName: c.spec.displayName,
        ready: c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { items };
  });
}

/**
 * GET /api/v1/clusters/{name}/kubeconfig: a kubeconfig for the proxy, with a new API token of the caller's that
 * replaces the one of their previous download for that cluster.
 */
export function registerKubeconfigRoute(app: FastifyInstance, deps: KubeconfigDeps): void {
  registerReachableClustersRoute(app, deps);
  app.get(
    '/api/v1/clusters/:name/kubeconfig',
    { schema: { params, querystring: query, tags: ['clusters'] } },
    async (req, reply) => {
      const caller = callerOf(req);
      const { name } = req.params as z.infer<typeof params>;
      if (!deps.cache.get('Cluster', name)) throw notFound(`cluster "${name}" not found`);
      if (!deps.access.reachesCluster(caller.user, name))
        throw forbidden(`${caller.user} has no access to cluster "${name}"`);
      const ttl = (req.query as z.infer<typeof query>).expiresInSeconds ?? 30 * 24 * 3600;
      await beginAudit(req, deps.audit, {
        verb: 'create',
        kind: 'Token',
        name: `kubeconfig-${name}`,
        cluster: name,
      });
      // One kubeconfig token per user and cluster: a new download revokes the ones before it (and closes what
      // they hold open), so downloads do not pile up tokens that live for a month.
      const older = (await deps.credentials.listCurrent(caller.user, 'token')).filter(
        (c) => c.cluster === name,
      );
      const { token, credential } = await deps.credentials.issue({
        kind: 'token',
        user: caller.user,
        cluster: name,
        name: `kubeconfig-${name}`,
        ttlSeconds: ttl,
      });
      await Promise.all(
        older
          .filter((c) => c.id !== credential.id)
          .map((c) =>
            deps.credentials.revoke('token', c.id).catch((e: { status?: number }) => {
              if (e.status !== 404) throw e;
            }),
          ),
      );
      const context = `shipyard-${name}`;
      reply.type('application/yaml');
      reply.header('content-disposition', `attachment; filename="${context}.kubeconfig"`);
      return stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: context,
            cluster: {
              server: `${deps.kubeconfigServer(req.hostname).replace(/\/$/, '')}/k8s/clusters/${name}`,
              'certificate-authority-data': Buffer.from(deps.ca).toString('base64'),
            },
          },
        ],
        users: [{ name: `${caller.user}@shipyard`, user: { token } }],
        contexts: [{ name: context, context: { cluster: context, user: `${caller.user}@shipyard` } }],
        'current-context': context,
      });
    },
  );
}
