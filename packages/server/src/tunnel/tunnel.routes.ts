import type { FastifyInstance } from 'fastify';
import type { CredentialStore } from '../auth/credentials.js';
import type { PlatformCache } from '../cache/platform-cache.js';
import { bearerOf } from '../auth/authenticate.js';
import { unauthorized } from '../http/errors.js';
import type { TunnelHub } from './tunnel-hub.js';

export type TunnelRouteDeps = { cache: PlatformCache; credentials: CredentialStore; tunnels: TunnelHub };

declare module 'fastify' {
  interface FastifyRequest {
    /** The cluster whose agent authenticated on /api/v1/tunnel. */
    agentCluster?: string;
  }
}

/**
 * GET /api/v1/tunnel (WebSocket): where agents dial in with their agent token. The credential is checked
 * before the upgrade: a refused agent gets 401 (audited) and no WebSocket.
 */
export function registerTunnelRoute(app: FastifyInstance, deps: TunnelRouteDeps): void {
  app.get(
    '/api/v1/tunnel',
    {
      websocket: true,
      config: { public: true },
      schema: { hide: true },
      preValidation: async (req) => {
        req.auditTarget = { verb: 'connect', kind: 'clusters/tunnel' };
        const credential = await deps.credentials.verify(bearerOf(req), 'agent');
        const cluster = credential?.cluster;
        if (!cluster || deps.cache.get('Cluster', cluster)?.spec.connection?.mode !== 'agent') {
          throw unauthorized('the agent credential is unknown or revoked, or its cluster is gone');
        }
        req.agentCluster = cluster;
      },
    },
    (socket, req) => {
      if (req.agentCluster) deps.tunnels.attach(req.agentCluster, socket);
      else socket.close(1008, 'not authenticated');
    },
  );
}
