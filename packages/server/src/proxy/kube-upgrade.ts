/**
 * HTTP/1.1 Upgrade through the proxy: `kubectl exec`, `attach` and `port-forward` (WebSocket with the
 * v5.channel.k8s.io / portforward.k8s.io subprotocols, or SPDY/3.1 as their fallback), and any other upgrade
 * the cluster accepts.
 *
 * How the proxy gets the client's socket: @fastify/websocket listens to the server's `upgrade` event and
 * dispatches every upgrade request through the fastify router, with a response bound to the socket, so every
 * hook runs as for any request: authentication (and its Origin check for a session cookie on a WebSocket),
 * the audit hooks, metrics. It also wraps every route's handler so that an upgrade request gets its own
 * WebSocket handshake, which would close a proxied WebSocket and refuse SPDY. So the proxy route takes upgrades
 * in a route-level preHandler (`upgradeHook`), which runs after authentication and before that wrapper: an
 * answer that is not a 101 (403, 400…) or an unreachable cluster (503) goes back as an ordinary reply; on 101 it
 * hijacks the reply and splices the client's socket to the cluster's.
 */
import type { Duplex } from 'node:stream';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { unavailable } from '../http/errors.js';
import { splice } from '../tunnel/splice.js';
import {
  exchange,
  forwardHeaders,
  replyHeaders,
  upstreamRequest,
  type Headers,
  type ProxyTarget,
} from './upstream.js';

/** Whether the request asks to switch protocols (node then emits `upgrade` for it, not `request`). */
export function isUpgrade(headers: IncomingHttpHeaders): boolean {
  const connection = headers.connection ?? '';
  return (
    !!headers.upgrade &&
    connection
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .includes('upgrade')
  );
}

/** The subresources whose upgrades Kubernetes RBAC checks (and we audit) as `create`, whatever the method. */
export const streamingSubresources = new Set(['exec', 'attach', 'portforward']);

/** Headers of the upgrade request to the cluster: the forwarded ones, and the two that ask for the upgrade. */
export function upgradeHeaders(headers: IncomingHttpHeaders, user: string, groups: string[]): Headers {
  return {
    ...forwardHeaders(headers, user, groups),
    connection: 'Upgrade',
    upgrade: headers.upgrade ?? '',
  };
}

/**
 * Bytes the client sent past its request's headers, which node hands to the `upgrade` listener and
 * @fastify/websocket keeps on the request under a private symbol. WebSocket and SPDY clients wait for the 101
 * before sending anything, so this is empty for them; a client that pipelines still has its bytes forwarded.
 */
function clientHead(raw: IncomingMessage): Buffer {
  const key = Object.getOwnPropertySymbols(raw).find((s) => s.description === 'ws-head');
  const head: unknown = key ? Reflect.get(raw, key) : undefined;
  return Buffer.isBuffer(head) ? head : Buffer.alloc(0);
}

/** The status line and headers of the cluster's 101, as it sent them (raw names, repeated fields kept). */
function switchingHead(response: IncomingMessage): string {
  const lines = [`HTTP/1.1 101 ${response.statusMessage || 'Switching Protocols'}`];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

export type UpgradeContext = {
  target: ProxyTarget;
  /** Connections spliced now: the server ends them when it closes. */
  live: Set<Duplex>;
  /** Completes the request's audit record once the cluster has switched protocols. */
  completeAudit: (outcome: number) => Promise<void>;
};

/**
 * Proxies one upgrade request (see the file's comment). Resolves the reply: returned from the preHandler, a
 * reply (a thenable) holds fastify until the answer is sent, so the wrapped route handler never runs.
 */
export async function proxyUpgrade(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: UpgradeContext,
): Promise<FastifyReply> {
  const { caller, cluster, endpoint, path } = ctx.target;
  const client = req.raw.socket;
  const upstream = upstreamRequest(endpoint, {
    method: req.method,
    path,
    headers: upgradeHeaders(req.headers, caller.user, caller.groups),
  });
  // A client that leaves while the cluster is still answering takes the upstream request with it.
  const abandon = () => upstream.destroy(new Error('the client went away'));
  client.once('close', abandon);
  const answer = await exchange(upstream)
    .catch((err: unknown) => {
      throw unavailable(`cluster "${cluster}" is unreachable: ${(err as Error).message}`);
    })
    .finally(() => client.removeListener('close', abandon));

  const { response } = answer;
  if (!answer.upgraded) {
    // The cluster refused (403 without RBAC for pods/exec, 400 for a bad request…): an ordinary reply.
    client.once('close', () => response.destroy());
    reply.code(response.statusCode ?? 502).headers(replyHeaders(response.headers));
    return reply.send(response);
  }

  reply.code(101);
  reply.hijack();
  const { socket, head } = answer;
  // The 101 and whatever came with it go first; then the bytes flow as they come.
  client.write(switchingHead(response));
  if (head.length > 0) client.write(head);
  const pending = clientHead(req.raw);
  if (pending.length > 0) socket.write(pending);
  ctx.live.add(client);
  splice(client, socket, () => ctx.live.delete(client));
  await ctx.completeAudit(101);
  return reply;
}
