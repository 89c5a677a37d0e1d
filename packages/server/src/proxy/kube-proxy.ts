import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { beginAudit, verbOf } from '../audit/audit.hooks.js';
import type { AuditStore } from '../audit/audit.store.js';
import { callerOf } from '../auth/authenticate.js';
import type { Access } from '../authz/access.js';
import type { ClusterConnections } from '../clusters/connections.js';
import { forbidden, unavailable } from '../http/errors.js';
import { parseKubePath } from './kube-path.js';

export type KubeProxyDeps = { connections: ClusterConnections; access: Access; audit: AuditStore };

/** Prefix of the Kubernetes groups a platform group is impersonated as (its names are DNS labels). */
export const groupPrefix = 'shipyard:';
const connectTimeoutMs = 5000;
const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'authorization',
  'cookie',
  'x-csrf-token',
  'content-length',
]);

/** The client's headers minus credentials, hop-by-hop fields and any Impersonate-* it tried to send. */
export function forwardHeaders(
  headers: IncomingHttpHeaders,
  user: string,
  groups: string[],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || hopByHop.has(k) || k.startsWith('impersonate-')) continue;
    out[k] = v;
  }
  out['impersonate-user'] = user;
  out['impersonate-group'] = [...groups.map((g) => groupPrefix + g), 'system:authenticated'];
  return out;
}

/**
 * /k8s/clusters/{cluster}/…: any Kubernetes API request, streamed to the cluster as the caller
 * (Impersonate-User/Group), so the cluster's RBAC decides. Mutations are audited.
 */
export function registerKubeProxy(app: FastifyInstance, deps: KubeProxyDeps): void {
  void app.register(async (scope) => {
    // Bodies pass through untouched, whatever their type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    scope.all('/k8s/clusters/:cluster/*', { schema: { hide: true } }, async (req, reply) => {
      const caller = callerOf(req);
      const { cluster } = req.params as { cluster: string };
      if (!deps.access.reachesCluster(caller.user, cluster)) {
        throw forbidden(`${caller.user} has no access to cluster "${cluster}"`);
      }
      const endpoint = await deps.connections.endpoint(cluster);
      const path = req.url.slice(`/k8s/clusters/${encodeURIComponent(cluster)}`.length) || '/';
      if (mutating.has(req.method)) {
        const t = parseKubePath(path);
        await beginAudit(req, deps.audit, {
          verb: verbOf(req.method),
          kind: t.subresource ? `${t.resource}/${t.subresource}` : t.resource,
          name: t.name,
          namespace: t.namespace,
          cluster,
        });
      }
      const upstream = https.request({
        ...endpoint.options,
        protocol: 'https:',
        hostname: endpoint.server.hostname,
        port: endpoint.server.port || 443,
        method: req.method,
        path: endpoint.server.pathname.replace(/\/$/, '') + path,
        headers: forwardHeaders(req.headers, caller.user, caller.groups),
        timeout: connectTimeoutMs,
      });
      const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        upstream.once('response', resolve);
        upstream.once('timeout', () => upstream.destroy(new Error('timed out connecting')));
        upstream.once('error', reject);
        const body = req.body as Readable | undefined;
        if (body && typeof body.pipe === 'function') body.pipe(upstream);
        else upstream.end();
      }).catch((err: unknown) => {
        throw unavailable(`cluster "${cluster}" is unreachable: ${(err as Error).message}`);
      });
      // Streams (watch, logs -f) have no deadline once they answer.
      upstream.setTimeout(0);
      reply.code(response.statusCode ?? 502);
      for (const [k, v] of Object.entries(response.headers)) {
        if (v !== undefined && !hopByHop.has(k)) reply.header(k, v);
      }
      req.raw.once('close', () => response.destroy());
      return reply.send(response);
    });
  });
}
