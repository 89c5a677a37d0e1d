import type { Duplex, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { beginAudit, verbOf } from '../audit/audit.hooks.js';
import type { AuditStore } from '../audit/audit.store.js';
import { callerOf } from '../http/context.js';
import type { Access } from '../authz/access.js';
import type { ClusterConnections } from '../clusters/connections.js';
import { forbidden, unavailable } from '../http/errors.js';
import { BodyTooLargeError, limitBody, tooLarge } from './body-limit.js';
import { parseKubePath } from './kube-path.js';
import { isUpgrade, proxyUpgrade, streamingSubresources } from './kube-upgrade.js';
import { clusterWideList, jsonAccept, listAcrossNamespaces, type Answer } from './namespaced-list.js';
import {
  exchange,
  forwardHeaders,
  readAll,
  replyHeaders,
  upstreamRequest,
  type Headers,
  type ProxyTarget,
} from './upstream.js';

export type KubeProxyDeps = { connections: ClusterConnections; access: Access; audit: AuditStore };

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Checks the caller may reach the cluster, finds its endpoint, and begins the audit record of a mutation. */
async function authorize(req: FastifyRequest, deps: KubeProxyDeps): Promise<ProxyTarget> {
  const caller = callerOf(req);
  const { cluster } = req.params as { cluster: string };
  if (!deps.access.reachesCluster(caller.user, cluster)) {
    throw forbidden(`${caller.user} has no access to cluster "${cluster}"`);
  }
  const endpoint = await deps.connections.endpoint(cluster);
  const path = req.url.slice(`/k8s/clusters/${encodeURIComponent(cluster)}`.length) || '/';
  const t = parseKubePath(path);
  // exec, attach and port-forward open a stream in the pod: Kubernetes RBAC checks them as `create`, whatever
  // the method (a WebSocket upgrade is a GET), and so does the audit log, before the stream opens.
  const streaming = isUpgrade(req.headers) && streamingSubresources.has(t.subresource ?? '');
  if (mutating.has(req.method) || streaming) {
    await beginAudit(req, deps.audit, {
      verb: streaming ? 'create' : verbOf(req.method),
      kind: t.subresource ? `${t.resource}/${t.subresource}` : t.resource,
      name: t.name,
      namespace: t.namespace,
      cluster,
    });
  }
  return { caller, cluster, endpoint, path };
}

/**
 * Answers a cluster-wide list that the cluster refused (403) with the lists of the namespaces the caller may
 * see (see namespaced-list.ts). False when it did not answer: the refusal stands. (Not the reply itself: a
 * reply is a thenable that settles only when sent, and resolves to nothing.)
 */
async function namespacedFallback(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: KubeProxyDeps,
  target: ProxyTarget,
): Promise<boolean> {
  const list = clusterWideList(target.path);
  const accept = jsonAccept(req.headers.accept);
  if (!list || !accept) return false;
  const namespaces = deps.access.namespacesIn(target.caller.user, target.cluster);
  if (namespaces.length === 0) return false;
  // JSON only, and uncompressed: the answers are parsed and merged here.
  const headers: Headers = {
    ...forwardHeaders(req.headers, target.caller.user, target.caller.groups),
    accept,
  };
  delete headers['accept-encoding'];
  const get = async (path: string): Promise<Answer> => {
    const { response } = await exchange(
      upstreamRequest(target.endpoint, { method: 'GET', path, headers }),
    ).catch((err: unknown) => {
      throw unavailable(`cluster "${target.cluster}" is unreachable: ${(err as Error).message}`);
    });
    return {
      status: response.statusCode ?? 502,
      headers: replyHeaders(response.headers),
      body: await readAll(response),
    };
  };
  const result = await listAcrossNamespaces({ list, namespaces, get });
  switch (result.outcome) {
    case 'none':
      return false;
    case 'failed':
      reply.code(result.answer.status).headers(result.answer.headers).send(result.answer.body);
      return true;
    case 'merged':
      reply.code(200).type('application/json');
      // kubectl prints Warning headers: the user learns why they see only part of the cluster.
      reply.header(
        'warning',
        `299 - "listed ${list.resource} only in the ${result.namespaces.length} namespace(s) you may see on this cluster"`,
      );
      reply.send(JSON.stringify(result.body));
      return true;
  }
}

/**
 * /k8s/clusters/{cluster}/… takes every Kubernetes API request, streamed to the cluster as the caller
 * (Impersonate-User/Group), so the cluster's RBAC decides. Mutations, exec, attach and port-forward are
 * audited. Upgrades (exec, attach, port-forward) are spliced through (kube-upgrade.ts); a cluster-wide list
 * refused to a user who may see some namespaces is answered from those namespaces (namespaced-list.ts).
 */
export function registerKubeProxy(app: FastifyInstance, deps: KubeProxyDeps): void {
  void app.register(async (scope) => {
    // Bodies pass through untouched, whatever their type.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    // Spliced connections do not end when the server stops listening: end them, or closing would wait on them.
    const live = new Set<Duplex>();
    scope.addHook('preClose', async () => {
      for (const socket of live) socket.destroy();
    });

    const upgradeHook = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!isUpgrade(req.headers)) return;
      const target = await authorize(req, deps);
      const completeAudit = async (outcome: number) => {
        if (req.auditId === undefined) return;
        await deps.audit
          .complete(req.auditId, { outcome })
          .catch((err: unknown) =>
            req.log.error({ err, auditId: req.auditId }, 'audit record not completed'),
          );
      };
      return proxyUpgrade(req, reply, { target, live, completeAudit });
    };

    scope.all(
      '/k8s/clusters/:cluster/*',
      { schema: { hide: true }, preHandler: upgradeHook },
      async (req, reply) => {
        const target = await authorize(req, deps);
        const { caller, cluster, endpoint, path } = target;
        const body = limitBody(req.headers, req.body as Readable | undefined);
        const upstream = upstreamRequest(endpoint, {
          method: req.method,
          path,
          headers: forwardHeaders(req.headers, caller.user, caller.groups),
        });
        const { response } = await exchange(upstream, body).catch((err: unknown) => {
          if (err instanceof BodyTooLargeError) {
            // The rest of the body is not read: the connection cannot carry another request.
            reply.header('connection', 'close');
            throw tooLarge();
          }
          throw unavailable(`cluster "${cluster}" is unreachable: ${(err as Error).message}`);
        });
        // The client went away mid-answer (a watch, logs -f): free the cluster's side. An answer read to the end
        // leaves its connection to the pool.
        req.raw.once('close', () => {
          if (!response.complete) response.destroy();
        });
        if (response.statusCode === 403 && req.method === 'GET') {
          // The refusal is small; keep it to pass it through if no namespace answers either.
          const refusal = await readAll(response);
          if (await namespacedFallback(req, reply, deps, target)) return reply;
          return reply.code(403).headers(replyHeaders(response.headers)).send(refusal);
        }
        reply.code(response.statusCode ?? 502).headers(replyHeaders(response.headers));
        // A quiet watch or log stream sends no byte for a while: send the status and headers at once, as the
        // API server does, for clients that wait for them before they go on.
        reply.raw.once('pipe', () => reply.raw.flushHeaders());
        return reply.send(response);
      },
    );
  });
}
