import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { registerAuditHooks } from './audit/audit.hooks.js';
import { registerAuditRoutes } from './audit/audit.routes.js';
import { registerAccessReviewRoutes } from './authz/access-review.routes.js';
import type { AuditStore } from './audit/audit.store.js';
import { registerAuthRoutes } from './auth/auth.routes.js';
import { registerAuthentication } from './auth/authenticate.js';
import { logRedaction } from './auth/log-redaction.js';
import type { CredentialStore } from './auth/credentials.js';
import type { LoginGuard } from './auth/login-guard.js';
import type { Access } from './authz/access.js';
import type { ChangeHub } from './cache/changes.js';
import type { ClusterCache } from './clusters/cluster-cache.js';
import { registerClusterDetailRoutes } from './clusters/cluster-detail.routes.js';
import type { ClusterConnections } from './clusters/connections.js';
import type { PlatformCache } from './cache/platform-cache.js';
import { SortedLists } from './cache/sorted-lists.js';
import { registerConsole } from './http/console.js';
import {
  defaultConnectionTimeouts,
  fastifyTimeouts,
  startWebSocketHeartbeat,
  type ConnectionTimeouts,
} from './http/connection-timeouts.js';
import { registerErrorHandling } from './http/error-handler.js';
import { registerJsonBody } from './http/json-body.js';
import { registerMetrics } from './http/metrics.js';
import { websocketErrorHandler } from './http/websocket-errors.js';
import type { PlatformObjects } from './kube/management.js';
import { registerObjectRoutes } from './objects/objects.routes.js';
import { registerKubeProxy } from './proxy/kube-proxy.js';
import { registerKubeconfigRoute } from './proxy/kubeconfig.routes.js';
import { registerRegistrationRoutes } from './clusters/registration.routes.js';
import type { TunnelHub } from './tunnel/tunnel-hub.js';
import { registerRelayRoute } from './tunnel/relay.routes.js';
import { registerTunnelRoute } from './tunnel/tunnel.routes.js';
import { registerQuotaViewRoutes } from './tenancy/quota-view.routes.js';
import { registerWatchRoutes } from './watch/watch.routes.js';
import './http/context.js';

export type AppDeps = {
  cache: PlatformCache;
  hub: ChangeHub;
  access: Access;
  credentials: CredentialStore;
  objects: PlatformObjects;
  audit: AuditStore;
  connections: ClusterConnections;
  /** The agents' tunnels connected to this replica. */
  tunnels: TunnelHub;
  /** The managed clusters' nodes, namespaces and events. */
  clusterCache: ClusterCache;
  /** The secret replicas show each other on relays (tunnel/peer-token.ts). */
  peerToken: string;
  kubeconfigServer: (hostname: string) => string;
  ca: string;
  guard: LoginGuard;
  sessionTtlSeconds: number;
  secureCookies: boolean;
  logLevel: string;
  logStream?: NodeJS.WritableStream;
  /** How long connections may hold the server without doing their part (default defaultConnectionTimeouts). */
  timeouts?: ConnectionTimeouts;
  /** 200 on /readyz once this says so. */
  ready: () => boolean;
};

const requestIdRe = /^[\w.-]{1,128}$/;

/** The HTTP surface: /api/v1 (OpenAPI at /api/v1/openapi.json), /healthz, /readyz, /metrics. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.logLevel,
      redact: logRedaction,
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    bodyLimit: 1024 * 1024,
    ...fastifyTimeouts(deps.timeouts ?? defaultConnectionTimeouts),
    trustProxy: false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdRe.test(given) ? given : randomUUID();
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // Browsers that once reached the HTTPS listener keep to HTTPS for this host.
    if (req.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
  });
  await app.register(cookie);
  // Agents' tunnels carry HTTP/2 frames in WebSocket messages; routes that take small messages check their size.
  await app.register(websocket, {
    options: { maxPayload: 1024 * 1024 },
    errorHandler: websocketErrorHandler,
  });
  const stopHeartbeat = startWebSocketHeartbeat(
    app.websocketServer,
    (deps.timeouts ?? defaultConnectionTimeouts).wsPingMs,
  );
  app.addHook('onClose', async () => stopHeartbeat());
  await app.register(swagger, {
    openapi: {
      info: { title: 'Shipyard API', version: 'v1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  registerErrorHandling(app);
  registerJsonBody(app);
  registerMetrics(app);
  registerAuditHooks(app, deps.audit);
  registerAuthentication(app, deps);

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    const ready = deps.ready();
    reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'starting' };
  });
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  registerAuthRoutes(app, { ...deps, audit: deps.audit });
  registerObjectRoutes(app, { ...deps, sorted: new SortedLists(deps.cache) });
  registerAuditRoutes(app, { store: deps.audit, access: deps.access });
  registerQuotaViewRoutes(app, deps);
  registerAccessReviewRoutes(app, deps);
  registerWatchRoutes(app, deps);
  registerKubeconfigRoute(app, deps);
  registerClusterDetailRoutes(app, deps);
  registerKubeProxy(app, deps);
  registerRegistrationRoutes(app, deps);
  registerTunnelRoute(app, deps);
  registerRelayRoute(app, deps);
  await registerConsole(app);
  return app;
}
