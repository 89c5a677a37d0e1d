import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createWebSocketStream } from 'ws';
import { bearerOf } from '../auth/authenticate.js';
import { ApiError, badRequest, unauthorized } from '../http/errors.js';
import { samePeerToken } from './peer-token.js';
import { relayPath } from './relay-dial.js';
import { splice } from './splice.js';
import { isTunnelError } from './tunnel-errors.js';
import type { TunnelHub } from './tunnel-hub.js';

export type RelayRouteDeps = {
  /** This replica's own hub: a relay never goes on to a third replica, so relays cannot loop. */
  tunnels: TunnelHub;
  peerToken: string;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** The stream to the cluster that a relay dialed before its WebSocket was accepted. */
    relayStream?: Duplex;
  }
}

/** The relay's one query parameter; anything else in the query is ignored, as for every GET. */
const relayQuery = z.object({ cluster: z.string().min(1).max(253) });

const statusOf = { NotConnected: 503, Disconnected: 503, Aborted: 503, DialFailed: 502, DialTimeout: 504 };

/**
 * GET /api/v1/tunnel/relay?cluster=<c> (WebSocket): another replica reaching a cluster whose agent is
 * connected here. Only replicas know the peer token. The local hub is dialed before the upgrade, so a failure
 * answers with its status and the TunnelError reason as `reason`; once open, the WebSocket carries the bytes
 * of the tunnel stream (TLS between the caller and the cluster's API server) until either end closes.
 */
export function registerRelayRoute(app: FastifyInstance, deps: RelayRouteDeps): void {
  app.get(
    relayPath,
    {
      websocket: true,
      config: { public: true },
      schema: { hide: true },
      preValidation: async (req) => {
        const query = relayQuery.safeParse(req.query);
        const cluster = query.success ? query.data.cluster : '';
        req.auditTarget = { verb: 'connect', kind: 'clusters/tunnel/relay', cluster: cluster || undefined };
        if (!samePeerToken(bearerOf(req), deps.peerToken))
          throw unauthorized('relays are for replicas of this platform');
        if (!cluster) throw badRequest('cluster is required', 'cluster');
        if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw badRequest('a relay is a WebSocket');
        let stream: Duplex;
        try {
          stream = await deps.tunnels.dial(cluster);
        } catch (err) {
          if (!isTunnelError(err)) throw err;
          throw new ApiError(statusOf[err.reason], err.reason, err.message);
        }
        req.relayStream = stream;
        // Whatever becomes of the upgrade, the stream goes with the connection.
        req.raw.socket.once('close', () => stream.destroy());
      },
    },
    (socket, req) => {
      if (req.relayStream) splice(createWebSocketStream(socket), req.relayStream);
      else socket.close(1011, 'no stream');
    },
  );
}
