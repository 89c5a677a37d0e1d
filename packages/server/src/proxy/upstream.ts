import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import type { ClusterEndpoint } from '../clusters/connections.js';
import { dropIdle, type GuardedPool } from '../clusters/guarded-agents.js';
import type { Caller } from '../http/context.js';

/** Prefix of the Kubernetes groups a platform group is impersonated as (its names are DNS labels). */
export const groupPrefix = 'shipyard:';
/**
 * How long the cluster may stay silent before it answers a request's headers: counted from when the request
 * starts, and again from each chunk of its body, so a slow upload is not cut while it moves; short enough that
 * the 503 of a hung cluster leaves within 5 s. A cluster that shows life meanwhile (it answers other requests)
 * is busy, not hung: the request then waits up to its health's patienceMs. (A new connection must also
 * complete TLS: see clusters/cluster-health.ts.) Once the headers come there is no deadline: watches, logs -f
 * and exec streams last as long as they need.
 */
export const answerTimeoutMs = 4_500;

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

/** The pool each upstream request was made through. */
const pools = new WeakMap<ClientRequest, GuardedPool>();

/**
 * A request to the cluster's API server at `path` (with its query), through the endpoint's connection pool.
 * The endpoint's own credentials (a bearer token) come last: nothing the client sent replaces them.
 */
export function upstreamRequest(
  endpoint: ClusterEndpoint,
  opts: { method: string; path: string; headers: Headers },
): ClientRequest {
  const req = https.request({
    ...endpoint.options,
    protocol: 'https:',
    hostname: endpoint.server.hostname,
    port: endpoint.server.port || 443,
    method: opts.method,
    path: endpoint.server.pathname.replace(/\/$/, '') + opts.path,
    headers: { ...opts.headers, ...endpoint.options.headers },
  });
  pools.set(req, endpoint.pool);
  return req;
}

/** What the cluster answered an upgrade request: its 101 and the connection, or an ordinary response. */
export type UpgradeAnswer =
  | { upgraded: true; response: IncomingMessage; socket: Duplex; head: Buffer }
  | { upgraded: false; response: IncomingMessage };

/**
 * Sends the request (with `body` if given) and resolves the cluster's answer, its 101 included for an
 * upgrade. Rejects when the cluster cannot be reached or stays silent for answerTimeoutMs (see there): one
 * deadline per request, which a connection that never completes cuts shorter, never longer.
 */
export function exchange(upstream: ClientRequest, body?: Readable): Promise<UpgradeAnswer> {
  return new Promise<UpgradeAnswer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let quietSince = Date.now();
    const pool = pools.get(upstream);
    const silent = (): void => {
      const waited = Date.now() - quietSince;
      if (pool?.health.alive(answerTimeoutMs) && waited < pool.health.patienceMs) {
        timer = setTimeout(silent, answerTimeoutMs);
        return;
      }
      // A kept-alive connection that went silent: the pool's other idle ones likely did too.
      if (upstream.reusedSocket && pool) dropIdle(pool);
      upstream.destroy(new Error(`no answer within ${Math.round(waited / 100) / 10} s`));
    };
    const arm = (): void => {
      clearTimeout(timer);
      quietSince = Date.now();
      timer = setTimeout(silent, answerTimeoutMs);
    };
    const settled = (): void => {
      clearTimeout(timer);
      body?.removeListener('data', arm);
    };
    upstream.once('response', (response: IncomingMessage) => {
      settled();
      pool?.health.up();
      resolve({ upgraded: false, response });
    });
    upstream.once('upgrade', (response: IncomingMessage, socket: Duplex, head: Buffer) => {
      settled();
      pool?.health.up();
      resolve({ upgraded: true, response, socket, head });
    });
    upstream.on('error', (err) => {
      settled();
      reject(err);
    });
    arm();
    if (body && typeof body.pipe === 'function') {
      body.on('data', arm);
      // A body that fails (a client gone mid-upload, one past the limit) ends the request with its error.
      body.once('error', (err) => upstream.destroy(err));
      body.pipe(upstream);
    } else upstream.end();
  });
}

/** Reads a whole (small) response body. */
export async function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
