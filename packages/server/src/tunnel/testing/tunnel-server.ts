/**
 * A bare HTTP server that hands authenticated agent WebSockets to a hub, as the real server will under
 * /api/v1/tunnel: here a token simply names its cluster.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TunnelHub } from '../tunnel-hub.js';

export interface TunnelServer {
  /** ws://127.0.0.1:PORT/api/v1/tunnel */
  url: string;
  /** http://127.0.0.1:PORT (https:// with TLS): the server's base URL, what the agent's --server takes. */
  baseUrl: string;
  /** Every agent WebSocket accepted, newest last. */
  sockets: WebSocket[];
  close(): Promise<void>;
}

export async function startTunnelServer(
  hub: TunnelHub,
  clusterOfToken: Record<string, string>,
  tls?: { cert: Buffer; key: Buffer },
): Promise<TunnelServer> {
  const notFound: http.RequestListener = (_req, res) => void res.writeHead(404).end();
  const server: http.Server = tls ? https.createServer(tls, notFound) : http.createServer(notFound);
  const wss = new WebSocketServer({ noServer: true });
  const sockets: WebSocket[] = [];
  server.on('upgrade', (req, socket, head) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cluster = token === undefined ? undefined : clusterOfToken[token];
    if (req.url !== '/api/v1/tunnel' || cluster === undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.push(ws);
      hub.attach(cluster, ws);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/api/v1/tunnel`,
    baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    sockets,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
