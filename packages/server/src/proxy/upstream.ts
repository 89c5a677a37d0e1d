import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { ClusterEndpoint } from '../clusters/connections.js';
import type { Caller } from '../http/context.js';

/** Prefix of the Kubernetes groups a platform group is impersonated as (its names are DNS labels). */
export const groupPrefix = 'shipyard:';
/** How long the cluster may take to connect and answer a request's headers. */
export const connectTimeoutMs = 5000;

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
]);

export type Headers = Record<string, string | string[]>;

/** One proxied request, authorized: who asks, of which cluster, at which API path (with its query). */
export type ProxyTarget = { caller: Caller; cluster: string; endpoint: ClusterEndpoint; path: string };

/**
 * The client's headers minus credentials, hop-by-hop fields and any Impersonate-* it tried to send. A body is
 * forwarded as it came, so its framing is kept: its Content-Length, or chunked if it came chunked. (Node frames
 * a body by itself only for methods that usually have one: a DELETE's DeleteOptions sent unframed would be
 * read by the API server as the start of the next request on that pooled connection, which it then drops.)
 */
export function forwardHeaders(headers: IncomingHttpHeaders, user: string, groups: string[]): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || hopByHop.has(k) || k.startsWith('impersonate-')) continue;
    out[k] = v;
  }
  if (headers['transfer-encoding'] !== undefined && headers['content-length'] === undefined) {
    out['transfer-encoding'] = 'chunked';
  }
  out['impersonate-user'] = user;
  out['impersonate-group'] = [...groups.map((g) => groupPrefix + g), 'system:authenticated'];
  return out;
}

/** The cluster's response headers that may go back to the client (hop-by-hop ones belong to each connection). */
export function replyHeaders(headers: IncomingHttpHeaders): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && !hopByHop.has(k)) out[k] = v;
  }
  return out;
}

/**
 * A request to the cluster's API server at `path` (with its query), through the endpoint's connection pool.
 * The endpoint's own credentials (a bearer token) come last: nothing the client sent replaces them.
 */
export function upstreamRequest(
  endpoint: ClusterEndpoint,
  opts: { method: string; path: string; headers: Headers },
): ClientRequest {
  return https.request({
    ...endpoint.options,
    protocol: 'https:',
    hostname: endpoint.server.hostname,
    port: endpoint.server.port || 443,
    method: opts.method,
    path: endpoint.server.pathname.replace(/\/$/, '') + opts.path,
    headers: { ...opts.headers, ...endpoint.options.headers },
    timeout: connectTimeoutMs,
  });
}

/** What the cluster answered an upgrade request: its 101 and the connection, or an ordinary response. */
export type UpgradeAnswer =
  | { upgraded: true; response: IncomingMessage; socket: Duplex; head: Buffer }
  | { upgraded: false; response: IncomingMessage };

/**
 * Sends the request (with `body` if given) and resolves the cluster's answer, its 101 included when
 * `upgrade` is set. Rejects when the cluster cannot be reached or does not answer within connectTimeoutMs;
 * once it answers there is no deadline (watches, logs -f and exec streams last as long as they need).
 */
export function exchange(upstream: ClientRequest, body?: Readable): Promise<UpgradeAnswer> {
  return new Promise<UpgradeAnswer>((resolve, reject) => {
    upstream.once('response', (response: IncomingMessage) => {
      upstream.setTimeout(0);
      resolve({ upgraded: false, response });
    });
    upstream.once('upgrade', (response: IncomingMessage, socket: Duplex, head: Buffer) => {
      upstream.setTimeout(0);
      // The socket is now the stream's alone: no deadline, and its errors are the splice's to handle.
      if ('setTimeout' in socket && typeof socket.setTimeout === 'function') socket.setTimeout(0);
      resolve({ upgraded: true, response, socket, head });
    });
    upstream.once('timeout', () => upstream.destroy(new Error('timed out connecting')));
    upstream.on('error', reject);
    if (body && typeof body.pipe === 'function') body.pipe(upstream);
    else upstream.end();
  });
}

/** Reads a whole (small) response body. */
export async function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
