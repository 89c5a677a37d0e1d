/**
 * How long a connection may hold the server without doing its part, on the HTTP and the HTTPS listener alike
 * (the HTTPS one hands its decrypted connections to the same HTTP server):
 *
 * - a TLS handshake, and a request's headers, must arrive within headersMs (a slow or half-sent request);
 * - a request's headers and body within requestMs;
 * - a kept-alive connection with no request in flight is closed after keepAliveMs;
 * - WebSockets (the live channel, agents' tunnels, relays between replicas) are pinged every wsPingMs, and one
 *   that did not answer the previous ping is closed (browsers and the ws library answer by themselves).
 *
 * An answer has no deadline: a kube watch, `logs -f` or an exec session through the proxy lasts as long as the
 * cluster keeps it (quiet watches send nothing for minutes), and so does the client's connection.
 */
import type { ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import type { WebSocket, WebSocketServer } from 'ws';

export type ConnectionTimeouts = {
  headersMs: number;
  requestMs: number;
  keepAliveMs: number;
  wsPingMs: number;
};

export const defaultConnectionTimeouts: ConnectionTimeouts = {
  headersMs: 30_000,
  // A 3 MiB body (the proxy's limit) in two minutes: 26 KB/s.
  requestMs: 120_000,
  // Longer than the 60 s idle timeout of the usual load balancers: the server never closes a connection one of
  // them is about to reuse.
  keepAliveMs: 72_000,
  wsPingMs: 30_000,
};

/** The timeouts as Fastify's options (node checks the headers and request deadlines every few seconds). */
export function fastifyTimeouts(t: ConnectionTimeouts): {
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionTimeout: number;
  http: ServerOptions;
} {
  return {
    requestTimeout: t.requestMs,
    keepAliveTimeout: t.keepAliveMs,
    // No idle deadline on a socket with a request in flight: its answer may be a quiet watch.
    connectionTimeout: 0,
    http: {
      headersTimeout: t.headersMs,
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(t.headersMs / 4))),
    },
  };
}

/**
 * Closes a connection to `server` that has not completed its TLS handshake within `ms`, one that never sends a
 * byte included (node's handshakeTimeout counts only once the handshake has begun).
 */
export function handshakeDeadline(server: TlsServer, ms: number): void {
  const pending = new Map<string, NodeJS.Timeout>();
  const keyOf = (s: Socket | TLSSocket) => `${s.remoteAddress}:${s.remotePort}`;
  server.on('connection', (raw: Socket) => {
    const key = keyOf(raw);
    const timer = setTimeout(() => raw.destroy(), ms);
    timer.unref();
    pending.set(key, timer);
    raw.once('close', () => {
      clearTimeout(timer);
      if (pending.get(key) === timer) pending.delete(key);
    });
  });
  server.on('secureConnection', (socket: TLSSocket) => {
    const key = keyOf(socket);
    clearTimeout(pending.get(key));
    pending.delete(key);
  });
}

/**
 * Pings every WebSocket of `wss` every `everyMs`; one that has not answered the previous ping is terminated.
 * Returns the function that stops.
 */
export function startWebSocketHeartbeat(wss: WebSocketServer, everyMs: number): () => void {
  const watched = new WeakSet<WebSocket>();
  const unanswered = new WeakSet<WebSocket>();
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!watched.has(ws)) {
        watched.add(ws);
        ws.on('pong', () => unanswered.delete(ws));
      }
      if (unanswered.has(ws)) {
        ws.terminate();
        continue;
      }
      unanswered.add(ws);
      ws.ping();
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
